"""Encryption at rest, the app's side: the key-encryption key (KEK) in the keyring, the data keys it
unwraps (``storage.datakeys``), turning encryption on for an existing installation and rotating the KEK.

Encryption is on when the data folder holds ``encryption-keys.json`` (``personal-agent security
encrypt`` creates it). Then recordings and other blobs are sealed by ``storage.encrypted`` and the
SQLite database is a SQLCipher file (``storage.db``). The KEK is a random 256-bit key stored as a
secret (kind ``encryption``, named by its id) in the OS keyring or the encrypted keyring file."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from app import secrets
from storage import datakeys
from storage.base import Backend
from storage.datakeys import DataKeys
from storage.db.engine import sqlite_path
from storage.db.sqlcipher import needs_encryption, opens_with, rekey_sqlite
from storage.encrypted import SealedBackend, reseal
from storage.sealed import KeyUnavailableError

log = logging.getLogger(__name__)

SECRET_KIND = "encryption"
Progress = Callable[[str, int, int], None]


def _kek(kek_id: str) -> bytes | None:
    try:
        text = secrets.get_secret(SECRET_KIND, kek_id)
    except secrets.SecretStoreError as exc:
        raise KeyUnavailableError(str(exc)) from None
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise KeyUnavailableError(f"the encryption key {kek_id} in the keyring is damaged") from None


def _store_new_kek() -> tuple[str, bytes]:
    kek_id, kek = datakeys.new_id("kek"), datakeys.new_key()
    secrets.set_secret(SECRET_KIND, kek_id, base64.b64encode(kek).decode())
    if _kek(kek_id) != kek:  # read back before anything depends on it
        raise KeyUnavailableError("the keyring did not keep the new encryption key")
    return kek_id, kek


def enabled(data_dir: Path) -> bool:
    return datakeys.exists(data_dir)


def load_keys(data_dir: Path) -> DataKeys | None:
    """The data keys, or None when encryption is off. KeyUnavailableError: one line, no key material."""
    if not datakeys.exists(data_dir):
        return None
    return datakeys.load(data_dir, _kek)


def seal(backend: Backend, keys: DataKeys | None) -> Backend:
    return backend if keys is None else SealedBackend(backend, keys)


@dataclass
class EncryptReport:
    created_keys: bool
    database: str  # "encrypted", "already encrypted", "not SQLite (PostgreSQL: not covered)", "none yet"
    blobs_sealed: int


def encrypt_installation(data_dir: Path, database_url: str, backend: Backend,
                         progress: Progress | None = None) -> EncryptReport:
    """Turn encryption on (or finish turning it on): keys first, then the database, then every blob
    still stored in plaintext. Each step is crash-safe and the whole can be run again: a crash
    anywhere leaves data that is read correctly and a command that picks up where it stopped."""
    created = False
    if not datakeys.exists(data_dir):
        kek_id, kek = _store_new_kek()
        datakeys.save(data_dir, DataKeys.create(kek_id), kek)
        created = True
    keys = datakeys.load(data_dir, _kek)
    db = _encrypt_database(database_url, keys, data_dir)
    sealed = SealedBackend(backend, keys) if not isinstance(backend, SealedBackend) else backend
    n = reseal(sealed, lambda key_id: key_id is None, progress)
    return EncryptReport(created_keys=created, database=db, blobs_sealed=n)


def _database_files(database_url: str, data_dir: Path) -> list[Path] | None:
    """The SQLite files under the database key: the app's and the home server's per-user databases
    (app/server/spaces.py), which share it. None: the database is not a SQLite file."""
    path = sqlite_path(database_url)
    if path is None:
        return None
    return [path, *sorted((data_dir / "server" / "users").glob("*/assistant.sqlite3"))]


def finish_database_rekey(data_dir: Path, database_url: str, keys: DataKeys) -> DataKeys:
    """Rewrite every SQLite file still under the old database key with ``keys.database_next``, then make
    it the database key. Crash-safe and repeatable: each file is converted atomically (storage.db.sqlcipher)
    and one the new key opens already is left alone; the key file changes only when all are done."""
    if keys.database_next is None:
        return keys
    new, old = keys.key(keys.database_next), keys.key(keys.database)
    for f in _database_files(database_url, data_dir) or []:
        if f.is_file() and not opens_with(f, new):
            rekey_sqlite(f, new, old)
    kek = _kek(keys.kek_id)
    if kek is None:
        raise KeyUnavailableError(f"the encryption key {keys.kek_id} is not in the keyring")
    done = replace(keys, database=keys.database_next, database_next=None)
    datakeys.save(data_dir, done, kek)
    return done


def _encrypt_database(database_url: str, keys: DataKeys, data_dir: Path) -> str:
    files = _database_files(database_url, data_dir)
    if files is None:
        return "not SQLite (PostgreSQL: not covered)" if database_url.startswith("postgres") else "in memory"
    path = files[0]
    todo = [f for f in files if needs_encryption(f)]
    for f in todo:
        rekey_sqlite(f, keys.key(keys.database), None)
    if todo:
        return f"encrypted ({len(todo)} file{'s' if len(todo) > 1 else ''})"
    return "already encrypted" if path.exists() else "none yet (it will be created encrypted)"


@dataclass
class RotateReport:
    old_kek: str
    new_kek: str
    new_blob_key: str
    blobs_resealed: int
    database_key: str = ""  # the database's data key after the rotation (new with ``reencrypt``)


def rotate_key(data_dir: Path, backend: Backend, reencrypt: bool = False,
               progress: Progress | None = None, database_url: str = "") -> RotateReport:
    """A new KEK in the keyring and every data key re-wrapped under it (the key file is replaced
    atomically); new blobs get a fresh data key. ``reencrypt``: also rewrite every blob sealed with
    an older data key, and the SQLite database(s) of ``database_url`` with a new database key. The old
    KEK is removed from the keyring only after the new key file is in place, so a crash at any step
    leaves a key file whose KEK is in the keyring (and a database re-key that the next open finishes)."""
    keys = datakeys.load(data_dir, _kek)
    old_kek = keys.kek_id
    new_kek_id, new_kek = _store_new_kek()
    rotated = datakeys.rotate(data_dir, keys, new_kek_id, new_kek)
    secrets.delete_secret(SECRET_KIND, old_kek)
    n = 0
    if reencrypt:
        sealed = SealedBackend(backend.inner if isinstance(backend, SealedBackend) else backend, rotated)
        n = reseal(sealed, lambda key_id: key_id != rotated.current, progress)
        if database_url and _database_files(database_url, data_dir) is not None:
            if rotated.database_next is None:  # the new key is in the key file before any file uses it
                rotated.database_next = datakeys.new_id("db")
                rotated.keys[rotated.database_next] = datakeys.new_key()
                datakeys.save(data_dir, rotated, new_kek)
            rotated = finish_database_rekey(data_dir, database_url, rotated)
    return RotateReport(old_kek=old_kek, new_kek=new_kek_id, new_blob_key=rotated.current, blobs_resealed=n,
                        database_key=rotated.database)
