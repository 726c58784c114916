"""Which tax category a booking, receipt or invoice belongs to: the user's choice for that item, else
the user's rules, else the shipped rules (a text in ``words`` form found in its payee, vendor or purpose).
A correction sticks: it is stored for the item and as a user rule for its payee, so the next booking of
that payee lands in the same category."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.finance.tax.categories import BY_KEY, NONE
from agents.finance.tax.db import FinTaxAssignment, FinTaxRule
from agents.finance.text import payee_key, words
from storage.db.models import utcnow

# shipped rules: text (``words`` form, matched on word boundaries) -> category; the user's rules win
DEFAULT_RULES: list[tuple[str, str]] = [
    *[(w, "craftsmen") for w in ("handwerker", "handwerk", "sanitaer", "heizungsbau", "elektro", "elektriker",
                                 "malermeister", "maler", "dachdecker", "schornsteinfeger", "tischlerei", "schreinerei",
                                 "klempner", "fliesenleger", "installateur", "reparatur", "wartung", "montage")],
    *[(w, "household") for w in ("reinigung", "gebaeudereinigung", "gartenpflege", "hausmeister", "fensterputz",
                                 "haushaltshilfe", "winterdienst", "putzhilfe", "pflegedienst")],
    *[(w, "provision") for w in ("krankenversicherung", "krankenkasse", "pflegeversicherung", "haftpflicht",
                                 "berufsunfaehigkeit", "risikolebensversicherung", "rentenversicherung",
                                 "unfallversicherung", "techniker krankenkasse", "aok", "barmer", "dak")],
    *[(w, "special") for w in ("spende", "spenden", "kirchensteuer", "kinderbetreuung", "kita", "kindergarten",
                               "schulgeld", "unicef", "aerzte ohne grenzen", "caritas", "diakonie")],
    *[(w, "work_expenses") for w in ("fortbildung", "weiterbildung", "seminar", "fachliteratur", "fachbuch",
                                     "gewerkschaft", "berufsverband", "arbeitsmittel", "ig metall", "verdi")],
    *[(w, "capital") for w in ("zinsen", "zinsgutschrift", "dividende", "ausschuettung", "kapitalertrag",
                               "ertragsgutschrift")],
]
INCOME_CATEGORIES = {"capital"}  # money in; every other category is money out


@dataclass(frozen=True)
class Rules:
    user: list[tuple[str, str]]
    items: dict[tuple[str, int], str]

    def category(self, kind: str, item_id: int, text: str, money_in: bool) -> str:
        """The category key, or ``none``."""
        chosen = self.items.get((kind, item_id))
        if chosen is not None:
            return chosen
        padded = f" {words(text)} "
        for pattern, key in [*self.user, *DEFAULT_RULES]:
            if f" {pattern} " in padded:
                if key != NONE and (key in INCOME_CATEGORIES) != money_in:
                    continue
                return key
        return NONE


def load_rules(s: Session) -> Rules:
    user = [(r.pattern, r.category) for r in s.scalars(select(FinTaxRule).order_by(FinTaxRule.id.desc())).all()]
    items = {(a.kind, a.item_id): a.category for a in s.scalars(select(FinTaxAssignment)).all()}
    return Rules(user, items)


def correct(s: Session, kind: str, item_id: int, category: str, payee: str) -> str:
    """Store the user's category for one item and a user rule for its payee (``payee`` in any form);
    returns the rule's text ("" when the payee has no words). Commits."""
    if category != NONE and category not in BY_KEY:
        raise KeyError(f"no tax category '{category}'")
    a = s.scalar(select(FinTaxAssignment).where(FinTaxAssignment.kind == kind, FinTaxAssignment.item_id == item_id))
    if a is None:
        s.add(FinTaxAssignment(kind=kind, item_id=item_id, category=category))
    else:
        a.category, a.updated_at = category, utcnow()
    pattern = payee_key(payee)  # words without legal form and numbers: "Elektro Meier GmbH" -> "elektro meier"
    if pattern:
        rule = s.scalar(select(FinTaxRule).where(FinTaxRule.pattern == pattern))
        if rule is None:
            s.add(FinTaxRule(pattern=pattern, category=category, source="user"))
        else:
            rule.category, rule.source, rule.updated_at = category, "user", utcnow()
    s.commit()
    return pattern
