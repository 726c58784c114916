"""The installation's data keys, wrapped by a key-encryption key (KEK) that lives in the keyring.

``encryption-keys.json`` in the data dir holds, per data key, its id and the key sealed with the KEK
(AES-256-GCM, the ids as associated data), plus which data key seals new blobs and which one is the
database's. The file alone is useless: the KEK is only in the keyring, and the keyring is the app's
job (``app.security``); this module takes the KEK as bytes through a callable and never stores it.

Rotation (``rotate``) writes the new file atomically after the new KEK is stored, so a crash leaves a
file whose KEK is still in the keyring: the old one until the rename, the new one after."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.local import write_file_atomic
from storage.sealed import KeyUnavailableError

KEYS_FILE = "encryption-keys.json"
FORMAT = 1
KEY_BYTES = 32  # AES-256


def keys_path(data_dir: Path) -> Path:
    return data_dir / KEYS_FILE


def new_id(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(6)}"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


@dataclass
class DataKeys:
    """The unwrapped data keys of this installation (held in memory only)."""

    kek_id: str
    current: str  # seals new blobs
    database: str  # the SQLCipher key of the SQLite database(s)
    keys: dict[str, bytes] = field(default_factory=dict)
    # a database re-key under way (``app.security``): the files are being rewritten with this key; a run
    # that was cut off is finished before the database is opened, each file by the key that opens it
    database_next: str | None = None

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyUnavailableError(
                f"this data was sealed with key {key_id}, which this installation does not hold "
                "(restored from another installation without its key file?)"
            ) from None

    @classmethod
    def create(cls, kek_id: str) -> DataKeys:
        blob, db = new_id("blob"), new_id("db")
        return cls(kek_id=kek_id, current=blob, database=db, keys={blob: new_key(), db: new_key()})


def _aad(key_id: str, kek_id: str) -> bytes:
    return f"pa-datakey:{key_id}:{kek_id}".encode()


def save(data_dir: Path, keys: DataKeys, kek: bytes) -> None:
    aead = AESGCM(kek)
    wrapped = {}
    for key_id, key in keys.keys.items():
        nonce = secrets.token_bytes(12)
        wrapped[key_id] = base64.b64encode(nonce + aead.encrypt(nonce, key, _aad(key_id, keys.kek_id))).decode()
    doc: dict[str, object] = {"format": FORMAT, "kek": keys.kek_id, "current": keys.current,
                              "database": keys.database, "keys": wrapped}
    if keys.database_next:
        doc["database_next"] = keys.database_next
    write_file_atomic(keys_path(data_dir), json.dumps(doc, indent=2).encode())


def exists(data_dir: Path) -> bool:
    return keys_path(data_dir).is_file()


def kek_id_of(data_dir: Path) -> str:
    """The id of the KEK the key file needs (readable without any key)."""
    return str(_read(data_dir)["kek"])


def _read(data_dir: Path) -> dict[str, object]:
    try:
        doc = json.loads(keys_path(data_dir).read_bytes())
    except (OSError, ValueError):
        raise KeyUnavailableError(f"the key file {KEYS_FILE} in the data folder cannot be read") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("keys"), dict):
        raise KeyUnavailableError(f"the key file {KEYS_FILE} in the data folder is damaged")
    return doc


def load(data_dir: Path, kek_for: Callable[[str], bytes | None]) -> DataKeys:
    """Unwrap every data key with the KEK the file names; KeyUnavailableError (one line, no key
    material) when the KEK is missing or wrong or the file is damaged."""
    doc = _read(data_dir)
    kek_id = str(doc["kek"])
    kek = kek_for(kek_id)
    if not kek:
        raise KeyUnavailableError(
            f"the encryption key {kek_id} is not in the keyring: restore the keyring that belongs to this data"
        )
    aead = AESGCM(kek)
    keys: dict[str, bytes] = {}
    wrapped = doc["keys"]
    assert isinstance(wrapped, dict)
    try:
        for key_id, text in wrapped.items():
            raw = base64.b64decode(text)
            keys[key_id] = aead.decrypt(raw[:12], raw[12:], _aad(key_id, kek_id))
    except (InvalidTag, ValueError):
        raise KeyUnavailableError(
            f"the encryption key {kek_id} in the keyring does not open this data's key file (wrong key)"
        ) from None
    nxt = doc.get("database_next")
    out = DataKeys(kek_id=kek_id, current=str(doc["current"]), database=str(doc["database"]), keys=keys,
                   database_next=str(nxt) if nxt else None)
    out.key(out.current), out.key(out.database)  # both must be there
    if out.database_next:
        out.key(out.database_next)
    return out


def rotate(data_dir: Path, keys: DataKeys, new_kek_id: str, new_kek: bytes, new_blob_key: bool = True) -> DataKeys:
    """Re-wrap every data key under the new KEK (already stored in the keyring by the caller) and,
    with ``new_blob_key``, start a fresh data key for new blobs (old ones stay to read old blobs).
    The key file is replaced atomically."""
    rotated = DataKeys(kek_id=new_kek_id, current=keys.current, database=keys.database, keys=dict(keys.keys),
                       database_next=keys.database_next)
    if new_blob_key:
        rotated.current = new_id("blob")
        rotated.keys[rotated.current] = new_key()
    save(data_dir, rotated, new_kek)
    return rotated
