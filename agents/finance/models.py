"""The finance domain's shared types: what a bank connection (FinTS) or a statement import (CAMT, MT940,
CSV) hands to the ledger, and a transfer draft waiting for the user's yes. Amounts are ``Decimal`` (never
float) in the account's currency; the ledger stores minor units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class BankAccount(BaseModel):
    iban: str = Field(description="validated with schwifty, upper case, no spaces")
    bic: str | None = None
    name: str = Field("", description="the bank's product name or the user's label")
    owner: str = ""
    currency: str = "EUR"


class Balance(BaseModel):
    iban: str
    amount: Decimal
    currency: str = "EUR"
    on: date


class BankTransaction(BaseModel):
    """One booked (or pending) transaction as a statement or the bank reports it."""

    iban: str = Field(description="the user's account it belongs to")
    booking_date: date
    value_date: date | None = None
    amount: Decimal = Field(description="negative = money out")
    currency: str = "EUR"
    counterparty: str = Field("", description="payee or payer name")
    counterparty_iban: str | None = None
    purpose: str = Field("", description="Verwendungszweck / remittance information")
    bank_reference: str | None = Field(None, description="the bank's id of the booking, when it has one")
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None
    booking_text: str = Field("", description="e.g. Lastschrift, Gutschrift, SEPA-Überweisung")
    pending: bool = False


class TransferDraft(BaseModel):
    """A SEPA credit transfer the user must approve before anything is sent to the bank."""

    from_iban: str
    payee: str
    iban: str
    bic: str | None = None
    amount: Decimal = Field(gt=0)
    currency: str = "EUR"
    purpose: str = ""
    execute_on: date | None = Field(None, description="None = as soon as possible")
