"""`personal-agent finance import|balance|spending|subscriptions|budget|categorize|profile`: the ledger
from the command line. A bad input (missing file, unknown format, wrong IBAN) is one line on stderr and
exit 1, never a traceback, and nothing is written."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from app.cli.common import cli_language, fail, line, said_line, services
from app.cli.strings import CLI

if TYPE_CHECKING:
    from agents.finance.invoices.outgoing import Item

cli = typer.Typer(help="Finance: import bank statements (CAMT, MT940, CSV), balances, spending, budgets.")
profile_cli = typer.Typer(help="CSV column-mapping profiles for banks without a built-in layout.")
budget_cli = typer.Typer(help="Monthly budgets per category.")
cli.add_typer(profile_cli, name="profile")
invoice_cli = typer.Typer(help="E-invoices (Factur-X/ZUGFeRD PDF, CII and UBL/XRechnung XML): import, list, create.")
customer_cli = typer.Typer(help="Your customers, for the invoices you create.")
cli.add_typer(customer_cli, name="customer")
cli.add_typer(budget_cli, name="budget")
cli.add_typer(invoice_cli, name="invoice")


def register(root: typer.Typer) -> None:
    root.add_typer(cli, name="finance")


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}".replace(",", "\u2009")


@cli.command("import")
def import_file(
    file: Path = typer.Argument(..., help="a CAMT.053/052 XML, MT940/MT942 or bank CSV file"),
    account: str | None = typer.Option(None, "--account", help="the IBAN, for files that do not name it"),
) -> None:
    """Import a statement file: idempotent (what is already known is not added again)."""
    from agents.finance.iban import IbanError, normalise_iban
    from agents.finance.imports import ImportFormatError, open_statement
    from agents.finance.ledger import file_sha256, import_items
    from agents.finance.money import AmountError
    from agents.finance.profiles import saved_profiles

    if account is not None:
        try:
            account = normalise_iban(account)
        except IbanError as exc:
            fail(line("finance.error", detail=said_line(exc)))
    if not file.is_file():
        fail(line("finance.no_file", path=file))
    db = services().db
    try:
        with db.session() as s:
            statement = open_statement(file, account, saved_profiles(s))
            result = import_items(s, statement.items, file.name, statement.format, file_sha256(file))
    except (ImportFormatError, AmountError, UnicodeDecodeError) as exc:
        fail(line("finance.not_imported", name=file.name, detail=said_line(exc)))
    for note in statement.notes:
        typer.echo(line("finance.note", note=note), err=True)
    typer.echo(line("finance.import_result", new=result.new, known=result.known, skipped=result.skipped))


@cli.command("balance")
def balance(account: str | None = typer.Option(None, "--account", help="one IBAN")) -> None:
    """Balance per account (the bank's latest, plus later bookings; else the sum of bookings)."""
    from agents.finance.queries import balances

    with services().db.session() as s:
        rows = balances(s, account)
    if not rows:
        typer.echo(line("finance.no_accounts"))
    for b in rows:
        when = line("finance.on", day=b.as_of.isoformat()) if b.as_of else ""
        typer.echo(f"{b.iban}  {_money(b.amount, b.currency)}{when} ({b.source})")


def _range(since: str | None, until: str | None) -> tuple[date, date]:
    try:
        end = date.fromisoformat(until) + timedelta(days=1) if until else date.today() + timedelta(days=1)
        start = date.fromisoformat(since) if since else end.replace(day=1) - timedelta(days=1)
        start = start if since else start.replace(day=1)
    except ValueError as exc:
        fail(line("finance.not_a_date", detail=exc))
    return start, end


@cli.command("spending")
def spending(
    since: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: start of last month)"),
    until: str | None = typer.Option(None, "--to", help="YYYY-MM-DD, inclusive (default: today)"),
    payees: int = typer.Option(0, "--payees", help="also list the top N payees"),
) -> None:
    """Spending per category in a date range."""
    from agents.finance.queries import spending_by_category, top_payees

    start, end = _range(since, until)
    with services().db.session() as s:
        rows = spending_by_category(s, start, end)
        top = top_payees(s, start, end, payees) if payees else []
    typer.echo(f"{start.isoformat()} .. {(end - timedelta(days=1)).isoformat()}")
    for c in rows:
        name = c.name_de if cli_language() == "de" else f"{c.name_de} / {c.name_en}"
        typer.echo(f"  {name}: {_money(c.amount, c.currency)} ({c.count})")
    for p in top:
        typer.echo(line("finance.payee", payee=p.payee, amount=_money(p.amount, p.currency), count=p.count))


