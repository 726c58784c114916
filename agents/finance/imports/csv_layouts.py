"""The CSV layouts of common German banks' account exports, recognised by their header row, and the
model of a user's own column-mapping profile (saved for any other bank).

Where each layout came from (docs/finance.md says the same): the header rows as the banks' online
banking exports them, checked against open-source importers that parse these files (beancount-dkb,
beancount-ing-diba, beancount-import-sparkasse, ledger-autosync's N26 plugin, homebank/bank-statement
profiles for comdirect and Postbank, Firefly III import configurations). The files themselves are
private, so the tests write fixtures in each layout."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# counterparty: one column for both directions; payee / payer: the other party's column for money out / in
FIELDS = ("booking_date", "value_date", "amount", "debit", "credit", "currency", "counterparty", "payee", "payer",
          "counterparty_iban", "purpose", "booking_text", "end_to_end_id", "mandate_id", "creditor_id",
          "account_iban", "status")


class CsvLayout(BaseModel):
    """How to read one bank's CSV. ``columns`` maps a ledger field to a header name (``Währung#2`` = the
    second column of that name); ``header`` are the names that identify the layout's header row."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    source: str = ""
    header: list[str] = Field(min_length=1)
    columns: dict[str, str] = Field(description=f"field -> column; fields: {', '.join(FIELDS)}")
    delimiter: str = Field(";", min_length=1, max_length=1)
    date_formats: list[str] = Field(default_factory=lambda: ["%d.%m.%Y", "%d.%m.%y"])
    decimal_comma: bool = True
    pending: list[str] = Field(default_factory=list, description="status or date values of unbooked rows")
    # a regex with named groups (name, iban, purpose) over the purpose column, for banks that put
    # payee and purpose in one text (comdirect)
    split_purpose: str | None = None

    def check(self) -> CsvLayout:
        unknown = set(self.columns) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        if "booking_date" not in self.columns or not ({"amount"} <= set(self.columns)
                                                       or {"debit", "credit"} <= set(self.columns)):
            raise ValueError("a layout needs booking_date and amount (or debit and credit)")
        return self


_DE = ["%d.%m.%Y", "%d.%m.%y"]

