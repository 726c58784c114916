"""Creating invoices (Finance II): the Factur-X PDF/A-3 and the XRechnung XML of each invoice pass our own
check (XSD, the official EN16931 rules, the sums) and, read back with the importer's reader and with an
independent XPath read, state what was asked: with 19 % and 7 % VAT and under § 19 UStG, in English and
German. The files go through the storage adapter; numbers are gapless per year, also with concurrent
creations (SQLite and the PostgreSQL fixture) and when a creation fails; bad input is one line and nothing
is kept."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import func, select

from agents.domains import migration_folders
from agents.finance.invoices.create import create_invoice
from agents.finance.invoices.customers import add_customer, find_customer, list_customers
from agents.finance.invoices.issued_db import FinIssuedInvoice
from agents.finance.invoices.numbering import next_number
from agents.finance.invoices.outgoing import InvoiceInputError, Item, Seller
from agents.finance.invoices.read import read_bytes
from agents.finance.invoices.seller import seller_from
from agents.finance.settings import FinanceSettings
from storage.db.engine import Database
from storage.local import LocalBackend
from tests.finance.invoice_files import NS, RULES, expected
from tests.servers.postgres import PostgresServer

pytestmark = pytest.mark.unit
TODAY = date(2026, 12, 6)
SELLER = dict(seller_name="Anna Beispiel", seller_street="Hauptstraße 1", seller_postcode="10115",
              seller_city="Berlin", seller_email="anna@example.org", seller_phone="+49 30 1234567",
              seller_iban="DE89 3704 0044 0532 0130 00", seller_vat_id="DE123456789",
              seller_tax_number="30/123/45678")


def seller(small: bool = False, vat_id: bool = True) -> Seller:
    details = {**SELLER, "seller_small_business": small, **({} if vat_id else {"seller_vat_id": ""})}
    return seller_from(FinanceSettings.model_validate(details))


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBackend:
    return LocalBackend(tmp_path / "blobs")


@pytest.fixture
def mueller(db: Database) -> None:
    with db.session() as s:
        add_customer(s, "Müller GmbH", "Marktplatz 5", "80331", "München", "DE", "buchhaltung@mueller.example",
                     "DE 987654321", "991-12345-67")


CASES = [("en", Decimal(19)), ("de", Decimal(19)), ("en", Decimal(7)), ("en", None), ("de", None)]


def test_a_small_business_with_a_tax_number_only_passes_the_rules(db: Database, blobs: LocalBackend,
                                                                   mueller: None) -> None:
    """BR-CO-26: without a VAT id the tax number is the seller's identifier (BT-29)."""
    with db.session() as s:
        done = create_invoice(s, blobs, seller(small=True, vat_id=False), "Müller",
                              (Item("Beratung", Decimal(8), Decimal(95)),), None, "de", RULES, TODAY)
    assert done.rules_checked and done.invoice.gross == Decimal("760.00")
    root = etree.fromstring(done.xml)
    assert root.xpath("string(//ram:SellerTradeParty/ram:ID)", namespaces=NS) == "30/123/45678"


