"""The user's own details as the seller of the invoices they create, from the finance settings. What an
invoice needs and is missing is said in plain words (EN+DE), never as the name of a setting."""

from __future__ import annotations

from agents.finance.iban import is_iban, normalise_iban
from agents.finance.invoices.outgoing import InvoiceInputError, Seller
from agents.finance.settings import FinanceSettings

# (attribute, English words, German words)
_NEEDED = (("seller_name", "your name", "dein Name"), ("seller_street", "your street", "deine Straße"),
           ("seller_postcode", "your postcode", "deine Postleitzahl"), ("seller_city", "your city", "dein Ort"),
           ("seller_email", "your e-mail address", "deine E-Mail-Adresse"),
           ("seller_phone", "your phone number", "deine Telefonnummer"),
           ("seller_iban", "your IBAN", "deine IBAN"))


def seller_from(cfg: FinanceSettings) -> Seller:
    """The seller, or InvoiceInputError naming what is missing (in the app's Settings, Finance)."""
    missing = [(en, de) for attr, en, de in _NEEDED if not str(getattr(cfg, attr)).strip()]
    if not (cfg.seller_vat_id.strip() or cfg.seller_tax_number.strip()):
        missing.append(("your VAT id or tax number", "deine USt-IdNr. oder Steuernummer"))
    if missing:
        raise InvoiceInputError(
            "your seller details are incomplete, missing: " + ", ".join(en for en, _ in missing)
            + " (Settings, Finance)",
            "deine Absenderangaben sind unvollständig, es fehlt: " + ", ".join(de for _, de in missing)
            + " (Einstellungen, Finanzen)")
    if not is_iban(cfg.seller_iban):
        raise InvoiceInputError("your IBAN in the seller details is not a valid IBAN",
                                "deine IBAN in den Absenderangaben ist keine gültige IBAN")
    return Seller(name=cfg.seller_name.strip(), street=cfg.seller_street.strip(), postcode=cfg.seller_postcode.strip(),
                  city=cfg.seller_city.strip(), country=cfg.seller_country, email=cfg.seller_email.strip(),
                  phone=cfg.seller_phone.strip(), iban=normalise_iban(cfg.seller_iban), bic=cfg.seller_bic.strip(),
                  vat_id=cfg.seller_vat_id.replace(" ", ""), tax_number=cfg.seller_tax_number.strip(),
                  small_business=cfg.seller_small_business)
