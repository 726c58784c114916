"""Transfers by voice and text: a draft (payee, IBAN, amount, purpose, execution date) becomes a pending
approval; only after the user's yes does the bank connection (``ServiceDeps.bank``) get the order, and
each step the bank asks for (payee check, TAN, app approval) is said and continued by the next request.

- The payee's IBAN is one the user said, or one the ledger has seen with that name (past bookings), or
  one in the user's notes; never a guess. Unknown: the assistant asks for it. IBANs are checked with
  schwifty (``agents.finance.iban``).
- Limits per transfer and per day (``FinanceSettings``) are checked when the draft is made and again
  right before the order goes out; above them the assistant refuses in one sentence.
- A step is never sent twice (the FinTS client marks it in flight first); every step is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from agents.approvals import ApprovalRecord
from agents.deps import AssistantDeps, ServiceError
from agents.finance.actions import CONFIRM_PAYEE, DRAFT_TRANSFER, TRANSFER
from agents.finance.db import FinAccount, FinTransaction
from agents.finance.iban import IbanError, normalise_iban
from agents.finance.models import TransferDraft
from agents.finance.settings import FinanceSettings
from agents.finance.spoken import say_amount, show_amount
from agents.finance.tan import challenge_of
from agents.finance.text import words
from agents.local.numbers import parse_number
from agents.local.phrases import tr
from agents.phrasebook import phrase
from storage.audit import record_quietly
from storage.db.agents import PendingApproval

ACTION, LLM_ACTION = TRANSFER, DRAFT_TRANSFER
_COUNTED = ("approved", "done", "failed")  # what counts against the day's limit (failed may have reached the bank)

_IBAN_RE = re.compile(r"\b([a-z]{2}\d{2}(?:\s?[a-z0-9]{1,4}){3,8})\b", re.IGNORECASE)
_CURRENCY_WORDS = r"(?:euros?|eur|€|bucks)"
_DIGITS_RE = re.compile(rf"€\s?(?P<a>\d+(?:[.,]\d{{1,2}})?)|(?P<b>\d+(?:[.,]\d{{1,2}})?)\s?{_CURRENCY_WORDS}"
                        rf"(?:\s(?P<cents>\d{{1,2}})(?!\d))?", re.IGNORECASE)
_WORDS_RE = re.compile(rf"(?P<w>[a-zäöüß-]+)\s{_CURRENCY_WORDS}(?:\s(?P<wc>[a-zäöüß-]+))?", re.IGNORECASE)


class TransferProblem(ServiceError):
    """The draft cannot be made; the message is one sentence for the user."""


@dataclass(frozen=True)
class Payee:
    name: str
    iban: str
    source: str  # said, ledger, notes


# ---------------------------------------------------------------- parsing


def parse_amount(text: str) -> Decimal | None:
    """"50 euros", "€12.50", "12,50 Euro", "fifty euros", "zwölf Euro fünfzig" -> Decimal; None if none."""
    m = _DIGITS_RE.search(text)
    if m is not None:
        value = Decimal((m.group("a") or m.group("b")).replace(",", "."))
        return value + Decimal(m.group("cents")) / 100 if m.group("cents") else value
    for w in _WORDS_RE.finditer(text):
        whole = parse_number(w.group("w"))
        if whole is None or whole != int(whole):
            continue
        cents = parse_number(w.group("wc")) if w.group("wc") else None
        extra = Decimal(int(cents)) / 100 if cents is not None and 0 < cents < 100 and cents == int(cents) else 0
        return Decimal(int(whole)) + extra
    return None


def amount_of(text: str) -> Decimal | None:
    """The amount an ``amount`` slot holds: "50", "12.50", "12 50" (a decimal comma after normalising),
    "1.234" (thousands), "fifty"; None if it is not one."""
    t = text.strip()
    m = re.fullmatch(r"(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d{1,2})| (\d{2}))?", t)
    if m:
        cents = m.group(2) or m.group(3)
        return Decimal(re.sub(r"[.,]", "", m.group(1))) + (Decimal(cents.ljust(2, "0")) / 100 if cents else 0)
    n = parse_number(t)
    return Decimal(int(n)) if n is not None and n == int(n) else parse_amount(f"{t} euro")


def find_iban(text: str) -> str | None:
    """A valid IBAN written or said in the text (spaces allowed), normalised."""
    for m in _IBAN_RE.finditer(text):
        parts = m.group(1)
        for cut in range(len(parts), 14, -1):  # the IBAN may run into a following word
            try:
                return normalise_iban(parts[:cut])
            except IbanError:
                continue
    return None


def without_iban(text: str) -> str:
    return " ".join(_IBAN_RE.sub(" ", re.sub(r"(?i)\b(?:iban|with|mit)\b", " ", text)).split())


# ---------------------------------------------------------------- payee


def known_payees(d: AssistantDeps, name: str) -> list[Payee]:
    """Everyone with this name (all its words) the ledger has an IBAN for, then the notes; newest first."""
    want = words(name).split()
    if not want:
        return []
    found: dict[str, Payee] = {}
    with d.memory.db.session() as s:
        rows = s.execute(select(FinTransaction.counterparty, FinTransaction.counterparty_iban,
                                func.max(FinTransaction.booking_date))
                         .where(FinTransaction.counterparty_iban.is_not(None), FinTransaction.counterparty != "")
                         .group_by(FinTransaction.counterparty, FinTransaction.counterparty_iban)
                         .order_by(func.max(FinTransaction.booking_date).desc())).tuples().all()
        own = set(s.scalars(select(FinAccount.iban)))
    for counterparty, iban, _last in rows:
        have = words(counterparty).split()
        if iban and iban not in own and all(any(h.startswith(w) for h in have) for w in want):
            found.setdefault(iban, Payee(counterparty, iban, "ledger"))
    for fact in d.memory.facts():
        if words(name) in words(fact.text) and (iban := find_iban(fact.text)) is not None:
            found.setdefault(iban, Payee(name.strip().title() if name.islower() else name.strip(), iban, "notes"))
    return list(found.values())


def resolve_payee(d: AssistantDeps, name: str, said: str, lang: str) -> Payee:
    """The payee with an IBAN the user gave or the assistant knows; TransferProblem asks for it."""
    iban = find_iban(said)
    clean = without_iban(name).strip(" ,.")
    if iban is not None:
        return Payee(clean or name, iban, "said")
    known = known_payees(d, clean)
    if len(known) == 1:
        return known[0]
    if len(known) > 1:
        listed = "; ".join(f"{p.name} ({p.iban})" for p in known[:4])
        raise TransferProblem(tr(lang, f"I know several accounts for {clean}: {listed}. Which one? Say the full "
                                       "name or the IBAN.",
                                 f"Ich kenne mehrere Konten für {clean}: {listed}. Welches? Sag den vollen Namen "
                                 "oder die IBAN."))
    raise TransferProblem(tr(lang, f"I don't know an IBAN for {clean}. Tell me the IBAN, for example: transfer "
                                   f"the amount to {clean}, IBAN DE…",
                             f"Ich kenne keine IBAN für {clean}. Sag mir die IBAN, zum Beispiel: überweise "
                             f"{clean} den Betrag, IBAN DE…"))


# ---------------------------------------------------------------- limits


def _day_start(d: AssistantDeps) -> datetime:
    return datetime.combine(d.now().date(), time(0), d.tz)


def _amount_of(row: PendingApproval) -> Decimal:
    p = row.payload or {}
    if isinstance(p.get("transfer"), dict):
        return Decimal(str(p["transfer"].get("amount", "0")))
    return sum((Decimal(str(c.get("args", {}).get("amount", "0"))) for c in p.get("calls") or []
                if c.get("tool_name") == "draft_transfer"), Decimal(0))


def sent_today(d: AssistantDeps, exclude: int | None = None) -> Decimal:
    """What the user approved for transfers today (counted whether or not the bank executed it)."""
    with d.approvals.db.session() as s:
        rows = s.scalars(select(PendingApproval).where(PendingApproval.action.in_((ACTION, LLM_ACTION)),
                                                       PendingApproval.status.in_(_COUNTED))).all()
        start = _day_start(d)
        return sum((_amount_of(r) for r in rows if r.id != exclude and r.decided_at is not None
                    and (r.decided_at if r.decided_at.tzinfo else r.decided_at.replace(tzinfo=UTC)) >= start),
                   Decimal(0))


def over_limit(d: AssistantDeps, amount: Decimal, lang: str, exclude: int | None = None) -> str | None:
    """The refusal when the amount is above the limit per transfer or would pass the day's limit."""
    cfg = d.domain_settings("finance", FinanceSettings)
    if amount > cfg.transfer_limit_per_transfer:
        limit = show_amount(cfg.transfer_limit_per_transfer, cfg.currency, lang)
        return tr(lang, f"I can't do that: the limit for one transfer is {limit}.",
                  f"Das geht nicht: das Limit für eine Überweisung liegt bei {limit}.")
    done = sent_today(d, exclude)
    if done + amount > cfg.transfer_limit_per_day:
        limit = show_amount(cfg.transfer_limit_per_day, cfg.currency, lang)
        left = show_amount(max(Decimal(0), cfg.transfer_limit_per_day - done), cfg.currency, lang)
        return tr(lang, f"I can't do that: the daily limit for transfers is {limit}, and {left} of it is left today.",
                  f"Das geht nicht: das Tageslimit für Überweisungen liegt bei {limit}, heute sind noch {left} frei.")
    return None


