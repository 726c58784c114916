"""A cached file served whole or in one byte range (``Range: bytes=a-b``, 206), plain or sealed.

Plain files go to Starlette's ``FileResponse`` (ranges included); a sealed file (encryption at rest
is on) is opened here and only the segments of the asked range are decrypted (``storage.sealed_file``),
so nothing of it is ever written to disk in plaintext."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response, StreamingResponse

from app.server.api_language import api_error
from storage.datakeys import DataKeys
from storage.sealed_file import SealedFile

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


def _span(header: str, size: int) -> tuple[int, int] | None:
    """The one range asked for, inclusive; None: the whole file (no header, or several ranges)."""
    m = _RANGE.match(header)
    if m is None:
        if header.strip().startswith("bytes") and "," in header:
            return None  # several ranges: answered with the whole file (allowed by RFC 9110)
        raise api_error(416, "bad range", "ungültiger Bereich", headers={"Content-Range": f"bytes */{size}"})
    a, b = m.groups()
    if not a and not b:
        raise api_error(416, "bad range", "ungültiger Bereich", headers={"Content-Range": f"bytes */{size}"})
    if not a:  # the last b bytes
        start, end = max(0, size - int(b)), size - 1
    else:
        start, end = int(a), min(int(b), size - 1) if b else size - 1
    if start >= size or start > end:
        raise api_error(416, "range not satisfiable", "Bereich nicht erfüllbar", headers={"Content-Range": f"bytes */{size}"})
    return start, end


def file_response(path: Path, keys: DataKeys | None, range_header: str | None, media_type: str, filename: str,
                  headers: dict[str, str] | None = None) -> Response:
    if keys is None:
        return FileResponse(path, media_type=media_type, filename=filename, headers=headers,
                            content_disposition_type="inline")
    f = SealedFile(path, keys.key)
    out = {**(headers or {}), "Accept-Ranges": "bytes", "Content-Disposition": f'inline; filename="{filename}"'}
    try:
        span = _span(range_header, f.size) if range_header and f.size else None
    except HTTPException:
        f.close()
        raise
    start, end = span if span is not None else (0, f.size - 1)
    status = 206 if span is not None else 200
    if span is not None:
        out["Content-Range"] = f"bytes {start}-{end}/{f.size}"
    out["Content-Length"] = str(end - start + 1 if f.size else 0)

    def body() -> Iterator[bytes]:
        try:
            if f.size:
                yield from f.read_range(start, end)
        finally:
            f.close()

    return StreamingResponse(body(), status_code=status, media_type=media_type, headers=out)
