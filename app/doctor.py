"""`personal-agent doctor`: one line per check, ok/warn/fail, with a fix hint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from app.services import Services

Status = Literal["ok", "warn", "fail"]


class Check(BaseModel):
    name: str
    status: Status
    detail: str
    hint: str = ""

    def line(self) -> str:
        hint = f"  -> {self.hint}" if self.hint and self.status != "ok" else ""
        return f"[{self.status.upper():4}] {self.name}: {self.detail}{hint}"


def _models(sv: Services) -> list[Check]:
    from audio.models import ModelError, piper_voice_files, resolve_whisper_model, silero_vad_path

    out: list[Check] = []
    try:
        path = resolve_whisper_model(sv.settings.stt.model, sv.paths.models_dir)
        import ctranslate2

        ok = ctranslate2.contains_model(path)
        out.append(Check(name="speech model", status="ok" if ok else "fail", detail=path,
                         hint="run: personal-agent setup-models"))
    except (ModelError, ImportError) as exc:
        out.append(Check(name="speech model", status="fail", detail=str(exc), hint="run the README setup command"))
    try:
        onnx, _cfg = piper_voice_files(sv.settings.tts.voice, sv.paths.models_dir)
        import onnxruntime

        onnxruntime.InferenceSession(str(silero_vad_path()), providers=["CPUExecutionProvider"])
        out.append(Check(name="voice (piper)", status="ok", detail=str(onnx)))
        out.append(Check(name="vad (silero onnx)", status="ok", detail="loads with onnxruntime"))
    except (ModelError, ImportError) as exc:
        out.append(Check(name="voice/vad", status="fail", detail=str(exc), hint="run the README setup command"))
    out.extend(_voices_per_language(sv))
    return out


def _voices_per_language(sv: Services) -> list[Check]:
    """Which voice speaks each language: a Piper voice, the espeak-ng fallback (warn), or none (fail)."""
    from app.wiring.speech import voice_config
    from audio.speakable import Language
    from audio.tts import LANGUAGE_NAMES, SUGGESTED_VOICES, NoVoiceError, PiperTts

    tts = PiperTts(voice_config(sv.settings, sv.paths), threads=1)
    out = []
    langs: tuple[Language, ...] = ("en", "de")
    for lang in langs:
        name = LANGUAGE_NAMES[lang]
        try:
            out.append(Check(name=f"voice {lang}", status="ok", detail=tts.config.voice_for(lang)))
        except NoVoiceError:
            hint = f"install {SUGGESTED_VOICES[lang]} in Voices & models (personal-agent models install)"
            if tts.is_fallback(lang):
                out.append(Check(name=f"voice {lang}", status="warn",
                                 detail=f"fallback: {name} is spoken by espeak-ng", hint=hint))
            else:
                out.append(Check(name=f"voice {lang}", status="warn", detail=f"no voice speaks {name}", hint=hint))
    return out


def _audio_devices(sv: Services) -> list[Check]:
    try:
        import sounddevice as sd

        devices = sd.query_devices()
    except Exception as exc:  # PortAudio missing or broken
        return [Check(name="audio devices", status="warn", detail=f"PortAudio unavailable: {exc}",
                      hint="apt-get install libportaudio2 (files and the web UI still work)")]
    ins = [d for d in devices if d["max_input_channels"] > 0]
    outs = [d for d in devices if d["max_output_channels"] > 0]
    return [
        Check(name="microphone", status="ok" if ins else "warn",
              detail=f"{len(ins)} input device(s)" + (f", e.g. {ins[0]['name']}" if ins else ""),
              hint="connect a microphone or use the web UI's microphone"),
        Check(name="speaker", status="ok" if outs else "warn",
              detail=f"{len(outs)} output device(s)" + (f", e.g. {outs[0]['name']}" if outs else ""),
              hint="connect a speaker or use the web UI"),
    ]


def database_check(sv: Services) -> list[Check]:
    try:
        from sqlalchemy import text

        db = sv.db
        with db.session() as s:
            s.execute(text("SELECT 1"))
        return [Check(name="database", status="ok", detail=f"{db.dialect}, migrated to head")]
    except Exception as exc:
        return [Check(name="database", status="fail", detail=f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
                      hint="check PA_DATABASE_URL and that the server is running")]


def _keyring(sv: Services) -> list[Check]:
    from app import secrets

    try:
        return [Check(name="keyring", status="ok", detail=secrets.backend_name())]
    except secrets.SecretStoreError as exc:
        return [Check(name="keyring", status="warn", detail=str(exc), hint="set PA_KEYRING_PASSWORD")]


def _accounts(sv: Services) -> list[Check]:
    out = []
    try:
        accounts = sv.accounts.list()
    except Exception as exc:
        return [Check(name="accounts", status="fail", detail=str(exc))]
    if not accounts:
        out.append(Check(name="accounts", status="ok", detail="none configured (offline features only)"))
    for a in accounts:
        res = sv.accounts.test(a.name, a.kind, timeout=5)
        again = not res.ok and "sign in again" in res.message  # a withdrawn or expired sign-in
        out.append(Check(name=f"account {a.kind}:{a.name}", status="ok" if res.ok else "fail", detail=res.message,
                         hint=f"personal-agent accounts {'signin' if again else 'test'} {a.name}"))
    return out


def storage_check(sv: Services) -> list[Check]:
    st = sv.settings.storage
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
            return [Check(name="storage (local)", status=status, detail=f"{root} writable, {free:.1f} GB free",
                          hint="free some disk space before long recordings")]
        except OSError as exc:
            return [Check(name="storage (local)", status="fail", detail=str(exc), hint="check PA_STORAGE__LOCAL_ROOT")]
    try:
        from app.wiring.storage import open_backend

        backend = open_backend(sv)
        backend.list("")
        return [Check(name=f"storage ({st.backend})", status="ok", detail="reachable")]
    except ImportError:
        return [Check(name=f"storage ({st.backend})", status="warn", detail="backend not available in this build")]
    except Exception as exc:
        return [Check(name=f"storage ({st.backend})", status="fail", detail=f"{type(exc).__name__}: {exc}",
                      hint="check the server, share/bucket and `personal-agent accounts test`")]


def _encryption(sv: Services) -> list[Check]:
    from app.security import enabled
    from storage.db.engine import default_database_url, is_plaintext_sqlite, sqlite_path
    from storage.errors import StorageError

    if not enabled(sv.paths.data_dir):
        return [Check(name="encryption at rest", status="warn", detail="off",
                      hint="turn it on with `personal-agent security encrypt` (docs/SECURITY.md)")]
    try:
        keys = sv.data_keys
    except StorageError as exc:  # the key is missing or wrong: one line, no key material
        return [Check(name="encryption at rest", status="fail", detail=str(exc))]
    assert keys is not None
    path = sqlite_path(sv.settings.database_url or default_database_url(sv.paths.data_dir))
    if path is not None and path.exists() and is_plaintext_sqlite(path):
        return [Check(name="encryption at rest", status="warn", detail="on, but the database is not encrypted yet",
                      hint="finish with `personal-agent security encrypt`")]
    where = "PostgreSQL not covered" if path is None else "database encrypted"
    return [Check(name="encryption at rest", status="ok", detail=f"on, key {keys.kek_id}; {where}")]


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
