"""The tax folder by voice and text (EN+DE), answered from the ledger without a model: "how much did I
spend on craftsmen this year for the tax return" / "wie viel habe ich dieses Jahr für Handwerker
ausgegeben" (the category's total, and for § 35a the labour share and the 20 % off the tax), and "what
can I deduct this year" / "was kann ich dieses Jahr von der Steuer absetzen" (every category's total).
Its templates come before ``FinanceSpending``'s, whose "how much did I spend on {what}" they would match."""

from __future__ import annotations

import re
from decimal import Decimal

from agents.deps import AssistantDeps
from agents.domains import Handler
from agents.local.handlers import reply
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import Intents
from agents.replies import AgentReply, ToolCallInfo

_CRAFT_EN = "(craftsmen|craftsman|tradesmen|tradespeople|handymen|handyman|repairs at home|household repairs)"
_HOUSE_EN = "(household services|household help|cleaners|a cleaner|the cleaner|cleaning services|gardeners|the gardener)"
_WORK_EN = "(work expenses|work related expenses|job expenses)"
_THING_EN = f"({_CRAFT_EN}|{_HOUSE_EN}|{_WORK_EN}|donations)"
_TAX_EN = "(for|on) (the|my) (tax return|taxes|tax)"
_YEAR_EN = "(this year|last year)"
_CRAFT_DE = "(handwerker|handwerkerleistungen|handwerkerrechnungen|reparaturen im haus)"
_HOUSE_DE = "(haushaltsnahe dienstleistungen|die putzhilfe|putzhilfe|reinigung|gartenpflege|den gärtner)"
_WORK_DE = "(werbungskosten|arbeitsmittel)"
_THING_DE = f"({_CRAFT_DE}|{_HOUSE_DE}|{_WORK_DE}|spenden)"
_YEAR_DE = "(dieses jahr|letztes jahr|im letzten jahr|vergangenes jahr|im vergangenen jahr|in diesem jahr)"

TAX_INTENTS: Intents = {
    "FinanceTaxSpending": {
        "en": [f"how much (did i|have i|did we|have we) (spend|spent|pay|paid) (on|for) {_THING_EN} [{_YEAR_EN}] "
               f"[{_TAX_EN}]",
               f"how much (did i|have i) (spend|spent|pay|paid) (on|for) {_THING_EN} {_TAX_EN} [{_YEAR_EN}]",
               f"what (did i|have i) (spend|spent|pay|paid) (on|for) {_THING_EN} [{_YEAR_EN}] [{_TAX_EN}]",
               f"what can i (claim|deduct) [(on|in|for) my (tax return|taxes)] [{_YEAR_EN}]",
               f"(show|give) [me] my tax (summary|folder|deductions) [(for|of)] [{_YEAR_EN}]",
               f"how much (can|could) i (claim|deduct) for {_THING_EN} [{_YEAR_EN}]"],
        "de": [f"(wie viel|wieviel|was) (habe|hab|haben) (ich|wir) [{_YEAR_DE}] (für|an) {_THING_DE} (ausgegeben|bezahlt|gezahlt) "
               "[(für die|zur) (steuer|steuererklärung)]",
               f"(wie viel|wieviel|was) (habe|hab) ich [{_YEAR_DE}] (für die|zur) (steuer|steuererklärung) (für|an) "
               f"{_THING_DE} (ausgegeben|bezahlt)",
               f"was kann ich [{_YEAR_DE}] [von der steuer|steuerlich] absetzen",
               f"(zeig|zeige) [mir] [meinen|den] steuerordner [für] [{_YEAR_DE}]",
               f"wie viel kann ich [{_YEAR_DE}] für {_THING_DE} [von der steuer] absetzen"],
    },
    "FinanceLastReceipt": {
        "en": ["how much was my last receipt", "what was my last receipt", "(show|read|tell) [me] my last receipt",
               "what did my last receipt (say|come to|cost)", "how much was the last receipt"],
        "de": ["wie viel war (mein letzter|auf meinem letzten) (beleg|kassenbon|bon|quittung)",
               "was war mein letzter (beleg|kassenbon|bon)", "(zeig|zeige|lies) [mir] meinen letzten (beleg|kassenbon|bon)",
               "wie hoch war mein letzter (beleg|kassenbon|bon)"],
    },
}
_LAST_YEAR = re.compile(r"\b(last year|letztes jahr|letzten jahr|vergangenes jahr|vergangenen jahr)\b")
_A_YEAR = re.compile(r"\b(20\d\d)\b")
_WHICH = [("craftsmen", re.compile(r"craft|trades|handym|repair|handwerk|reparatur")),
          ("household", re.compile(r"household|clean|garden|haushaltsnah|putz|reinigung|gartenpflege|gärtner")),
          ("work_expenses", re.compile(r"work|job|werbungskosten|arbeitsmittel")),
          ("special", re.compile(r"donation|spende"))]


