"""Cloud backend on any S3-compatible endpoint (AWS, SeaweedFS, MinIO, Ceph, ...) with boto3.

Small objects are one PUT; larger ones stream as a multipart upload with a bounded number of
parts in flight, so memory stays flat however long the recording. Every part carries its CRC32
and a single PUT its SHA-256 (the server verifies them); the SHA-256 of the whole object is stored with it (metadata for a single
PUT, a tag after a multipart upload) and checked again on every full read."""

from __future__ import annotations

import base64
import hashlib
import logging
import queue
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from storage.base import Backend, BlobWriter, ReadStream, VerifyingReader, sha256_of_stream
from storage.errors import (
    ConflictError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    StorageError,
    UnreachableError,
)
from storage.keys import join_root, normalize_key, normalize_prefix
from storage.models import ObjectInfo, WriteResult

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

PART_SIZE = 8 << 20  # also the single-PUT threshold; S3 needs parts >= 5 MiB (except the last)
MAX_INFLIGHT = 6  # parts uploading at once: memory is about (MAX_INFLIGHT + 1) * PART_SIZE
RANGE_INFLIGHT = 8  # ranges downloading at once for large objects: memory about 10 * PART_SIZE
META_SHA = "sha256"

_NOT_FOUND = {"NoSuchKey", "404", "NotFound", "NoSuchUpload"}
_DENIED = {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
_CONFLICT = {"PreconditionFailed", "409", "OperationAborted", "ConditionalRequestConflict"}
_INTEGRITY = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "InvalidChecksum", "InvalidRequest"}


def _b64(hexdigest: str) -> str:
    return base64.b64encode(bytes.fromhex(hexdigest)).decode()


class S3Writer(BlobWriter):
    """Fills part-sized buffers from a small pool (``MAX_INFLIGHT + 1`` of them, reused), hands a
    full one to an UploadPart on the thread pool and goes on filling the next; the whole object's
    SHA-256 runs on the hashing thread meanwhile. Memory: about ``(MAX_INFLIGHT + 1) * part_size``."""

    def __init__(self, backend: S3Backend, key: str, part_size: int = PART_SIZE) -> None:
        super().__init__(key)
        self._b = backend
        self._obj = backend.object_key(key)
        self._part_size = part_size
        self._buf: bytearray | None = None  # the part being filled
        self._fill = 0
        self._spare: list[bytearray] = []  # buffers whose upload finished, for reuse
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._inflight: deque[tuple[Future[dict[str, Any]], bytearray]] = deque()
        self._pool: ThreadPoolExecutor | None = None
        backend.check_tree(key)

    # parts ---------------------------------------------------------------------------------------
    def _start(self) -> None:
        resp = self._b.call(
            lambda: self._b.client.create_multipart_upload(
                Bucket=self._b.bucket, Key=self._obj, ChecksumAlgorithm="CRC32"
            ),
            self.key,
        )
        self._upload_id = resp["UploadId"]
        self._pool = ThreadPoolExecutor(max_workers=MAX_INFLIGHT, thread_name_prefix="s3-part")

    def _upload_part(self, number: int, data: bytes | bytearray) -> dict[str, Any]:
        # parts carry a CRC32 the server verifies (cheap); the whole object's SHA-256 is ours
        digest = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        assert self._upload_id is not None
        resp = self._b.call(
            lambda: self._b.client.upload_part(
                Bucket=self._b.bucket, Key=self._obj, UploadId=self._upload_id or "", PartNumber=number,
                Body=data, ChecksumCRC32=digest, ContentLength=len(data),  # type: ignore[arg-type]  # botocore takes bytearray
            ),
            self.key,
        )
        return {"PartNumber": number, "ETag": resp["ETag"], "ChecksumCRC32": resp.get("ChecksumCRC32", digest)}

    def _drain(self, keep: int) -> None:
        while len(self._inflight) > keep:
            fut, buf = self._inflight[0]
            self._parts.append(fut.result())
            self._inflight.popleft()
            if len(buf) == self._part_size:
                self._spare.append(buf)  # botocore is done with it: fill it again

    def _send_part(self, data: bytearray) -> None:
        if self._upload_id is None:
            self._start()
        assert self._pool is not None
        self._drain(MAX_INFLIGHT - 1)
        number = len(self._parts) + len(self._inflight) + 1
        self._inflight.append((self._pool.submit(self._upload_part, number, data), data))

    def _write(self, data: memoryview) -> None:
        pos, n = 0, data.nbytes
        while pos < n:
            if self._buf is None:  # the first buffer grows as needed (most objects are small)
                started = self._upload_id is not None
                self._buf = self._spare.pop() if self._spare else bytearray(self._part_size if started else 0)
                self._fill = 0
            take = min(n - pos, self._part_size - self._fill)
            if len(self._buf) == self._fill:
                self._buf += data[pos : pos + take]
            else:
                self._buf[self._fill : self._fill + take] = data[pos : pos + take]
            self._fill += take
            pos += take
            if self._fill == self._part_size:
                full, self._buf = self._buf, None
                self._send_part(full)

    def _tail(self) -> bytearray:
        """What is buffered (less than a part), as its own object; the part buffer is freed."""
        if self._buf is None:
            return bytearray()
        tail = self._buf if len(self._buf) == self._fill else self._buf[: self._fill]
        self._buf, self._fill = None, 0
        return tail

    # commit / abort --------------------------------------------------------------------------------
    def _commit(self) -> WriteResult:
        sha = self.sha256
        self._b._folders.discard(self.key)
        if self._upload_id is None:  # small object: one PUT, the server checks the full SHA-256
            body = bytes(self._tail())
            self._b.call(
                lambda: self._b.client.put_object(
                    Bucket=self._b.bucket, Key=self._obj, Body=body, ChecksumSHA256=_b64(sha),
                    Metadata={META_SHA: sha},
                ),
                self.key,
            )
            return WriteResult(key=self.key, size=self.size, sha256=sha)
        if self._fill or not (self._parts or self._inflight):
            self._send_part(self._tail())
        self._drain(0)
        self._spare.clear()
        parts = sorted(self._parts, key=lambda p: p["PartNumber"])
        upload_id = self._upload_id
        self._b.call(
            lambda: self._b.client.complete_multipart_upload(
                Bucket=self._b.bucket, Key=self._obj, UploadId=upload_id,
                MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
            ),
            self.key,
        )
        self._upload_id = None
        self._shutdown()
        self._b.call(
            lambda: self._b.client.put_object_tagging(
                Bucket=self._b.bucket, Key=self._obj, Tagging={"TagSet": [{"Key": META_SHA, "Value": sha}]}
            ),
            self.key,
        )
        info = self._b.stat(self.key, checksum=False)
        if info.size != self.size:
            raise IntegrityError(f"{self.key}: stored {info.size} bytes, sent {self.size}")
        return WriteResult(key=self.key, size=self.size, sha256=sha)

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _abort(self) -> None:
        self._buf, self._fill = None, 0
        self._spare.clear()
        for f, _ in self._inflight:
            f.cancel()
        self._shutdown()
        self._inflight.clear()
        if self._upload_id is not None:
            try:
                self._b.client.abort_multipart_upload(Bucket=self._b.bucket, Key=self._obj, UploadId=self._upload_id)
            except Exception as exc:  # unreachable: the server expires the upload (lifecycle rule)
                log.info("could not abort multipart upload of %s: %s", self.key, exc)
            self._upload_id = None


