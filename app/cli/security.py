"""`personal-agent security encrypt|rotate-key|status`: encryption at rest (docs/SECURITY.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

from app.cli.common import echo, fail, line, said_line, services

cli = typer.Typer(help="Encryption at rest: recordings, transcripts and the database, with the key in the keyring.")


def register(root: typer.Typer) -> None:
    root.add_typer(cli, name="security")


@contextmanager
def _errors(what: str) -> Iterator[None]:
    from app.secrets import SecretStoreError
    from storage.errors import StorageError

    try:
        yield
    except (StorageError, SecretStoreError) as exc:  # KeyUnavailableError is a StorageError
        fail(line("common.what_failed", what=line(what), detail=said_line(exc)))


def _ticker(label: str) -> Callable[[str, int, int], None]:
    def tick(_key: str, done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            typer.echo(line("security.progress", label=line(label), done=done, total=total), err=True)

    return tick


@cli.command("encrypt")
def encrypt() -> None:
    """Turn encryption at rest on, or finish turning it on: creates the key (kept in the keyring),
    encrypts the SQLite database and every recording still stored unencrypted. Safe to run again;
    stop the app (and the home server) first."""
    from app.security import encrypt_installation
    from app.wiring.storage import open_backend
    from storage.db.engine import default_database_url

    sv = services()
    url = sv.settings.database_url or default_database_url(sv.paths.data_dir)
    with _errors("security.encrypt_unfinished"):
        sv.paths.ensure()
        backend = open_backend(sv)
        try:
            report = encrypt_installation(sv.paths.data_dir, url, backend, _ticker("security.recordings"))
        finally:
            backend.close()
        sv.__dict__.pop("data_keys", None)  # read the new key file from here on
        sv.audit.record("security.encrypt", "data", "ok", f"{report.blobs_sealed} recordings")
    if report.created_keys:
        echo(line("security.created_key"))
    echo(line("security.database", state=report.database))
    echo(line("security.sealed_now", count=report.blobs_sealed))
    echo(line("security.back_up_both"))


@cli.command("rotate-key")
def rotate_key(
    reencrypt: bool = typer.Option(
        False, "--reencrypt", help="also rewrite every recording sealed with an older data key, and the "
                                   "database with a new key"),
) -> None:
    """Replace the key in the keyring (every data key is wrapped anew; new recordings get a new
    data key). Crash-safe: run it again after an interruption."""
    from app.security import enabled
    from app.security import rotate_key as rotate
    from app.wiring.storage import open_backend
    from storage.db.engine import default_database_url

    sv = services()
    if not enabled(sv.paths.data_dir):
        fail(line("security.off_cannot_rotate"))
    with _errors("security.rotate_unfinished"):
        backend = open_backend(sv)
        try:
            report = rotate(sv.paths.data_dir, backend, reencrypt, _ticker("security.recordings"),
                            database_url=sv.settings.database_url or default_database_url(sv.paths.data_dir))
        finally:
            backend.close()
        sv.__dict__.pop("data_keys", None)
        sv.audit.record("security.rotate_key", report.new_kek, "ok", f"{report.blobs_resealed} recordings resealed")
    echo(line("security.rotated", new=report.new_kek, old=report.old_kek, blob_key=report.new_blob_key))
    if reencrypt:
        echo(line("security.resealed", count=report.blobs_resealed, key=report.database_key))


@cli.command("status")
def status(scan: bool = typer.Option(False, "--scan", help="also count recordings still unencrypted")) -> None:
    """Whether encryption at rest is on, which key is in use, and what is still unencrypted."""
    from app.security import enabled, load_keys
    from app.wiring.storage import open_backend
    from storage.db.engine import default_database_url, is_plaintext_sqlite, sqlite_path
    from storage.encrypted import SealedBackend

    sv = services()
    if not enabled(sv.paths.data_dir):
        echo(line("security.status_off"))
        return
    with _errors("security.cannot_check"):
        keys = load_keys(sv.paths.data_dir)
        assert keys is not None
        echo(line("security.status_on", kek=keys.kek_id, count=len(keys.keys), current=keys.current))
        path = sqlite_path(sv.settings.database_url or default_database_url(sv.paths.data_dir))
        if path is None:
            echo(line("security.db_postgres"))
        elif path.exists():
            echo(line("security.db_plain" if is_plaintext_sqlite(path) else "security.db_sealed"))
        if scan:
            backend = open_backend(sv)
            try:
                assert isinstance(backend, SealedBackend)
                keys_used = [backend.sealed_with(k) for k in backend.list("")]
            finally:
                backend.close()
            plain = sum(1 for k in keys_used if k is None)
            echo(line("security.scan", count=len(keys_used), plain=plain))
            if plain:
                raise typer.Exit(1)
