"""Local intents (EN+DE) for scheduled posts: "post 'hello' to Mastodon tomorrow at 9" drafts the post
and asks once, with the exact text, the networks and the time read back; after the yes
(``actions.run_schedule``) it waits in the database and goes out at its time (agents/social/scheduled.py).
"which posts are scheduled" lists them; "cancel my scheduled post(s)" cancels the waiting ones after a yes."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from agents.approvals import ApprovalRecord, ApprovalStore
from agents.deps import AssistantDeps
from agents.domains import Handler
from agents.local.handlers import no_service, reply
from agents.local.phrases import fmt_when, tr
from agents.local.recognizer import IntentMatch
from agents.local.slots import longest_span
from agents.local.templates import Intents
from agents.local.timeparse import When, parse_when
from agents.phrasebook import phrase
from agents.replies import AgentReply, ToolCallInfo
from agents.social.attachments import attached_now
from agents.social.hub import make_draft
from agents.social.intents import NET, NET_DE, draft_summary, networks_named, post_text
from agents.social.models import Draft
from agents.social.scheduled import scheduled
from agents.social.settings import SocialSettings

SCHEDULE = "social.schedule"
CANCEL_SCHEDULED = "social.cancel_scheduled"
DEFAULT_HOUR = 9  # "post this tomorrow": in the morning

SCHEDULE_INTENTS: Intents = {
    "SocialSchedule": {
        "en": [f"post {{text}} (to|on) {NET} {{when}}", f"post {{text}} {{when}} (to|on) {NET}",
               f"post [this|that] (to|on) {NET} {{when}} {{text}}", f"post [this|that] {{when}} (to|on) {NET} {{text}}",
               f"schedule [a post] (to|on|for) {NET} {{when}} {{text}}", f"schedule {{text}} (to|on|for) {NET} {{when}}"],
        "de": [f"poste {{text}} {{when}} (auf|bei|in) {NET_DE}", f"poste {{text}} (auf|bei|in) {NET_DE} {{when}}",
               f"poste [das|dies] {{when}} (auf|bei|in) {NET_DE} {{text}}",
               f"poste [das|dies] (auf|bei|in) {NET_DE} {{when}} {{text}}",
               f"(plane|plan) [einen beitrag] (auf|bei|für) {NET_DE} {{when}} {{text}}"],
    },
    "SocialScheduled": {
        "en": ["(which|what) posts are scheduled", "(list|show) [me] my scheduled posts",
               "what (is|have i) scheduled (on|for) (mastodon|bluesky)", "do i have [any] scheduled posts"],
        "de": ["welche beiträge sind geplant", "(zeig|zeige) [mir] meine geplanten beiträge",
               "was ist auf (mastodon|bluesky) geplant", "habe ich geplante beiträge"],
    },
    "SocialCancelScheduled": {
        "en": ["cancel my scheduled (post|posts)", "cancel the scheduled (post|posts)",
               "(delete|remove) my scheduled (post|posts)"],
        "de": ["(storniere|streiche|lösche) meine geplanten beiträge", "(storniere|streiche|lösche) meinen geplanten beitrag",
               "(brich|brech) den geplanten beitrag ab"],
    },
}

_SCHEDULE_VERB = re.compile(r"(?i)^\s*(?:schedule|plane|plan)(?:\s+(?:a post|einen beitrag))?\s+(?:to|on|for|auf|bei|für)\b")
_QUOTES = "\"'„“”‚‘’«»"
_TOKEN_EDGE = re.compile(r"^[\"'„“”‚‘’«»(,;]+|[\"'„“”‚‘’«»),;!?]+$")
_AFTER_NET = re.compile(r"(?i)^(?:mastodon|bluesky)[:,]?$")
_BEFORE_NET = re.compile(r"(?i)^(?:to|on|auf|bei|in|for|für)$")
_VERB = re.compile(r"(?i)^(?:post|poste|schedule|plane|plan|this|that|das|dies)$")


def _clean(token: str) -> str:
    return _TOKEN_EDGE.sub("", token).rstrip(":.").lower()


def scheduled_time(request: str, now: datetime) -> tuple[When, str] | None:
    """The time the user scheduled the post for and the request without it (case kept), or None when
    the request names no time outside the text to post: a time must stand next to the network, after
    the verb or after the quoted text, never inside quotes ("post 'lunch at 12 was great' to Mastodon" posts now)."""
    tokens = request.split()
    inside: list[bool] = []
    quoted = False
    for tok in tokens:
        bare = tok.rstrip(".!?,;:")
        opens, closes = tok[:1] in _QUOTES, bare[-1:] in _QUOTES
        if quoted:
            inside.append(True)
            quoted = not closes
        elif opens:
            inside.append(True)
            quoted = not (closes and len(bare) > 1)
        else:
            inside.append(False)
    words = [_clean(t) for t in tokens]
    best: tuple[int, int, When] | None = None
    for i in range(len(tokens)):
        if inside[i]:
            continue
        free = list(words)
        for k, q in enumerate(inside):
            if q:
                free[k] = "\x00"
        span = longest_span(free[i:], lambda s: None if "\x00" in s else parse_when(s, now))
        if span is None:
            continue
        a, b, when = span[0] + i, span[1] + i, span[2]
        if b - a == 1 and not re.search(r"\D", words[a]):
            continue  # a bare number is no time
        if a > 0 and tokens[a - 1].endswith(":"):
            continue  # "post on Mastodon: today there is cake" — what follows the colon is the text
        before = _clean(tokens[a - 1]) if a else ""
        after = _clean(tokens[b]) if b < len(tokens) else ""
        quote_ends = a > 0 and tokens[a - 1].rstrip(".!?,;:")[-1:] in _QUOTES
        stands = (quote_ends or bool(_AFTER_NET.match(before)) or bool(_VERB.match(before))
                  or bool(_BEFORE_NET.match(after)))
        if stands and (best is None or b - a > best[1] - best[0]):
            best = (a, b, when)
    if best is None:
        return None
    a, b, when = best
    rest = tokens[:a] + tokens[b:]
    if a > 0 and tokens[b - 1].endswith(":") and not rest[a - 1].endswith(":"):
        rest[a - 1] += ":"  # "post to Mastodon tomorrow at 9: hello" -> "post to Mastodon: hello"
    return when, " ".join(rest)


def due_time(when: When) -> datetime:
    return when.at if when.has_time else datetime.combine(when.at.date(), time(DEFAULT_HOUR), when.at.tzinfo)


def schedule_summary(draft: Draft, at: datetime, now: datetime, lang: str) -> str:
    return tr(lang, f"Scheduled {fmt_when(at, now, lang)}: ", f"Geplant {fmt_when(at, now, lang)}: ") \
        + draft_summary(draft, lang)


def refused_time(at: datetime, now: datetime, lang: str) -> str | None:
    """Why a post cannot be scheduled for ``at`` (passed, or more than a year away); None when it can."""
    if at <= now:
        return tr(lang, f"{fmt_when(at, now, lang)} has already passed: nothing was scheduled.",
                  f"{fmt_when(at, now, lang)} ist schon vorbei: nichts wurde geplant.")
    if at - now > timedelta(days=365):
        return tr(lang, "That is more than a year away: nothing was scheduled.",
                  "Das ist mehr als ein Jahr entfernt: nichts wurde geplant.")
    return None


def park_schedule(approvals: ApprovalStore, draft: Draft, at: datetime, now: datetime, lang: str,
                  provenance: list[str] | None = None) -> ApprovalRecord:
    """The scheduled post as a pending approval (voice, the Social screen and the API alike): after the yes it
    waits in the user's database (``schedule_actions.run_schedule``)."""
    summary = schedule_summary(draft, at, now, lang)
    return approvals.request(SCHEDULE, summary, {
        "post": {"networks": draft.networks, "text": draft.text, "visibility": draft.visibility,
                 "language": draft.language, "at": at.isoformat()},
        "draft": draft.model_dump(mode="json"), "at": at.isoformat(), "provenance": list(provenance or [])}, now)


