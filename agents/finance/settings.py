"""The finance domain's settings: the ``[domains.finance]`` table of config.toml."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FinanceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fints_product_id: str = Field(
        "",
        max_length=50,
        description=(
            "the FinTS product registration number. It must be registered with the Deutsche Kreditwirtschaft "
            "(free, via the DK's FinTS registration form); without it banks refuse FinTS and the bank "
            "connection says so. Statement imports (CAMT, MT940, CSV) work without it."
        ),
    )
    fints_product_version: str = Field("0.1", max_length=5, description="the product version sent to the bank")
    sync_days: int = Field(90, ge=1, le=3650, description="how many days back `finance sync` fetches by default")
    timeout_s: float = Field(30.0, gt=0, le=600, description="time-out of one request to the bank")
    sync_interval_min: int = Field(
        360, ge=0, le=7 * 24 * 60,
        description="minutes between the scheduled syncs of the bank accounts in the running app/server; 0 = none")
    sync_first_delay_s: float = Field(
        30.0, ge=0, le=24 * 3600, description="the first scheduled sync, seconds after the app/server started")
    transfer_limit_per_transfer: Decimal = Field(Decimal("1000"), ge=0, max_digits=12, decimal_places=2)
    transfer_limit_per_day: Decimal = Field(Decimal("2000"), ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="the currency of budgets and new accounts")
    budget_warn_percent: int = Field(80, ge=1, le=100, description="the first warning, in percent of a budget")
    budget_alert_percent: int = Field(100, ge=1, le=1000, description="the second warning (budget used up)")
    invoice_rules_dir: str = Field(
        "", max_length=1000,
        description=("the folder holding the EN16931 validation rules compiled to XSLT (EN16931-CII-validation.xslt, "
                     "EN16931-UBL-validation.xslt); empty: finance/en16931-validation in the data folder. Without "
                     "them invoices are checked against the schema and our own sums only"))
    invoice_max_mb: int = Field(20, ge=1, le=500, description="the largest e-invoice file read, in MB")
    # the user's own details as the seller of the invoices they create (agents/finance/invoices/seller.py)
    seller_name: str = Field("", max_length=200, description="your name or business name on invoices you create")
    seller_street: str = Field("", max_length=200, description="street and house number on your invoices")
    seller_postcode: str = Field("", max_length=20, description="postcode on your invoices")
    seller_city: str = Field("", max_length=100, description="city on your invoices")
    seller_country: str = Field("DE", pattern=r"^[A-Z]{2}$", description="country code on your invoices")
    seller_email: str = Field("", max_length=200, description="your e-mail address on invoices")
    seller_phone: str = Field("", max_length=50, description="your phone number on invoices")
    seller_iban: str = Field("", max_length=34, description="the account your customers pay to")
    seller_bic: str = Field("", max_length=11, description="its BIC (optional)")
    seller_vat_id: str = Field("", max_length=20, description="your VAT id (USt-IdNr.)")
    seller_tax_number: str = Field("", max_length=30, description="your tax number (Steuernummer)")
    seller_small_business: bool = Field(
        False, description="small business under section 19 UStG: invoices without VAT, with the note")
    invoice_payment_days: int = Field(14, ge=0, le=365, description="days until an invoice you create is due")
    invoice_vat_percent: int = Field(19, description="the VAT rate of the invoices you create: 19 or 7")

    @model_validator(mode="after")
    def _ordered(self) -> FinanceSettings:
        if self.transfer_limit_per_transfer > self.transfer_limit_per_day:
            raise ValueError("transfer_limit_per_transfer is above transfer_limit_per_day")
        if self.budget_warn_percent > self.budget_alert_percent:
            raise ValueError("budget_warn_percent is above budget_alert_percent")
        if self.invoice_vat_percent not in (19, 7):
            raise ValueError("invoice_vat_percent must be 19 or 7")
        return self