@pytest.mark.parametrize(("lang", "rate"), CASES, ids=[f"{lang}-{rate or 'par19'}" for lang, rate in CASES])
def test_created_files_pass_our_check_and_read_back(db: Database, blobs: LocalBackend, mueller: None, lang: str,
                                                     rate: Decimal | None) -> None:
    items = (Item("Beratung / consulting", Decimal(8), Decimal(95)), Item("Reisekosten", Decimal(1),
                                                                           Decimal("40.35"), "C62"))
    with db.session() as s:
        done = create_invoice(s, blobs, seller(small=rate is None), "Müller", items, rate, lang,  # type: ignore[arg-type]
                              RULES, TODAY)
    assert done.rules_checked  # the official EN16931 rules ran on both files (and passed)
    net = Decimal("800.35")
    vat = Decimal("0.00") if rate is None else (net * rate / 100).quantize(Decimal("0.01"))
    inv = done.invoice
    assert (inv.number, inv.net, inv.vat, inv.gross) == ("2026-0001", net, vat, net + vat)
    pdf = blobs.load(done.pdf_key)
    xml = blobs.load(done.xml_key)
    assert (pdf, xml) == (done.pdf, done.xml)
    for data, guideline in ((pdf, "urn:cen.eu:en16931:2017"),
                            (xml, "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")):
        got = read_bytes(data).invoice  # the importer's reader
        assert got.profile == guideline
        assert (got.number, got.issue_date, got.due_date, got.currency) == ("2026-0001", TODAY, date(2026, 12, 20),
                                                                              "EUR")
        assert (got.seller.name, got.seller.vat_id, got.buyer.name) == ("Anna Beispiel", "DE123456789", "Müller GmbH")
        assert (got.totals.net, got.totals.vat, got.totals.due) == (net, vat, net + vat)
        assert [(li.name, li.quantity, li.net_amount) for li in got.lines] == [
            ("Beratung / consulting", Decimal(8), Decimal("760.00")), ("Reisekosten", Decimal(1), Decimal("40.35"))]
        assert [(v.category, v.rate) for v in got.vat] == [("E" if rate is None else "S", rate or Decimal(0))]
        assert (got.iban, got.payment_reference, got.payment_means) == ("DE89370400440532013000", "2026-0001", "58")
    # an independent read of the XML inside the PDF (XPath, not the code under test)
    embedded = next(bytes(a.content) for a in PdfReader(io.BytesIO(pdf)).attachment_list
                    if a.name == "factur-x.xml")
    fields = expected(embedded)
    assert (fields["net"], fields["vat"], fields["due"], fields["lines"]) == (net, vat, net + vat, 2)
    root = etree.fromstring(xml)
    assert root.xpath("string(//ram:BuyerReference)", namespaces=NS) == "991-12345-67"
    notes = " ".join(root.xpath("//ram:IncludedNote/ram:Content/text()", namespaces=NS))
    assert ("19 UStG" in notes) == (rate is None)
    # PDF/A-3: the XMP says so, an output intent, every font embedded
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.root_object
    meta = reader.xmp_metadata.stream.get_data().decode() if reader.xmp_metadata else ""
    assert "<pdfaid:part>3</pdfaid:part>" in meta and "/OutputIntents" in catalog
    text = reader.pages[0].extract_text()
    assert ("Rechnung 2026-0001" if lang == "de" else "Invoice 2026-0001") in text
    assert ("19 UStG" in text) == (rate is None)
    with db.session() as s:
        row = s.scalars(select(FinIssuedInvoice)).one()
        assert (row.number, row.gross_minor, row.status, row.customer_email) == (
            "2026-0001", int((net + vat) * 100), "created", "buchhaltung@mueller.example")


def test_numbers_are_gapless_per_year_and_a_failed_creation_gives_its_number_back(
        db: Database, blobs: LocalBackend, mueller: None, tmp_path: Path) -> None:
    one = (Item("Beratung", Decimal(1), Decimal(95)),)

    class FullDisk(LocalBackend):
        def save(self, key: str, data: bytes) -> object:  # type: ignore[override]
            if key.endswith(".xml"):
                raise OSError("no space left on device")
            return super().save(key, data)

    with db.session() as s:
        assert create_invoice(s, blobs, seller(), "Müller GmbH", one, Decimal(19), "en", None, TODAY
                              ).invoice.number == "2026-0001"
    full = FullDisk(tmp_path / "full")
    with db.session() as s, pytest.raises(OSError):
        create_invoice(s, full, seller(), "Müller GmbH", one, Decimal(19), "en", None, TODAY)
    assert not list((tmp_path / "full").rglob("*.pdf"))  # the PDF stored before the failure is deleted again
    with db.session() as s:
        assert create_invoice(s, blobs, seller(), "Müller GmbH", one, Decimal(19), "en", None, TODAY
                              ).invoice.number == "2026-0002"
        assert create_invoice(s, blobs, seller(), "Müller GmbH", one, Decimal(19), "en", None, date(2027, 1, 2)
                              ).invoice.number == "2027-0001"
        assert s.scalar(select(func.count()).select_from(FinIssuedInvoice)) == 3