class S3Backend(Backend):
    kind = "s3"

    def __init__(
        self,
        bucket: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        prefix: str = "",
        part_size: int = PART_SIZE,
        timeout: float = 10.0,
        max_attempts: int = 2,
    ) -> None:
        if not bucket:
            raise StorageError("the S3 storage needs a bucket")
        if part_size < 5 << 20:
            raise ValueError("part_size must be at least 5 MiB (an S3 rule)")
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.prefix = normalize_prefix(prefix).rstrip("/")
        self.part_size = part_size
        # folders seen while writing: their names cannot be objects, unless created by someone else
        # since (a check here would cost a HEAD request per folder level for every write)
        self._folders: set[str] = set()
        cfg = Config(
            region_name=region,
            connect_timeout=timeout,
            read_timeout=max(timeout, 60),
            retries={"max_attempts": max_attempts, "mode": "standard"},
            max_pool_connections=MAX_INFLIGHT * 4,
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self.client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key, config=cfg,
        )

    @property
    def location(self) -> str:
        root = f"/{self.prefix}" if self.prefix else ""
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}{root}{where}"

    # -- errors -----------------------------------------------------------------------------------
    def map_error(self, exc: BaseException, key: str) -> StorageError:
        if isinstance(exc, StorageError):
            return exc
        where = self.location
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
            if code == "NoSuchBucket":
                return NotFoundError(f"bucket {self.bucket!r} does not exist at {self.endpoint_url or 'AWS'}")
            if code in _NOT_FOUND or status == "404":
                return NotFoundError(f"{key}: not found in {where}")
            if code in _DENIED or status == "403":
                return PermissionDeniedError(f"{where}: access denied ({code}); check the access key and secret")
            if code in _CONFLICT or status == "409":
                return ConflictError(f"{key}: conflict in {where} ({code})")
            if code in _INTEGRITY and code != "InvalidRequest":
                return IntegrityError(f"{key}: the server rejected the data's checksum ({code})")
            if status.startswith("5"):
                return UnreachableError(f"{where}: server error {status} {code}")
            return StorageError(f"{key}: {code or status}: {err.get('Message', exc)} ({where})")
        if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError | ConnectionClosedError):
            return UnreachableError(f"{where} unreachable: {exc}")
        if isinstance(exc, NoCredentialsError):
            return PermissionDeniedError(f"{where}: no credentials (add the secret key with `accounts add`)")
        if isinstance(exc, ConnectionError | TimeoutError):
            return UnreachableError(f"{where} unreachable: {exc}")
        if isinstance(exc, BotoCoreError):
            return UnreachableError(f"{where}: {exc}") if "connect" in str(exc).lower() else StorageError(str(exc))
        return StorageError(f"{key}: {type(exc).__name__}: {exc} ({where})")

    def call(self, fn: Any, key: str) -> Any:
        try:
            return fn()
        except Exception as exc:
            raise self.map_error(exc, key) from None

    # -- keys -------------------------------------------------------------------------------------
    def object_key(self, key: str) -> str:
        return join_root(self.prefix, normalize_key(key))

    def _strip(self, obj: str) -> str:
        return obj[len(self.prefix) + 1 :] if self.prefix else obj

    def check_tree(self, key: str) -> None:
        """Keys form a tree on every backend: refuse 'a/b' if 'a' is an object, or 'a' if 'a/…' exist."""
        parts = key.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent in self._folders:
                continue
            if self._head(parent) is not None:
                raise ConflictError(f"{key}: {parent!r} is a file in {self.location}")
            self._folders.add(parent)
        resp = self.call(
            lambda: self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.object_key(key) + "/", MaxKeys=1),
            key,
        )
        if resp.get("KeyCount", 0):
            raise ConflictError(f"{key}: is a folder in {self.location}")

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.head_object(Bucket=self.bucket, Key=self.object_key(key)))
        except ClientError as exc:
            err = self.map_error(exc, key)
            if isinstance(err, NotFoundError) and "bucket" not in str(err):
                return None
            raise err from None
        except Exception as exc:
            raise self.map_error(exc, key) from None

    def stored_sha256(self, key: str, head: dict[str, Any] | None = None) -> str | None:
        head = head if head is not None else self._head(key)
        if head is None:
            raise NotFoundError(f"{key}: not found in {self.location}")
        sha = head.get("Metadata", {}).get(META_SHA)
        if sha:
            return str(sha)
        tags = self.call(lambda: self.client.get_object_tagging(Bucket=self.bucket, Key=self.object_key(key)), key)
        for t in tags.get("TagSet", []):
            if t["Key"] == META_SHA:
                return str(t["Value"])
        return None

    # -- interface --------------------------------------------------------------------------------
    def open_write(self, key: str) -> S3Writer:
        return S3Writer(self, normalize_key(key), self.part_size)

    def open_read(self, key: str) -> ReadStream:
        key = normalize_key(key)
        head = self._head(key)
        if head is None:
            raise NotFoundError(f"{key}: not found in {self.location}")
        sha = self.stored_sha256(key, head)
        size = int(head["ContentLength"])
        if size > self.part_size:  # large: ranged GETs in parallel, like download_fileobj, bounded memory
            return _RangedBody(self, key, size, str(head["ETag"]), sha)
        resp = self.call(
            lambda: self.client.get_object(Bucket=self.bucket, Key=self.object_key(key), IfMatch=head["ETag"]), key
        )
        return VerifyingReader(_Body(resp["Body"], self, key), key, sha, int(resp["ContentLength"]))

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        if self._head(key) is None:
            raise NotFoundError(f"{key}: not found in {self.location}")
        self.call(lambda: self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key)), key)

    def list(self, prefix: str = "") -> list[str]:
        prefix = normalize_prefix(prefix)
        full = join_root(self.prefix, prefix) if self.prefix else prefix
        if self.prefix and not prefix:
            full = self.prefix + "/"

        def _list() -> list[str]:
            out: list[str] = []
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full)
            for page in pages:
                out.extend(self._strip(o["Key"]) for o in page.get("Contents", []))
            return out

        return sorted(self.call(_list, prefix or "(all)"))

    def stat(self, key: str, checksum: bool = True) -> ObjectInfo:
        key = normalize_key(key)
        head = self._head(key)
        if head is None:
            raise NotFoundError(f"{key}: not found in {self.location}")
        sha = None
        if checksum:
            sha = self.stored_sha256(key, head)
            if sha is None:  # written by another tool: compute it
                with self.open_read(key) as r:
                    sha, _ = sha256_of_stream(r)
        return ObjectInfo(key=key, size=int(head["ContentLength"]), modified=head["LastModified"], sha256=sha)

    def ensure_bucket(self) -> None:
        """Create the bucket if missing (tests, first setup)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.call(lambda: self.client.create_bucket(Bucket=self.bucket), "(bucket)")

    def close(self) -> None:
        self.client.close()


class _Body:
    """botocore's StreamingBody with errors mapped to storage errors."""

    def __init__(self, body: Any, backend: S3Backend, key: str) -> None:
        self._body = body
        self._b = backend
        self.key = key

    def read(self, size: int = -1, /) -> bytes:
        try:
            return bytes(self._body.read(None if size is None or size < 0 else size))
        except Exception as exc:
            raise self._b.map_error(exc, self.key) from None

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _RangedBody:
    """Reads a large object as part-sized ranges fetched ``RANGE_INFLIGHT`` at a time, in order.

    Ranges are read into a fixed pool of reusable buffers (so memory stays flat however large
    the object; fresh 8 MiB objects per range fragment the heap across threads). Every range
    carries If-Match with the ETag seen first, so a concurrent overwrite fails loudly instead of
    mixing two versions. The SHA-256 is computed on a helper thread, in order (hashlib releases
    the GIL), and checked at the end of the stream."""

    SUBREAD = 256 << 10

    def __init__(self, backend: S3Backend, key: str, size: int, etag: str, sha256: str | None) -> None:
        self._b = backend
        self.key = key
        self._obj = backend.object_key(key)
        self._size = size
        self._etag = etag
        self._expected = sha256
        self._step = backend.part_size
        self._next = 0
        self._seen = 0
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        for _ in range(RANGE_INFLIGHT + 2):
            self._free.put(bytearray(self._step))
        self._pending: deque[Future[tuple[bytearray, int]]] = deque()
        self._current: tuple[bytearray, Future[None]] | None = None
        self._hash = hashlib.sha256()
        self._view = memoryview(b"")
        self._pool = ThreadPoolExecutor(max_workers=RANGE_INFLIGHT, thread_name_prefix="s3-range")
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="s3-hash")
        self._checked = False
        self._fill()

    def _fetch(self, start: int, end: int) -> tuple[bytearray, int]:
        buf = self._free.get()
        try:
            resp = self._b.client.get_object(
                Bucket=self._b.bucket, Key=self._obj, Range=f"bytes={start}-{end}", IfMatch=self._etag
            )
            body, want, got = resp["Body"], end - start + 1, 0
            mv = memoryview(buf)
            while got < want:
                n = body.readinto(mv[got : min(want, got + self.SUBREAD)])  # type: ignore[arg-type]  # botocore-stubs types readinto oddly
                if not n:
                    break
                got += n
            mv.release()
            body.close()
            return buf, got
        except BaseException:
            self._free.put(buf)
            raise

    def _fill(self) -> None:
        while len(self._pending) < RANGE_INFLIGHT and self._next < self._size:
            end = min(self._next + self._step, self._size) - 1
            self._pending.append(self._pool.submit(self._fetch, self._next, end))
            self._next = end + 1

    def _release_current(self) -> None:
        if self._current is not None:
            buf, hashed = self._current
            hashed.result()  # the hasher is done with it
            self._view.release()
            self._view = memoryview(b"")
            self._free.put(buf)
            self._current = None

    def _take(self) -> bool:
        self._release_current()
        if not self._pending:
            self._finish()
            return False
        try:
            buf, n = self._pending.popleft().result()
        except Exception as exc:
            self.close()
            raise self._b.map_error(exc, self.key) from None
        self._seen += n
        view = memoryview(buf)[:n]
        self._current = (buf, self._hasher.submit(self._hash.update, view))
        self._view = view
        self._fill()
        return True

    def _finish(self) -> None:
        if self._checked:
            return
        self._checked = True
        if self._seen != self._size:
            raise IntegrityError(f"{self.key}: read {self._seen} bytes, expected {self._size}")
        if self._expected and self._hash.hexdigest() != self._expected:
            raise IntegrityError(f"{self.key}: checksum mismatch (stored sha256 {self._expected[:12]}…)")

    def read(self, size: int = -1, /) -> bytes:
        want = self._size if size is None or size < 0 else size
        if not self._view and want and not self._take():
            return b""
        if len(self._view) >= want:  # the common case: one copy straight out of the pooled buffer
            chunk = bytes(self._view[:want])
            self._view = self._view[want:]
            return chunk
        out = bytearray()
        while len(out) < want:
            if not self._view and not self._take():
                break
            n = min(want - len(out), len(self._view))
            out += self._view[:n]
            self._view = self._view[n:]
        return bytes(out)

    def close(self) -> None:
        for f in self._pending:
            f.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._hasher.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> _RangedBody:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
