"""Read an e-invoice file into an ``Invoice``: a Factur-X / ZUGFeRD PDF (its embedded CII XML, found by
the ``factur-x`` package; an XRechnung PDF carries ``xrechnung.xml``), plain UN/CEFACT CII XML or UBL 2.1
XML (Invoice and CreditNote). Anything else is an ``InvoiceError`` with one line that says what it is."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

from lxml import etree

from agents.finance.invoices.model import AllowanceCharge, Invoice, InvoiceLine, Party, Totals, VatBreakdown

# the names an e-invoice has inside a PDF/A-3 (Factur-X, ZUGFeRD 2.x and 1.0, XRechnung in a PDF)
EMBEDDED_NAMES = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"]
CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {
    "rsm": CII_NS,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# the libraries log what they skip; the reader says it in its own one line instead
for _name in ("factur-x", "facturx", "pypdf"):
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)


class InvoiceError(ValueError):
    """The file is not an e-invoice this reader knows, or it is broken (one line, no traceback)."""


class NoInvoiceData(InvoiceError):
    """A readable PDF that carries no e-invoice XML (a scan or a plain PDF invoice)."""


@dataclass(frozen=True)
class ReadInvoice:
    invoice: Invoice
    xml: bytes  # the invoice XML (for a PDF: the embedded one)
    container: str  # pdf | xml


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def read_bytes(data: bytes) -> ReadInvoice:
    """An invoice from a file's bytes (PDF or XML, recognised by content)."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        xml = embedded_xml(data)
        return ReadInvoice(parse_xml(xml), xml, "pdf")
    if head.startswith(b"<") or head.startswith(b"\xef\xbb\xbf"):
        return ReadInvoice(parse_xml(data), data, "xml")
    raise InvoiceError("not an e-invoice: neither a PDF nor an XML file")


def embedded_xml(pdf: bytes) -> bytes:
    """The invoice XML inside a Factur-X/ZUGFeRD/XRechnung PDF."""
    from facturx import get_xml_from_pdf
    from pypdf import PdfReader

    try:
        _name, xml = get_xml_from_pdf(pdf, check_xsd=False, filenames=EMBEDDED_NAMES)
    except Exception as exc:  # pypdf's many error types for a damaged file
        raise InvoiceError(f"the PDF is damaged or cut off and cannot be read ({type(exc).__name__})") from exc
    if xml:
        return bytes(xml)
    # factur-x skips an attachment it cannot parse: tell a broken one from none at all
    try:
        names = [a.name for a in PdfReader(BytesIO(pdf)).attachment_list]
    except Exception as exc:
        raise InvoiceError(f"the PDF is damaged or cut off and cannot be read ({type(exc).__name__})") from exc
    invoice_names = [n for n in names if n.lower() in EMBEDDED_NAMES]
    if invoice_names:
        raise InvoiceError(f"the invoice data embedded in the PDF ({invoice_names[0]}) is not valid XML")
    raise NoInvoiceData("the PDF carries no e-invoice data (no embedded XML): it can only be read as a scan")


def parse_xml(xml: bytes) -> Invoice:
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvoiceError(f"not valid XML ({exc.msg})") from exc
    ns = etree.QName(root).namespace
    try:
        if ns == CII_NS:
            return _cii(root)
        if ns in (UBL_INVOICE_NS, UBL_CREDIT_NS):
            return _ubl(root)
    except (InvalidOperation, ValueError) as exc:
        raise InvoiceError(f"a field of the invoice is not readable ({exc})") from exc
    what = etree.QName(root).localname
    raise InvoiceError(f"XML of another kind ({what} in {ns or 'no namespace'}), not a CII or UBL e-invoice")


# -- helpers ------------------------------------------------------------------------------------

def _text(node: etree._Element, path: str) -> str:
    found = node.xpath(path, namespaces=NS)
    if not found:
        return ""
    first = found[0]
    return " ".join(str(first if isinstance(first, str) else (first.text or "")).split())


def _dec(node: etree._Element, path: str, default: Decimal | None = Decimal(0)) -> Decimal:
    raw = _text(node, path)
    if not raw:
        if default is None:
            raise ValueError(f"missing {path.rsplit('/', 1)[-1]}")
        return default
    return Decimal(raw)


def _opt_dec(node: etree._Element, path: str) -> Decimal | None:
    raw = _text(node, path)
    return Decimal(raw) if raw else None


def _cii_date(node: etree._Element, path: str) -> date | None:
    raw = _text(node, path)
    if not raw:
        return None
    return datetime.strptime(raw[:8], "%Y%m%d").date()


def _iso_date(node: etree._Element, path: str) -> date | None:
    raw = _text(node, path)
    return date.fromisoformat(raw[:10]) if raw else None


def _required(value: date | None, what: str) -> date:
    if value is None:
        raise ValueError(f"missing {what}")
    return value


