"""Failed invoice rules in plain words, English and German: the EN16931 rules a German household meets
most (sums, VAT, mandatory fields, code lists) and our own arithmetic checks (``SUM-*``, ``VAT-*``,
``AC-*``). A rule not listed here keeps the official English text of the rule set."""

from __future__ import annotations

from dataclasses import dataclass

PLAIN: dict[str, tuple[str, str]] = {
    "BR-01": ("the invoice does not say which specification it follows",
              "die Rechnung nennt nicht, nach welcher Spezifikation sie erstellt ist"),
    "BR-02": ("the invoice has no invoice number", "die Rechnung hat keine Rechnungsnummer"),
    "BR-03": ("the invoice has no issue date", "die Rechnung hat kein Rechnungsdatum"),
    "BR-04": ("the invoice has no document type", "die Rechnung hat keine Dokumentart"),
    "BR-05": ("the invoice has no currency", "die Rechnung hat keine Währung"),
    "BR-06": ("the seller's name is missing", "der Name des Verkäufers fehlt"),
    "BR-07": ("the buyer's name is missing", "der Name des Käufers fehlt"),
    "BR-16": ("the invoice has no line items", "die Rechnung hat keine Positionen"),
    "BR-CO-10": ("the line amounts do not add up to the invoice's total of the lines",
                 "die Positionsbeträge ergeben nicht die Summe der Positionen"),
    "BR-CO-11": ("the allowances do not add up to the stated total of allowances",
                 "die Nachlässe ergeben nicht die angegebene Summe der Nachlässe"),
    "BR-CO-12": ("the charges do not add up to the stated total of charges",
                 "die Zuschläge ergeben nicht die angegebene Summe der Zuschläge"),
    "BR-CO-13": ("the net total is not the lines minus allowances plus charges",
                 "der Nettobetrag ist nicht Positionen minus Nachlässe plus Zuschläge"),
    "BR-CO-14": ("the VAT total is not the sum of the VAT per rate",
                 "die Umsatzsteuer gesamt ist nicht die Summe der Steuer je Steuersatz"),
    "BR-CO-15": ("the gross total is not the net total plus VAT",
                 "der Bruttobetrag ist nicht Nettobetrag plus Umsatzsteuer"),
    "BR-CO-16": ("the amount due is not the gross total minus prepayments plus rounding",
                 "der Zahlbetrag ist nicht Brutto minus Anzahlungen plus Rundung"),
    "BR-CO-17": ("the VAT of a rate is not its basis times the rate",
                 "die Steuer eines Steuersatzes ist nicht Bemessungsgrundlage mal Steuersatz"),
    "BR-CO-25": ("a positive amount is due but there is neither a due date nor payment terms",
                 "es ist ein Betrag fällig, aber weder ein Fälligkeitsdatum noch Zahlungsbedingungen sind angegeben"),
    "BR-CL-25": ("an electronic address uses a scheme that is not in the official code list",
                 "eine elektronische Adresse nutzt ein Schema, das nicht in der amtlichen Codeliste steht"),
    "BR-S-08": ("the basis of the standard VAT rate does not match its lines, allowances and charges",
                "die Bemessungsgrundlage des Regelsteuersatzes passt nicht zu Positionen, Nachlässen und Zuschlägen"),
    "BR-S-09": ("the VAT at the standard rate is not its basis times the rate",
                "die Steuer zum Regelsteuersatz ist nicht Bemessungsgrundlage mal Steuersatz"),
    # our own arithmetic checks (check.arithmetic)
    "SUM-LINES": ("the line amounts do not add up to the total of the lines",
                  "die Positionsbeträge ergeben nicht die Summe der Positionen"),
    "SUM-NET": ("the net total is not the lines minus allowances plus charges",
                "der Nettobetrag ist nicht Positionen minus Nachlässe plus Zuschläge"),
    "SUM-VAT": ("the VAT total is not the sum of the VAT per rate",
                "die Umsatzsteuer gesamt ist nicht die Summe der Steuer je Steuersatz"),
    "SUM-GROSS": ("the gross total is not the net total plus VAT", "der Bruttobetrag ist nicht Netto plus Umsatzsteuer"),
    "SUM-DUE": ("the amount due is not the gross total minus prepayments plus rounding",
                "der Zahlbetrag ist nicht Brutto minus Anzahlungen plus Rundung"),
    "VAT-RATE": ("the VAT of a rate is not its basis times the rate",
                 "die Steuer eines Steuersatzes ist nicht Bemessungsgrundlage mal Steuersatz"),
    "VAT-BASIS": ("the VAT basis of a rate does not match the lines, allowances and charges at that rate",
                  "die Bemessungsgrundlage eines Steuersatzes passt nicht zu den Positionen, Nachlässen und Zuschlägen"),
    "AC-PERCENT": ("an allowance or charge is not its percentage of its basis",
                   "ein Nachlass oder Zuschlag ist nicht sein Prozentsatz von seiner Grundlage"),
}


@dataclass(frozen=True)
class Problem:
    """One failed rule: its id, plain words EN+DE, and a detail (the numbers, or the official text)."""

    rule: str
    en: str
    de: str
    detail: str = ""

    def line(self, lang: str = "en") -> str:
        words = self.de if lang == "de" else self.en
        return f"{self.rule}: {words}" + (f" ({self.detail})" if self.detail else "")


def problem(rule: str, official: str = "", detail: str = "") -> Problem:
    """A failed rule in plain words; one this table does not know keeps the rule set's own text."""
    if rule in PLAIN:
        en, de = PLAIN[rule]
        return Problem(rule, en, de, detail)
    text = official.split("]-", 1)[-1].strip() if official else rule
    return Problem(rule, text, f"Regel {rule} der EN 16931 ist nicht erfüllt: {text}", detail)