def time_in_words(text: str, now: datetime) -> datetime | None:
    """A time said on its own ("tomorrow at 9", "morgen um 9", "Friday"; a day alone is 09:00), or None."""
    when = parse_when(text, now)
    return due_time(when) if when is not None else None


def _schedule(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    hub = d.services.social
    lang = m.language
    if hub is None or not hub.networks:
        return no_service(m, "social media account", "Social-Media-Konto")
    request = d.request or m.text
    now = d.now()
    found = scheduled_time(request, now)
    if found is None:
        return reply(m, tr(lang, "When shall I post it? Say a day and a time.",
                           "Wann soll ich es posten? Sag einen Tag und eine Uhrzeit."))
    when, rest = found
    at = due_time(when)
    refused = refused_time(at, now, lang)
    if refused:
        return reply(m, refused)
    rest = _SCHEDULE_VERB.sub("post on", rest)  # "schedule for Mastodon: ..." is said as a post
    text = post_text(rest, str(m.slots.get("text", "")))
    if not text or text.lower().strip(" .:!") in ("this", "that", "das", "dies"):
        return reply(m, tr(lang, "What shall I post?", "Was soll ich posten?"))
    nets = networks_named(request, hub.networks)
    missing = [n for n in nets if n not in hub.networks]
    if missing:
        return no_service(m, f"{' and '.join(missing)} account", f"{' und '.join(missing)}-Konto")
    cfg = d.domain_settings("social", SocialSettings)
    draft = make_draft(text, nets, visibility=cfg.visibility, language=lang, now=now, media=attached_now())
    rec = park_schedule(d.approvals, draft, at, now, lang, list(d.origins))
    d.pending.append(rec)
    return reply(m, rec.summary + phrase("approval.question", lang), approval=rec.info(),
                 tool_calls=[ToolCallInfo(name="social.schedule", args={"networks": nets, "at": at.isoformat()})])


def _list(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    lang = m.language
    now = d.now()
    waiting = scheduled(d.memory.db)
    call = ToolCallInfo(name="social.scheduled", args={})
    if not waiting:
        return reply(m, tr(lang, "No posts are scheduled.", "Es sind keine Beiträge geplant."), tool_calls=[call])
    lines = [f"{fmt_when(p.due_at.astimezone(d.tz), now, lang)}: „{p.text}“" if lang == "de" else
             f"{fmt_when(p.due_at.astimezone(d.tz), now, lang)}: \"{p.text}\"" for p in waiting]
    n = len(waiting)
    head = tr(lang, f"{n} scheduled post{'s' if n != 1 else ''}:", f"{n} geplante{'r' if n == 1 else ''} "
                                                                   f"Beitr{'ag' if n == 1 else 'äge'}:")
    return reply(m, " ".join([head, "; ".join(lines) + "."]), tool_calls=[call])


def _cancel(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    lang = m.language
    waiting = scheduled(d.memory.db)
    if not waiting:
        return reply(m, tr(lang, "No posts are scheduled.", "Es sind keine Beiträge geplant."))
    now = d.now()
    listed = "; ".join(f"{fmt_when(p.due_at.astimezone(d.tz), now, lang)}: \"{p.text}\"" for p in waiting)
    n = len(waiting)
    summary = tr(lang, f"Cancel {n} scheduled post{'s' if n != 1 else ''}: {listed}.",
                 f"{n} geplante{'n' if n == 1 else ''} Beitr{'ag' if n == 1 else 'äge'} streichen: {listed}.")
    rec = d.approvals.request(CANCEL_SCHEDULED, summary, {"ids": [p.id for p in waiting]}, now)
    d.pending.append(rec)
    return reply(m, summary + phrase("approval.question", lang), approval=rec.info())


SCHEDULE_HANDLERS: dict[str, Handler] = {
    "SocialSchedule": _schedule,
    "SocialScheduled": _list,
    "SocialCancelScheduled": _cancel,
}