@cli.command("subscriptions")
def subscriptions(all_recurring: bool = typer.Option(False, "--all", help="every recurring payment")) -> None:
    """Detected subscriptions (or all recurring payments)."""
    from agents.finance.queries import subscriptions as subs
    from agents.finance.recurring import detect

    with services().db.session() as s:
        detect(s)
        rows = subs(s, only_subscriptions=not all_recurring)
    if not rows:
        typer.echo(line("finance.no_subscriptions"))
    for r in rows:
        typer.echo(line("finance.subscription", payee=r.payee, amount=_money(r.amount, r.currency), period=r.period,
                        next=r.next_date.isoformat()))


@cli.command("categorize")
def categorize(transaction_id: int, category: str) -> None:
    """Put a booking in a category; a rule for its payee is learned."""
    from agents.finance.categories import correct

    try:
        with services().db.session() as s:
            rule = correct(s, transaction_id, category)
            typer.echo(line("finance.categorized", id=transaction_id, category=category, field=rule.field,
                            pattern=rule.pattern))
    except KeyError as exc:
        fail(line("finance.error", detail=exc.args[0]))


@budget_cli.command("set")
def budget_set(category: str, amount: str) -> None:
    """Set the monthly budget of a category (e.g. `budget set Lebensmittel 400`)."""
    from agents.finance.budgets import set_budget
    from agents.finance.categories import ensure_defaults

    try:
        value = Decimal(amount.replace(",", "."))
        with services().db.session() as s:
            ensure_defaults(s)
            set_budget(s, category, value)
    except (InvalidOperation, KeyError, ValueError) as exc:
        fail(line("finance.error", detail=exc.args[0] if exc.args else exc))
    typer.echo(line("finance.budget_set", category=category, amount=value))


@budget_cli.command("show")
def budget_show() -> None:
    """How much is left of each budget this month."""
    from agents.finance.budgets import status

    with services().db.session() as s:
        rows = status(s, date.today())
    if not rows:
        typer.echo(line("finance.no_budgets"))
    for b in rows:
        typer.echo(line("finance.budget_row", name=b.name_de, left=_money(b.left, b.currency),
                        limit=_money(b.limit, b.currency), percent=b.percent, level=b.level))


@profile_cli.command("save")
def profile_save(file: Path = typer.Argument(..., help="a JSON column mapping (see docs/finance.md)")) -> None:
    """Save a CSV column-mapping profile for a bank without a built-in layout."""
    from pydantic import ValidationError

    from agents.finance.imports import CsvLayout
    from agents.finance.profiles import save_profile

    try:
        layout = CsvLayout.model_validate(json.loads(file.read_text(encoding="utf-8"))).check()
        with services().db.session() as s:
            save_profile(s, layout)
    except (OSError, json.JSONDecodeError, ValidationError, ValueError) as exc:
        fail(line("finance.file_error", name=file.name, detail=str(exc).splitlines()[0]))
    typer.echo(line("finance.profile_saved", name=layout.name))


@profile_cli.command("list")
def profile_list() -> None:
    """The built-in bank layouts and the saved profiles."""
    from agents.finance.imports import BANK_LAYOUTS
    from agents.finance.profiles import saved_profiles

    with services().db.session() as s:
        saved = saved_profiles(s)
    for layout in BANK_LAYOUTS:
        typer.echo(line("finance.profile_builtin", name=layout.name, source=layout.source))
    for layout in saved:
        typer.echo(line("finance.profile_saved_row", name=layout.name))