def _year(text: str, this_year: int) -> int:
    t = text.lower()
    if (m := _A_YEAR.search(t)) is not None:
        return int(m.group(1))
    return this_year - 1 if _LAST_YEAR.search(t) else this_year


def _tax_spending(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.spoken import say_amount, show_amount
    from agents.finance.tax.categories import BY_KEY
    from agents.finance.tax.folder import build_folder

    lang = m.language
    now = d.now()
    year = _year(m.text, now.year)
    key = next((k for k, pat in _WHICH if pat.search(m.text.lower())), None)
    call = ToolCallInfo(name="finance.tax_folder", args={"year": str(year), "category": key or ""})
    with d.memory.db.session() as s:
        folder = build_folder(s, year)
    sums = {sm.key: sm for sm in folder.sums()}
    when = tr(lang, "this year", "dieses Jahr") if year == now.year else \
        tr(lang, "last year", "letztes Jahr") if year == now.year - 1 else tr(lang, f"in {year}", f"{year}")
    if key is not None:
        c = BY_KEY[key]
        name = c.spoken(lang)
        sm = sums.get(key)
        if sm is None:
            return reply(m, tr(lang, f"I found nothing for {name} {when}.", f"Ich habe {when} nichts für {name} gefunden."),
                         tool_calls=[call])
        total = say_amount(sm.total, "EUR", lang)
        spoken = tr(lang, f"{when[:1].upper() + when[1:]} you spent {total} on {name} ({sm.count} item{'s' if sm.count != 1 else ''}).",
                    f"Du hast {when} {total} für {name} ausgegeben ({sm.count} Posten).")
        if c.labour:
            labour = say_amount(sm.labour, "EUR", lang)
            cut = say_amount(sm.reduction or Decimal(0), "EUR", lang)
            spoken += tr(lang, f" The labour share is {labour}; 20 percent of it, {cut}, comes off your tax.",
                         f" Der Arbeitsanteil ist {labour}; 20 Prozent davon, {cut}, gehen von der Steuer ab.")
            if sm.missing_labour:
                spoken += tr(lang, f" For {sm.missing_labour} of them I have no invoice naming the labour share.",
                             f" Bei {sm.missing_labour} davon fehlt mir eine Rechnung mit dem Arbeitsanteil.")
        lines = [f"{i.day.isoformat()} {i.description}: {show_amount(i.amount, i.currency, lang)}"
                 for i in folder.items if i.category == key]
        return reply(m, spoken, "\n".join(lines), tool_calls=[call])
    if not sums:
        return reply(m, tr(lang, f"I found nothing for the tax return {when}.",
                           f"Ich habe {when} nichts für die Steuererklärung gefunden."), tool_calls=[call])
    parts = [f"{BY_KEY[k].spoken(lang)} {say_amount(sm.total, 'EUR', lang)}"
             for k, sm in sums.items()]
    spoken = tr(lang, f"For the tax return {when}: {', '.join(parts)}.",
                f"Für die Steuererklärung {when}: {', '.join(parts)}.")
    lines = [f"{BY_KEY[k].de if lang == 'de' else BY_KEY[k].en} ({BY_KEY[k].form}): "
             f"{show_amount(sm.total, 'EUR', lang)}" for k, sm in sums.items()]
    return reply(m, spoken, "\n".join(lines), tool_calls=[call])


def _last_receipt(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.finance.receipts.store import receipts
    from agents.finance.spoken import say_amount, show_amount
    from agents.local.phrases import fmt_date

    lang = m.language
    call = ToolCallInfo(name="finance.last_receipt", args={})
    with d.memory.db.session() as s:
        rows = receipts(s)
    if not rows:
        return reply(m, tr(lang, "You have no receipts yet.", "Du hast noch keine Belege."), tool_calls=[call])
    r = rows[0]
    shop = r.vendor or tr(lang, "an unknown shop", "einem unbekannten Geschäft")
    when = fmt_date(r.day, lang, year=r.day.year != d.now().year) if r.day else ""
    if r.amount is None:
        spoken = tr(lang, f"On your last receipt, from {shop}, I found no amount.",
                    f"Auf deinem letzten Beleg, von {shop}, habe ich keinen Betrag gefunden.")
        return reply(m, spoken, tool_calls=[call])
    on_en, on_de = (f" on {when}", f" vom {when}") if when else ("", "")
    spoken = tr(lang, f"Your last receipt{on_en} is from {shop}: {say_amount(r.amount, r.currency, lang)}.",
                f"Dein letzter Beleg{on_de} ist von {shop}: {say_amount(r.amount, r.currency, lang)}.")
    return reply(m, spoken, f"{shop}: {show_amount(r.amount, r.currency, lang)}", tool_calls=[call])


TAX_HANDLERS: dict[str, Handler] = {"FinanceTaxSpending": _tax_spending, "FinanceLastReceipt": _last_receipt}
