"""Creating and sending invoices by voice or text, each behind the user's yes: the request is parked as an
approval that states exactly what will happen (the customer, the items and the sums; the recipient and
the attached files), and runs only after the yes. Sending loads the stored Factur-X PDF and XRechnung XML
(checked against their SHA-256) and mails them through the user's mail account."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from agents.approvals import ApprovalRecord
from agents.deps import AssistantDeps, ServiceError
from agents.finance.invoices.issued_db import FinIssuedInvoice
from agents.finance.invoices.outgoing import UNITS, InvoiceInputError, Item, check_items, check_rate
from agents.finance.money import from_minor
from agents.finance.settings import FinanceSettings
from agents.local.phrases import tr
from agents.models import MailAttachment, OutgoingMail

CREATE = "finance.create_invoice"
SEND = "finance.send_invoice"


def _settings(d: AssistantDeps) -> FinanceSettings:
    return d.domain_settings("finance", FinanceSettings)


def _amount(x: Decimal, lang: str) -> str:
    text = f"{x:,.2f}"
    return (text.replace(",", "\u202f").replace(".", ",") if lang == "de" else text) + " €"


def request_create(d: AssistantDeps, customer: str, items: tuple[Item, ...], lang: str) -> ApprovalRecord:
    """Park a new invoice as an approval (InvoiceInputError: one sentence, nothing parked)."""
    from agents.finance.invoices.customers import find_customer
    from agents.finance.invoices.seller import seller_from

    cfg = _settings(d)
    seller = seller_from(cfg)
    check_items(items)
    rate = None if seller.small_business else Decimal(cfg.invoice_vat_percent)
    check_rate(rate)
    with d.memory.db.session() as s:
        who = find_customer(s, customer)
    net = sum((i.net for i in items), Decimal("0.00"))
    vat = Decimal("0.00") if rate is None else (net * rate / 100).quantize(Decimal("0.01"))
    shown = "; ".join(f"{i.quantity.normalize()} {UNITS[i.unit][1 if lang == 'de' else 0]} {i.description} "
                      f"{tr(lang, 'at', 'zu')} {_amount(i.unit_price, lang)}" for i in items)
    sums = (tr(lang, f"{_amount(net, lang)} without VAT (§ 19 UStG)", f"{_amount(net, lang)} ohne Umsatzsteuer "
               "(§ 19 UStG)") if rate is None else
            tr(lang, f"{_amount(net, lang)} plus {rate} % VAT = {_amount(net + vat, lang)}",
               f"{_amount(net, lang)} zuzüglich {rate} % Umsatzsteuer = {_amount(net + vat, lang)}"))
    text = tr(lang, f"Create an invoice to {who.name}: {shown}; {sums}.",
              f"Eine Rechnung an {who.name} erstellen: {shown}; {sums}.")
    payload: dict[str, Any] = {"invoice": {
        "customer": who.name, "language": lang, "vat_rate": None if rate is None else str(rate),
        "items": [{"description": i.description, "quantity": str(i.quantity), "unit_price": str(i.unit_price),
                   "unit": i.unit} for i in items]}}
    rec = d.approvals.request(CREATE, text, payload, d.now())
    d.pending.append(rec)
    return rec


def run_create(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    """After the yes: create the invoice (its files checked and stored) and say what was created."""
    from agents.finance.invoices.create import create_invoice
    from agents.finance.invoices.seller import seller_from

    lang = d.language
    spec = rec.payload["invoice"]
    if d.services.files is None:
        raise ServiceError(tr(lang, "no storage is set up for the invoice files",
                              "für die Rechnungsdateien ist kein Speicher eingerichtet"))
    cfg = _settings(d)
    items = tuple(Item(str(i["description"]), Decimal(i["quantity"]), Decimal(i["unit_price"]), str(i["unit"]))
                  for i in spec["items"])
    rate = None if spec.get("vat_rate") is None else Decimal(spec["vat_rate"])
    d.record_tool("finance.create_invoice", {"customer": spec["customer"]})
    try:
        with d.memory.db.session() as s:
            done = create_invoice(s, d.services.files(), seller_from(cfg), str(spec["customer"]), items, rate,
                                  "de" if spec.get("language") == "de" else "en", d.services.invoice_rules,
                                  d.now().date(), cfg.invoice_payment_days)
    except InvoiceInputError as exc:
        return False, exc.in_language(lang)
    inv = done.invoice
    line = done.line(lang)
    line = line[:1].upper() + line[1:] + "."
    if inv.customer.email:
        line += tr(lang, f" To mail it to {inv.customer.email}, say “send invoice {inv.number}”.",
                   f" Zum Versenden an {inv.customer.email} sag „sende Rechnung {inv.number}“.")
    d.acted("finance.create_invoice", {"number": inv.number}, line)
    return True, line


# ---------------------------------------------------------------- sending


def _issued(d: AssistantDeps, said: str) -> FinIssuedInvoice:
    """The created invoice the words name (its number), else the latest one not yet sent."""
    from agents.finance.text import squash

    with d.memory.db.session() as s:
        rows = list(s.scalars(select(FinIssuedInvoice).order_by(FinIssuedInvoice.id.desc())))
        s.expunge_all()
    text = squash(said)
    named = [r for r in rows if squash(r.number) in text]
    if named:
        return named[0]
    by_customer = [r for r in rows if r.status != "sent" and len(squash(r.customer_name)) >= 3
                   and squash(r.customer_name.split()[0]) in text]
    unsent = by_customer or [r for r in rows if r.status != "sent"]
    if not unsent:
        raise InvoiceInputError("There is no created invoice to send.", "Es gibt keine erstellte Rechnung zum Senden.")
    return unsent[0]


def request_send(d: AssistantDeps, said: str, lang: str) -> ApprovalRecord:
    """Park the mail with the invoice's files as an approval (InvoiceInputError: one sentence)."""
    row = _issued(d, said)
    if not row.customer_email:
        raise InvoiceInputError(f"{row.customer_name} has no e-mail address in your customer list, so I can't send "
                                f"invoice {row.number}.",
                                f"{row.customer_name} hat keine E-Mail-Adresse in deiner Kundenliste, deshalb kann "
                                f"ich Rechnung {row.number} nicht senden.")
    if d.services.mail is None:
        raise InvoiceInputError("No mail account is set up to send the invoice.",
                                "Es ist kein E-Mail-Konto zum Senden der Rechnung eingerichtet.")
    inv_lang = row.language
    amount = from_minor(row.gross_minor, row.currency)
    subject = tr(inv_lang, f"Invoice {row.number}", f"Rechnung {row.number}")
    seller = _settings(d).seller_name
    body = tr(inv_lang, f"Dear Sir or Madam,\n\nplease find attached invoice {row.number} for {amount:.2f} "
                        f"{row.currency}, due on {row.due_date.isoformat()}, as a PDF (Factur-X) and as XRechnung "
                        f"XML.\n\nKind regards\n{seller}",
              f"Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie die Rechnung {row.number} über "
              f"{amount:.2f} {row.currency}, fällig am {row.due_date.strftime('%d.%m.%Y')}, als PDF (Factur-X) und "
              f"als XRechnung-XML.\n\nMit freundlichen Grüßen\n{seller}")
    files = [row.pdf_key.rsplit("/", 1)[-1], row.xml_key.rsplit("/", 1)[-1]]
    text = tr(lang, f"Send invoice {row.number} ({_amount(amount, lang)}) to {row.customer_email} with "
                    f"{files[0]} and {files[1]} attached.",
              f"Rechnung {row.number} ({_amount(amount, lang)}) an {row.customer_email} senden, mit {files[0]} "
              f"und {files[1]} im Anhang.")
    payload = {"mail": {"invoice": row.number, "to": row.customer_email, "subject": subject, "body": body,
                        "attachments": files}}
    rec = d.approvals.request(SEND, text, payload, d.now())
    d.pending.append(rec)
    return rec