@cli.command("sync")
def sync(
    account: str | None = typer.Option(None, "--account", help="the bank account's name (default: every bank account)"),
    days: int | None = typer.Option(None, min=1, max=3650, help="days back (default: [domains.finance] sync_days)"),
    since: str | None = typer.Option(None, help="first booking day, YYYY-MM-DD (instead of --days)"),
) -> None:
    """Fetch accounts, balances and transactions from the bank and store them in the ledger.

    Everything is fetched first: a bank that is down or refuses the PIN leaves the ledger untouched."""
    from agents.deps import ServiceError
    from agents.finance.sync import sync_bank
    from app.finance.scheduler import SyncBusy, sync_lock
    from app.wiring.finance import bank_accounts, build_bank, fints_settings, ledger_sink

    svc = services()
    end = date.today()
    if since is not None:
        try:
            start = date.fromisoformat(since)
        except ValueError:
            fail(line("finance.bad_since", given=repr(since)), code=2)
    else:
        start = end - timedelta(days=days or fints_settings(svc.settings).sync_days)
    if start > end:
        fail(line("finance.since_future"), code=2)
    names = [account] if account else [a.name for a in bank_accounts(svc)]
    if not names:
        fail(line("finance.no_bank"))
    sink = ledger_sink(svc)
    failed = False
    try:
        with sync_lock(svc.paths.data_dir):  # never beside the running app's scheduled sync
            for name in names:
                try:
                    bank = build_bank(svc, name)
                    typer.echo(line("finance.fetching", name=name, start=start, end=end), err=True)
                    result = sync_bank(bank, sink, start, end)
                except ServiceError as exc:
                    typer.echo(line("finance.bank_failed", name=name, detail=said_line(exc)), err=True)
                    failed = True
                    continue
                typer.echo(line("finance.synced", name=name, accounts=result.accounts, balances=result.balances,
                                transactions=f"{result.transactions:,}", new=f"{result.new_transactions:,}",
                                seconds=f"{result.seconds:.1f}"))
    except SyncBusy as exc:
        fail(line("finance.sync_busy", detail=said_line(exc)))
    if failed:
        raise typer.Exit(1)


def _invoice_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not path.is_file():
        fail(line("finance.no_path", path=path))
    return [path]


@invoice_cli.command("import")
def invoice_import(path: Path = typer.Argument(..., help="an e-invoice file, or a folder of them")) -> None:
    """Check e-invoices and file them as open invoices: the original goes to storage, the fields to the ledger.
    An invoice that fails a rule, a credit note, a foreign currency or a duplicate is not imported."""
    from agents.finance.invoices.read import InvoiceError
    from agents.finance.invoices.store import InvoiceRefused, import_invoice
    from app.wiring.finance import fints_settings, invoice_rules_dir
    from storage.errors import StorageError

    files = _invoice_files(path)
    svc = services()
    cfg = fints_settings(svc.settings)
    rules = invoice_rules_dir(svc)
    imported = refused = 0
    checked_rules = True
    for f in files:
        try:
            with svc.db.session() as s:
                done = import_invoice(s, svc.storage, f, rules, cfg.currency, cfg.invoice_max_mb << 20)
        except (InvoiceError, OSError, StorageError) as exc:
            refused += 1
            if len(files) == 1:
                _rule_lines(exc if isinstance(exc, InvoiceRefused) else None)
                fail(line("finance.file_error", name=f.name, detail=said_line(exc)))
            typer.echo(line("finance.file_error", name=f.name, detail=said_line(exc)), err=True)
            _rule_lines(exc if isinstance(exc, InvoiceRefused) else None)
            continue
        imported += 1
        checked_rules = checked_rules and done.rules_checked
        inv = done.invoice
        due = line("finance.invoice_due", day=inv.due_date.isoformat()) if inv.due_date else ""
        typer.echo(line("finance.invoice_imported", file=f.name, number=inv.number, seller=inv.seller.name,
                        amount=f"{inv.totals.due:.2f} {inv.currency}", due=due))
    if not checked_rules:
        typer.echo(line("finance.no_rules"), err=True)
    if len(files) > 1:
        typer.echo(line("finance.imported_count", imported=imported, refused=refused))
    if refused:
        raise typer.Exit(1)