# -- CII ----------------------------------------------------------------------------------------

def _cii_allowance(n: etree._Element) -> AllowanceCharge:
    return AllowanceCharge(
        charge=_text(n, "ram:ChargeIndicator/udt:Indicator").lower() == "true",
        amount=_dec(n, "ram:ActualAmount"), basis=_opt_dec(n, "ram:BasisAmount"),
        percent=_opt_dec(n, "ram:CalculationPercent"),
        vat_rate=_opt_dec(n, "ram:CategoryTradeTax/ram:RateApplicablePercent"),
        vat_category=_text(n, "ram:CategoryTradeTax/ram:CategoryCode"))


def _cii_party(n: list[etree._Element]) -> Party:
    if not n:
        return Party("")
    p = n[0]
    return Party(name=_text(p, "ram:Name"),
                 vat_id=_text(p, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
                 country=_text(p, "ram:PostalTradeAddress/ram:CountryID"))


def _cii(root: etree._Element) -> Invoice:
    tx = root.find("rsm:SupplyChainTradeTransaction", NS)
    if tx is None:
        raise ValueError("missing SupplyChainTradeTransaction")
    agreement = "ram:ApplicableHeaderTradeAgreement"
    st = tx.find("ram:ApplicableHeaderTradeSettlement", NS)
    if st is None:
        raise ValueError("missing ApplicableHeaderTradeSettlement")
    currency = _text(st, "ram:InvoiceCurrencyCode")
    sums = "ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    vat_total = _opt_dec(st, f"{sums}/ram:TaxTotalAmount[@currencyID='{currency}']")
    if vat_total is None:
        vat_total = _dec(st, f"{sums}/ram:TaxTotalAmount")
    totals = Totals(
        lines=_dec(st, f"{sums}/ram:LineTotalAmount"), allowances=_dec(st, f"{sums}/ram:AllowanceTotalAmount"),
        charges=_dec(st, f"{sums}/ram:ChargeTotalAmount"), net=_dec(st, f"{sums}/ram:TaxBasisTotalAmount", None),
        vat=vat_total, gross=_dec(st, f"{sums}/ram:GrandTotalAmount", None),
        prepaid=_dec(st, f"{sums}/ram:TotalPrepaidAmount"), rounding=_dec(st, f"{sums}/ram:RoundingAmount"),
        due=_dec(st, f"{sums}/ram:DuePayableAmount", None))
    vat = tuple(VatBreakdown(category=_text(t, "ram:CategoryCode"), rate=_opt_dec(t, "ram:RateApplicablePercent"),
                             basis=_dec(t, "ram:BasisAmount"), vat=_dec(t, "ram:CalculatedAmount"))
                for t in st.findall("ram:ApplicableTradeTax", NS))
    lines = []
    for li in tx.findall("ram:IncludedSupplyChainTradeLineItem", NS):
        ls = "ram:SpecifiedLineTradeSettlement"
        lines.append(InvoiceLine(
            line_id=_text(li, "ram:AssociatedDocumentLineDocument/ram:LineID"),
            name=_text(li, "ram:SpecifiedTradeProduct/ram:Name"),
            quantity=_dec(li, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
            unit=_text(li, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"),
            net_amount=_dec(li, f"{ls}/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
            vat_rate=_opt_dec(li, f"{ls}/ram:ApplicableTradeTax/ram:RateApplicablePercent"),
            vat_category=_text(li, f"{ls}/ram:ApplicableTradeTax/ram:CategoryCode"),
            net_price=_opt_dec(li, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
            price_basis_quantity=_opt_dec(
                li, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity"),
            allowances=tuple(_cii_allowance(a) for a in li.findall(f"{ls}/ram:SpecifiedTradeAllowanceCharge", NS))))
    means = "ram:SpecifiedTradeSettlementPaymentMeans"
    doc = root.find("rsm:ExchangedDocument", NS)
    if doc is None:
        raise ValueError("missing ExchangedDocument")
    return Invoice(
        syntax="cii", type_code=_text(doc, "ram:TypeCode"), number=_text(doc, "ram:ID"),
        issue_date=_required(_cii_date(doc, "ram:IssueDateTime/udt:DateTimeString"), "issue date"),
        due_date=_cii_date(st, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
        currency=currency,
        seller=_cii_party(tx.xpath(f"{agreement}/ram:SellerTradeParty", namespaces=NS)),
        buyer=_cii_party(tx.xpath(f"{agreement}/ram:BuyerTradeParty", namespaces=NS)),
        totals=totals, vat=vat, lines=tuple(lines),
        allowances=tuple(_cii_allowance(a) for a in st.findall("ram:SpecifiedTradeAllowanceCharge", NS)),
        iban=_text(st, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID").replace(" ", ""),
        bic=_text(st, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        payment_reference=_text(st, "ram:PaymentReference"),
        payment_means=_text(st, f"{means}/ram:TypeCode"),
        profile=_text(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        notes=tuple(n.text.strip() for n in doc.findall("ram:IncludedNote/ram:Content", NS) if n.text))


# -- UBL ----------------------------------------------------------------------------------------

def _ubl_allowance(n: etree._Element) -> AllowanceCharge:
    return AllowanceCharge(
        charge=_text(n, "cbc:ChargeIndicator").lower() == "true", amount=_dec(n, "cbc:Amount"),
        basis=_opt_dec(n, "cbc:BaseAmount"), percent=_opt_dec(n, "cbc:MultiplierFactorNumeric"),
        vat_rate=_opt_dec(n, "cac:TaxCategory/cbc:Percent"), vat_category=_text(n, "cac:TaxCategory/cbc:ID"))


def _ubl_party(p: etree._Element | None) -> Party:
    if p is None:
        return Party("")
    name = _text(p, "cac:PartyLegalEntity/cbc:RegistrationName") or _text(p, "cac:PartyName/cbc:Name")
    return Party(name=name, vat_id=_text(p, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"),
                 country=_text(p, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"))


def _ubl(root: etree._Element) -> Invoice:
    credit = etree.QName(root).namespace == UBL_CREDIT_NS
    currency = _text(root, "cbc:DocumentCurrencyCode")
    mt = "cac:LegalMonetaryTotal"
    vat_total = _opt_dec(root, f"cac:TaxTotal/cbc:TaxAmount[@currencyID='{currency}']")
    totals = Totals(
        lines=_dec(root, f"{mt}/cbc:LineExtensionAmount"), allowances=_dec(root, f"{mt}/cbc:AllowanceTotalAmount"),
        charges=_dec(root, f"{mt}/cbc:ChargeTotalAmount"), net=_dec(root, f"{mt}/cbc:TaxExclusiveAmount", None),
        vat=vat_total if vat_total is not None else Decimal(0),
        gross=_dec(root, f"{mt}/cbc:TaxInclusiveAmount", None), prepaid=_dec(root, f"{mt}/cbc:PrepaidAmount"),
        rounding=_dec(root, f"{mt}/cbc:PayableRoundingAmount"), due=_dec(root, f"{mt}/cbc:PayableAmount", None))
    vat = tuple(VatBreakdown(category=_text(t, "cac:TaxCategory/cbc:ID"), rate=_opt_dec(t, "cac:TaxCategory/cbc:Percent"),
                             basis=_dec(t, "cbc:TaxableAmount"), vat=_dec(t, "cbc:TaxAmount"))
                for t in root.xpath(f"cac:TaxTotal[cbc:TaxAmount/@currencyID='{currency}']/cac:TaxSubtotal",
                                    namespaces=NS))
    line_tag, qty_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else ("cac:InvoiceLine",
                                                                                        "cbc:InvoicedQuantity")
    lines = tuple(InvoiceLine(
        line_id=_text(li, "cbc:ID"), name=_text(li, "cac:Item/cbc:Name"), quantity=_dec(li, qty_tag),
        unit=_text(li, f"{qty_tag}/@unitCode"), net_amount=_dec(li, "cbc:LineExtensionAmount"),
        vat_rate=_opt_dec(li, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        vat_category=_text(li, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        net_price=_opt_dec(li, "cac:Price/cbc:PriceAmount"), price_basis_quantity=_opt_dec(li, "cac:Price/cbc:BaseQuantity"),
        allowances=tuple(_ubl_allowance(a) for a in li.findall("cac:AllowanceCharge", NS)))
        for li in root.findall(line_tag, NS))
    means = root.find("cac:PaymentMeans", NS)
    due = _iso_date(root, "cbc:DueDate") or _iso_date(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    return Invoice(
        syntax="ubl", type_code=_text(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"),
        number=_text(root, "cbc:ID"), issue_date=_required(_iso_date(root, "cbc:IssueDate"), "issue date"),
        due_date=due, currency=currency,
        seller=_ubl_party(root.find("cac:AccountingSupplierParty/cac:Party", NS)),
        buyer=_ubl_party(root.find("cac:AccountingCustomerParty/cac:Party", NS)),
        totals=totals, vat=vat, lines=lines,
        allowances=tuple(_ubl_allowance(a) for a in root.findall("cac:AllowanceCharge", NS)),
        iban=(_text(means, "cac:PayeeFinancialAccount/cbc:ID") if means is not None else "").replace(" ", ""),
        bic=_text(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID") if means is not None else "",
        payment_reference=_text(means, "cbc:PaymentID") if means is not None else "",
        payment_means=_text(means, "cbc:PaymentMeansCode") if means is not None else "",
        profile=_text(root, "cbc:CustomizationID"),
        notes=tuple(n.text.strip() for n in root.findall("cbc:Note", NS) if n.text))
