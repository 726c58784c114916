"""Backups on a storage backend: create (snapshot, seal, store, then retention), list, verify, restore.

Objects per backup under the backup prefix: ``<id>.pabackup`` (the sealed archive) and ``<id>.json``
(its manifest, written last: a backup without one is incomplete and is not listed). The backup key is a
random 256-bit key in the keyring (kind ``backup``); ``recovery_code`` shows it so that it can be kept
apart from the machine: on a new machine it is given to ``restore`` (``--key-stdin``)."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets as pysecrets
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app import __version__, secrets
from app.backup.archive import ArchiveError, Manifest, entries, file_sha256, seal, unpack
from app.backup.snapshot import SnapshotError, Source, gather, pg_restore, target_of
from app.services import Services
from storage import datakeys
from storage.base import Backend
from storage.db.engine import default_database_url, sqlite_path
from storage.errors import NotFoundError, StorageError
from storage.local import LocalBackend
from storage.sealed import KeyUnavailableError

KEY_KIND, KEY_NAME = "backup", "key"
SUFFIX, MANIFEST = ".pabackup", ".json"
ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


class BackupError(Exception):
    """One line for the user (no such backup, wrong key, damaged archive, unreachable backend)."""


# ------------------------------------------------------------------ the key


def _parse_code(code: str) -> tuple[str, bytes]:
    key_id, _, b64 = code.strip().partition(":")
    try:
        key = base64.urlsafe_b64decode(b64.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        key = b""
    if not key_id.startswith("backup-") or len(key) != 32:
        raise BackupError("that is not a backup key (a backup key looks like backup-…:…)")
    return key_id, key


def backup_key(create: bool = False) -> tuple[str, bytes] | None:
    """The backup key from the keyring (made and stored on first use with ``create``)."""
    stored = secrets.get_secret(KEY_KIND, KEY_NAME)
    if stored:
        return _parse_code(stored)
    if not create:
        return None
    key_id, key = datakeys.new_id("backup"), datakeys.new_key()
    code = f"{key_id}:{base64.urlsafe_b64encode(key).decode()}"
    secrets.set_secret(KEY_KIND, KEY_NAME, code)
    if secrets.get_secret(KEY_KIND, KEY_NAME) != code:
        raise BackupError("the keyring did not keep the new backup key")
    return key_id, key


def recovery_code() -> str:
    """The backup key as text to keep apart from this machine (a password manager, paper)."""
    made = backup_key(create=True)
    assert made is not None
    return f"{made[0]}:{base64.urlsafe_b64encode(made[1]).decode()}"


def _key_for(given: str | None) -> Callable[[str], bytes]:
    key = _parse_code(given) if given else backup_key()

    def key_for(key_id: str) -> bytes:
        if key is None:
            raise KeyUnavailableError("no backup key is in the keyring: give the backup key (--key-stdin)")
        if key_id != key[0]:
            raise KeyUnavailableError(f"this backup was sealed with the backup key {key_id}, not with {key[0]}")
        return key[1]

    return key_for


# ------------------------------------------------------------------ where backups live


def target(sv: Services) -> Backend:
    """The backend backups go to (settings ``[backup]``): the ``[storage]`` settings and account of
    its kind with the backup prefix in place of the recordings' (so a recordings migration or listing
    never meets them); local: its own folder."""
    from app.wiring.storage import build_backend

    cfg = sv.settings.backup
    kind = cfg.backend or sv.settings.storage.backend
    if kind == "local":
        return LocalBackend(cfg.local_dir or sv.paths.data_dir / "backups")
    prefix = cfg.prefix.strip("/")
    st = sv.settings.storage.model_copy(update={"s3_prefix": prefix, "smb_prefix": prefix})
    return build_backend(sv, kind, st)


def _source(sv: Services) -> Source:
    url = sv.settings.database_url or default_database_url(sv.paths.data_dir)
    key = sv.db.key if sqlite_path(url) is not None else None
    return Source(paths=sv.paths, database_url=url, database_key=key)


def _tmp(sv: Services) -> tempfile.TemporaryDirectory[str]:
    base = sv.paths.cache_dir
    base.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="backup-", dir=base)


# ------------------------------------------------------------------ commands


def create(sv: Services, keep: int | None = None) -> tuple[Manifest, list[str]]:
    """Take a backup now (the app or server may be running); returns it and the ids retention deleted."""
    made = backup_key(create=True)  # before the snapshot, so the restored keyring holds it too
    assert made is not None
    key_id, key = made
    backend = target(sv)
    now = datetime.now(UTC)
    backup_id = f"{now:%Y%m%dT%H%M%SZ}-{pysecrets.token_hex(3)}"
    src = _source(sv)
    with _tmp(sv) as tmp:
        staging = Path(tmp) / "files"
        staging.mkdir()
        names = gather(src, staging)
        kind = "sqlite" if sqlite_path(src.database_url) else "postgresql" if "database/main.pgdump" in names else "none"
        manifest = Manifest(id=backup_id, created_at=now, app_version=__version__, database=kind, key_id=key_id,
                            files=entries(staging, names))
        sealed = Path(tmp) / "archive"
        seal(staging, manifest, sealed, key)
        manifest.archive_sha256 = file_sha256(sealed)
        manifest.archive_size = sealed.stat().st_size
        with sealed.open("rb") as fh:
            backend.write_from(backup_id + SUFFIX, fh)
        backend.save(backup_id + MANIFEST, manifest.model_dump_json(indent=2).encode())
    deleted = retain(sv, backend, keep or sv.settings.backup.keep)
    return manifest, deleted


def list_backups(sv: Services, backend: Backend | None = None) -> list[Manifest]:
    """Complete backups, oldest first."""
    backend = backend or target(sv)
    out = []
    for key in backend.list():
        if key.endswith(MANIFEST) and ID.match(key[: -len(MANIFEST)]):
            try:
                out.append(Manifest.model_validate_json(backend.load(key)))
            except (ValueError, StorageError):
                continue  # a damaged manifest: not a usable backup
    return sorted(out, key=lambda m: m.id)


def retain(sv: Services, backend: Backend, keep: int) -> list[str]:
    """Delete the oldest backups beyond ``keep`` (archive first, then its manifest)."""
    old = list_backups(sv, backend)[:-keep] if keep > 0 else []
    for m in old:
        for suffix in (SUFFIX, MANIFEST):
            with contextlib.suppress(NotFoundError):
                backend.delete(m.id + suffix)
    return [m.id for m in old]


def _manifest(sv: Services, backend: Backend, backup_id: str) -> Manifest:
    if not ID.match(backup_id):
        raise BackupError(f"no backup named {backup_id[:40]!r} (the list of backups shows their names)")
    try:
        return Manifest.model_validate_json(backend.load(backup_id + MANIFEST))
    except NotFoundError:
        raise BackupError(f"no backup named {backup_id} at {backend.location}") from None
    except ValueError:
        raise BackupError(f"the manifest of backup {backup_id} is damaged") from None


def _open(sv: Services, backup_id: str, key: str | None, dest: Path) -> Manifest:
    """Fetch, check and unpack a backup into ``dest``; nothing of the installation is touched."""
    backend = target(sv)
    manifest = _manifest(sv, backend, backup_id)
    archive = dest.parent / f"{dest.name}.archive"
    try:
        with archive.open("wb") as fh:
            digest = backend.read_into(backup_id + SUFFIX, fh)
    except NotFoundError:
        raise BackupError(f"backup {backup_id} is incomplete: its archive is missing") from None
    if manifest.archive_sha256 and digest != manifest.archive_sha256:
        raise BackupError(f"backup {backup_id} is damaged: its checksum does not match its manifest")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open("rb") as fh:
            unpack(fh, _key_for(key), dest, expected=manifest)
    except ArchiveError as exc:
        raise BackupError(f"backup {backup_id}: {exc}") from None
    finally:
        archive.unlink(missing_ok=True)
    return manifest


def verify(sv: Services, backup_id: str, key: str | None = None) -> Manifest:
    """Read a backup back whole: its checksum, every segment's authentication, every file's checksum."""
    with _tmp(sv) as tmp:
        return _open(sv, backup_id, key, Path(tmp) / "files")


def restore(sv: Services, backup_id: str, key: str | None = None) -> Manifest:
    """Put a backup back: everything is checked before the first file is replaced; then each file is
    replaced atomically (a copy beside it, renamed over it). Stop the app and server first."""
    url = sv.settings.database_url or default_database_url(sv.paths.data_dir)
    with _tmp(sv) as tmp:
        staging = Path(tmp) / "files"
        manifest = _open(sv, backup_id, key, staging)
        plan = [(e.name, target_of(e.name, sv.paths, url)) for e in manifest.files]
        sv.close()
        for name, dst in plan:  # the PostgreSQL dump first: one transaction, so a failure replaces nothing
            if dst is None:
                pg_restore(url, staging / name)
        for name, dst in plan:
            if dst is not None:
                _replace(staging / name, dst)
    secrets.reset_backend()  # the keyring file may be another now
    return manifest


def _replace(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.restoring")
    shutil.copyfile(src, tmp)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    if dst.suffix in (".sqlite3", ".db"):
        for side in ("-wal", "-shm", "-journal"):
            Path(f"{dst}{side}").unlink(missing_ok=True)
    os.replace(tmp, dst)


__all__ = ["BackupError", "SnapshotError", "create", "list_backups", "recovery_code", "restore", "retain",
           "verify"]
