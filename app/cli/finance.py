"""`personal-agent finance sync` (and, from the statement-import work, `finance import`)."""

from __future__ import annotations

from datetime import date, timedelta

import typer

from app.cli.common import fail, services

finance = typer.Typer(help="Banking: sync accounts, balances and transactions from the bank (FinTS).")


def register(cli: typer.Typer) -> None:
    cli.add_typer(finance, name="finance")


@finance.command("sync")
def sync(
    account: str | None = typer.Option(None, "--account", help="the bank account's name (default: every bank account)"),
    days: int | None = typer.Option(None, min=1, max=3650, help="days back (default: [domains.finance] sync_days)"),
    since: str | None = typer.Option(None, help="first booking day, YYYY-MM-DD (instead of --days)"),
) -> None:
    """Fetch accounts, balances and transactions from the bank and store them in the ledger.

    Everything is fetched first: a bank that is down or refuses the PIN leaves the ledger untouched."""
    from agents.deps import ServiceError
    from agents.finance.sync import sync_bank
    from app.wiring.finance import bank_accounts, build_bank, fints_settings, ledger_sink

    svc = services()
    end = date.today()
    if since is not None:
        try:
            start = date.fromisoformat(since)
        except ValueError:
            fail(f"--since expects a date like 2024-01-31, got {since!r}", code=2)
    else:
        start = end - timedelta(days=days or fints_settings(svc.settings).sync_days)
    if start > end:
        fail("--since is in the future", code=2)
    names = [account] if account else [a.name for a in bank_accounts(svc)]
    if not names:
        fail("no bank account yet: personal-agent accounts add NAME --kind bank --username USER-ID "
             "-o bank_code=BLZ -o url=https://...")
    sink = ledger_sink(svc)
    failed = False
    for name in names:
        try:
            bank = build_bank(svc, name)
            typer.echo(f"fetching from bank '{name}' ({start} to {end}) ...", err=True)
            result = sync_bank(bank, sink, start, end)
        except ServiceError as exc:
            typer.echo(f"bank '{name}': {exc}", err=True)
            failed = True
            continue
        typer.echo(result.line(name))
    if failed:
        raise typer.Exit(1)