def _rule_lines(exc: object) -> None:
    """The failed rules in plain words, English | German (stdout: the error itself is the one stderr line)."""
    from agents.finance.invoices.store import InvoiceRefused

    if isinstance(exc, InvoiceRefused):
        for p in exc.problems:
            detail = f" ({p.detail})" if p.detail else ""
            said = p.de if cli_language() == "de" else f"{p.en} | {p.de}"  # English: both, as before
            typer.echo(f"  {p.rule}: {said}{detail}")


@invoice_cli.command("list")
def invoice_list() -> None:
    """The open (unpaid) invoices, the earliest due first."""
    from agents.finance.invoices.store import open_invoices

    with services().db.session() as s:
        rows = open_invoices(s)
    if not rows:
        typer.echo(line("finance.no_invoices"))
    for r in rows:
        due = line("finance.due", day=r.due_date.isoformat()) if r.due_date else line("finance.no_due")
        pay = line("finance.direct_debit") if r.direct_debit else (r.iban or line("finance.no_iban"))
        ref = line("finance.reference", reference=r.reference) if r.reference else ""
        typer.echo(line("finance.invoice_row", id=r.id, seller=r.seller, number=r.number,
                        amount=_money(r.amount, r.currency), due=due, pay=pay, reference=ref))


# -- creating invoices (agents/finance/invoices/create.py) ------------------------------------------

@customer_cli.command("add")
def customer_add(
    name: str = typer.Argument(..., help="the customer's name, e.g. 'Müller GmbH'"),
    street: str = typer.Option("", "--street"), postcode: str = typer.Option("", "--postcode"),
    city: str = typer.Option("", "--city"), country: str = typer.Option("DE", "--country", help="two letters"),
    email: str = typer.Option("", "--email", help="where invoices are sent"),
    vat_id: str = typer.Option("", "--vat-id", help="the customer's VAT id, if any"),
    reference: str = typer.Option("", "--reference", help="a Leitweg-ID or the customer's own reference"),
) -> None:
    """Add a customer to the customer list."""
    from agents.finance.invoices.customers import add_customer
    from agents.finance.invoices.outgoing import InvoiceInputError

    try:
        with services().db.session() as s:
            c = add_customer(s, name, street, postcode, city, country, email, vat_id, reference)
    except InvoiceInputError as exc:
        fail(line("finance.nothing_saved", detail=said_line(exc)))
    typer.echo(line("finance.customer_added", id=c.id, name=c.name))


@customer_cli.command("list")
def customer_list() -> None:
    """The customer list."""
    from agents.finance.invoices.customers import list_customers

    with services().db.session() as s:
        rows = list_customers(s)
    if not rows:
        typer.echo(line("finance.no_customers"))
    for c in rows:
        where = ", ".join(x for x in (c.street, f"{c.postcode} {c.city}".strip(), c.country) if x)
        extra = "".join(f", {x}" for x in (c.email, c.vat_id and line("finance.vat_id", id=c.vat_id),
                                          c.buyer_reference and line("finance.reference", reference=c.buyer_reference))
                        if x)
        typer.echo(f"#{c.id} {c.name} ({where}){extra}")


def _items(item: list[str], description: str | None, hours: str | None, rate: str | None) -> tuple[Item, ...]:
    """The items from ``--item "DESCRIPTION:QUANTITY:PRICE[:UNIT]"`` and/or ``--description/--hours/--rate``."""
    from agents.finance.invoices.outgoing import Item

    def number(text: str, what: str) -> Decimal:
        try:
            return Decimal(text.strip().replace(",", "."))
        except InvalidOperation:
            fail(line("finance.not_a_number", what=line(what), text=repr(text)))

    out = []
    for raw in item:
        parts = raw.split(":")
        if len(parts) not in (3, 4):
            fail(line("finance.bad_item", raw=repr(raw)))
        out.append(Item(parts[0].strip(), number(parts[1], "finance.the_quantity"), number(parts[2], "finance.the_price"),
                        parts[3].strip().upper() if len(parts) == 4 else "HUR"))
    if hours is not None or rate is not None:
        if hours is None or rate is None:
            fail(line("finance.hours_and_rate"))
        out.append(Item(description or "Consulting", number(hours, "finance.the_hours"), number(rate, "finance.the_rate")))
    return tuple(out)


