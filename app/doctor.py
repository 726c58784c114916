"""`personal-agent doctor`: one line per check, ok/warn/fail, with a fix hint, in English or German.

A check's ``name`` is its English label and stays as it is (a stable key for scripts reading ``--json``);
``label`` holds the label per language, ``detail_de``/``hint_de`` the German of the detail and the hint
(empty where they are content only: a path, a device's name). The words: app/doctor_text.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from app.doctor_text import DOCTOR
from app.services import Services
from storage.bilingual import said

Status = Literal["ok", "warn", "fail"]
Said = tuple[str, str]  # (English, German)


class Check(BaseModel):
    name: str
    status: Status
    detail: str
    hint: str = ""
    label: dict[str, str] = Field(default_factory=dict)  # language -> the check's label
    detail_de: str = ""
    hint_de: str = ""

    def line(self, lang: str = "en") -> str:
        german = lang == "de"
        name = self.label.get(lang) or self.name
        detail = self.detail_de if german and self.detail_de else self.detail
        hint = self.hint_de if german and self.hint_de else self.hint
        tag = DOCTOR.text(f"status.{self.status}", lang).upper()
        shown = f"  -> {hint}" if hint and self.status != "ok" else ""
        return f"[{tag:4}] {name}: {detail}{shown}"


def _say(key: str, **values: object) -> Said:
    return DOCTOR.text(key, "en", **values), DOCTOR.text(key, "de", **values)


def _error(exc: BaseException) -> Said:
    """An error's line in both languages (its own German where it has one, else the library's words)."""
    return str(exc), said(exc, "de")


def _check(label: Said, status: Status, detail: Said | str, hint: Said | str = "") -> Check:
    d = (detail, "") if isinstance(detail, str) else detail
    h = (hint, "") if isinstance(hint, str) else hint
    return Check(name=label[0], status=status, detail=d[0], hint=h[0], label={"en": label[0], "de": label[1]},
                 detail_de=d[1] if d[1] != d[0] else "", hint_de=h[1] if h[1] != h[0] else "")


def _models(sv: Services) -> list[Check]:
    from audio.models import ModelError, piper_voice_files, resolve_whisper_model, silero_vad_path

    out: list[Check] = []
    try:
        path = resolve_whisper_model(sv.settings.stt.model, sv.paths.models_dir)
        import ctranslate2

        ok = ctranslate2.contains_model(path)
        out.append(_check(_say("label.speech_model"), "ok" if ok else "fail", path, _say("models.setup")))
    except (ModelError, ImportError) as exc:
        out.append(_check(_say("label.speech_model"), "fail", _error(exc), _say("models.readme")))
    try:
        onnx, _cfg = piper_voice_files(sv.settings.tts.voice, sv.paths.models_dir)
        import onnxruntime

        onnxruntime.InferenceSession(str(silero_vad_path()), providers=["CPUExecutionProvider"])
        out.append(_check(_say("label.piper"), "ok", str(onnx)))
        out.append(_check(_say("label.vad"), "ok", _say("vad.loads")))
    except (ModelError, ImportError) as exc:
        out.append(_check(_say("label.voice_vad"), "fail", _error(exc), _say("models.readme")))
    out.extend(_voices_per_language(sv))
    return out


def _voices_per_language(sv: Services) -> list[Check]:
    """Which voice speaks each language: a Piper voice, the espeak-ng fallback (warn), or none (fail)."""
    from app.wiring.speech import voice_config
    from audio.speakable import Language
    from audio.tts import LANGUAGE_NAMES, SUGGESTED_VOICES, NoVoiceError, PiperTts

    german_names = {"en": "Englisch", "de": "Deutsch"}
    tts = PiperTts(voice_config(sv.settings, sv.paths), threads=1)
    out = []
    langs: tuple[Language, ...] = ("en", "de")
    for lang in langs:
        label = _say("label.voice_lang", lang=lang)
        try:
            out.append(_check(label, "ok", tts.config.voice_for(lang)))
        except NoVoiceError:
            hint = _say("voice.install", voice=SUGGESTED_VOICES[lang])
            key = "voice.fallback" if tts.is_fallback(lang) else "voice.none"
            detail = (DOCTOR.text(key, "en", name=LANGUAGE_NAMES[lang]), DOCTOR.text(key, "de", name=german_names[lang]))
            out.append(_check(label, "warn", detail, hint))
    return out


def _audio_devices(sv: Services) -> list[Check]:
    try:
        import sounddevice as sd

        devices = sd.query_devices()
    except Exception as exc:  # PortAudio missing or broken
        return [_check(_say("label.audio_devices"), "warn", _say("audio.unavailable", detail=exc),
                       _say("audio.install"))]
    ins = [d for d in devices if d["max_input_channels"] > 0]
    outs = [d for d in devices if d["max_output_channels"] > 0]

    def found(key: str, listed: list[dict[str, object]]) -> Said:
        en, de = _say(key, count=len(listed))
        if listed:
            example = _say("audio.example", name=listed[0]["name"])
            return en + example[0], de + example[1]
        return en, de

    return [
        _check(_say("label.microphone"), "ok" if ins else "warn", found("audio.inputs", ins), _say("audio.mic_hint")),
        _check(_say("label.speaker"), "ok" if outs else "warn", found("audio.outputs", outs),
               _say("audio.speaker_hint")),
    ]


def database_check(sv: Services) -> list[Check]:
    try:
        from sqlalchemy import text

        db = sv.db
        with db.session() as s:
            s.execute(text("SELECT 1"))
        return [_check(_say("label.database"), "ok", _say("db.ok", dialect=db.dialect))]
    except Exception as exc:
        return [_check(_say("label.database"), "fail", f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
                       _say("db.hint"))]


def _keyring(sv: Services) -> list[Check]:
    from app import secrets

    try:
        return [_check(_say("label.keyring"), "ok", secrets.backend_name())]
    except secrets.SecretStoreError as exc:
        return [_check(_say("label.keyring"), "warn", _error(exc), _say("keyring.hint"))]


def _accounts(sv: Services) -> list[Check]:
    out = []
    try:
        accounts = sv.accounts.list()
    except Exception as exc:
        return [_check(_say("label.accounts"), "fail", _error(exc))]
    if not accounts:
        out.append(_check(_say("label.accounts"), "ok", _say("accounts.none")))
    for a in accounts:
        res = sv.accounts.test(a.name, a.kind, timeout=5)
        again = not res.ok and "sign in again" in res.message  # a withdrawn or expired sign-in
        out.append(_check(_say("label.account", kind=a.kind, name=a.name), "ok" if res.ok else "fail", res.message,
                          _say("accounts.hint", command="signin" if again else "test", name=a.name)))
    return out


def storage_check(sv: Services) -> list[Check]:
    st = sv.settings.storage
    label = _say("label.storage", backend=st.backend)
    if st.backend == "local":
        root = st.local_root or sv.paths.recordings_dir
        try:
            root.mkdir(parents=True, exist_ok=True)
            probe = root / ".doctor-probe"
            probe.write_bytes(b"ok")
            probe.unlink()
            import shutil

            free = shutil.disk_usage(root).free / 1e9
            status: Status = "ok" if free > 1 else "warn"
            detail = (DOCTOR.text("storage.free", "en", root=root, free=f"{free:.1f}"),
                      DOCTOR.text("storage.free", "de", root=root, free=f"{free:.1f}".replace(".", ",")))
            return [_check(label, status, detail, _say("storage.free_hint"))]
        except OSError as exc:
            return [_check(label, "fail", _error(exc), _say("storage.local_hint"))]
    try:
        from app.wiring.storage import open_backend

        backend = open_backend(sv)
        backend.list("")
        return [_check(label, "ok", _say("storage.reachable"))]
    except ImportError:
        return [_check(label, "warn", _say("storage.unavailable"))]
    except Exception as exc:
        return [_check(label, "fail", f"{type(exc).__name__}: {exc}", _say("storage.hint"))]


def _encryption(sv: Services) -> list[Check]:
    from app.security import enabled
    from storage.db.engine import default_database_url, is_plaintext_sqlite, sqlite_path
    from storage.errors import StorageError

    label = _say("label.encryption")
    if not enabled(sv.paths.data_dir):
        return [_check(label, "warn", _say("encryption.off"), _say("encryption.off_hint"))]
    try:
        keys = sv.data_keys
    except StorageError as exc:  # the key is missing or wrong: one line, no key material
        return [_check(label, "fail", _error(exc))]
    assert keys is not None
    path = sqlite_path(sv.settings.database_url or default_database_url(sv.paths.data_dir))
    if path is not None and path.exists() and is_plaintext_sqlite(path):
        return [_check(label, "warn", _say("encryption.db_plain"), _say("encryption.finish"))]
    where = "encryption.postgres" if path is None else "encryption.db_done"
    en, de = _say(where)
    return [_check(label, "ok", (DOCTOR.text("encryption.on", "en", kek=keys.kek_id, where=en),
                                 DOCTOR.text("encryption.on", "de", kek=keys.kek_id, where=de)))]


CHECKS: list[Callable[[Services], list[Check]]] = [
    _models, _audio_devices, database_check, _keyring, _encryption, _accounts, storage_check,
]


def run_checks(sv: Services) -> list[Check]:
    results: list[Check] = []
    for check in CHECKS:
        try:
            results.extend(check(sv))
        except Exception as exc:  # a check must never crash the doctor
            results.append(Check(name=check.__name__.strip("_"), status="fail", detail=f"{type(exc).__name__}: {exc}"))
    return results