# ---------------------------------------------------------------- the draft


def from_account(d: AssistantDeps, lang: str) -> str:
    """The user's account the money goes out from."""
    bank = d.services.bank
    if bank is None:
        raise TransferProblem(tr(lang, "No bank connection is set up, so I can't make transfers. You can add your "
                                       "bank in the settings, under accounts.",
                                 "Es ist keine Bankverbindung eingerichtet, deshalb kann ich nicht überweisen. Du "
                                 "kannst deine Bank in den Einstellungen unter Konten hinzufügen."))
    iban = bank.default_iban()
    if iban:
        return iban
    with d.memory.db.session() as s:
        accounts = [a for a in s.scalars(select(FinAccount.iban)) if find_iban(a)]
    if len(accounts) == 1:
        return accounts[0]
    raise TransferProblem(tr(lang, "I don't know which of your accounts to pay from. Choose the account for transfers "
                                   "in the settings of your bank connection.",
                             "Ich weiß nicht, von welchem deiner Konten ich überweisen soll. Wähle das Konto für "
                             "Überweisungen in den Einstellungen deiner Bankverbindung."))


def make_draft(d: AssistantDeps, payee: str, amount: Decimal | None, purpose: str, said: str,
               lang: str) -> TransferDraft:
    """The checked draft (TransferProblem with one sentence when it cannot be made)."""
    cfg = d.domain_settings("finance", FinanceSettings)
    if amount is None or amount <= 0:
        raise TransferProblem(tr(lang, "How much should I transfer? Say the amount in euros.",
                                 "Wie viel soll ich überweisen? Sag den Betrag in Euro."))
    if amount != amount.quantize(Decimal("0.01")):
        raise TransferProblem(tr(lang, "An amount has at most two decimals.", "Ein Betrag hat höchstens zwei Nachkommastellen."))
    refusal = over_limit(d, amount, lang)
    if refusal:
        raise TransferProblem(refusal)
    source = from_account(d, lang)
    who = resolve_payee(d, payee, said, lang)
    return TransferDraft(from_iban=source, payee=who.name[:70], iban=who.iban, amount=amount.quantize(Decimal("0.01")),
                         currency=cfg.currency, purpose=purpose.strip()[:140])


