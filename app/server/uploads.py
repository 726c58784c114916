"""Uploaded files streamed to a temp file with a size limit (audio turns, meeting uploads).

The temp file has no name in any folder (``tempfile.TemporaryFile``: unlinked, or ``O_TMPFILE``): the
kernel frees it when it is closed or the server process ends, so a crash or a kill leaves no copy of a
recording on disk, encrypted at rest or not. Decoders open it by ``Upload.path`` (``/proc/self/fd/N``)
while it is open. Starlette's own spooling of a multipart body works the same way (a
``SpooledTemporaryFile``, memory up to 1 MiB, then an unnamed temp file)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from fastapi import UploadFile

from app.server.api_language import api_error

_FD_DIR = Path("/proc/self/fd")


class Upload:
    """An uploaded file in an unnamed temp file; ``close`` frees it (also done when it is dropped)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.path = _FD_DIR / str(fh.fileno()) if _FD_DIR.is_dir() else Path(fh.name)

    def close(self) -> None:
        self._fh.close()
        if not _FD_DIR.is_dir():  # a system without /proc: the named fallback
            Path(self._fh.name).unlink(missing_ok=True)


def _temp_file(suffix: str, prefix: str) -> IO[bytes]:
    if _FD_DIR.is_dir():
        return tempfile.TemporaryFile(suffix=suffix, prefix=prefix)
    return tempfile.NamedTemporaryFile(delete=False, suffix=suffix, prefix=prefix)


def save_upload(upload: UploadFile, limit: int, prefix: str, what: str) -> Upload:
    """Copy the upload to an unnamed temp file in 1 MiB blocks; 413 past ``limit`` bytes, 400 when
    empty. ``what`` names what to send instead of an empty upload (e.g. "an audio file")."""
    suffix = Path(upload.filename or "upload").suffix[:10] or ".bin"
    out = Upload(_temp_file(suffix, prefix))
    try:
        size = 0
        while block := upload.file.read(1 << 20):
            size += len(block)
            if size > limit:
                mb = limit // (1024 * 1024)
                raise api_error(413, f"upload too large: at most {mb} MB", f"Upload zu groß: höchstens {mb} MB")
            out._fh.write(block)
        if size == 0:
            raise api_error(400, f"empty upload: send {what} (wav, flac, mp3, ogg, m4a, webm)",
                            "leerer Upload: schick eine Datei (wav, flac, mp3, ogg, m4a, webm)")
        out._fh.flush()
        os.lseek(out._fh.fileno(), 0, os.SEEK_SET)
    except BaseException:
        out.close()
        raise
    return out