BANK_LAYOUTS: list[CsvLayout] = [
    CsvLayout(
        name="sparkasse",
        source="Sparkasse online banking, export 'CSV-CAMT V2' (also sold as CSV-CAMT-Format)",
        header=["Auftragskonto", "Buchungstag", "Valutadatum", "Buchungstext", "Verwendungszweck",
                "Beguenstigter/Zahlungspflichtiger", "Kontonummer/IBAN", "Betrag", "Waehrung"],
        columns={"account_iban": "Auftragskonto", "booking_date": "Buchungstag", "value_date": "Valutadatum",
                 "booking_text": "Buchungstext", "purpose": "Verwendungszweck", "creditor_id": "Glaeubiger ID",
                 "mandate_id": "Mandatsreferenz", "end_to_end_id": "Kundenreferenz (End-to-End)",
                 "counterparty": "Beguenstigter/Zahlungspflichtiger", "counterparty_iban": "Kontonummer/IBAN",
                 "amount": "Betrag", "currency": "Waehrung", "status": "Info"},
        date_formats=["%d.%m.%y", "%d.%m.%Y"],
        pending=["Umsatz vorgemerkt"],
    ),
    CsvLayout(
        name="dkb",
        source="DKB online banking since 2023 (UTF-8 with BOM, preamble with the IBAN, dd.mm.yy)",
        header=["Buchungsdatum", "Wertstellung", "Status", "Zahlungspflichtige*r", "Zahlungsempfänger*in",
                "Verwendungszweck", "IBAN", "Betrag (€)"],
        columns={"booking_date": "Buchungsdatum", "value_date": "Wertstellung", "status": "Status",
                 "payer": "Zahlungspflichtige*r", "payee": "Zahlungsempfänger*in",
                 "purpose": "Verwendungszweck", "booking_text": "Umsatztyp", "counterparty_iban": "IBAN",
                 "amount": "Betrag (€)", "creditor_id": "Gläubiger-ID", "mandate_id": "Mandatsreferenz",
                 "end_to_end_id": "Kundenreferenz"},
        pending=["Vorgemerkt"],
    ),
    CsvLayout(
        name="dkb-classic",
        source="DKB online banking before 2023 (Latin-1, preamble 'Kontonummer:')",
        header=["Buchungstag", "Wertstellung", "Buchungstext", "Auftraggeber / Begünstigter", "Verwendungszweck",
                "Kontonummer", "BLZ", "Betrag (EUR)"],
        columns={"booking_date": "Buchungstag", "value_date": "Wertstellung", "booking_text": "Buchungstext",
                 "counterparty": "Auftraggeber / Begünstigter", "purpose": "Verwendungszweck",
                 "counterparty_iban": "Kontonummer", "amount": "Betrag (EUR)", "creditor_id": "Gläubiger-ID",
                 "mandate_id": "Mandatsreferenz", "end_to_end_id": "Kundenreferenz"},
    ),
    CsvLayout(
        name="ing",
        source="ING (ING-DiBa) 'Umsatzanzeige' export (Latin-1, preamble with IBAN; two 'Währung' columns)",
        header=["Buchung", "Auftraggeber/Empfänger", "Buchungstext", "Verwendungszweck", "Betrag", "Währung"],
        columns={"booking_date": "Buchung", "value_date": "Valuta", "counterparty": "Auftraggeber/Empfänger",
                 "booking_text": "Buchungstext", "purpose": "Verwendungszweck", "amount": "Betrag",
                 "currency": "Währung#-1"},
    ),
    CsvLayout(
        name="comdirect",
        source="comdirect 'Umsätze' export (Latin-1, payee and purpose in one 'Buchungstext' column)",
        header=["Buchungstag", "Wertstellung (Valuta)", "Vorgang", "Buchungstext", "Umsatz in EUR"],
        columns={"booking_date": "Buchungstag", "value_date": "Wertstellung (Valuta)", "booking_text": "Vorgang",
                 "purpose": "Buchungstext", "amount": "Umsatz in EUR"},
        pending=["offen"],
        split_purpose=(r"^(?:(?:Auftraggeber|Empfänger|Empf\.?): ?(?P<name>.*?))?"
                       r"(?: ?Kto/IBAN: ?(?P<iban>\S+))?(?: ?BLZ/BIC: ?\S+)?"
                       r"(?: ?Buchungstext: ?(?P<purpose>.*?))?(?: ?Ref\. ?\S+)?$"),
    ),
    CsvLayout(
        name="n26",
        source="N26 CSV export since 2024 (comma separated, ISO dates, decimal point)",
        header=["Booking Date", "Value Date", "Partner Name", "Partner Iban", "Payment Reference", "Amount (EUR)"],
        columns={"booking_date": "Booking Date", "value_date": "Value Date", "counterparty": "Partner Name",
                 "counterparty_iban": "Partner Iban", "booking_text": "Type", "purpose": "Payment Reference",
                 "amount": "Amount (EUR)"},
        delimiter=",", date_formats=["%Y-%m-%d"], decimal_comma=False,
    ),
    CsvLayout(
        name="n26-classic",
        source="N26 CSV export before 2024 (comma separated, ISO dates, decimal point)",
        header=["Date", "Payee", "Account number", "Transaction type", "Payment reference", "Amount (EUR)"],
        columns={"booking_date": "Date", "counterparty": "Payee", "counterparty_iban": "Account number",
                 "booking_text": "Transaction type", "purpose": "Payment reference", "amount": "Amount (EUR)"},
        delimiter=",", date_formats=["%Y-%m-%d"], decimal_comma=False,
    ),
    CsvLayout(
        name="postbank",
        source="Postbank 'Umsatzauskunft' export since 2023 (UTF-8, the Deutsche Bank group's layout, signed 'Betrag')",
        header=["Buchungstag", "Wert", "Umsatzart", "Begünstigter / Auftraggeber", "Verwendungszweck",
                "IBAN / Kontonummer", "Betrag"],
        columns={"booking_date": "Buchungstag", "value_date": "Wert", "booking_text": "Umsatzart",
                 "counterparty": "Begünstigter / Auftraggeber", "purpose": "Verwendungszweck",
                 "counterparty_iban": "IBAN / Kontonummer", "end_to_end_id": "Kundenreferenz",
                 "mandate_id": "Mandatsreferenz", "creditor_id": "Gläubiger ID", "amount": "Betrag",
                 "currency": "Währung"},
    ),
    CsvLayout(
        name="deutsche-bank",
        source="Deutsche Bank 'Umsätze' export (cp1252, 'Soll' and 'Haben' columns, a 'Kontostand' footer)",
        header=["Buchungstag", "Wert", "Umsatzart", "Begünstigter / Auftraggeber", "Verwendungszweck", "IBAN",
                "Soll", "Haben"],
        columns={"booking_date": "Buchungstag", "value_date": "Wert", "booking_text": "Umsatzart",
                 "counterparty": "Begünstigter / Auftraggeber", "purpose": "Verwendungszweck",
                 "counterparty_iban": "IBAN", "end_to_end_id": "Kundenreferenz", "mandate_id": "Mandatsreferenz",
                 "creditor_id": "Gläubiger ID", "debit": "Soll", "credit": "Haben", "currency": "Währung"},
    ),
]
