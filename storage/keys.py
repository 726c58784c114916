"""Object keys: relative, forward-slash paths like ``meetings/2024-05-01/standup.opus``.

Every backend validates keys here first, so a traversal or an absolute path never reaches a
file system, a share or a bucket."""

from __future__ import annotations

import re

from storage.errors import InvalidKeyError

MAX_KEY_LENGTH = 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
# names we use for temporary files and the spool: never valid user keys
RESERVED_SUFFIX = ".pa-part"


def _parts(raw: str, what: str) -> list[str]:
    if not isinstance(raw, str):
        raise InvalidKeyError(f"{what} must be a string, got {type(raw).__name__}")
    if len(raw) > MAX_KEY_LENGTH:
        raise InvalidKeyError(f"{what} too long ({len(raw)} > {MAX_KEY_LENGTH} characters)")
    text = raw.replace("\\", "/")
    if text.startswith("/") or _DRIVE.match(text):
        raise InvalidKeyError(f"{what} {raw!r} is absolute; use a relative path like 'meetings/a.opus'")
    m = _FORBIDDEN.search(text)
    if m:
        raise InvalidKeyError(f"{what} {raw!r} contains a forbidden character {m.group()!r}")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    for p in parts:
        if p == "..":
            raise InvalidKeyError(f"{what} {raw!r} climbs out of the storage root ('..')")
        if p != p.strip() or p.endswith("."):
            raise InvalidKeyError(f"{what} {raw!r}: a path segment may not start/end with a space or end with '.'")
        if p.endswith(RESERVED_SUFFIX):
            raise InvalidKeyError(f"{what} {raw!r} uses the reserved suffix {RESERVED_SUFFIX}")
    return parts


def normalize_key(raw: str) -> str:
    """Validate a key naming one object and return its normal form (``a/b.txt``)."""
    parts = _parts(raw, "key")
    if not parts:
        raise InvalidKeyError(f"key {raw!r} is empty")
    return "/".join(parts)


def normalize_prefix(raw: str) -> str:
    """Validate a listing prefix; ``""`` lists everything. A trailing slash is kept (folder prefix)."""
    parts = _parts(raw, "prefix")
    if not parts:
        return ""
    trailing = raw.replace("\\", "/").endswith("/")
    return "/".join(parts) + ("/" if trailing else "")


def join_root(root: str, key: str) -> str:
    """Join a backend's configured root prefix (itself validated) and a normalized key."""
    root = normalize_prefix(root).rstrip("/") if root else ""
    return f"{root}/{key}" if root else key
