"""The storage layer's part of running a backend: the backend kinds, and the background replay of the
offline spools inside a built backend.

Building the configured backend (settings + the keyring secret, behind the spool, dual-writing during
a migration) is the app's job: ``app.wiring.storage.open_backend(services)``, which is what
``services.storage`` returns. ``start_spool_replay`` is what the running app calls
(``Services.start_storage_replay``) so that pending spool entries go out on their own when the NAS or
the cloud is back."""

from __future__ import annotations

import logging

from storage.base import Backend
from storage.dual import DualWriteBackend
from storage.encrypted import SealedBackend
from storage.models import BackendKind
from storage.spool import SpooledBackend

log = logging.getLogger(__name__)

KINDS: tuple[BackendKind, ...] = ("local", "smb", "s3")
REPLAY_INTERVAL_S = 30.0  # how often the running app retries a non-empty spool


def spooled_parts(backend: Backend) -> list[SpooledBackend]:
    """The spooled remotes inside ``backend``: itself, either side of a dual-write, or under the encryption."""
    if isinstance(backend, SpooledBackend):
        return [backend]
    if isinstance(backend, SealedBackend):
        return spooled_parts(backend.inner)
    if isinstance(backend, DualWriteBackend):
        return spooled_parts(backend.primary) + spooled_parts(backend.secondary)
    return []


def start_spool_replay(backend: Backend, interval_s: float = REPLAY_INTERVAL_S) -> list[SpooledBackend]:
    """Retry every spool inside ``backend`` in the background (a first try at once, then every
    ``interval_s`` while anything is pending) until the backend is closed. Returns the spooled parts."""
    parts = spooled_parts(backend)
    for part in parts:
        part.start_background_replay(interval_s)
        log.info("storage: background replay of the %s spool every %.0f s", part.kind, interval_s)
    return parts