@invoice_cli.command("create")
def invoice_create(
    customer: str | None = typer.Option(None, "--customer", help="a customer from the customer list (asked for "
                                                                 "on a terminal when left out)"),
    item: list[str] = typer.Option([], "--item", help="DESCRIPTION:QUANTITY:PRICE[:UNIT], units HUR (default), "
                                                      "DAY, C62 (pieces); repeatable"),
    description: str | None = typer.Option(None, "--description", help="what the hours were for"),
    hours: str | None = typer.Option(None, "--hours", help="hours worked (with --rate)"),
    rate: str | None = typer.Option(None, "--rate", help="net price per hour"),
    vat: str = typer.Option("default", "--vat", help="19, 7, or none (small business, section 19 UStG); default: "
                                                     "your finance settings"),
    lang: str = typer.Option("en", "--lang", help="the invoice's language: en or de"),
    reference: str = typer.Option("", "--reference", help="the buyer's reference or Leitweg-ID for this invoice"),
    out: Path | None = typer.Option(None, "--out", help="also write the PDF and the XRechnung XML into this folder"),
) -> None:
    """Create an invoice: a Factur-X PDF/A-3 and an XRechnung XML with the next number of the year, both
    checked like imported invoices, stored through the storage backend."""
    from datetime import date as _date

    from agents.finance.invoices.create import create_invoice
    from agents.finance.invoices.outgoing import InvoiceInputError
    from agents.finance.invoices.read import InvoiceError
    from agents.finance.invoices.seller import seller_from
    from app.wiring.finance import fints_settings, invoice_rules_dir
    from storage.errors import StorageError

    if lang not in ("en", "de"):
        fail(line("finance.bad_lang", lang=repr(lang)))
    if customer is None or (not item and hours is None and rate is None):
        if not sys.stdin.isatty():
            fail(line("finance.name_customer"))
        customer = customer or typer.prompt(line("finance.prompt_customer"))
        if not item and hours is None and rate is None:
            description = description or typer.prompt(line("finance.prompt_description"),
                                                      default=CLI.text("finance.consulting", lang))  # the invoice's language
            hours = typer.prompt(line("finance.prompt_hours"))
            rate = typer.prompt(line("finance.prompt_rate"))
    if out is not None and not out.is_dir():
        fail(line("finance.no_folder", path=out))
    items = _items(item, description, hours, rate)
    svc = services()
    cfg = fints_settings(svc.settings)
    try:
        seller = seller_from(cfg)
        chosen = vat.strip().lower()
        if chosen == "default":
            percent = None if seller.small_business else Decimal(cfg.invoice_vat_percent)
        elif chosen in ("none", "0", "19ustg", "kleinunternehmer"):
            percent = None
        elif chosen.rstrip("%").isdigit():
            percent = Decimal(chosen.rstrip("%"))
        else:
            fail(line("finance.bad_vat", vat=repr(vat)))
        with svc.db.session() as s:
            done = create_invoice(s, svc.storage, seller, customer, items, percent, lang,  # type: ignore[arg-type]  # checked above
                                  invoice_rules_dir(svc), _date.today(), cfg.invoice_payment_days, reference)
    except InvoiceInputError as exc:
        fail(line("finance.error", detail=exc) if "no invoice was created" in str(exc)
             else line("finance.no_invoice", detail=exc))
    except (InvoiceError, OSError, StorageError) as exc:
        fail(line("finance.no_invoice", detail=said_line(exc)))
    typer.echo(done.line(cli_language()))
    if out is not None:
        number = done.invoice.number
        (out / f"{number}.pdf").write_bytes(done.pdf)
        (out / f"{number}-xrechnung.xml").write_bytes(done.xml)
        typer.echo(line("finance.written", pdf=out / f"{number}.pdf", xml=out / f"{number}-xrechnung.xml"))
    if not done.rules_checked:
        typer.echo(line("finance.no_rules"), err=True)
