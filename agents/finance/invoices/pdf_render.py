"""The visible PDF of an invoice the user creates, in English or German, and the Factur-X PDF/A-3 made of
it: ``fpdf2`` draws the page as PDF/A-3B (the DejaVu font embedded, fpdf2's bundled sRGB output intent),
``factur-x`` embeds the CII XML as ``factur-x.xml`` with its XMP metadata. Money and dates as the
language writes them (Babel)."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

from agents.finance.invoices.outgoing import UNITS, InvoiceInputError, NewInvoice

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its font subsetting logs every step at INFO
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts/dejavu"), Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
_LABELS = {
    "en": {"title": "Invoice", "number": "Invoice number", "date": "Invoice date", "service": "Date of service",
           "due": "Due date", "to": "Bill to", "pos": "#", "desc": "Description", "qty": "Quantity",
           "price": "Unit price", "amount": "Amount", "net": "Net total", "vat": "VAT {rate} %",
           "gross": "Total", "pay": "Please transfer {amount} by {due} to IBAN {iban}{bic}, reference {number}.",
           "vat_id": "VAT id", "tax_no": "Tax number", "ref": "Your reference", "buyer_vat": "Your VAT id"},
    "de": {"title": "Rechnung", "number": "Rechnungsnummer", "date": "Rechnungsdatum", "service": "Leistungsdatum",
           "due": "Fällig am", "to": "Rechnung an", "pos": "Pos.", "desc": "Beschreibung", "qty": "Menge",
           "price": "Einzelpreis", "amount": "Betrag", "net": "Nettobetrag", "vat": "Umsatzsteuer {rate} %",
           "gross": "Gesamtbetrag", "pay": "Bitte überweisen Sie {amount} bis {due} auf die IBAN {iban}{bic}, "
           "Verwendungszweck {number}.", "vat_id": "USt-IdNr.", "tax_no": "Steuernummer",
           "ref": "Ihre Referenz", "buyer_vat": "Ihre USt-IdNr."},
}


def _font(name: str) -> Path:
    for d in FONT_DIRS:
        if (d / name).is_file():
            return d / name
    raise InvoiceInputError("the font for the invoice PDF (DejaVu Sans) is not installed",
                            "die Schrift für das Rechnungs-PDF (DejaVu Sans) ist nicht installiert")


def _money(amount: Decimal, currency: str, lang: str) -> str:
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale="de_DE" if lang == "de" else "en_GB"))


def _date(d: date, lang: str) -> str:
    from babel.dates import format_date

    return str(format_date(d, "medium", locale="de_DE" if lang == "de" else "en_GB"))


def _qty(q: Decimal, unit: str, lang: str) -> str:
    from babel.numbers import format_decimal

    words = UNITS[unit][1 if lang == "de" else 0]
    return f"{format_decimal(q.normalize(), locale='de_DE' if lang == 'de' else 'en_GB')} {words}"


def render_pdf(inv: NewInvoice) -> bytes:
    """The visible invoice page(s) as PDF/A-3B bytes (no XML yet)."""
    from fpdf import FPDF

    lang, t, cur = inv.language, _LABELS[inv.language], inv.currency
    pdf = FPDF(format="A4", enforce_compliance="PDFA_3B")
    pdf.set_lang(lang)
    pdf.set_title(f"{t['title']} {inv.number}")
    pdf.set_author(inv.seller.name)
    pdf.add_font("DejaVu", "", str(_font("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    s, c = inv.seller, inv.customer
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, f"{s.name} · {s.street} · {s.postcode} {s.city}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10)
    for line in (t["to"] + ":", c.name, c.street, f"{c.postcode} {c.city}".strip()):
        if line:
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, f"{t['title']} {inv.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    facts = [(t["number"], inv.number), (t["date"], _date(inv.issue_date, lang)),
             (t["service"], _date(inv.issue_date, lang)), (t["due"], _date(inv.due_date, lang))]
    reference = inv.buyer_reference or c.buyer_reference
    if reference:
        facts.append((t["ref"], reference))
    if c.vat_id:
        facts.append((t["buyer_vat"], c.vat_id))
    for label, value in facts:
        pdf.cell(45, 6, label)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    widths = (12, 80, 30, 34, 34)
    pdf.set_font("DejaVu", "B", 10)
    for w, head, align in zip(widths, (t["pos"], t["desc"], t["qty"], t["price"], t["amount"]),
                              ("L", "L", "R", "R", "R"), strict=True):
        pdf.cell(w, 7, head, border="B", align=align)
    pdf.ln()
    pdf.set_font("DejaVu", "", 10)
    for n, item in enumerate(inv.items, 1):
        cells = (str(n), item.description[:60], _qty(item.quantity, item.unit, lang),
                 _money(item.unit_price, cur, lang), _money(item.net, cur, lang))
        for w, text, align in zip(widths, cells, ("L", "L", "R", "R", "R"), strict=True):
            pdf.cell(w, 7, text, align=align)
        pdf.ln()
    pdf.ln(3)
    rows = [(t["net"], inv.net)]
    if inv.vat_rate is not None:
        rows.append((t["vat"].format(rate=inv.vat_rate.normalize()), inv.vat))
    rows.append((t["gross"], inv.gross))
    for i, (label, amount) in enumerate(rows):
        pdf.set_font("DejaVu", "B" if i == len(rows) - 1 else "", 10)
        pdf.cell(sum(widths[:4]), 7, label, align="R")
        pdf.cell(widths[4], 7, _money(amount, cur, lang), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.ln(6)
    for note in inv.notes:
        pdf.multi_cell(0, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    bic = f" (BIC {s.bic})" if s.bic else ""
    pdf.multi_cell(0, 5, t["pay"].format(amount=_money(inv.gross, cur, lang), due=_date(inv.due_date, lang),
                                         iban=s.iban, bic=bic, number=inv.number), align="L", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 8)
    ids = " · ".join(x for x in ((f"{t['vat_id']} {s.vat_id}" if s.vat_id else ""),
                                 (f"{t['tax_no']} {s.tax_number}" if s.tax_number else "")) if x)
    for line in (f"{s.name} · {s.street} · {s.postcode} {s.city}", f"{s.email} · {s.phone}", ids):
        pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def facturx_pdf(inv: NewInvoice, xml: bytes) -> bytes:
    """The Factur-X PDF/A-3: the visible PDF with the CII XML embedded (factur-x checks it against the XSD)."""
    from facturx import generate_from_binary

    meta = {"author": inv.seller.name, "keywords": "Factur-X, invoice", "title": f"{_LABELS[inv.language]['title']} "
            f"{inv.number}", "subject": f"{inv.seller.name} → {inv.customer.name}"}
    return bytes(generate_from_binary(render_pdf(inv), xml, flavor="factur-x", level="en16931", check_xsd=True,
                                      pdf_metadata=meta, lang=inv.language))
