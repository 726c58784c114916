"""Cross-domain: "post a summary of today's meeting" (EN+DE). The meeting's own notes summary (made
after Stop by the meetings domain: the model's or the offline extractive one) is drafted as a post,
shown whole, and waits for the user's yes like every post (``actions.run_post``)."""

from __future__ import annotations

import re

from agents.deps import AssistantDeps
from agents.domains import Handler
from agents.local.handlers import no_service, reply
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import Intents
from agents.replies import AgentReply
from agents.social.attachments import attached_now
from agents.social.hub import make_draft
from agents.social.intents import NET, NET_DE, networks_named, request_post
from agents.social.settings import SocialSettings

_MEETING = "(today's meeting|the last meeting|my last meeting|today's call|the meeting)"
MEETING_INTENTS: Intents = {
    "SocialMeetingSummary": {
        "en": [f"post (a|the) summary of {_MEETING} [(to|on) {NET}]",
               f"(share|publish) (a|the) summary of {_MEETING} (on|to) {NET}"],
        "de": [f"poste (eine|die) zusammenfassung (des heutigen meetings|der heutigen besprechung|des letzten meetings|"
               f"der letzten besprechung|vom meeting heute) [(auf|bei) {NET_DE}]"],
    },
}
ASKS_FOR_MEETING_SUMMARY = re.compile(r"(?i)\b(?:summary|zusammenfassung)\b.*\b(?:meeting|call|besprechung)")
_TODAY = re.compile(r"(?i)\b(?:today|heute|heutigen)\b")


def _meeting_summary(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    from agents.meetings.store import MeetingStore

    hub = d.services.social
    lang = m.language
    if hub is None or not hub.networks:
        return no_service(m, "social media account", "Social-Media-Konto")
    request = d.request or m.text
    today = d.now().date()
    with_notes = [x for x in MeetingStore(d.memory.db).recent(20) if x.notes is not None and x.notes.summary.strip()]
    if _TODAY.search(request):
        with_notes = [x for x in with_notes if x.started_at.astimezone(d.tz).date() == today]
    if not with_notes:
        return reply(m, tr(lang, "No meeting of today has a summary yet: nothing to post." if _TODAY.search(request)
                           else "No meeting has a summary yet: nothing to post.",
                           "Kein Meeting von heute hat schon eine Zusammenfassung: nichts zu posten."
                           if _TODAY.search(request) else "Kein Meeting hat schon eine Zusammenfassung: nichts zu posten."))
    meeting = with_notes[0]
    assert meeting.notes is not None
    text = f"{meeting.title}: {meeting.notes.summary.strip()}" if meeting.title else meeting.notes.summary.strip()
    nets = networks_named(request, hub.networks)
    missing = [n for n in nets if n not in hub.networks]
    if missing:
        return no_service(m, f"{' and '.join(missing)} account", f"{' und '.join(missing)}-Konto")
    cfg = d.domain_settings("social", SocialSettings)
    draft = make_draft(text, nets, visibility=cfg.visibility, language=lang, now=d.now(), media=attached_now())
    return request_post(m, d, draft)


MEETING_HANDLERS: dict[str, Handler] = {"SocialMeetingSummary": _meeting_summary}
