"""CSV fixtures in each bank's layout (header rows as the banks export them; see docs/finance.md for
where each came from), in the banks' encodings: recognised by the header, amounts with decimal commas,
dd.mm.yyyy / dd.mm.yy dates, preambles and footers, pending rows skipped; and a saved profile for a
bank without a built-in layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from agents.finance.db import FinAccount, FinTransaction
from agents.finance.imports import CsvLayout, ImportFormatError, detect
from storage.db.engine import Database
from tests.finance.helpers import import_file, ledger_count_and_sum

pytestmark = pytest.mark.unit
IBAN = "DE89370400440532013000"
PAYEE_IBAN = "DE02120300000000202051"

# name -> (encoding, text, count, cents, expected payee of the first row, needs --account)
FIXTURES: dict[str, tuple[str, str, int, int, str, bool]] = {
    "sparkasse": ("cp1252", (
        '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";"Glaeubiger ID";'
        '"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";"Lastschrift Ursprungsbetrag";'
        '"Auslagenersatz Ruecklastschrift";"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";'
        '"Betrag";"Waehrung";"Info"\n'
        f'"{IBAN}";"02.11.26";"02.11.26";"KARTENZAHLUNG";"REWE SAGT DANKE";"";"";"";"";"";"";"REWE Markt GmbH";'
        f'"{PAYEE_IBAN}";"BYLADEM1001";"-54,37";"EUR";"Umsatz gebucht"\n'
        f'"{IBAN}";"03.11.26";"03.11.26";"GUTSCHR. UEBERWEISUNG";"Gehalt November";"";"";"";"";"";"";"Arbeitgeber AG";'
        '"DE02100500000054540402";"BELADEBEXXX";"2.500,00";"EUR";"Umsatz gebucht"\n'
        f'"{IBAN}";"05.11.26";"05.11.26";"FOLGELASTSCHRIFT";"Strom Müller";"DE98ZZZ09999999999";"M-1";"";"";"";"";'
        '"Stadtwerke München";"DE02700100800030876808";"";"-80,00";"EUR";"Umsatz vorgemerkt"\n'),
        2, 244563, "REWE Markt GmbH", False),
    "dkb": ("utf-8-sig", (
        f'"Girokonto";"{IBAN}"\n"Zeitraum:";"01.11.2026 - 30.11.2026"\n"Kontostand vom 30.11.2026:";"1.234,56 €"\n""\n'
        '"Buchungsdatum";"Wertstellung";"Status";"Zahlungspflichtige*r";"Zahlungsempfänger*in";"Verwendungszweck";'
        '"Umsatztyp";"IBAN";"Betrag (€)";"Gläubiger-ID";"Mandatsreferenz";"Kundenreferenz"\n'
        f'"02.11.26";"02.11.26";"Gebucht";"Max Mustermann";"REWE Markt GmbH";"REWE SAGT DANKE";"Ausgang";"{PAYEE_IBAN}";'
        '"-54,37";"";"";""\n'
        '"03.11.26";"03.11.26";"Gebucht";"Arbeitgeber AG";"Max Mustermann";"Gehalt";"Eingang";"DE02100500000054540402";'
        '"2.500";"";"";""\n'
        '"04.11.26";"04.11.26";"Vorgemerkt";"Max Mustermann";"Netflix";"Abo";"Ausgang";"";"-12,99";"";"";""\n'),
        2, 244563, "REWE Markt GmbH", False),
    "ing": ("cp1252", (
        "Umsatzanzeige;Datei erstellt am: 30.11.2026 10:00\n\nIBAN;DE89 3704 0044 0532 0130 00\nKontoname;Girokonto\n"
        "Bank;ING\nKunde;Max Mustermann\nZeitraum;01.11.2026 - 30.11.2026\nSaldo;1.234,56;EUR\n\n"
        "Sortierung;Datum absteigend\n\nIn der CSV-Datei finden Sie alle bereits gebuchten Umsätze.\n\n"
        "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;Betrag;Währung\n"
        "02.11.2026;02.11.2026;REWE Markt GmbH;Lastschrift;REWE SAGT DANKE;3.734,56;EUR;-54,37;EUR\n"
        "03.11.2026;03.11.2026;Arbeitgeber AG;Gehalt/Rente;Gehalt November;3.788,93;EUR;2.500,00;EUR\n"),
        2, 244563, "REWE Markt GmbH", False),
    "comdirect": ("cp1252", (
        ';\n"Umsätze Girokonto";"Zeitraum: 30 Tage";\n"Neuer Kontostand";"1.234,56 EUR";\n\n'
        '"Buchungstag";"Wertstellung (Valuta)";"Vorgang";"Buchungstext";"Umsatz in EUR";\n'
        '"offen";"--";"Lastschrift / Belastung";"Auftraggeber: Netflix Buchungstext: Abo";"-12,99";\n'
        f'"02.11.2026";"02.11.2026";"Lastschrift / Belastung";"Auftraggeber: REWE Markt GmbH Kto/IBAN: {PAYEE_IBAN} '
        'BLZ/BIC: BYLADEM1001 Buchungstext: REWE SAGT DANKE Ref. 8X7Y";"-54,37";\n'
        '"03.11.2026";"03.11.2026";"Übertrag / Überweisung";"Auftraggeber: Arbeitgeber AG Buchungstext: Gehalt '
        'November Ref. 9Z";"2.500,00";\n'
        '"Alter Kontostand";"-1.211,07 EUR";\n'),
        2, 244563, "REWE Markt GmbH", True),
    "n26": ("utf-8", (
        '"Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference","Account Name",'
        '"Amount (EUR)","Original Amount","Original Currency","Exchange Rate"\n'
        f'2026-11-02,2026-11-02,"REWE Markt GmbH",{PAYEE_IBAN},"Debit Transfer","REWE SAGT DANKE","Main Account",-54.37,,,\n'
        '2026-11-03,2026-11-03,"Arbeitgeber AG",DE02100500000054540402,Income,"Gehalt November","Main Account",2500.00,,,\n'),
        2, 244563, "REWE Markt GmbH", True),
    "postbank": ("utf-8", (
        "Umsatzauskunft - gebuchte Umsätze\n\nKonto;Girokonto\nIBAN;" + IBAN + "\nKontoinhaber;Max Mustermann\n\n"
        "Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;IBAN / Kontonummer;BIC;"
        "Kundenreferenz;Mandatsreferenz ;Gläubiger ID;Fremde Gebühren;Betrag;Abweichender Empfänger;"
        "Anzahl der Aufträge;Anzahl der Schecks;Soll;Haben;Währung\n"
        f"02.11.2026;02.11.2026;SEPA Lastschrift;REWE Markt GmbH;REWE SAGT DANKE;{PAYEE_IBAN};BYLADEM1001;;;;;"
        "-54,37 €;;;;-54,37;;EUR\n"
        "03.11.2026;03.11.2026;Gutschrift;Arbeitgeber AG;Gehalt November;DE02100500000054540402;BELADEBEXXX;;;;;"
        "2.500,00 €;;;;;2.500,00;EUR\n"),
        2, 244563, "REWE Markt GmbH", False),
    "deutsche-bank": ("cp1252", (
        "Umsätze Girokonto;Kundennummer: 123 4567890 00\n01.11.2026 - 30.11.2026\n\n"
        "Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;IBAN;BIC;Kundenreferenz;"
        "Mandatsreferenz ;Gläubiger ID;Fremde Gebühren;Betrag;Abweichender Empfänger;Anzahl der Aufträge;"
        "Anzahl der Schecks;Soll;Haben;Währung\n"
        f"02.11.2026;02.11.2026;SEPA-Lastschrift;REWE Markt GmbH;REWE SAGT DANKE;{PAYEE_IBAN};BYLADEM1001;;;;;;;;;"
        "-54,37;;EUR\n"
        "03.11.2026;03.11.2026;SEPA-Gutschrift;Arbeitgeber AG;Gehalt November;DE02100500000054540402;BELADEBEXXX;;;;;;;;;"
        ";2.500,00;EUR\n"
        "Kontostand;30.11.2026;;;1.234,56;EUR\n"),
        2, 244563, "REWE Markt GmbH", True),
}


@pytest.mark.parametrize("bank", sorted(FIXTURES))
def test_bank_csv_layout(bank: str, db: Database, tmp_path: Path) -> None:
    encoding, text, count, cents, payee, needs_account = FIXTURES[bank]
    f = tmp_path / f"{bank}.csv"
    f.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    assert detect(f) == f"csv:{bank}"
    if needs_account:
        with pytest.raises(ImportFormatError, match="--account"):
            import_file(db, f)
    result = import_file(db, f, account=IBAN if needs_account else None)
    assert (result.new, result.known) == (count, 0)
    assert ledger_count_and_sum(db) == (count, cents)
    with db.session() as s:
        assert list(s.scalars(select(FinAccount.iban))) == [IBAN]
        first = s.scalars(select(FinTransaction).order_by(FinTransaction.booking_date)).first()
    assert first is not None and first.counterparty == payee and first.amount_minor == -5437
    assert "REWE SAGT DANKE" in first.purpose
    again = import_file(db, f, account=IBAN if needs_account else None)
    assert (again.new, again.known) == (0, count)


def test_saved_profile_reads_another_banks_csv(db: Database, tmp_path: Path) -> None:
    layout = CsvLayout(name="meine-bank", header=["Datum", "Empfänger", "Betrag", "Zweck"],
                       columns={"booking_date": "Datum", "counterparty": "Empfänger", "amount": "Betrag",
                                "purpose": "Zweck"}, delimiter="\t").check()
    f = tmp_path / "export.txt"
    f.write_text("Datum\tEmpfänger\tBetrag\tZweck\n02.11.2026\tBäckerei\t-4,50\tBrötchen\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="unknown format"):
        detect(f)
    assert import_file(db, f, account=IBAN, layouts=[layout]).new == 1
    assert ledger_count_and_sum(db) == (1, -450)


def test_a_bad_row_stops_the_whole_file(db: Database, tmp_path: Path) -> None:
    encoding, text, *_ = FIXTURES["ing"]
    f = tmp_path / "ing.csv"
    f.write_bytes((text + "04.11.2026;04.11.2026;X;Y;Z;1,00;EUR;zwölf;EUR\n").encode(encoding))
    with pytest.raises(ImportFormatError, match="line"):
        import_file(db, f)
    assert ledger_count_and_sum(db) == (0, 0)
