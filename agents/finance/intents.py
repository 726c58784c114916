"""Local intents of the finance domain (EN+DE), answered from the ledger without a model: the balance,
spending per category and period, subscriptions, what is left of a budget, and a transfer draft that
waits for the user's yes (then the bank's TAN or app approval continues it: ``TransferTan``,
``TransferAppDone``, ``TransferCancel``). Amounts are spoken in words and shown per locale."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from agents.deps import AssistantDeps
from agents.domains import Handler
from agents.finance.settings import FinanceSettings
from agents.finance.vocab import CATEGORY_WORDS
from agents.local.handlers import reply
from agents.local.numbers import parse_number
from agents.local.phrases import fmt_date, tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import Intents, Lang
from agents.phrasebook import phrase
from agents.replies import AgentReply, ToolCallInfo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from agents.finance.budgets import BudgetStatus
    from agents.finance.invoices.store import OpenInvoice

T = TypeVar("T")
EUROS = "(euros|euro|eur|€|bucks)"
SPENT_EN = "(spend|spent|pay|paid)"
_DE_BUDGETS = "|".join(sorted({w.replace(" ", "") + "budget" for k in CATEGORY_WORDS for w in CATEGORY_WORDS[k]
                               if not w.isascii() or w in ("lebensmittel", "restaurant", "miete", "essen", "strom",
                                                           "freizeit", "urlaub", "reisen", "shopping", "kleidung",
                                                           "mobilität", "auto", "abo", "abos")}))

INTENTS: Intents = {
    "FinanceBalance": {
        "en": ["what's my [bank|account|current] balance", "what is my [bank|account|current] balance",
               "(show|tell|give|read) [me] my [bank|account|current] balance", "[my] (bank|account) balance",
               "check my [bank|account] balance", "how much money (do i have|is) (in|on) my [bank|checking|current] account",
               "how much money do i have [left] [in the bank]", "what's in my (bank|checking|current) account",
               "how much is (in|on) my [bank|checking|current] account"],
        "de": ["wie ist mein kontostand", "was ist mein kontostand", "wie hoch ist mein kontostand",
               "(zeig|zeige|sag|nenn) [mir] [meinen] kontostand", "[mein] kontostand",
               "wie (viel|viele) geld (habe|hab) ich [noch] [auf dem konto|auf meinem konto|auf der bank]",
               "wie steht mein konto", "was ist auf meinem konto", "wie viel ist auf meinem konto"],
    },
    "FinanceSpending": {
        "en": [f"how much (did i|have i|did we|have we) {SPENT_EN} [{{what}}]", f"what did i {SPENT_EN} [{{what}}]",
               f"how much money (did i|have i) {SPENT_EN} [{{what}}]", "(show|list|give) [me] my (spending|expenses) [{what}]",
               "what (are|were) my (spending|expenses) [{what}]", "my (spending|expenses) {what}"],
        "de": ["(was|wie viel|wieviel) (habe|hab|haben) (ich|wir) {what} ausgegeben",
               "(was|wie viel|wieviel) (habe|hab) ich ausgegeben", "wie viel geld (habe|hab) ich {what} ausgegeben",
               "(zeig|zeige|nenn) [mir] meine ausgaben [{what}]", "(was|wie hoch) (sind|waren) meine ausgaben [{what}]",
               "meine ausgaben {what}"],
    },
    "FinanceSubscriptions": {
        "en": ["(show|list|tell|give|read) [me] my (subscriptions|recurring payments|standing orders|direct debits)",
               "what (subscriptions|recurring payments) do i (have|pay [for])", "which subscriptions do i (have|pay [for])",
               "what are my (subscriptions|recurring payments)", "[my] subscriptions", "do i have any subscriptions",
               "what (am i|services am i) subscribed to"],
        "de": ["welche (abos|abonnements|abonnemente) (habe|hab|zahle|bezahle) ich",
               "(zeig|zeige|liste|nenn|lies) [mir] meine (abos|abonnements|daueraufträge|wiederkehrenden zahlungen|lastschriften) [auf] [vor]",
               "was für (abos|abonnements) (habe|hab) ich", "[meine] (abos|abonnements)", "(habe|hab) ich [irgendwelche] (abos|abonnements)",
               "welche (abos|abonnements) (laufen|habe ich laufen|hab ich laufen) [gerade|noch|bei mir]"],
    },
    "FinanceBudgetLeft": {
        "en": ["how much is left (of|in|on) my {what} budget", "how much (is|do i have) left (of|in) [my|the] budget [for {what}]",
               "how much budget (is|do i have) left [for {what}]", "what's left (of|in) my {what} budget",
               "how much of my {what} budget is left", "how are my budgets [doing]", "(show|tell) [me] my budgets",
               "how much can i still spend on {what} [this month]", "am i (over|within) [my] budget [for {what}]"],
        "de": [f"wie viel ist noch (im|in meinem|in dem|vom|von meinem) ({_DE_BUDGETS}|budget)",
               "wie viel ist noch (im|in meinem) budget für {what}", "wie viel budget (ist|habe ich) noch [für {what}]",
               "wie viel (kann|darf) ich noch für {what} ausgeben", "wie stehen meine budgets",
               "(zeig|zeige) [mir] meine budgets", "was ist noch (im|in meinem) budget [für {what}]"],
    },
    "FinanceTransfer": {
        "en": [f"(transfer|send|wire|pay) {{amount}} {EUROS} to {{payee}} [(for|as|reference) {{purpose}}]",
               "(transfer|send|wire) € {amount} to {payee} [(for|as|reference) {purpose}]",
               f"pay {{payee}} {{amount}} {EUROS} [(for|as|reference) {{purpose}}]",
               f"(make|do) a (transfer|bank transfer|payment) of {{amount}} {EUROS} to {{payee}} [(for|as|reference) {{purpose}}]",
               f"(transfer|send|wire) {{payee}} {{amount}} {EUROS} [(for|as|reference) {{purpose}}]"],
        "de": [f"(überweise|überweis|überweisen sie) [mal] {{payee}} {{amount}} {EUROS} [(für|wegen|als|verwendungszweck) {{purpose}}]",
               f"(überweise|überweis|überweisen sie) [mal] {{amount}} {EUROS} an {{payee}} [(für|wegen|als|verwendungszweck) {{purpose}}]",
               f"(zahle|zahl|bezahle|bezahl) {{payee}} {{amount}} {EUROS} [(für|wegen|als) {{purpose}}]",
               f"(mach|mache) eine überweisung (über|von) {{amount}} {EUROS} an {{payee}} [(für|wegen|als) {{purpose}}]"],
    },
    "FinanceOpenInvoices": {
        "en": ["do i have [any] (unpaid|open|outstanding) (invoices|bills) [left]",
               "(show|list|tell|give|read) [me] [my|the] (unpaid|open|outstanding) (invoices|bills)",
               "(which|what) (invoices|bills) (are|do i have) [still] (open|unpaid|outstanding|due|left to pay)",
               "(which|what) (invoices|bills) do i [still] (have|need) to pay", "[my] (unpaid|open|outstanding) (invoices|bills)",
               "are there [any] (unpaid|open|outstanding) (invoices|bills)", "(which|what) (invoices|bills) are [still] due [soon]",
               "have i paid all [my] (invoices|bills)", "any (unpaid|open|outstanding) (invoices|bills)"],
        "de": ["welche rechnungen sind [noch] (offen|unbezahlt|fällig|zu zahlen|nicht bezahlt)",
               "(habe|hab) ich [noch] (offene|unbezahlte) rechnungen", "(zeig|zeige|nenn|liste) [mir] [meine|die] (offenen|unbezahlten) rechnungen",
               "[meine] (offenen|unbezahlten) rechnungen", "welche rechnungen (muss|sollte) ich [noch] (bezahlen|zahlen|begleichen)",
               "gibt es [noch] (offene|unbezahlte) rechnungen", "(habe|hab) ich alle rechnungen bezahlt",
               "welche rechnungen stehen noch aus", "was für rechnungen sind [noch] offen"],
    },
    "FinancePayInvoice": {
        "en": ["pay [this|that|the|my] (invoice|bill)", "pay the (invoice|bill) (from|of|by) {payee}",
               "pay [the|my] {payee} (invoice|bill)", "(settle|pay off) [this|that|the] (invoice|bill) [(from|of) {payee}]",
               "make a (transfer|payment) for the (invoice|bill) [(from|of) {payee}]"],
        "de": ["(bezahle|bezahl|zahle|zahl|begleiche) [diese|die|meine] rechnung",
               "(bezahle|bezahl|zahle|zahl|begleiche) die rechnung (von|vom|der|des) {payee}",
               "(bezahle|bezahl|zahle|zahl) die {payee} rechnung", "überweise [das geld] für die rechnung [(von|vom) {payee}]"],
    },
    "FinanceCreateInvoice": {
        "en": ["(create|write|make|prepare|issue) [an|a|the] invoice (to|for) {customer} (for|over) {hours} hours [of] "
               "{item} at {rate} (euros|euro|eur) [(an|per|a) hour]",
               "(create|write|make|prepare|issue) [an|a|the] invoice (to|for) {customer} (for|over) {hours} hours at "
               "{rate} (euros|euro|eur) [(an|per|a) hour]"],
        "de": ["(erstelle|erstell|schreibe|schreib|mache|mach) [eine|die] rechnung (an|für) {customer} (über|für) "
               "{hours} stunden {item} (zu|für|à|a|je) {rate} euro [(pro|die|je) stunde]",
               "(erstelle|erstell|schreibe|schreib|mache|mach) [eine|die] rechnung (an|für) {customer} (über|für) "
               "{hours} stunden (zu|für|à|a|je) {rate} euro [(pro|die|je) stunde]"],
    },
    "FinanceSendInvoice": {
        "en": ["send [the|my] invoice (number|no) {invoice}", "send [the|my] invoice {invoice} to the customer",
               "(mail|email) [the|my] invoice {invoice}", "send the invoice to {customer} by (mail|email)"],
        "de": ["(sende|schicke|schick|versende|verschicke) [die] rechnung (nummer|nr) {invoice}",
               "(sende|schicke|schick|versende|verschicke) [die] rechnung {invoice} an den kunden",
               "(sende|schicke|schick|versende|verschicke) die rechnung an {customer} per (mail|email|e-mail)"],
    },
    "TransferTan": {
        "en": ["[the|my] tan is {tan}", "tan {tan}", "here is the tan {tan}", "here's the tan {tan}", "the tan number is {tan}"],
        "de": ["[die|meine] tan (ist|lautet|heißt) {tan}", "tan {tan}", "hier ist die tan {tan}"],
    },
    "TransferAppDone": {
        "en": ["i (approved|confirmed|released) [it|the transfer|the payment] [in the app]",
               "i've (approved|confirmed|released) [it|the transfer|the payment] [in the app]",
               "(it's|it is|the transfer is) (approved|released) [in the app]", "done [in the app]", "approved in the app"],
        "de": ["[ich] (habe|hab) [es|sie|die überweisung] [in der app] (freigegeben|bestätigt)", "(ist|die überweisung ist) (freigegeben|bestätigt)",
               "[in der app] freigegeben", "erledigt [in der app]", "hab sie freigegeben"],
    },
    "TransferCancel": {
        "en": ["cancel the (transfer|payment|bank transfer)", "stop (the|that) (transfer|payment)",
               "(don't|do not) (send|make|do) (the|that) (transfer|payment)"],
        "de": ["(brich|brech) die überweisung ab", "(stoppe|stopp|storniere) die überweisung", "überweisung abbrechen"],
    },
}

SAY_BACK: dict[str, dict[Lang, str]] = {
    "FinanceBalance": {"en": "what's my balance", "de": "wie ist mein Kontostand"},
    "FinanceSubscriptions": {"en": "show my subscriptions", "de": "welche Abos habe ich"},
    "FinanceOpenInvoices": {"en": "do I have unpaid invoices", "de": "welche Rechnungen sind noch offen"},
}


def _ledger(d: AssistantDeps, read: Callable[[Session], T]) -> T:
    with d.memory.db.session() as s:
        return read(s)


def _names() -> dict[str, tuple[str, str]]:
    from agents.finance.categories import DEFAULT_CATEGORIES

    return {key: (de, en) for key, de, en, _ in DEFAULT_CATEGORIES}


def _category_name(key: str, lang: str) -> str:
    de, en = _names().get(key, (key, key))
    return de if lang == "de" else en.lower()


def _balance(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.queries import balances
    from agents.finance.spoken import say_amount, show_amount

    lang = m.language
    call = ToolCallInfo(name="finance.balance", args={})
    rows = _ledger(d, balances)
    if not rows:
        return reply(m, tr(lang, "I don't know any of your bank accounts yet. Import a statement or connect your bank "
                                 "in the settings, under accounts.",
                           "Ich kenne noch keins deiner Bankkonten. Importiere einen Kontoauszug oder verbinde deine "
                           "Bank in den Einstellungen unter Konten."), tool_calls=[call])
    lines = [f"{b.name or b.iban} ({b.iban}): {show_amount(b.amount, b.currency, lang)}"
             + (f" ({tr(lang, 'as of', 'Stand')} {fmt_date(b.as_of, lang, year=True)})" if b.as_of else "") for b in rows]
    if len(rows) == 1:
        b = rows[0]
        spoken = tr(lang, f"Your balance is {say_amount(b.amount, b.currency, lang)}.",
                    f"Dein Kontostand ist {say_amount(b.amount, b.currency, lang)}.")
    else:
        parts = [f"{b.name or b.iban[-4:]} {say_amount(b.amount, b.currency, lang)}" for b in rows[:4]]
        spoken = tr(lang, f"Your balances: {', '.join(parts)}.", f"Deine Kontostände: {', '.join(parts)}.")
    return reply(m, spoken, "\n".join(lines), tool_calls=[call])


def _spending(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.period import find_period
    from agents.finance.queries import spending_by_category
    from agents.finance.spoken import say_amount, show_amount
    from agents.finance.vocab import find_category

    lang = m.language
    key = find_category(m.text)
    period = find_period(m.text, d.now().date(), lang)
    call = ToolCallInfo(name="finance.spending", args={"category": key or "", "start": period.start.isoformat(),
                                                       "end": period.end.isoformat()})
    rows = _ledger(d, lambda s: spending_by_category(s, period.start, period.end))
    when = period.label
    if key is not None:
        spent = sum((r.amount for r in rows if r.category == key), Decimal(0))
        name = _category_name(key, lang)
        ccy = next((r.currency for r in rows), d.domain_settings("finance", FinanceSettings).currency)
        spoken = tr(lang, f"You spent {say_amount(spent, ccy, lang)} on {name} {when}.",
                    f"Du hast {when} {say_amount(spent, ccy, lang)} für {name} ausgegeben.")
        return reply(m, spoken, f"{_names().get(key, (key, key))[0 if lang == 'de' else 1]}, {when}: "
                                f"{show_amount(spent, ccy, lang)}", tool_calls=[call])
    if not rows:
        return reply(m, tr(lang, f"I see no spending {when}.", f"Ich sehe {when} keine Ausgaben."), tool_calls=[call])
    total = sum((r.amount for r in rows), Decimal(0))
    ccy = rows[0].currency
    top = ", ".join(f"{_category_name(r.category, lang) if r.category else tr(lang, 'uncategorised', 'ohne Kategorie')} "
                    f"{say_amount(r.amount, r.currency, lang)}" for r in rows[:3])
    spoken = tr(lang, f"You spent {say_amount(total, ccy, lang)} {when}. Most on: {top}.",
                f"Du hast {when} {say_amount(total, ccy, lang)} ausgegeben. Am meisten für: {top}.")
    lines = [f"{(r.name_de if lang == 'de' else r.name_en)}: {show_amount(r.amount, r.currency, lang)}" for r in rows]
    return reply(m, spoken, "\n".join(lines), tool_calls=[call])


_PERIOD_WORDS = {"weekly": ("a week", "pro Woche"), "monthly": ("a month", "im Monat"),
                 "quarterly": ("a quarter", "im Quartal"), "yearly": ("a year", "im Jahr")}


def _subscriptions(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.queries import subscriptions
    from agents.finance.recurring import detect
    from agents.finance.spoken import say_amount, show_amount

    lang = m.language
    call = ToolCallInfo(name="finance.subscriptions", args={})

    def read(s: Session) -> list[tuple[str, Decimal, str, str]]:
        detect(s, d.now().date())
        return [(x.payee, x.amount, x.currency, x.period) for x in subscriptions(s)]

    subs = _ledger(d, read)
    if not subs:
        return reply(m, tr(lang, "I found no subscriptions in your bookings.", "Ich habe in deinen Buchungen keine "
                                                                               "Abos gefunden."), tool_calls=[call])

    def per(period: str) -> str:
        en, de = _PERIOD_WORDS.get(period, (period, period))
        return tr(lang, en, de)

    said = ", ".join(f"{p} {say_amount(a, c, lang)} {per(k)}" for p, a, c, k in subs[:5])
    n = len(subs)
    spoken = tr(lang, f"You have {n} subscription{'s' if n != 1 else ''}: {said}.",
                f"Du hast {n} Abo{'s' if n != 1 else ''}: {said}.")
    return reply(m, spoken, "\n".join(f"{p}: {show_amount(a, c, lang)} {per(k)}" for p, a, c, k in subs),
                 tool_calls=[call])


def _budget_left(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.budgets import status
    from agents.finance.spoken import say_amount, show_amount
    from agents.finance.vocab import find_category

    lang = m.language
    cfg = d.domain_settings("finance", FinanceSettings)
    key = find_category(m.text)
    call = ToolCallInfo(name="finance.budget_left", args={"category": key or ""})
    rows = _ledger(d, lambda s: status(s, d.now().date(), cfg.budget_warn_percent, cfg.budget_alert_percent))
    if key is not None:
        rows = [r for r in rows if r.category == key]
        if not rows:
            return reply(m, tr(lang, f"You have no budget for {_category_name(key, lang)}.",
                               f"Du hast kein Budget für {_category_name(key, lang)}."), tool_calls=[call])
    if not rows:
        return reply(m, tr(lang, "You have no budgets yet.", "Du hast noch keine Budgets."), tool_calls=[call])

    def said(r: BudgetStatus) -> str:
        name = _category_name(r.category, lang)
        if r.left < 0:
            return tr(lang, f"your {name} budget is over by {say_amount(-r.left, r.currency, lang)}",
                      f"dein Budget für {name} ist um {say_amount(-r.left, r.currency, lang)} überschritten")
        return tr(lang, f"{say_amount(r.left, r.currency, lang)} left of your {name} budget ({r.percent} percent used)",
                  f"noch {say_amount(r.left, r.currency, lang)} im Budget für {name} ({r.percent} Prozent verbraucht)")

    spoken = "; ".join(said(r) for r in rows[:4])
    spoken = spoken[:1].upper() + spoken[1:] + "."
    lines = [f"{r.name_de if lang == 'de' else r.name_en}: {show_amount(r.left, r.currency, lang)} "
             f"{tr(lang, 'left of', 'übrig von')} {show_amount(r.limit, r.currency, lang)} ({r.percent} %)" for r in rows]
    return reply(m, spoken, "\n".join(lines), tool_calls=[call])


def _open_invoices(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.invoices.store import open_invoices
    from agents.finance.spoken import say_amount, show_amount

    lang = m.language
    call = ToolCallInfo(name="finance.open_invoices", args={})
    rows = _ledger(d, open_invoices)
    if not rows:
        return reply(m, tr(lang, "You have no open invoices.", "Du hast keine offenen Rechnungen."), tool_calls=[call])
    totals: dict[str, Decimal] = {}
    for r in rows:
        totals[r.currency] = totals.get(r.currency, Decimal(0)) + r.amount
    total = ", ".join(say_amount(a, c, lang) for c, a in totals.items())
    n = len(rows)
    first = rows[0]
    spoken = tr(lang, f"You have {n} open invoice{'s' if n != 1 else ''}, {total} in total.",
                f"Du hast {n} offene Rechnung{'en' if n != 1 else ''}, zusammen {total}.")
    if first.due_date is not None:
        when = fmt_date(first.due_date, lang, year=first.due_date.year != d.now().year)
        spoken += tr(lang, f" The next is due on {when}: {first.seller}, {say_amount(first.amount, first.currency, lang)}.",
                     f" Als Nächstes ist am {when} fällig: {first.seller}, {say_amount(first.amount, first.currency, lang)}.")

    def shown(r: OpenInvoice) -> str:
        due = (tr(lang, "due ", "fällig am ") + fmt_date(r.due_date, lang, year=True)) if r.due_date else \
            tr(lang, "no due date", "ohne Fälligkeit")
        return f"{r.seller}, {tr(lang, 'invoice', 'Rechnung')} {r.number}: {show_amount(r.amount, r.currency, lang)}, {due}"

    return reply(m, spoken, "\n".join(shown(r) for r in rows), tool_calls=[call])


def _pay_invoice(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance import transfers
    from agents.finance.invoices import pay

    lang = m.language
    try:
        inv = pay.choose(d, m.text, lang)
        draft = pay.draft_for(d, inv, lang)
    except transfers.TransferProblem as exc:
        return reply(m, str(exc), error="transfer not drafted")
    rec = transfers.request_transfer(d, draft, lang)
    spoken = transfers.summary(draft, lang, spoken=True) + phrase("approval.question", lang)
    return reply(m, spoken, rec.summary, approval=rec.info(),
                 tool_calls=[ToolCallInfo(name="finance.pay_invoice", args={"invoice": str(inv.id)})])


_PAYEE_RE = re.compile(r"\b(?:to|an)\s+(?P<payee>.+?)(?:\s+(?:for|für|wegen|as|als)\s+(?P<purpose>.+))?$")


def _transfer(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance import transfers

    lang = m.language
    text = m.text
    amount_text = m.slots.get("amount")
    amount = transfers.amount_of(amount_text) if amount_text else transfers.parse_amount(text)
    payee = m.slots.get("payee", "")
    purpose = m.slots.get("purpose", "")
    if not payee:  # routed by the classifier: the parts from the whole request
        found = _PAYEE_RE.search(text)
        if found:
            payee, purpose = found.group("payee"), found.group("purpose") or ""
    if not payee:
        return reply(m, tr(lang, "To whom should I transfer the money?", "An wen soll ich das Geld überweisen?"),
                     error="no payee")
    purpose = re.sub(r"^(?:the|die|den|das|der)\s+", "", purpose.strip(), flags=re.IGNORECASE)
    purpose = purpose[:1].upper() + purpose[1:]
    try:
        draft = transfers.make_draft(d, payee, amount, purpose, text, lang)
    except transfers.TransferProblem as exc:
        return reply(m, str(exc), error="transfer not drafted")
    rec = transfers.request_transfer(d, draft, lang)
    spoken = transfers.summary(draft, lang, spoken=True) + phrase("approval.question", lang)
    return reply(m, spoken, rec.summary, approval=rec.info())


def _tan_digits(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw)
    if digits.isalnum() and any(c.isdigit() for c in digits):
        return digits
    said = [parse_number(w) for w in raw.split()]
    if said and all(n is not None and 0 <= n < 10 for n in said):
        return "".join(str(int(n or 0)) for n in said)
    return ""


def _said(m: IntentMatch, outcome: tuple[bool, str]) -> AgentReply:
    ok, text = outcome
    first = text.split("\n")[0]
    return reply(m, first, text, error=None if ok else first)


def _tan(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance import transfers

    tan = _tan_digits(m.slots.get("tan", ""))
    if not tan:
        return reply(m, tr(m.language, "I didn't catch the TAN. Say it again, digit by digit.",
                           "Ich habe die TAN nicht verstanden. Sag sie bitte noch einmal, Ziffer für Ziffer."),
                     error="no TAN")
    return _said(m, transfers.send_tan(d, tan))


def _app_done(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance import transfers

    return _said(m, transfers.app_approved(d))


def _cancel(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance import transfers

    return _said(m, transfers.cancel(d))


def _create_invoice(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.invoices.issue_actions import request_create
    from agents.finance.invoices.outgoing import InvoiceInputError, Item

    lang = m.language
    hours, rate = parse_number(m.slots.get("hours", "")), parse_number(m.slots.get("rate", ""))
    if hours is None or rate is None:
        return reply(m, tr(lang, "I didn't catch the hours and the hourly rate. Say for example: create an invoice "
                                 "to Müller for 8 hours consulting at 95 euros.",
                           "Ich habe Stunden und Stundensatz nicht verstanden. Sag zum Beispiel: erstelle eine "
                           "Rechnung an Müller über 8 Stunden Beratung zu 95 Euro."), error="no hours or rate")
    item = (m.slots.get("item") or tr(lang, "consulting", "Beratung")).strip()
    item = re.sub(r"^(?:of|for|für)\s+", "", item)
    item = item[:1].upper() + item[1:]
    try:
        rec = request_create(d, m.slots.get("customer", ""), (Item(item, Decimal(str(hours)), Decimal(str(rate))),),
                             lang)
    except InvoiceInputError as exc:
        text = exc.in_language(lang)
        return reply(m, text[:1].upper() + text[1:] + ".", error="invoice not drafted")
    return reply(m, rec.summary + phrase("approval.question", lang), approval=rec.info(),
                 tool_calls=[ToolCallInfo(name="finance.draft_invoice", args={"customer": m.slots.get("customer", "")})])


def _send_invoice(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.invoices.issue_actions import request_send
    from agents.finance.invoices.outgoing import InvoiceInputError

    lang = m.language
    try:
        rec = request_send(d, m.text, lang)
    except InvoiceInputError as exc:
        return reply(m, exc.in_language(lang), error="invoice not sent")
    return reply(m, rec.summary + phrase("approval.question", lang), approval=rec.info(),
                 tool_calls=[ToolCallInfo(name="finance.draft_invoice_mail", args={"invoice": rec.payload["mail"]["invoice"]})])


HANDLERS: dict[str, Handler] = {
    "FinanceBalance": _balance, "FinanceSpending": _spending, "FinanceSubscriptions": _subscriptions,
    "FinanceBudgetLeft": _budget_left, "FinanceOpenInvoices": _open_invoices,
    "FinancePayInvoice": _pay_invoice, "FinanceTransfer": _transfer,
    "TransferTan": _tan, "TransferAppDone": _app_done, "TransferCancel": _cancel,
    "FinanceCreateInvoice": _create_invoice, "FinanceSendInvoice": _send_invoice,
}

# the tax folder by voice (agents/finance/tax/voice.py): first, before FinanceSpending's broader templates
from agents.finance.tax.voice import TAX_HANDLERS, TAX_INTENTS  # noqa: E402

INTENTS = {**TAX_INTENTS, **INTENTS}
HANDLERS.update(TAX_HANDLERS)
