"""`personal-agent backup create|list|verify|restore|key` (docs/DEPLOYMENT.md "Backup and restore")."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from app.cli.common import fail, line, said_line, services

cli = typer.Typer(help="Sealed backups of the database, keyring, keys and config on a storage backend.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(cli, name="backup")


@contextmanager
def _errors(what: str) -> Iterator[None]:
    from app.backup.service import BackupError
    from app.backup.snapshot import SnapshotError
    from app.secrets import SecretStoreError
    from storage.errors import StorageError

    try:
        yield
    except (BackupError, SnapshotError, StorageError, SecretStoreError) as exc:
        fail(line("common.what_failed", what=line(what),
                  detail=said_line(exc).splitlines()[0] if str(exc) else type(exc).__name__))


def _key(key_stdin: bool) -> str | None:
    if not key_stdin:
        return None
    given = sys.stdin.readline().strip()
    if not given:
        fail(line("backup.no_key_stdin"), code=2)
    return given


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


@cli.command("create")
def create(keep: int | None = typer.Option(None, min=1, help="keep this many backups (default: settings)")) -> None:
    """Take a backup now (the app or server may keep running); older backups beyond `keep` are deleted."""
    from app.backup.service import create as create_backup

    with _errors("backup.failed"):
        manifest, deleted = create_backup(services(), keep)
    typer.echo(line("backup.created", id=manifest.id, count=len(manifest.files), size=_size(manifest.archive_size)))
    if deleted:
        typer.echo(line("backup.deleted", count=len(deleted), ids=", ".join(deleted)))


@cli.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """The complete backups, oldest first."""
    from app.backup.service import list_backups

    with _errors("backup.cannot_list"):
        backups = list_backups(services())
    if as_json:
        typer.echo(json.dumps([m.model_dump(mode="json", exclude={"files"}) | {"files": len(m.files)}
                               for m in backups], indent=2))
        return
    if not backups:
        typer.echo(line("backup.none"))
    for m in backups:
        typer.echo(line("backup.row", id=m.id, when=f"{m.created_at:%Y-%m-%d %H:%M}", count=len(m.files),
                        size=_size(m.archive_size), database=m.database))


@cli.command("verify")
def verify(
    backup_id: str = typer.Argument(..., help="the backup's id, as `backup list` shows it"),
    key_stdin: bool = typer.Option(False, "--key-stdin", help="read the backup key from stdin"),
) -> None:
    """Read a backup back whole and check it: checksum, decryption, every file."""
    from app.backup.service import verify as verify_backup

    key = _key(key_stdin)
    with _errors("backup.verify_failed"):
        manifest = verify_backup(services(), backup_id, key)
    typer.echo(line("backup.complete", id=manifest.id, count=len(manifest.files)))


@cli.command("restore")
def restore(
    backup_id: str = typer.Argument(..., help="the backup's id, as `backup list` shows it"),
    key_stdin: bool = typer.Option(False, "--key-stdin", help="read the backup key from stdin (a new machine)"),
    yes: bool = typer.Option(False, "--yes", help="do not ask before replacing this installation's data"),
) -> None:
    """Put a backup back (stop the app and server first). Everything is checked before anything is replaced."""
    from app.backup.service import restore as restore_backup

    key = _key(key_stdin)
    if not yes and not typer.confirm(line("backup.confirm_restore", id=backup_id)):
        fail(line("backup.nothing_restored"), code=1)
    with _errors("backup.restore_failed"):
        manifest = restore_backup(services(), backup_id, key)
    typer.echo(line("backup.restored", id=manifest.id, count=len(manifest.files)))


@cli.command("key")
def key() -> None:
    """Show the backup key: keep it apart from this machine (password manager, paper); a new machine
    needs it, with the keyring's password, to restore."""
    from app.backup.service import recovery_code

    with _errors("backup.no_key"):
        code = recovery_code()
    typer.echo(code)
    typer.echo(line("backup.keep_key"), err=True)
