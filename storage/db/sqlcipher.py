"""Converting a SQLite database file to SQLCipher (or to a new key), crash-safe.

The whole database (tables, the FTS5 index, everything) is copied with ``sqlcipher_export`` into a
temp file beside it, which is fsynced and renamed over the original; the old file's WAL is
checkpointed and emptied first, so nothing of it is left to replay into the new file. A crash before
the rename leaves the old database as it was (and the temp file, removed by the next run); after it,
the new one. Nobody may use the database meanwhile: the CLI runs this with the app stopped."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from storage.db.engine import is_plaintext_sqlite, key_pragma
from storage.keys import RESERVED_SUFFIX
from storage.local import _fsync_dir


def _connect(path: Path, key: bytes | None) -> object:
    import sqlcipher3.dbapi2

    conn = sqlcipher3.dbapi2.connect(str(path), isolation_level=None)
    if key is not None:
        conn.execute(key_pragma(key))
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails here on a wrong key
    return conn


def _drop_leftovers(path: Path) -> None:
    for p in path.parent.glob(f".{path.name}.*{RESERVED_SUFFIX}*"):
        p.unlink(missing_ok=True)


def rekey_sqlite(path: Path, new_key: bytes, old_key: bytes | None) -> None:
    """Write the database at ``path`` anew, encrypted with ``new_key``. ``old_key`` None: the file is
    plaintext now. Raises the driver's DatabaseError if ``old_key`` does not open it."""
    _drop_leftovers(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{RESERVED_SUFFIX}")
    conn = _connect(path, old_key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]
        conn.execute(f"ATTACH DATABASE ? AS sealed KEY \"x'{new_key.hex()}'\"", (str(tmp),))  # type: ignore[attr-defined]
        conn.execute("SELECT sqlcipher_export('sealed')")  # type: ignore[attr-defined]
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # type: ignore[attr-defined]
        conn.execute(f"PRAGMA sealed.user_version = {int(version)}")  # type: ignore[attr-defined]
        conn.execute("DETACH DATABASE sealed")  # type: ignore[attr-defined]
        conn.execute("PRAGMA journal_mode=DELETE")  # type: ignore[attr-defined]  # folds and removes the WAL
    except BaseException:
        conn.close()  # type: ignore[attr-defined]
        for p in (tmp, Path(f"{tmp}-journal")):
            p.unlink(missing_ok=True)
        raise
    conn.close()  # type: ignore[attr-defined]
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    for side in ("-wal", "-shm", "-journal"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    _fsync_dir(path.parent)


def opens_with(path: Path, key: bytes) -> bool:
    """Whether ``key`` opens the SQLCipher file at ``path``."""
    import sqlcipher3.dbapi2

    try:
        conn = _connect(path, key)
    except sqlcipher3.dbapi2.DatabaseError:
        return False
    conn.close()  # type: ignore[attr-defined]
    return True


def needs_encryption(path: Path) -> bool:
    return path.is_file() and is_plaintext_sqlite(path)
