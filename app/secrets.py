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


def _cryptfile(paths: AppPaths) -> KeyringBackend:
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    kr = CryptFileKeyring()
    paths.ensure()
    kr.file_path = str(paths.keyring_file)
    password = os.environ.get("PA_KEYRING_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise SecretStoreError(
                "no OS keyring on this machine: the encrypted keyring file needs its master password "
                f"({paths.keyring_file}; README, 'Secrets')"
            )
        password = getpass.getpass("Master password for the encrypted keyring: ")
    try:
        kr.keyring_key = password  # unlocks: checks the password against the file's reference entry
    except ValueError:
        raise SecretStoreError("keyring locked: wrong master password") from None
    return kr


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
