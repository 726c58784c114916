"""`personal-agent storage status|migrate|replay|ls`."""

from __future__ import annotations

import json
from typing import Any

import typer

from app.cli.common import fail, line, said_line, services
from storage.models import BackendKind

cli = typer.Typer(help="Recordings storage: local disk, NAS (SMB) or cloud (S3); migration and offline spool.")


def _journal_path(from_: str, to: str) -> Any:
    return services().paths.data_dir / "migrations" / f"{from_}-to-{to}.jsonl"


@cli.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Primary backend, migration state and what waits in the offline spool."""
    from app.wiring.storage import primary_kind, spool_for
    from storage.backends import KINDS
    from storage.errors import StorageError
    from storage.state import load_state

    sv = services()
    state = load_state(sv.paths.data_dir)
    primary = primary_kind(sv)
    out: dict[str, Any] = {
        "primary": primary,
        "configured": sv.settings.storage.backend,
        "dual_write_to": state.dual_write_to,
        "retired": state.retired,
        "spool": {},
        "migrations": {},
    }
    for kind in KINDS:
        if kind == "local":
            continue
        root = (sv.settings.storage.spool_dir or sv.paths.data_dir / "spool") / kind
        if root.exists():
            sm = spool_for(sv, kind).summary()
            out["spool"][kind] = sm.model_dump(mode="json", exclude={"entries"}) | {
                "keys": [f"{e.op} {e.key}" for e in sm.entries][:50]
            }
    mig_dir = sv.paths.data_dir / "migrations"
    if mig_dir.exists():
        for j in sorted(mig_dir.glob("*.jsonl")):
            out["migrations"][j.stem] = sum(1 for _ in j.open(encoding="utf-8"))
    try:
        from app.wiring.storage import build_backend

        out["location"] = build_backend(sv, primary).location
    except StorageError as exc:
        out["location"] = line("storage.not_configured", detail=said_line(exc))
    if as_json:
        typer.echo(json.dumps(out, indent=2, default=str))
        return
    typer.echo(line("storage.primary", kind=primary, location=out["location"]))
    if primary != out["configured"]:
        typer.echo(line("storage.switched", configured=out["configured"]))
    if state.dual_write_to:
        typer.echo(line("storage.dual_write", kind=state.dual_write_to))
    if state.retired:
        typer.echo(line("storage.retired", kinds=", ".join(state.retired)))
    pending_total = 0
    for kind, sp in out["spool"].items():
        pending_total += sp["pending"]
        oldest = line("storage.oldest", when=sp["oldest"]) if sp["oldest"] else ""
        typer.echo(line("storage.spool", kind=kind, pending=sp["pending"], bytes=sp["bytes"], oldest=oldest))
        if sp["last_error"]:
            typer.echo(line("storage.last_error", detail=sp["last_error"]))
        for k in sp["keys"]:
            typer.echo(f"           {k}")
    if not pending_total:
        typer.echo(line("storage.spool_empty"))
    for name, n in out["migrations"].items():
        typer.echo(line("storage.migration_state", name=name, count=n))


@cli.command("migrate")
def migrate(
    from_: BackendKind = typer.Option(..., "--from", help="local | smb | s3"),
    to: BackendKind = typer.Option(..., "--to", help="local | smb | s3"),
    verify: bool = typer.Option(False, "--verify", help="read both sides back and compare every checksum"),
    switch: bool = typer.Option(False, "--switch", help="after a clean verify, make --to the primary"),
) -> None:
    """Copy every object from one backend to another; resumable and idempotent."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from app.wiring.storage import open_kind, primary_kind
    from storage import migration
    from storage.errors import StorageError
    from storage.spool import SpooledBackend
    from storage.state import load_state, record_switch, save_state

    if from_ == to:
        fail(line("storage.same_kinds"), code=2)
    sv = services()
    try:
        src_spooled = open_kind(sv, from_)
        if isinstance(src_spooled, SpooledBackend) and src_spooled.spool.pending():
            src_spooled.replay()
            left = len(src_spooled.spool.pending())
            if left:
                fail(line("storage.spool_waits", count=left, kind=from_))
        src = open_kind(sv, from_, spooled=False)
        dst = open_kind(sv, to, spooled=False)
    except StorageError as exc:
        fail(line("storage.failed", detail=said_line(exc)))
    state = load_state(sv.paths.data_dir)
    if primary_kind(sv) == from_ and state.dual_write_to != to:
        state.dual_write_to = to
        save_state(sv.paths.data_dir, state)
    journal = migration.Journal(_journal_path(from_, to))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(line("storage.copy_task", src=from_, dst=to), total=None)

            def tick(_key: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = migration.copy_all(src, dst, journal, tick)
        typer.echo(line("storage.copied", copied=report.copied, skipped=report.skipped, total=report.total,
                        bytes=report.bytes_copied))
        if verify or switch:
            with Progress(*columns, transient=False) as bar:
                task = bar.add_task(line("storage.verify_task"), total=None)

                def tick2(_key: str, done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                vr = migration.verify(src, dst, tick2)
            if not vr.ok:
                for k in vr.missing[:20]:
                    typer.echo(line("storage.missing_on", kind=to, key=k), err=True)
                for k in vr.mismatched[:20]:
                    typer.echo(line("storage.differs", key=k), err=True)
                sv.audit.record("storage.migrate.verify", f"{from_}->{to}", "failed",
                                f"{len(vr.missing)} missing, {len(vr.mismatched)} differ")
                fail(line("storage.verify_failed", missing=len(vr.missing), differ=len(vr.mismatched)))
            typer.echo(line("storage.verified", count=vr.checked))
    except StorageError as exc:
        sv.audit.record("storage.migrate", f"{from_}->{to}", "failed", str(exc))
        fail(line("storage.interrupted", detail=said_line(exc)))
    finally:
        src.close()
        dst.close()
    if switch:
        record_switch(sv.paths.data_dir, sv.settings.storage.backend, from_, to)
        journal.clear()
        sv.audit.record("storage.migrate.switch", f"{from_}->{to}", "ok")
        typer.echo(line("storage.switched_now", new=to, old=from_))
    else:
        sv.audit.record("storage.migrate", f"{from_}->{to}", "ok")


@cli.command("replay")
def replay() -> None:
    """Send what waits in the offline spool now (in order)."""
    from app.wiring.storage import open_kind
    from storage.backends import KINDS
    from storage.errors import StorageError
    from storage.spool import SpooledBackend

    sv = services()
    left = 0
    for kind in KINDS:
        root = (sv.settings.storage.spool_dir or sv.paths.data_dir / "spool") / kind
        if kind == "local" or not root.exists():
            continue
        try:
            b = open_kind(sv, kind)
        except StorageError as exc:
            typer.echo(line("common.what_failed", what=kind, detail=said_line(exc)), err=True)
            continue
        assert isinstance(b, SpooledBackend)
        sent = b.replay()
        pending = len(b.spool.pending())
        left += pending
        typer.echo(line("storage.replayed", kind=kind, sent=sent, pending=pending))
        b.close()
    if left:
        raise typer.Exit(1)


@cli.command("ls")
def ls(prefix: str = typer.Argument("", help="key prefix, e.g. meetings/2024-")) -> None:
    """List the keys in the primary backend."""
    from app.wiring.storage import open_backend
    from storage.errors import StorageError

    try:
        with open_backend(services()) as b:
            for k in b.list(prefix):
                typer.echo(k)
    except StorageError as exc:
        fail(line("storage.failed", detail=said_line(exc)))


def register(root: typer.Typer) -> None:
    root.add_typer(cli, name="storage")
