"""Images handed to the running turn by the client (``personal-agent ask --image``): a post drafted in
that turn carries them, each with its alt text. A context variable, set by the app around one turn."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from agents.social.models import MediaFile

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # Mastodon's default limit for an image (Bluesky's is 1 MB; it refuses larger)
_ATTACHED: ContextVar[tuple[MediaFile, ...]] = ContextVar("social_attached", default=())


class AttachmentError(ValueError):
    """An image that cannot be posted (one line, the user's language is the caller's)."""


def image(path: str | Path, alt: str) -> MediaFile:
    """One image checked before anything is drafted: it exists, is a picture, not too large, has alt text."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise AttachmentError(f"no image file at {p}")
    mime = mimetypes.guess_type(p.name)[0] or ""
    if mime not in IMAGE_TYPES:
        raise AttachmentError(f"{p.name} is not a JPEG, PNG, GIF or WebP picture")
    if p.stat().st_size > MAX_IMAGE_BYTES:
        raise AttachmentError(f"{p.name} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    if not alt.strip():
        raise AttachmentError(f"{p.name} needs its alt text: what the picture shows, for people who cannot see it")
    return MediaFile(path=str(p.resolve()), alt=alt.strip(), mime=mime)


@contextmanager
def attached(files: list[MediaFile]) -> Iterator[None]:
    token = _ATTACHED.set(tuple(files))
    try:
        yield
    finally:
        _ATTACHED.reset(token)


def attached_now() -> list[MediaFile]:
    """The images of the running turn (none: an empty list)."""
    return list(_ATTACHED.get())
