"""Secrets live in the keyring only: never in config files, logs or the database.

On a desktop the OS keyring is used (Secret Service, macOS Keychain, Windows Credential Locker).
On a machine without one (headless server, CI) the app uses keyrings.cryptfile: an encrypted file
(``keyring.cfg`` in the data dir, AES with an Argon2-derived key) unlocked by a master password from
``PA_KEYRING_PASSWORD`` or a prompt. ``PYTHON_KEYRING_BACKEND`` still wins if the user sets it.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Literal

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from app.paths import AppPaths, app_paths

SERVICE = "personal-agent"


class SecretStoreError(Exception):
    """The keyring is not usable; the message says how to fix it."""


def _is_usable(kr: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(kr, fail.Keyring):
        return False
    if isinstance(kr, chainer.ChainerBackend):
        return bool(kr.backends) and any(
            type(b).__module__.split(".")[0] != "keyrings" for b in kr.backends
        )
    # keyrings.cryptfile registers itself with a priority; only accept it configured by us
    return type(kr).__module__.split(".")[0] != "keyrings"


def _open_cryptfile(paths: AppPaths, password: str) -> KeyringBackend:
    """The encrypted keyring file opened with its master password (a missing file is created)."""
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    kr = CryptFileKeyring()
    paths.ensure()
    kr.file_path = str(paths.keyring_file)
    try:
        kr.keyring_key = password  # unlocks: checks the password against the file's reference entry
    except ValueError:
        raise SecretStoreError("keyring locked: wrong master password") from None
    return kr


def _cryptfile(paths: AppPaths) -> KeyringBackend:
    password = os.environ.get("PA_KEYRING_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise SecretStoreError(
                "no OS keyring on this machine: the encrypted keyring file needs its master password "
                f"({paths.keyring_file}; README, 'Secrets')"
            )
        password = getpass.getpass("Master password for the encrypted keyring: ")
    return _open_cryptfile(paths, password)


def _stored_entries(kr: KeyringBackend) -> list[tuple[str, str]] | None:
    """(section, option) pairs of an encrypted-file keyring without decrypting; None for other backends."""
    path = getattr(kr, "file_path", None)
    if not path or type(kr).__module__.split(".")[0] != "keyrings":
        return None
    import configparser

    config = configparser.RawConfigParser()
    if os.path.exists(path):
        config.read(path)
    return [(sec, opt) for sec in config.sections() if sec != "keyring-setting" for opt in config.options(sec)]


_backend: KeyringBackend | None = None
_cache: dict[tuple[str, str], str] = {}  # decrypted once per process: each read of the file costs an Argon2 KDF


def backend() -> KeyringBackend:
    """The keyring backend the app uses (chosen once per process)."""
    global _backend
    if _backend is None:
        if os.environ.get("PYTHON_KEYRING_BACKEND"):
            _backend = keyring.get_keyring()
        else:
            current = keyring.get_keyring()
            _backend = current if _is_usable(current) else _cryptfile(app_paths())
    return _backend


KeyringState = Literal["ready", "locked", "missing"]


def keyring_state() -> KeyringState:
    """Whether secrets can be stored and read now, without ever prompting: ``ready`` (the OS keyring,
    a backend the user chose, or the encrypted file already unlocked in this process), ``locked`` (the
    encrypted file exists, its master password is not known yet) or ``missing`` (no OS keyring and no
    encrypted file yet)."""
    if _backend is not None or os.environ.get("PYTHON_KEYRING_BACKEND") or _is_usable(keyring.get_keyring()):
        return "ready"
    if os.environ.get("PA_KEYRING_PASSWORD"):
        try:
            backend()
            return "ready"
        except SecretStoreError:
            return "locked"  # the password given to the process does not open the file
    return "locked" if app_paths().keyring_file.exists() else "missing"


def uses_encrypted_file() -> bool:
    """Whether the secrets are (or would be) in the app's encrypted keyring file, not an OS keyring."""
    if _backend is not None:
        return type(_backend).__module__.split(".")[0] == "keyrings"
    return not (os.environ.get("PYTHON_KEYRING_BACKEND") or _is_usable(keyring.get_keyring()))


MIN_MASTER_PASSWORD = 8


def open_encrypted_keyring(password: str, create: bool = False) -> None:
    """Unlock the encrypted keyring file with its master password, or (``create``) make a new one with
    it, for this process only: the password stays in memory and is never written anywhere."""
    global _backend
    paths = app_paths()
    exists = paths.keyring_file.exists()
    if create and exists:
        raise SecretStoreError("there is an encrypted keyring already: unlock it with its master password")
    if not create and not exists:
        raise SecretStoreError("there is no encrypted keyring yet: create one with a new master password")
    if create and len(password) < MIN_MASTER_PASSWORD:
        raise SecretStoreError(f"the master password needs at least {MIN_MASTER_PASSWORD} characters")
    if not password.strip():
        raise SecretStoreError("type the master password")
    kr = _open_cryptfile(paths, password)
    _cache.clear()
    _backend = kr


def reset_backend() -> None:
    global _backend
    _backend = None
    _cache.clear()


def backend_name() -> str:
    kr = backend()
    return f"{type(kr).__module__}.{type(kr).__name__}"


def secret_key(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def set_secret(kind: str, name: str, secret: str) -> None:
    _cache.pop((kind, name), None)
    try:
        backend().set_password(SERVICE, secret_key(kind, name), secret)
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(f"could not store the secret in the keyring: {exc}") from None
    except ValueError as exc:  # cryptfile: wrong master password
        raise SecretStoreError(f"keyring locked: {exc}") from None


def has_secret(kind: str, name: str) -> bool:
    """Whether a secret is stored, without decrypting it where the backend allows that."""
    if (kind, name) in _cache:
        return True
    entries = _stored_entries(backend())
    if entries is None:
        return get_secret(kind, name) is not None
    from keyrings.cryptfile.escape import escape

    return (escape(SERVICE), escape(secret_key(kind, name)).lower()) in {(s, o.lower()) for s, o in entries}


def get_secret(kind: str, name: str) -> str | None:
    if (kind, name) in _cache:
        return _cache[(kind, name)]
    try:
        value = backend().get_password(SERVICE, secret_key(kind, name))
        if value is not None:
            _cache[(kind, name)] = value
        return value
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(f"could not read from the keyring: {exc}") from None
    except ValueError:
        raise SecretStoreError("keyring locked: wrong master password") from None


def delete_secret(kind: str, name: str) -> bool:
    _cache.pop((kind, name), None)
    try:
        backend().delete_password(SERVICE, secret_key(kind, name))
        return True
    except keyring.errors.PasswordDeleteError:
        return False
