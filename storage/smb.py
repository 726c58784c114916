"""NAS backend over SMB 2/3 with smbprotocol's ``smbclient``.

Each backend keeps its own connection cache; an operation that meets a dropped connection
reconnects once and retries (idempotent operations only; a streaming write that loses its
connection fails with UnreachableError and the spool keeps the data). Writes go to a temp file
on the share and are renamed over the target on commit, so readers never see half a file."""

from __future__ import annotations

import errno
import logging
import secrets
import socket
import stat as stat_mod
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import smbclient
from smbprotocol.exceptions import (
    LogonFailure,
    SMBAuthenticationError,
    SMBConnectionClosed,
    SMBException,
    SMBOSError,
    SMBResponseException,
)

from storage.base import Backend, BlobWriter, ReadStream, sha256_of_stream
from storage.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StorageError,
    UnreachableError,
)
from storage.keys import RESERVED_SUFFIX, join_root, normalize_key, normalize_prefix
from storage.models import ObjectInfo, WriteResult

log = logging.getLogger(__name__)
T = TypeVar("T")

WRITE_CHUNK = 8 << 20  # bytes per SMB WRITE request (Samba negotiates up to 8 MiB)
_NO_ENTRY = {errno.ENOENT}
_LOGON_REFUSED = {
    0xC000006D,  # STATUS_LOGON_FAILURE
    0xC0000064,  # STATUS_NO_SUCH_USER
    0xC000006E,  # STATUS_ACCOUNT_RESTRICTION
    0xC0000072,  # STATUS_ACCOUNT_DISABLED
    0xC0000234,  # STATUS_ACCOUNT_LOCKED_OUT
    0xC000015B,  # STATUS_LOGON_TYPE_NOT_GRANTED
    0xC0000071,  # STATUS_PASSWORD_EXPIRED
}
_CONFLICT = {errno.EEXIST, errno.EISDIR, errno.ENOTDIR, errno.ENOTEMPTY}


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, SMBConnectionClosed | ConnectionError | socket.timeout | TimeoutError | BrokenPipeError):
        return True
    if isinstance(exc, ValueError) and "Failed to connect" in str(exc):
        return True
    if isinstance(exc, SMBResponseException) and exc.status in (
        0xC000020C,  # STATUS_CONNECTION_DISCONNECTED
        0xC000035C,  # STATUS_NETWORK_SESSION_EXPIRED
        0xC0000203,  # STATUS_USER_SESSION_DELETED
        0xC0000128,  # STATUS_FILE_CLOSED (handle from a dead session)
    ):
        return True
    return isinstance(exc, SMBException) and "connection" in str(exc).lower() and "closed" in str(exc).lower()


class SmbWriter(BlobWriter):
    def __init__(self, backend: SmbBackend, key: str) -> None:
        super().__init__(key)
        self._b = backend
        self._target = backend.unc(key)
        parent, _, name = self._target.rpartition("\\")
        self._tmp = f"{parent}\\.{name}.{secrets.token_hex(6)}{RESERVED_SUFFIX}"
        self._buf = bytearray()
        try:
            backend.ensure_parent(key)
            self._fh: Any = backend.call(
                lambda: smbclient.open_file(self._tmp, mode="wb", buffering=0, **backend.kw), key
            )
        except (NotFoundError, ConflictError, PermissionDeniedError):
            backend.explain_tree_conflict(key)
            raise

    def _flush_buf(self, final: bool = False) -> None:
        while len(self._buf) >= WRITE_CHUNK or (final and self._buf):
            n = min(WRITE_CHUNK, len(self._buf))
            view = memoryview(self._buf)[:n]
            try:
                done = 0
                while done < n:
                    done += self._fh.write(view[done:])
            except Exception as exc:
                view.release()
                raise self._b.map_error(exc, self.key) from None
            view.release()
            del self._buf[:n]

    def _write(self, data: memoryview) -> None:
        self._buf += data
        if len(self._buf) >= WRITE_CHUNK:
            self._flush_buf()

    def _commit(self) -> WriteResult:
        self._flush_buf(final=True)
        try:
            self._fh.flush()
            self._fh.close()
        except Exception as exc:
            raise self._b.map_error(exc, self.key) from None
        try:
            self._b.call(lambda: self._b.rename_over(self._tmp, self._target), self.key)
        except StorageError as exc:
            if not isinstance(exc, UnreachableError) and self._b.is_dir(self.key):
                raise ConflictError(f"{self.key}: is a folder on {self._b.location}") from None
            raise
        return WriteResult(key=self.key, size=self.size, sha256=self.sha256)

    def _abort(self) -> None:
        self._buf = bytearray()
        try:
            self._fh.close()
            smbclient.remove(self._tmp, **self._b.kw)
        except Exception as exc:  # unreachable: the temp file stays, hidden from listings
            log.info("could not remove temp file %s: %s", self._tmp, exc)