def run_send(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    """After the yes: load the stored files, check them, send the mail, mark the invoice sent."""
    lang = d.language
    spec = rec.payload["mail"]
    if d.services.mail is None or d.services.files is None:
        raise ServiceError(tr(lang, "no mail account or storage is set up", "kein E-Mail-Konto oder Speicher eingerichtet"))
    backend = d.services.files()
    with d.memory.db.session() as s:
        row = s.scalars(select(FinIssuedInvoice).where(FinIssuedInvoice.number == spec["invoice"])).one()
        keys = ((row.pdf_key, row.pdf_sha256, "application/pdf"), (row.xml_key, row.xml_sha256, "application/xml"))
    attachments = []
    for key, sha, ctype in keys:
        data = backend.load(key)
        if hashlib.sha256(data).hexdigest() != sha:
            return False, tr(lang, f"The stored file {key.rsplit('/', 1)[-1]} has changed since it was created: "
                                   "not sent.",
                             f"Die gespeicherte Datei {key.rsplit('/', 1)[-1]} hat sich seit dem Erstellen "
                             "geändert: nicht gesendet.")
        attachments.append(MailAttachment(filename=key.rsplit("/", 1)[-1], content_type=ctype, data=data))
    d.record_tool("mail.send", {"to": spec["to"], "subject": spec["subject"]})
    result = d.services.mail.send(OutgoingMail(to=[spec["to"]], subject=spec["subject"], body=spec["body"],
                                               attachments=attachments))
    with d.memory.db.session() as s:
        row = s.scalars(select(FinIssuedInvoice).where(FinIssuedInvoice.number == spec["invoice"])).one()
        row.status, row.sent_at = "sent", datetime.now(UTC)
        s.commit()
    line = tr(lang, f"Sent invoice {spec['invoice']} to {spec['to']}.",
              f"Rechnung {spec['invoice']} an {spec['to']} gesendet.")
    if result.detail and result.detail != "sent":
        line += f" ({result.detail})"
    d.acted("mail.send", {"to": spec["to"], "invoice": spec["invoice"]}, line)
    return True, line
