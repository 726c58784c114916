"""`personal-agent finance receipt add|list`, `finance tax-category` and `finance tax-export YEAR`: receipts
read offline and matched to bookings, and the yearly tax folder. A bad input (missing file, not a photo or
PDF, a duplicate, a wrong Steuer-ID, a year out of range) is one line on stderr and exit != 0, and nothing
is written."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer

from app.cli.common import fail, line, said_line, services

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
        fail(line("finance.no_file", path=file))
    share = None
    if labour is not None:
        try:
            share = Decimal(labour.replace(",", "."))
        except InvalidOperation:
            fail(line("tax.bad_labour", given=repr(labour)), code=2)
        if share < 0:
            fail(line("tax.negative_labour"), code=2)
    svc = services()
    try:
        with svc.db.session() as s:
            done = add_receipt(s, svc.storage, file, labour=share)
    except (ReceiptError, OSError, StorageError) as exc:
        fail(line("finance.file_error", name=file.name, detail=said_line(exc)))
    f = done.fields
    amount = f"{f.amount:.2f} {f.currency}" if f.amount is not None else line("tax.no_amount_found")
    day = f.day.isoformat() if f.day else line("tax.no_date_found")
    match = (line("tax.matched", id=done.transaction_id, booking=done.booking) if done.transaction_id
             else line("tax.unmatched"))
    typer.echo(line("tax.receipt_added", id=done.id, vendor=f.vendor or line("tax.no_vendor"), amount=amount, day=day,
                    match=match))


@receipt_cli.command("list")
def receipt_list(year: int | None = typer.Option(None, "--year", help="only this year's receipts")) -> None:
    """The receipts, the latest first."""
    from agents.finance.receipts.store import receipts

    with services().db.session() as s:
        rows = receipts(s, year)
    if not rows:
        typer.echo(line("tax.no_receipts"))
    for r in rows:
        amount = f"{r.amount:.2f} {r.currency}" if r.amount is not None else line("tax.no_amount")
        day = r.day.isoformat() if r.day else line("tax.no_date")
        booked = line("tax.booked", id=r.transaction_id) if r.transaction_id else line("tax.not_booked")
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
        fail(line("tax.bad_kind", kind=repr(kind)), code=2)
    try:
        key = category_key(category)
    except KeyError as exc:
        fail(line("finance.error", detail=exc.args[0]), code=2)
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
            fail(line("tax.no_item", kind=kind, id=item_id))
        rule = correct(s, KINDS[kind], item_id, key, payee)
    said = line("tax.rule", rule=rule, key=key) if rule else ""
    typer.echo(line("tax.categorized", kind=kind, id=item_id, key=key, rule=said))


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
        fail(line("tax.bad_year", year=year), code=2)
    tax_id = ""
    if steuer_id is not None:
        try:
            tax_id = validate_steuer_id(steuer_id)
        except SteuerIdError as exc:
            fail(line("tax.nothing_written", detail=said_line(exc)), code=2)
    target = out or Path.cwd() / f"steuer-{year}"
    if target.exists() and not target.is_dir():
        fail(line("tax.not_a_folder", path=target), code=2)
    svc = services()
    with svc.db.session() as s:
        folder = build_folder(s, year)
    try:
        done = export(folder, svc.storage, target, tax_id)
    except (OSError, StorageError) as exc:
        fail(line("tax.write_failed", detail=said_line(exc)))
    from agents.finance.tax.categories import BY_KEY

    for sm in folder.sums():
        c = BY_KEY[sm.key]
        extra = line("tax.labour", amount=f"{sm.labour:.2f}") if c.labour else ""
        if sm.missing_labour:
            extra += line("tax.missing_labour", count=sm.missing_labour)
        typer.echo(line("tax.sum_one" if sm.count == 1 else "tax.sum_many", name=c.de, form=c.form, count=sm.count,
                        total=f"{sm.total:.2f}", extra=extra))
    if not folder.items:
        typer.echo(line("tax.no_items", year=year))
    for why in done.left_out:
        typer.echo(line("finance.note", note=why), err=True)
    typer.echo(line("tax.wrote", files=", ".join(p.name for p in done.files()), path=target, count=done.documents))