def _race(db: Database, threads: int = 6, each: int = 5) -> list[str]:
    got: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        start.wait()
        for _ in range(each):
            with db.session() as s:
                n = next_number(s, 2026)
                s.commit()
            with lock:
                got.append(n)

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return got


def test_concurrent_numbers_on_sqlite_are_consecutive(db: Database) -> None:
    got = _race(db)
    assert sorted(got) == [f"2026-{n:04d}" for n in range(1, 31)]


@pytest.fixture(scope="module")
def pg_db(postgres_server: PostgresServer) -> Iterator[Database]:
    d = Database(postgres_server.fresh_database("pa_fincreate_test"), migration_folders())
    d.migrate()
    yield d
    d.dispose()


def test_concurrent_numbers_on_postgres_are_consecutive(pg_db: Database) -> None:
    got = _race(pg_db)
    assert sorted(got) == [f"2026-{n:04d}" for n in range(1, 31)]


def test_customers_are_found_by_a_clear_part_of_the_name(db: Database, mueller: None) -> None:
    with db.session() as s:
        add_customer(s, "Schmidt & Partner")
        assert find_customer(s, "mueller gmbh").name == "Müller GmbH"
        assert find_customer(s, "Müller").name == "Müller GmbH"
        assert [c.name for c in list_customers(s)] == ["Müller GmbH", "Schmidt & Partner"]
        with pytest.raises(InvoiceInputError, match="already a customer"):
            add_customer(s, "müller gmbh")


BAD = [
    ("negative hours", dict(items=(Item("Beratung", Decimal(-8), Decimal(95)),)), "quantity must be more than 0"),
    ("zero price", dict(items=(Item("Beratung", Decimal(8), Decimal(0)),)), "price must be more than 0"),
    ("unknown customer", dict(customer="Meier AG"), "no customer named 'Meier AG'"),
    ("a rate that is not German", dict(rate=Decimal(16)), "must be 19 or 7"),
    ("VAT for a small business", dict(small=True), "small business"),
    ("no VAT without the small business rule", dict(rate=None), "needs the small business rule"),
]


@pytest.mark.parametrize(("case", "change", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_and_nothing_is_kept(db: Database, blobs: LocalBackend, mueller: None, tmp_path: Path,
                                                   case: str, change: dict[str, object], words: str) -> None:
    args: dict[str, object] = {"items": (Item("Beratung", Decimal(8), Decimal(95)),), "customer": "Müller",
                               "rate": Decimal(19), "small": False, **change}
    with db.session() as s, pytest.raises(InvoiceInputError) as err:
        create_invoice(s, blobs, seller(bool(args["small"])), str(args["customer"]), args["items"],  # type: ignore[arg-type]
                       args["rate"], "en", None, TODAY)  # type: ignore[arg-type]
    assert words in str(err.value) and "\n" not in str(err.value) and err.value.de
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(FinIssuedInvoice)) == 0
        assert next_number(s, 2026) == "2026-0001"  # no number used up
    assert not any(p.is_file() for p in (tmp_path / "blobs").rglob("*"))


def test_missing_seller_details_are_named_in_plain_words() -> None:
    with pytest.raises(InvoiceInputError) as err:
        seller_from(FinanceSettings.model_validate({"seller_name": "Anna"}))
    assert "your street" in str(err.value) and "your IBAN" in str(err.value) and "seller_" not in str(err.value)
    assert "deine IBAN" in err.value.de
