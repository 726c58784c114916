"""What the communication tools found, worded for the user (EN/DE): the answer when the tools word a
turn's results (agents/worded.py). Mail and message texts are quoted: they are someone else's words."""

from __future__ import annotations

from datetime import datetime

from agents.deps import AssistantDeps, ServiceError
from agents.local.phrases import fmt_date, fmt_time, tr
from agents.models import CalendarEvent, ChatMessage, MailMessage, MailSummary
from agents.worded import quoted

_LISTED = 6  # items read out by name; the rest are counted


def _more(n: int, lang: str) -> list[str]:
    """The line that counts what was not read out (none when all was)."""
    return [tr(lang, f"And {n} more.", f"Und {n} weitere.")] if n > 0 else []


def _who(sender: str, name: str | None = None) -> str:
    if name:
        return name
    return sender.split("<")[0].strip().strip('"') or sender


def events(found: list[CalendarEvent], start: datetime, end: datetime, deps: AssistantDeps, words: str = "") -> str:
    """The events found, or what was looked for and where (``words``: of a title searched for)."""
    lang, tz = deps.language, deps.tz
    s, e = start.astimezone(tz), end.astimezone(tz)
    if not found and words:
        return tr(lang, f"I found no event {quoted(words, lang, 80)} in your calendar up to {fmt_date(e.date(), lang)}.",
                  f"Ich habe bis {fmt_date(e.date(), lang)} keinen Termin {quoted(words, lang, 80)} in deinem Kalender "
                  "gefunden.")
    if not found:
        if s.date() == e.date() or (e - s).total_seconds() <= 86_400:
            return tr(lang, f"Nothing is in your calendar on {fmt_date(s.date(), lang)}.",
                      f"Am {fmt_date(s.date(), lang)} steht nichts in deinem Kalender.")
        return tr(lang, f"Nothing is in your calendar from {fmt_date(s.date(), lang)} to {fmt_date(e.date(), lang)}.",
                  f"Von {fmt_date(s.date(), lang)} bis {fmt_date(e.date(), lang)} steht nichts in deinem Kalender.")
    lines: list[str] = []
    for ev in sorted(found, key=lambda x: x.start)[:_LISTED * 2]:
        a, b = ev.start.astimezone(tz), ev.end.astimezone(tz)
        when = (fmt_date(a.date(), lang) if ev.all_day
                else f"{fmt_date(a.date(), lang)}, {fmt_time(a, lang)}–{fmt_time(b, lang)}")
        where = f" ({ev.location})" if ev.location else ""
        lines.append(f"{when}: {quoted(ev.title, lang, 200)}{where}")
    return "\n".join(lines + _more(len(found) - len(lines), lang))


def mails(found: list[MailSummary], deps: AssistantDeps) -> str:
    """Few mails are read out (their text); more are listed by sender and subject."""
    lang = deps.language
    if not found:
        return tr(lang, "I found no such e-mail.", "Ich habe keine solche E-Mail gefunden.")
    if len(found) <= 2 and deps.services.mail is not None:
        full: list[str] = []
        for m in found:
            try:
                full.append(mail(deps.services.mail.get(m.id), deps))
            except ServiceError:
                full.append(_line(m, deps))
        return "\n".join(full)
    head = tr(lang, f"{len(found)} e-mails:", f"{len(found)} E-Mails:")
    lines = [_line(m, deps) for m in found[:_LISTED]]
    return "\n".join([head, *lines, *_more(len(found) - len(lines), lang)])


def _line(m: MailSummary, deps: AssistantDeps) -> str:
    lang = deps.language
    new = tr(lang, " (unread)", " (ungelesen)") if m.unread else ""
    gist = f": {quoted(m.snippet, lang, 160)}" if m.snippet else ""
    return f"{_who(m.sender, m.sender_name)}{new}, {quoted(m.subject, lang, 120)}{gist}"


def mail(m: MailMessage, deps: AssistantDeps) -> str:
    lang = deps.language
    day = fmt_date(m.date.astimezone(deps.tz).date(), lang)
    return tr(lang, f"{_who(m.sender, m.sender_name)} wrote on {day}, subject {quoted(m.subject, lang, 120)}: "
                    f"{quoted(m.body or m.snippet, lang)}",
              f"{_who(m.sender, m.sender_name)} schrieb am {day}, Betreff {quoted(m.subject, lang, 120)}: "
              f"{quoted(m.body or m.snippet, lang)}")


def chats(found: list[ChatMessage], deps: AssistantDeps) -> str:
    lang = deps.language
    if not found:
        return tr(lang, "There are no messages.", "Es gibt keine Nachrichten.")
    lines = []
    for x in found[:_LISTED]:
        at = x.date.astimezone(deps.tz)
        chat = f" ({x.chat})" if x.chat and x.chat != x.sender else ""
        lines.append(f"{x.sender}{chat}, {fmt_time(at, lang)}: {quoted(x.text, lang, 300)}")
    return "\n".join(lines + _more(len(found) - len(lines), lang))
