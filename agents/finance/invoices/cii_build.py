"""The CII XML (UN/CEFACT Cross Industry Invoice) of an invoice the user creates, built with
``drafthorse`` and checked by it against the Factur-X EN16931 schema: once with the Factur-X/EN16931
specification id (the XML inside the PDF) and once with the XRechnung 3.0 one (the XML sent on its own,
the buyer reference or Leitweg-ID in BT-10). The sums come from ``NewInvoice``: one computation for
every output."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from agents.finance.invoices.outgoing import NewInvoice

FACTURX_EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG_3 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
SEPA_CREDIT_TRANSFER = "58"
Flavour = Literal["facturx", "xrechnung"]
_TERMS = {"en": "Please pay {amount} {currency} by {due} to the account below, quoting invoice {number}.",
          "de": "Bitte zahlen Sie {amount} {currency} bis {due} auf das unten genannte Konto, "
                "Verwendungszweck Rechnung {number}."}


def build_cii(inv: NewInvoice, flavour: Flavour = "facturx") -> bytes:
    """The invoice as CII XML (UTF-8 bytes); drafthorse raises if it breaks the EN16931 schema."""
    from drafthorse.models.accounting import ApplicableTradeTax
    from drafthorse.models.document import Document
    from drafthorse.models.note import IncludedNote
    from drafthorse.models.party import TaxRegistration
    from drafthorse.models.payment import PaymentMeans, PaymentTerms
    from drafthorse.models.tradelines import LineItem

    doc = Document()
    doc.context.guideline_parameter.id = XRECHNUNG_3 if flavour == "xrechnung" else FACTURX_EN16931
    doc.header.id = inv.number
    doc.header.type_code = "380"
    doc.header.issue_date_time = inv.issue_date
    for text in inv.notes:
        note = IncludedNote()
        note.content = text
        doc.header.notes.add(note)

    agreement = doc.trade.agreement
    reference = inv.buyer_reference or inv.customer.buyer_reference
    if reference or flavour == "xrechnung":  # XRechnung requires BT-10: the customer's reference, else our number
        agreement.buyer_reference = reference or inv.number
    s, c = inv.seller, inv.customer
    seller = agreement.seller
    if not s.vat_id:  # BR-CO-26 wants BT-29, BT-30 or BT-31: without a VAT id the tax number identifies the seller
        seller.id = s.tax_number
    seller.name = s.name
    seller.address.line_one = s.street
    seller.address.postcode = s.postcode
    seller.address.city_name = s.city
    seller.address.country_id = s.country
    seller.contact.person_name = s.name
    seller.contact.telephone.number = s.phone
    seller.contact.email.address = s.email
    seller.electronic_address.uri_ID = ("EM", s.email)
    if s.vat_id:
        seller.tax_registrations.add(TaxRegistration(id=("VA", s.vat_id)))
    if s.tax_number:
        seller.tax_registrations.add(TaxRegistration(id=("FC", s.tax_number)))
    buyer = agreement.buyer
    buyer.name = c.name
    if c.street:
        buyer.address.line_one = c.street
    if c.postcode:
        buyer.address.postcode = c.postcode
    if c.city:
        buyer.address.city_name = c.city
    buyer.address.country_id = c.country or "DE"
    if c.email:
        buyer.electronic_address.uri_ID = ("EM", c.email)
    if c.vat_id:
        buyer.tax_registrations.add(TaxRegistration(id=("VA", c.vat_id.replace(" ", ""))))

    doc.trade.delivery.event.occurrence = inv.issue_date  # the date of the service (Leistungsdatum)

    settlement = doc.trade.settlement
    settlement.currency_code = inv.currency
    settlement.payment_reference = inv.number
    means = PaymentMeans()
    means.type_code = SEPA_CREDIT_TRANSFER
    means.payee_account.iban = s.iban
    if s.bic:
        means.payee_institution.bic = s.bic
    settlement.payment_means.add(means)
    terms = PaymentTerms()
    terms.description = _TERMS[inv.language].format(amount=f"{inv.gross:.2f}", currency=inv.currency,
                                                    due=inv.due_date.isoformat(), number=inv.number)
    terms.due = inv.due_date
    settlement.terms.add(terms)

    rate = inv.vat_rate if inv.vat_rate is not None else Decimal("0")
    for n, item in enumerate(inv.items, 1):
        li = LineItem()
        li.document.line_id = str(n)
        li.product.name = item.description
        li.agreement.net.amount = item.unit_price
        li.delivery.billed_quantity = (item.quantity, item.unit)
        li.settlement.trade_tax.type_code = "VAT"
        li.settlement.trade_tax.category_code = inv.vat_category
        li.settlement.trade_tax.rate_applicable_percent = rate
        li.settlement.monetary_summation.total_amount = item.net
        doc.trade.items.add(li)

    tax = ApplicableTradeTax()
    tax.calculated_amount = inv.vat
    tax.basis_amount = inv.net
    tax.type_code = "VAT"
    tax.category_code = inv.vat_category
    tax.rate_applicable_percent = rate
    if inv.vat_rate is None:
        tax.exemption_reason = inv.notes[0]
    settlement.trade_tax.add(tax)

    total = settlement.monetary_summation
    total.line_total = inv.net
    total.charge_total = Decimal("0.00")
    total.allowance_total = Decimal("0.00")
    total.tax_basis_total = inv.net
    total.tax_total = (inv.vat, inv.currency)
    total.grand_total = inv.gross
    total.due_amount = inv.gross
    return bytes(doc.serialize(schema="FACTUR-X_EN16931"))
