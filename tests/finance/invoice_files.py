"""The real e-invoices in ../shared/finance (read in place, never copied): which files there are, and an
independent read of their fields with lxml XPath for the tests (not the code under test)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from lxml import etree

from tests.finance.conftest import ROOT

SHARED_FINANCE = ROOT.parent / "shared" / "finance"
INVOICES = SHARED_FINANCE / "invoices"
RULES = SHARED_FINANCE / "en16931-validation"
NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def invoice_files() -> list[Path]:
    if not INVOICES.is_dir():
        pytest.fail(f"real invoices missing: expected {INVOICES} (../shared beside the project)")
    return sorted(p for p in INVOICES.rglob("*") if p.is_file())


def embedded(pdf: Path) -> bytes:
    """The XML attachment of a PDF, read with pypdf directly."""
    from pypdf import PdfReader

    for a in PdfReader(BytesIO(pdf.read_bytes())).attachment_list:
        if a.name.lower().endswith(".xml"):
            return bytes(a.content)
    raise AssertionError(f"{pdf.name}: no XML attachment")


def _s(root: etree._Element, path: str) -> str:
    found = root.xpath(f"string({path})", namespaces=NS)
    return " ".join(str(found).split())


def _d(root: etree._Element, path: str) -> Decimal:
    raw = _s(root, path)
    return Decimal(raw) if raw else Decimal(0)


def expected(xml: bytes) -> dict[str, object]:
    """The fields as the XML states them, by XPath from the document root."""
    root = etree.fromstring(xml)
    if root.tag.startswith("{urn:un:unece"):
        st = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
        ag = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
        ms = f"{st}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
        cur = _s(root, f"{st}/ram:InvoiceCurrencyCode")
        rates = {(_d(t, "ram:RateApplicablePercent"), _d(t, "ram:BasisAmount"), _d(t, "ram:CalculatedAmount"))
                 for t in root.xpath(f"{st}/ram:ApplicableTradeTax", namespaces=NS)}
        raw_date = _s(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
        return {
            "number": _s(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID"),
            "issue_date": f"{raw_date[:4]}-{raw_date[4:6]}-{raw_date[6:8]}",
            "currency": cur,
            "seller": _s(root, f"{ag}/ram:SellerTradeParty/ram:Name"),
            "buyer": _s(root, f"{ag}/ram:BuyerTradeParty/ram:Name"),
            "net": _d(root, f"{ms}/ram:TaxBasisTotalAmount"),
            "vat": _d(root, f"({ms}/ram:TaxTotalAmount[@currencyID='{cur}'] | {ms}/ram:TaxTotalAmount)[1]"),
            "gross": _d(root, f"{ms}/ram:GrandTotalAmount"),
            "due": _d(root, f"{ms}/ram:DuePayableAmount"),
            "iban": _s(root, f"{st}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount"
                             "/ram:IBANID").replace(" ", ""),
            "reference": _s(root, f"{st}/ram:PaymentReference"),
            "lines": int(root.xpath("count(//ram:IncludedSupplyChainTradeLineItem)", namespaces=NS)),
            "rates": rates,
        }
    credit = etree.QName(root).localname == "CreditNote"
    cur = _s(root, "/*/cbc:DocumentCurrencyCode")
    rates = {(_d(t, "cac:TaxCategory/cbc:Percent"), _d(t, "cbc:TaxableAmount"), _d(t, "cbc:TaxAmount"))
             for t in root.xpath(f"/*/cac:TaxTotal[cbc:TaxAmount/@currencyID='{cur}']/cac:TaxSubtotal", namespaces=NS)}
    seller = (_s(root, "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")
              or _s(root, "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name"))
    buyer = (_s(root, "/*/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")
             or _s(root, "/*/cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name"))
    return {
        "number": _s(root, "/*/cbc:ID"),
        "issue_date": _s(root, "/*/cbc:IssueDate"),
        "currency": cur,
        "seller": seller,
        "buyer": buyer,
        "net": _d(root, "/*/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
        "vat": _d(root, f"/*/cac:TaxTotal/cbc:TaxAmount[@currencyID='{cur}']"),
        "gross": _d(root, "/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
        "due": _d(root, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount"),
        "iban": _s(root, "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID").replace(" ", ""),
        "reference": _s(root, "/*/cac:PaymentMeans/cbc:PaymentID"),
        "lines": int(root.xpath(f"count(/*/cac:{'CreditNoteLine' if credit else 'InvoiceLine'})", namespaces=NS)),
        "rates": rates,
    }
