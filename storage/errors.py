"""Typed storage errors. Every backend maps its client's exceptions onto these, so callers (the
recorder, migration, the CLI) handle one set of errors whatever the backend is."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every storage error; the message names the key and the backend."""


class InvalidKeyError(StorageError, ValueError):
    """The path is not acceptable: absolute, traversal (``..``), empty or with control characters."""


class NotFoundError(StorageError, KeyError):
    """No object under this key."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "not found"


class PermissionDeniedError(StorageError, PermissionError):
    """The backend refused: wrong credentials or no access to the share/bucket/folder."""


class UnreachableError(StorageError, ConnectionError):
    """The backend cannot be reached now (network, server down). Writes go to the spool."""


class ConflictError(StorageError):
    """The operation clashes with existing state (a folder where a file should be, a concurrent change)."""


class IntegrityError(StorageError):
    """Data read back does not match its checksum or size."""