class SmbReader:
    """Reads in requests of the negotiated maximum size."""

    def __init__(self, fh: Any, backend: SmbBackend, key: str) -> None:
        self._fh = fh
        self._b = backend
        self.key = key

    def read(self, size: int = -1, /) -> bytes:
        try:
            if size is None or size < 0:
                return bytes(self._fh.readall())
            out = bytearray()
            while len(out) < size:
                chunk = self._fh.read(size - len(out))
                if not chunk:
                    break
                out += chunk
            return bytes(out)
        except Exception as exc:
            raise self._b.map_error(exc, self.key) from None

    def close(self) -> None:
        try:
            self._fh.close()
        except Exception as exc:
            log.debug("close %s: %s", self.key, exc)

    def __enter__(self) -> SmbReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SmbBackend(Backend):
    kind = "smb"
    io_chunk = WRITE_CHUNK

    def __init__(
        self,
        server: str,
        share: str,
        username: str,
        password: str,
        port: int = 445,
        prefix: str = "",
        timeout: float = 10.0,
        encrypt: bool | None = None,
    ) -> None:
        if not server or not share:
            raise StorageError("the SMB storage needs a server and a share")
        self.server = server
        self.share = share.strip("\\/")
        self.port = port
        self.prefix = normalize_prefix(prefix).rstrip("/")
        self.username = username
        self._password = password
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._made_dirs: set[str] = set()
        self.kw: dict[str, Any] = {
            "port": port,
            "connection_cache": self._cache,
            "username": username,
            "password": password,
            "connection_timeout": timeout,
            "auth_protocol": "ntlm",
        }
        if encrypt is not None:
            self.kw["encrypt"] = encrypt

    @property
    def location(self) -> str:
        root = f"/{self.prefix}" if self.prefix else ""
        return f"smb://{self.username}@{self.server}:{self.port}/{self.share}{root}"

    # -- connection handling --------------------------------------------------------------------
    def connect(self) -> None:
        """Log in now (otherwise the first operation does); raises PermissionDenied/Unreachable."""
        self.call(self._register, "(login)", retry=False)

    def _register(self) -> None:
        smbclient.register_session(
            self.server, username=self.username, password=self._password, port=self.port,
            connection_timeout=self.kw["connection_timeout"], connection_cache=self._cache,
            auth_protocol="ntlm", **({"encrypt": self.kw["encrypt"]} if "encrypt" in self.kw else {}),
        )

    def reset(self) -> None:
        """Drop cached connections (after a server restart or network change)."""
        with self._lock:
            try:
                smbclient.reset_connection_cache(connection_cache=self._cache)
            except Exception as exc:  # the connection is dead anyway
                log.debug("reset smb connection cache: %s", exc)
            self._cache.clear()
            self._made_dirs.clear()

    def map_error(self, exc: BaseException, key: str) -> StorageError:
        if isinstance(exc, StorageError):
            return exc
        where = self.location
        if isinstance(exc, LogonFailure | SMBAuthenticationError):
            return PermissionDeniedError(f"{where}: login failed for user {self.username!r} (check the password)")
        if isinstance(exc, SMBOSError):
            if exc.ntstatus == 0xC00000CC or (exc.ntstatus == 0xC0000225 and exc.filename == self._unc_dir("")):
                # STATUS_BAD_NETWORK_NAME, or STATUS_NOT_FOUND from Samba's DFS lookup
                return NotFoundError(f"share {self.share!r} does not exist on {self.server}")
            if exc.ntstatus in _LOGON_REFUSED:
                return PermissionDeniedError(f"{where}: login failed for user {self.username!r} (check the password)")
            if exc.errno in _NO_ENTRY:
                return NotFoundError(f"{key}: not found on {where}")
            if exc.errno == errno.EACCES or exc.ntstatus == 0xC0000022:
                return PermissionDeniedError(f"{key}: access denied on {where}")
            if exc.errno in _CONFLICT:
                return ConflictError(f"{key}: clashes with an existing file or folder on {where}")
        if _is_connection_error(exc):
            return UnreachableError(f"{where} unreachable: {exc}")
        if isinstance(exc, SMBResponseException) and exc.status == 0xC00000CC:
            return NotFoundError(f"share {self.share!r} does not exist on {self.server}")
        if isinstance(exc, SMBResponseException) and exc.status in _LOGON_REFUSED:
            return PermissionDeniedError(f"{where}: login failed for user {self.username!r} (check the password)")
        if isinstance(exc, SMBResponseException) and exc.status == 0xC0000022:
            return PermissionDeniedError(f"{key}: access denied on {where}")
        return StorageError(f"{key}: {type(exc).__name__}: {exc} ({where})")

    def call(self, fn: Callable[[], T], key: str, retry: bool = True) -> T:
        """Run one SMB operation; on a dropped connection reconnect once and retry."""
        try:
            return fn()
        except Exception as exc:
            if not (retry and _is_connection_error(exc)):
                raise self.map_error(exc, key) from None
            log.info("smb connection to %s lost (%s); reconnecting", self.server, exc)
        self.reset()
        try:
            return fn()
        except Exception as exc:
            raise self.map_error(exc, key) from None

    # -- paths ------------------------------------------------------------------------------------
    def _rel(self, key: str) -> str:
        return join_root(self.prefix, key)

    def unc(self, key: str) -> str:
        rel = self._rel(normalize_key(key)).replace("/", "\\")
        return f"\\\\{self.server}\\{self.share}\\{rel}"

    def _unc_dir(self, rel: str) -> str:
        base = f"\\\\{self.server}\\{self.share}"
        return base + ("\\" + rel.replace("/", "\\") if rel else "")

    def ensure_parent(self, key: str) -> None:
        rel = self._rel(normalize_key(key))
        parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if not parent or parent in self._made_dirs:
            return
        path = self._unc_dir(parent)
        self.call(lambda: smbclient.makedirs(path, exist_ok=True, **self.kw), key)
        self._made_dirs.add(parent)

    def rename_over(self, src_unc: str, dst_unc: str) -> None:
        """Atomically rename ``src`` over ``dst`` (SMB2 FileRenameInformation, ReplaceIfExists).

        smbclient.replace() first opens the target for FILE_EXECUTE, which Samba refuses on files
        without the x bit; this asks only for DELETE on the source, as Windows' MoveFileEx does."""
        from smbclient._io import SMBFileTransaction, SMBRawIO, set_info
        from smbprotocol.file_info import FileRenameInformation
        from smbprotocol.open import CreateOptions, FilePipePrinterAccessMask

        share_root = f"\\\\{self.server}\\{self.share}\\"
        if not dst_unc.startswith(share_root):
            raise ValueError(f"{dst_unc} is not on {share_root}")
        with SMBRawIO(
            src_unc, mode="r", share_access="rwd", desired_access=FilePipePrinterAccessMask.DELETE,
            create_options=CreateOptions.FILE_OPEN_REPARSE_POINT, **self.kw,
        ) as src_raw, SMBFileTransaction(src_raw) as transaction:
            info = FileRenameInformation()
            info["replace_if_exists"] = True
            info["file_name"] = dst_unc[len(share_root):]
            set_info(transaction, info)

    def is_dir(self, key: str) -> bool:
        path = self.unc(key)
        try:
            return stat_mod.S_ISDIR(self.call(lambda: smbclient.stat(path, **self.kw), key).st_mode)
        except NotFoundError:
            return False

    def explain_tree_conflict(self, key: str) -> None:
        """Raise ConflictError if a parent of ``key`` is a file (keys form a tree on every backend)."""
        parts = normalize_key(key).split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            try:
                st = self.call(lambda p=parent: smbclient.stat(self.unc(p), **self.kw), parent)  # type: ignore[misc]
            except NotFoundError:
                return
            if not stat_mod.S_ISDIR(st.st_mode):
                raise ConflictError(f"{key}: {parent!r} is a file on {self.location}")

    # -- interface --------------------------------------------------------------------------------
    def open_write(self, key: str) -> SmbWriter:
        return SmbWriter(self, normalize_key(key))

    def open_read(self, key: str) -> ReadStream:
        key = normalize_key(key)
        path = self.unc(key)

        def _open() -> Any:
            try:
                return smbclient.open_file(path, mode="rb", buffering=0, share_access="r", **self.kw)
            except SMBOSError as exc:
                if exc.errno == errno.EISDIR or exc.ntstatus == 0xC00000BA:  # STATUS_FILE_IS_A_DIRECTORY
                    raise NotFoundError(f"{key}: is a folder on {self.location}") from None
                raise

        return SmbReader(self.call(_open, key), self, key)

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        path = self.unc(key)

        def _delete() -> None:
            if stat_mod.S_ISDIR(smbclient.stat(path, **self.kw).st_mode):
                raise NotFoundError(f"{key}: is a folder on {self.location}")
            smbclient.remove(path, **self.kw)

        self.call(_delete, key)
        rel = self._rel(key)
        stop = len(self.prefix.split("/")) if self.prefix else 0
        parts = rel.split("/")[:-1]
        while len(parts) > stop:
            d = "/".join(parts)
            try:
                smbclient.rmdir(self._unc_dir(d), **self.kw)
                self._made_dirs.discard(d)
            except Exception:  # not empty (or gone): stop tidying
                break
            parts.pop()

    def _walk(self, rel_dir: str) -> Iterator[str]:
        try:
            entries = list(smbclient.scandir(self._unc_dir(rel_dir), **self.kw))
        except SMBOSError as exc:
            if exc.errno in _NO_ENTRY | {errno.ENOTDIR} and exc.ntstatus != 0xC00000CC:
                return
            raise
        for e in entries:
            rel = f"{rel_dir}/{e.name}" if rel_dir else e.name
            if e.is_dir():
                yield from self._walk(rel)
            elif not e.name.endswith(RESERVED_SUFFIX):
                yield rel

    def list(self, prefix: str = "") -> list[str]:
        prefix = normalize_prefix(prefix)
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = join_root(self.prefix, folder) if folder else self.prefix
        cut = len(self.prefix) + 1 if self.prefix else 0

        def _list() -> list[str]:
            found = [k[cut:] for k in self._walk(start)]
            if not found:  # an empty result from a share that does not exist is an error
                smbclient.stat(self._unc_dir(""), **self.kw)
            return found

        keys = self.call(_list, prefix or "(all)")
        return sorted(k for k in keys if k.startswith(prefix))

    def stat(self, key: str, checksum: bool = True) -> ObjectInfo:
        key = normalize_key(key)
        path = self.unc(key)
        st = self.call(lambda: smbclient.stat(path, **self.kw), key)
        if stat_mod.S_ISDIR(st.st_mode):
            raise NotFoundError(f"{key}: is a folder on {self.location}")
        sha = None
        if checksum:
            with self.open_read(key) as r:
                sha, _ = sha256_of_stream(r, chunk=WRITE_CHUNK)
        return ObjectInfo(key=key, size=st.st_size, modified=datetime.fromtimestamp(st.st_mtime, UTC), sha256=sha)

    def close(self) -> None:
        self.reset()
