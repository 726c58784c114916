"""Uploaded files streamed to a temp file with a size limit (audio turns, meeting uploads)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import HTTPException, UploadFile


def save_upload(upload: UploadFile, limit: int, prefix: str, what: str) -> Path:
    """Copy the upload to a temp file in 1 MiB blocks; 413 past ``limit`` bytes, 400 when empty.
    ``what`` names what to send instead of an empty upload (e.g. "an audio file")."""
    suffix = Path(upload.filename or "upload").suffix[:10] or ".bin"
    with tempfile.NamedTemporaryFile(delete=False, suffix=suffix, prefix=prefix) as tmp:
        size = 0
        while block := upload.file.read(1 << 20):
            size += len(block)
            if size > limit:
                tmp.close()
                Path(tmp.name).unlink(missing_ok=True)
                raise HTTPException(413, f"upload too large: at most {limit // (1024 * 1024)} MB")
            tmp.write(block)
    if size == 0:
        Path(tmp.name).unlink(missing_ok=True)
        raise HTTPException(400, f"empty upload: send {what} (wav, flac, mp3, ogg, m4a, webm)")
    return Path(tmp.name)
