"""Builds the configured recordings backend from ``Settings.storage``, with its secret from the keyring.

``open_backend(services)`` is what the app, the doctor and the recorder use (``services.storage``):
the primary backend (settings, or the one a migration switched to), behind the offline spool if it
is remote, and dual-writing to a migration target while a migration is under way. The storage layer
itself takes plain values (server, share, user, password...) and never reads settings or secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app import secrets
from storage.backends import KINDS
from storage.base import Backend
from storage.dual import DualWriteBackend
from storage.errors import PermissionDeniedError, StorageError
from storage.local import LocalBackend
from storage.models import BackendKind
from storage.spool import Spool, SpooledBackend
from storage.state import active_kind, load_state

if TYPE_CHECKING:
    from app.services import Services
    from app.settings import StorageSettings


def _secret(kind: str, name: str) -> str:
    try:
        value = secrets.get_secret(kind, name)
    except secrets.SecretStoreError as exc:
        raise PermissionDeniedError(str(exc)) from None
    if not value:
        raise PermissionDeniedError(
            f"no {kind} secret is stored for account '{name}': add the account again with its password"
        )
    return value


def build_backend(services: Services, kind: BackendKind, settings: StorageSettings | None = None) -> Backend:
    """The raw backend of ``kind`` as configured (no spool, no dual-write); ``settings`` in place of
    ``[storage]`` (the backups use it with their own prefix)."""
    st = settings or services.settings.storage
    if kind == "local":
        return LocalBackend(st.local_root or services.paths.recordings_dir)
    if kind == "smb":
        from storage.smb import SmbBackend

        if not (st.smb_server and st.smb_share and st.smb_username):
            raise StorageError("SMB storage needs a server, a share and a user name")
        return SmbBackend(
            st.smb_server, st.smb_share, st.smb_username, _secret("smb", st.smb_account), port=st.smb_port,
            prefix=st.smb_prefix, timeout=st.timeout_s,
        )
    if kind == "s3":
        from storage.s3 import S3Backend

        if not (st.s3_bucket and st.s3_access_key_id):
            raise StorageError("S3 storage needs a bucket and an access key ID")
        return S3Backend(
            st.s3_bucket, st.s3_access_key_id, _secret("s3", st.s3_account), endpoint_url=st.s3_endpoint_url,
            region=st.s3_region, prefix=st.s3_prefix, part_size=st.s3_part_size_mb << 20, timeout=st.timeout_s,
        )
    raise StorageError(f"unknown storage backend {kind!r} (use one of {', '.join(KINDS)})")


def spool_for(services: Services, kind: BackendKind) -> Spool:
    root = services.settings.storage.spool_dir or (services.paths.data_dir / "spool")
    return Spool(root / kind)


def open_kind(services: Services, kind: BackendKind, spooled: bool = True) -> Backend:
    raw = build_backend(services, kind)
    if kind == "local" or not spooled:
        return raw
    return SpooledBackend(raw, spool_for(services, kind))


def primary_kind(services: Services) -> BackendKind:
    return active_kind(services.settings.storage.backend, load_state(services.paths.data_dir))


def open_backend(services: Services, kind: BackendKind | None = None) -> Backend:
    """The backend the app writes to (or the named one). Remote backends come behind the spool; with
    encryption at rest on, everything goes through the sealing layer above both (the spool and a
    migration's second copy hold sealed bytes only)."""
    from app.security import seal

    if kind is not None:
        return seal(open_kind(services, kind), services.data_keys)
    state = load_state(services.paths.data_dir)
    primary = active_kind(services.settings.storage.backend, state)
    backend = open_kind(services, primary)
    if state.dual_write_to and state.dual_write_to != primary:
        backend = DualWriteBackend(backend, open_kind(services, state.dual_write_to))
    return seal(backend, services.data_keys)