def summary(draft: TransferDraft, lang: str, spoken: bool = False) -> str:
    """What will be done, exactly: amount, payee, IBAN, purpose, execution date, the account it leaves."""
    amount = say_amount(draft.amount, draft.currency, lang) if spoken else show_amount(draft.amount, draft.currency, lang)
    purpose = tr(lang, f" for “{draft.purpose}”", f" für „{draft.purpose}“") if draft.purpose else ""
    when = tr(lang, "today", "heute") if draft.execute_on is None else draft.execute_on.isoformat()
    if spoken:
        return tr(lang, f"Transfer {amount} to {draft.payee}{purpose}, {when}.",
                  f"{amount} an {draft.payee} überweisen{purpose}, {when}.")
    return tr(lang, f"Transfer {amount} to {draft.payee} (IBAN {draft.iban}){purpose}, {when}, from {draft.from_iban}.",
              f"{amount} an {draft.payee} (IBAN {draft.iban}) überweisen{purpose}, {when}, von {draft.from_iban}.")


def request_transfer(d: AssistantDeps, draft: TransferDraft, lang: str) -> ApprovalRecord:
    """Park the draft as a pending approval (with where untrusted text came from, if the turn read any)."""
    text = summary(draft, lang)
    provenance = list(d.origins)
    if provenance:
        text += tr(lang, f" Careful: I read {', '.join(provenance)} before this.",
                   f" Achtung: davor habe ich {', '.join(provenance)} gelesen.")
    rec = d.approvals.request(ACTION, text, {"transfer": draft.model_dump(mode="json"), "provenance": provenance},
                              d.now())
    d.pending.append(rec)
    return rec


