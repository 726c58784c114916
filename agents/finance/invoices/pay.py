"""'Pay this invoice': which open invoice is meant, and the Finance I transfer draft for it (the invoice's
IBAN, amount due and payment reference), parked as an approval: nothing goes to the bank before the yes."""

from __future__ import annotations

from agents.deps import AssistantDeps
from agents.finance.iban import is_iban
from agents.finance.invoices.store import OpenInvoice, open_invoices
from agents.finance.models import TransferDraft
from agents.finance.text import squash, words
from agents.finance.transfers import TransferProblem, from_account, over_limit
from agents.local.phrases import tr


def pick(rows: list[OpenInvoice], said: str) -> list[OpenInvoice]:
    """The open invoices the request names (a seller word or the invoice number), else all of them."""
    text = squash(said)
    by_number = [r for r in rows if len(squash(r.number)) >= 4 and squash(r.number) in text]
    if by_number:  # the invoice number names one for sure (seller words such as "GmbH" name many)
        return by_number
    named = [r for r in rows if (len(squash(r.number)) >= 4 and squash(r.number) in text)
             or any(len(w) >= 4 and w in text for w in (squash(x) for x in words(r.seller).split()))]
    return named or rows


def choose(d: AssistantDeps, said: str, lang: str) -> OpenInvoice:
    with d.memory.db.session() as s:
        rows = open_invoices(s)
    if not rows:
        raise TransferProblem(tr(lang, "You have no open invoices to pay.", "Du hast keine offenen Rechnungen zu bezahlen."))
    found = pick(rows, said)
    if len(found) > 1:
        names = ", ".join(f"{r.seller} ({r.number})" for r in found[:4])
        raise TransferProblem(tr(lang, f"Which invoice do you mean? Open are: {names}.",
                                 f"Welche Rechnung meinst du? Offen sind: {names}."))
    return found[0]


def draft_for(d: AssistantDeps, inv: OpenInvoice, lang: str) -> TransferDraft:
    """The transfer draft for an open invoice (TransferProblem with one sentence when it cannot be paid so)."""
    if inv.direct_debit:
        raise TransferProblem(tr(lang, f"The invoice from {inv.seller} is collected by direct debit: there is nothing "
                                       "to transfer.",
                                 f"Die Rechnung von {inv.seller} wird per Lastschrift eingezogen: da ist nichts zu "
                                 "überweisen."))
    if not inv.iban or not is_iban(inv.iban):
        raise TransferProblem(tr(lang, f"The invoice from {inv.seller} names no account to pay to, so I can't prepare "
                                       "the transfer.",
                                 f"Die Rechnung von {inv.seller} nennt kein Konto für die Zahlung, deshalb kann ich "
                                 "die Überweisung nicht vorbereiten."))
    if inv.amount <= 0:
        raise TransferProblem(tr(lang, f"Nothing is due on the invoice from {inv.seller}.",
                                 f"Auf der Rechnung von {inv.seller} ist nichts fällig."))
    refusal = over_limit(d, inv.amount, lang)
    if refusal:
        raise TransferProblem(refusal)
    purpose = inv.reference or tr(lang, f"Invoice {inv.number}", f"Rechnung {inv.number}")
    return TransferDraft(from_iban=from_account(d, lang), payee=inv.seller[:70], iban=inv.iban, amount=inv.amount,
                         currency=inv.currency, purpose=purpose[:140])
