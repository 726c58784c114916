"""`personal-agent backup create|list|verify|restore|key` (docs/DEPLOYMENT.md "Backup and restore")."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from app.cli.common import fail, services

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
        fail(f"{what}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def _key(key_stdin: bool) -> str | None:
    if not key_stdin:
        return None
    line = sys.stdin.readline().strip()
    if not line:
        fail("no backup key on stdin", code=2)
    return line


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


@cli.command("create")
def create(keep: int | None = typer.Option(None, min=1, help="keep this many backups (default: settings)")) -> None:
    """Take a backup now (the app or server may keep running); older backups beyond `keep` are deleted."""
    from app.backup.service import create as create_backup

    with _errors("backup failed"):
        manifest, deleted = create_backup(services(), keep)
    typer.echo(f"backup {manifest.id}: {len(manifest.files)} files, {_size(manifest.archive_size)} sealed")
    if deleted:
        typer.echo(f"deleted {len(deleted)} older backup(s): {', '.join(deleted)}")


@cli.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """The complete backups, oldest first."""
    from app.backup.service import list_backups

    with _errors("cannot list the backups"):
        backups = list_backups(services())
    if as_json:
        typer.echo(json.dumps([m.model_dump(mode="json", exclude={"files"}) | {"files": len(m.files)}
                               for m in backups], indent=2))
        return
    if not backups:
        typer.echo("no backups yet: `personal-agent backup create` makes one")
    for m in backups:
        typer.echo(f"{m.id}  {m.created_at:%Y-%m-%d %H:%M} UTC  {len(m.files)} files  {_size(m.archive_size)}  "
                   f"database: {m.database}")


@cli.command("verify")
def verify(
    backup_id: str = typer.Argument(..., help="the backup's id, as `backup list` shows it"),
    key_stdin: bool = typer.Option(False, "--key-stdin", help="read the backup key from stdin"),
) -> None:
    """Read a backup back whole and check it: checksum, decryption, every file."""
    from app.backup.service import verify as verify_backup

    key = _key(key_stdin)
    with _errors("verify failed"):
        manifest = verify_backup(services(), backup_id, key)
    typer.echo(f"backup {manifest.id} is complete: {len(manifest.files)} files, all checksums match")


@cli.command("restore")
def restore(
    backup_id: str = typer.Argument(..., help="the backup's id, as `backup list` shows it"),
    key_stdin: bool = typer.Option(False, "--key-stdin", help="read the backup key from stdin (a new machine)"),
    yes: bool = typer.Option(False, "--yes", help="do not ask before replacing this installation's data"),
) -> None:
    """Put a backup back (stop the app and server first). Everything is checked before anything is replaced."""
    from app.backup.service import restore as restore_backup

    key = _key(key_stdin)
    if not yes and not typer.confirm(f"replace this installation's database, keyring and config with {backup_id}?"):
        fail("nothing restored", code=1)
    with _errors("restore failed, nothing was replaced"):
        manifest = restore_backup(services(), backup_id, key)
    typer.echo(f"restored backup {manifest.id} ({len(manifest.files)} files)")


@cli.command("key")
def key() -> None:
    """Show the backup key: keep it apart from this machine (password manager, paper); a new machine
    needs it, with the keyring's password, to restore."""
    from app.backup.service import recovery_code

    with _errors("no backup key"):
        code = recovery_code()
    typer.echo(code)
    typer.echo("keep this key and the keyring's password apart from this machine: both are needed to restore "
               "a backup on a new one", err=True)