# ---------------------------------------------------------------- after the yes


def _audit(d: AssistantDeps, step: str, detail: str) -> None:
    record_quietly(d.approvals.audit, f"finance.transfer.{step}", "bank", "ok", detail)


def start(d: AssistantDeps, draft: TransferDraft, approval_id: int | None = None) -> tuple[bool, str]:
    """Send the approved draft to the bank (limits checked once more) and say what the bank asks next."""
    lang = d.language
    bank = d.services.bank
    if bank is None:
        raise ServiceError(tr(lang, "no bank connection is set up", "keine Bankverbindung eingerichtet"))
    refusal = over_limit(d, draft.amount, lang, exclude=approval_id)
    if refusal:
        return False, refusal
    args = {"payee": draft.payee, "iban": draft.iban, "amount": str(draft.amount), "purpose": draft.purpose}
    d.record_tool("bank.start_transfer", args)
    step = bank.start_transfer(draft)
    _audit(d, "started", f"{step.transfer_id}: {step.status}")
    return said_step(d, step, draft)


def run_approved(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    """The ActionRunner of a draft the user said yes to (a local intent's, or the delegate's tool call)."""
    if isinstance(rec.payload.get("transfer"), dict):
        draft = TransferDraft.model_validate(rec.payload["transfer"])
    else:
        call = next(c for c in rec.payload.get("calls") or [] if c.get("tool_name") == "draft_transfer")
        draft = draft_from_args(call["args"])
    return start(d, draft, rec.id)


def draft_from_args(args: dict[str, Any]) -> TransferDraft:
    return TransferDraft(from_iban=str(args["from_iban"]), payee=str(args["payee"]), iban=str(args["iban"]),
                         amount=Decimal(str(args["amount"])), currency=str(args.get("currency") or "EUR"),
                         purpose=str(args.get("purpose") or ""))


def run_confirm_payee(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    """The user accepts the payee check's answer: the order goes on to the TAN."""
    bank = d.services.bank
    if bank is None:
        raise ServiceError(tr(d.language, "no bank connection is set up", "keine Bankverbindung eingerichtet"))
    d.record_tool("bank.confirm_payee", {"transfer": rec.payload["transfer_id"]})
    step = bank.confirm_payee(str(rec.payload["transfer_id"]))
    _audit(d, "payee_confirmed", f"{step.transfer_id}: {step.status}")
    return said_step(d, step, None)


def _payee_line(result: str, name_at_bank: str | None, lang: str) -> str:
    lines = {
        "match": tr(lang, "The bank confirms the name matches the account.", "Die Bank bestätigt: der Name passt zum Konto."),
        "close_match": tr(lang, f"The bank says the name is close but not exact: the account holder is {name_at_bank}.",
                          f"Die Bank sagt, der Name ist ähnlich, aber nicht gleich: Kontoinhaber ist {name_at_bank}."),
        "no_match": tr(lang, "Careful: the bank says the name does NOT match the account holder; the money may go to "
                             "someone else.",
                       "Achtung: laut Bank passt der Name NICHT zum Kontoinhaber; das Geld könnte bei jemand anderem "
                       "landen."),
        "not_available": tr(lang, "The payee's bank could not check the name.", "Die Bank des Empfängers konnte den "
                                                                                 "Namen nicht prüfen."),
    }
    return lines.get(result, tr(lang, "The payee check is still pending.", "Die Namensprüfung läuft noch."))


def said_step(d: AssistantDeps, step: Any, draft: TransferDraft | None) -> tuple[bool, str]:
    """What the bank asks next, in the user's language (first line spoken), and whether all is well."""
    lang = d.language
    check = ""
    if step.payee_check is not None:
        check = _payee_line(step.payee_check.result, step.payee_check.name_at_bank, lang) + " "
    if step.status == "payee_check":
        rec = d.approvals.request(CONFIRM_PAYEE, check + tr(lang, "Send the transfer anyway?", "Trotzdem überweisen?"),
                                  {"transfer_id": step.transfer_id}, d.now())
        d.pending.append(rec)
        return True, check + phrase("approval.go_on_transfer", lang)
    if step.status == "tan_needed":
        challenge = f"\n{tr(lang, 'The bank says', 'Die Bank sagt')}: {step.challenge}" if step.challenge else ""
        d.acted("start_transfer", {"transfer": step.transfer_id}, "waiting for the TAN")
        d.tan_challenge = challenge_of(step)
        if d.tan_challenge.image_b64:
            challenge += "\n" + tr(lang, "Scan the image on the screen with your banking app.",
                                    "Scanne das Bild auf dem Bildschirm mit deiner Banking-App.")
        elif d.tan_challenge.flicker:
            challenge += "\n" + tr(lang, "Hold your TAN generator to the flickering bars on the screen.",
                                    "Halte deinen TAN-Generator an die flackernden Balken auf dem Bildschirm.")
        return True, check + tr(lang, "The bank asks for a TAN. Tell me the TAN, for example: the TAN is 123456.",
                                "Die Bank möchte eine TAN. Sag mir die TAN, zum Beispiel: die TAN ist 123456.") + challenge
    if step.status == "decoupled_pending":
        d.acted("start_transfer", {"transfer": step.transfer_id}, "waiting for the app")
        return True, check + tr(lang, "Please approve the transfer in your banking app, then say done.",
                                "Bitte gib die Überweisung in deiner Banking-App frei und sag dann: erledigt.")
    if step.status == "done":
        d.acted("transfer", {"transfer": step.transfer_id}, "done")
        what = (tr(lang, f" of {say_amount(draft.amount, draft.currency, lang)} to {draft.payee}",
                   f" über {say_amount(draft.amount, draft.currency, lang)} an {draft.payee}") if draft else "")
        return True, tr(lang, f"Done: the bank has executed the transfer{what}.",
                        f"Erledigt: die Bank hat die Überweisung{what} ausgeführt.")
    if step.status == "cancelled":
        return True, tr(lang, "The transfer is cancelled; nothing was sent.", "Die Überweisung ist abgebrochen; es "
                                                                              "wurde nichts überwiesen.")
    d.acted("transfer", {"transfer": step.transfer_id}, f"error: {step.message}")
    if step.status == "unknown":
        return False, tr(lang, "I don't know whether the bank executed the transfer: the connection dropped. Please "
                               "check your bank; I won't send it again.",
                         "Ich weiß nicht, ob die Bank die Überweisung ausgeführt hat: die Verbindung ist abgebrochen. "
                         "Bitte prüfe das bei deiner Bank; ich sende sie nicht noch einmal.")
    return False, tr(lang, f"The transfer failed: {step.message}", f"Die Überweisung ist fehlgeschlagen: {step.message}")


def _open(d: AssistantDeps) -> Any:
    bank = d.services.bank
    return bank.open_transfer() if bank is not None else None


def send_tan(d: AssistantDeps, tan: str) -> tuple[bool, str]:
    lang = d.language
    bank = d.services.bank
    step = _open(d)
    if bank is None or step is None or step.status != "tan_needed":
        if step is not None and step.status == "decoupled_pending":
            return False, tr(lang, "This transfer is approved in your banking app, not with a TAN. Approve it there, "
                                   "then say done.",
                             "Diese Überweisung gibst du in der Banking-App frei, nicht mit einer TAN. Gib sie dort "
                             "frei und sag dann: erledigt.")
        return False, tr(lang, "No transfer is waiting for a TAN.", "Keine Überweisung wartet auf eine TAN.")
    d.record_tool("bank.send_tan", {"transfer": step.transfer_id})  # never the TAN itself
    after = bank.send_tan(step.transfer_id, tan)
    _audit(d, "tan_sent", f"{step.transfer_id}: {after.status}")
    if after.status == "tan_needed":  # a wrong TAN: the order stays open
        return False, tr(lang, "The bank refused that TAN. Tell me the TAN again; too many wrong TANs cancel the "
                               "order.",
                         "Die Bank hat die TAN abgelehnt. Sag mir die TAN noch einmal; zu viele falsche TANs brechen "
                         "den Auftrag ab.")
    return said_step(d, after, None)


def app_approved(d: AssistantDeps) -> tuple[bool, str]:
    lang = d.language
    bank = d.services.bank
    step = _open(d)
    if bank is None or step is None or step.status != "decoupled_pending":
        if step is not None and step.status == "tan_needed":
            return False, tr(lang, "The bank is waiting for a TAN for this transfer: tell me the TAN.",
                             "Die Bank wartet für diese Überweisung auf eine TAN: sag mir die TAN.")
        return False, tr(lang, "No transfer is waiting for an approval in your banking app.",
                         "Keine Überweisung wartet auf eine Freigabe in der Banking-App.")
    d.record_tool("bank.poll_decoupled", {"transfer": step.transfer_id})
    after = bank.poll_decoupled(step.transfer_id)
    _audit(d, "app_polled", f"{step.transfer_id}: {after.status}")
    if after.status == "decoupled_pending":
        return False, tr(lang, "The bank has not seen your approval yet. Approve the transfer in the app, then say "
                               "done again.",
                         "Die Bank hat deine Freigabe noch nicht. Gib die Überweisung in der App frei und sag dann "
                         "noch einmal: erledigt.")
    return said_step(d, after, None)


def cancel(d: AssistantDeps) -> tuple[bool, str]:
    lang = d.language
    bank = d.services.bank
    step = _open(d)
    if bank is None or step is None:
        return False, tr(lang, "No transfer is waiting.", "Keine Überweisung wartet.")
    d.record_tool("bank.cancel_transfer", {"transfer": step.transfer_id})
    after = bank.cancel_transfer(step.transfer_id)
    _audit(d, "cancelled", f"{step.transfer_id}: {after.status}")
    return said_step(d, after, None)
