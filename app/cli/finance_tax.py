"""`personal-agent finance receipt add|list`, `finance tax-category` and `finance tax-export YEAR`: receipts
read offline and matched to bookings, and the yearly tax folder. A bad input (missing file, not a photo or
PDF, a duplicate, a wrong Steuer-ID, a year out of range) is one line on stderr and exit != 0, and nothing
is written."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer

from app.cli.common import fail, services

receipt_cli = typer.Typer(help="Receipts (photos and PDFs): read offline, matched to bank bookings.")
KINDS = {"booking": "transaction", "transaction": "transaction", "receipt": "receipt", "invoice": "invoice"}


def register(root: typer.Typer) -> None:  # the finance group itself is registered by app.cli.finance
    from app.cli.finance import cli as finance_cli

    finance_cli.add_typer(receipt_cli, name="receipt")
    finance_cli.command("tax-export")(tax_export)
    finance_cli.command("tax-category")(tax_category)


@receipt_cli.command("add")
def receipt_add(
    file: Path = typer.Argument(..., help="a photo (JPEG, PNG) or PDF of a receipt"),
    labour: str | None = typer.Option(None, "--labour", help="the labour share in EUR (§ 35a), if the receipt "
                                                            "does not name it"),
) -> None:
    """Read a receipt (amount, date, shop), store the original and match it to a bank booking."""
    from agents.finance.receipts.store import ReceiptError, add_receipt
    from storage.errors import StorageError

    if not file.is_file():
        fail(f"error: no such file: {file}")
    share = None
    if labour is not None:
        try:
            share = Decimal(labour.replace(",", "."))
        except InvalidOperation:
            fail(f"error: --labour expects an amount like 120,50, got {labour!r}", code=2)
        if share < 0:
            fail("error: --labour cannot be negative", code=2)
    svc = services()
    try:
        with svc.db.session() as s:
            done = add_receipt(s, svc.storage, file, labour=share)
    except (ReceiptError, OSError, StorageError) as exc:
        fail(f"error: {file.name}: {exc}")
    typer.echo(done.line())


@receipt_cli.command("list")
def receipt_list(year: int | None = typer.Option(None, "--year", help="only this year's receipts")) -> None:
    """The receipts, the latest first."""
    from agents.finance.receipts.store import receipts

    with services().db.session() as s:
        rows = receipts(s, year)
    if not rows:
        typer.echo("no receipts yet (personal-agent finance receipt add FILE)")
    for r in rows:
        amount = f"{r.amount:.2f} {r.currency}" if r.amount is not None else "no amount"
        day = r.day.isoformat() if r.day else "no date"
        booked = f", booking #{r.transaction_id}" if r.transaction_id else ", no booking matched"
        typer.echo(f"#{r.id} {day} {r.vendor or r.file_name}: {amount}{booked}")


def tax_category(
    kind: str = typer.Argument(..., help="booking, receipt or invoice"),
    item_id: int = typer.Argument(..., help="its number (as the export's 'Nr' column shows it)"),
    category: str = typer.Argument(..., help="work_expenses, provision, special, household, craftsmen, capital "
                                             "or none"),
) -> None:
    """Put an item into a tax category; the choice sticks for its payee's later items too."""
    from agents.finance.db import FinTransaction
    from agents.finance.invoices.db import FinInvoice
    from agents.finance.receipts.db import FinReceipt
    from agents.finance.tax.categories import category_key
    from agents.finance.tax.rules import correct

    if kind not in KINDS:
        fail(f"error: the kind is booking, receipt or invoice, not {kind!r}", code=2)
    try:
        key = category_key(category)
    except KeyError as exc:
        fail(f"error: {exc.args[0]}", code=2)
    with services().db.session() as s:
        payee: str | None = None
        if KINDS[kind] == "transaction":
            t = s.get(FinTransaction, item_id)
            payee = None if t is None else t.counterparty
        elif kind == "receipt":
            r = s.get(FinReceipt, item_id)
            payee = None if r is None else r.vendor
        else:
            i = s.get(FinInvoice, item_id)
            payee = None if i is None else i.seller_name
        if payee is None:
            fail(f"error: there is no {kind} {item_id}")
        rule = correct(s, KINDS[kind], item_id, key, payee)
    said = f"; rule: '{rule}' -> {key}" if rule else ""
    typer.echo(f"{kind} {item_id} -> {key}{said}")


def tax_export(
    year: int = typer.Argument(..., help="the tax year, e.g. 2026"),
    out: Path | None = typer.Option(None, "--out", help="the folder to write to (default: ./steuer-YEAR)"),
    steuer_id: str | None = typer.Option(None, "--steuer-id", help="your tax ID, printed on the cover"),
) -> None:
    """Write the year's tax folder: a CSV, an XLSX summary and a PDF bundle (cover summary + documents).
    For entering in ELSTER or for a tax adviser; filing with ELSTER itself is not done here."""
    from agents.finance.tax.export import export
    from agents.finance.tax.folder import build_folder
    from agents.finance.tax.steuer_id import SteuerIdError, validate_steuer_id
    from storage.errors import StorageError

    if not 2000 <= year <= 2100:
        fail(f"error: {year} is not a tax year (2000 to 2100)", code=2)
    tax_id = ""
    if steuer_id is not None:
        try:
            tax_id = validate_steuer_id(steuer_id)
        except SteuerIdError as exc:
            fail(f"error: {exc}; nothing written", code=2)
    target = out or Path.cwd() / f"steuer-{year}"
    if target.exists() and not target.is_dir():
        fail(f"error: {target} is a file, not a folder; nothing written", code=2)
    svc = services()
    with svc.db.session() as s:
        folder = build_folder(s, year)
    try:
        done = export(folder, svc.storage, target, tax_id)
    except (OSError, StorageError) as exc:
        fail(f"error: the tax folder could not be written: {exc}")
    from agents.finance.tax.categories import BY_KEY

    for sm in folder.sums():
        c = BY_KEY[sm.key]
        extra = f", labour share {sm.labour:.2f} EUR" if c.labour else ""
        if sm.missing_labour:
            extra += f" ({sm.missing_labour} without an invoice or receipt that names it)"
        items = "item" if sm.count == 1 else "items"
        typer.echo(f"{c.de} ({c.form}): {sm.count} {items}, {sm.total:.2f} EUR{extra}")
    if not folder.items:
        typer.echo(f"no items for the tax return found in {year}")
    for why in done.left_out:
        typer.echo(f"note: {why}", err=True)
    typer.echo(f"wrote {', '.join(p.name for p in done.files())} to {target} ({done.documents} documents in the PDF)")
