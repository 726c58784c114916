"""Local intents of the social domain (EN+DE), offline: read mentions, the timeline digest (top posts by
replies and boosts), and post / reply / delete drafts that wait for the user's yes (``actions.py`` runs
them). Other people's posts are only read out, never acted on: nothing here takes an instruction from
a post."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from agents.deps import AssistantDeps, ServiceError
from agents.domains import Handler
from agents.local.handlers import no_service, reply
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import Intents, Lang
from agents.phrasebook import phrase
from agents.replies import AgentReply, ToolCallInfo
from agents.social.actions import DELETE, POST
from agents.social.hub import make_draft, rank
from agents.social.models import NETWORK_NAMES, NETWORKS, Draft, Network
from agents.social.settings import SocialSettings
from agents.social.text import spoken_post

if TYPE_CHECKING:
    from datetime import datetime

    from agents.approvals import ApprovalRecord, ApprovalStore
    from agents.deps import SocialService

NET = "(mastodon|bluesky|mastodon and bluesky|bluesky and mastodon)"
NET_DE = "(mastodon|bluesky|mastodon und bluesky|bluesky und mastodon)"

INTENTS: Intents = {
    "SocialMentions": {
        "en": ["read [me] my mentions", "read [me] my [new] (mastodon|bluesky) mentions", "(any|are there) new mentions",
               f"read [me] my mentions on {NET}", f"(any|are there) [new] mentions on {NET}",
               "(do i have|have i got) [any] new mentions [on (mastodon|bluesky)]",
               "who mentioned me [on (mastodon|bluesky)]", "did anyone (mention|reply to) me on (mastodon|bluesky)",
               "(check|show [me]) my mentions [on (mastodon|bluesky)]"],
        "de": ["lies [mir] meine erwähnungen [vor]", f"lies [mir] meine erwähnungen auf {NET_DE} [vor]",
               "(gibt es|gibts) neue erwähnungen [auf (mastodon|bluesky)]",
               "hat mich jemand [auf (mastodon|bluesky)] erwähnt",
               "hat mir jemand auf (mastodon|bluesky) geantwortet", "wer hat mich auf (mastodon|bluesky) erwähnt",
               "(zeig|zeige) [mir] meine erwähnungen [auf (mastodon|bluesky)]"],
    },
    "SocialDigest": {
        "en": ["what's new on (mastodon|bluesky)", "what is new on (mastodon|bluesky)",
               "what's happening on (mastodon|bluesky)", "what's going on on (mastodon|bluesky)",
               "(summarize|summarise) my (timeline|feed)", "what's new in my (timeline|feed)",
               "read [me] my (mastodon|bluesky) (timeline|feed)", "[give me] my (timeline|feed) digest"],
        "de": ["was gibt's neues auf (mastodon|bluesky)", "was gibt es neues auf (mastodon|bluesky)",
               "was gibts neues auf (mastodon|bluesky)", "was ist los auf (mastodon|bluesky)",
               "was ist neu auf (mastodon|bluesky)", "was gibt's neues in meiner (timeline|zeitleiste)",
               "(fass|fasse) meine (timeline|zeitleiste) zusammen", "lies [mir] meine (timeline|zeitleiste) vor"],
    },
    "SocialPost": {
        "en": [f"post [this|that] (to|on) {NET} {{text}}", f"post {{text}} (to|on) {NET}", "(toot|tweet) {text}",
               "skeet {text}", f"share {{text}} on {NET}", f"publish {{text}} on {NET}"],
        "de": [f"poste [das|dies] (auf|bei|in) {NET_DE} {{text}}", f"poste {{text}} (auf|bei|in) {NET_DE}",
               f"(veröffentliche|teile) {{text}} auf {NET_DE}", f"(schreib|schreibe) auf {NET_DE} {{text}}"],
    },
    "SocialReply": {
        "en": [f"(reply|answer) to my last mention [on {NET}] {{text}}",
               "(reply|answer) to the last mention [on (mastodon|bluesky)] {text}"],
        "de": ["(antworte|antwort) auf die letzte erwähnung [auf (mastodon|bluesky)] {text}",
               "(antworte|antwort) auf meine letzte erwähnung [auf (mastodon|bluesky)] {text}"],
    },
    "SocialDeleteLast": {
        "en": ["delete my last (post|toot|skeet) [on (mastodon|bluesky)]",
               "(remove|take down) my last (post|toot|skeet) [on (mastodon|bluesky)]"],
        "de": ["(lösche|lösch) meinen letzten (post|beitrag|toot|skeet) [auf (mastodon|bluesky)]",
               "(entferne|entfern) meinen letzten (post|beitrag) [auf (mastodon|bluesky)]"],
    },
}

SAY_BACK: dict[str, dict[Lang, str]] = {
    "SocialMentions": {"en": "read my mentions", "de": "lies meine Erwähnungen vor"},
    "SocialDigest": {"en": "what's new on my timeline", "de": "was gibt's Neues in meiner Timeline"},
}

_NET_WORDS = re.compile(r"\b(mastodon|bluesky)\b", re.IGNORECASE)
_QUOTES = "\"'„“”‚‘’«»"
# the words around a post's text in the user's own request (its case and punctuation kept)
_TEXT_AFTER = re.compile(
    r"(?is)\b(?:post|toot|tweet|skeet|poste|schreib|schreibe)\b\s+(?:(?:this|that|das|dies)\s+)?"
    r"(?:(?:to|on|auf|bei|in)\s+)?"
    r"(?:(?:mastodon|bluesky)(?:\s+(?:and|und)\s+(?:mastodon|bluesky))?\s*[:,]?\s*)?(?P<text>.+)$")
_TEXT_BEFORE = re.compile(
    r"(?is)\b(?:post|share|publish|poste|veröffentliche|teile)\s+(?P<text>.+?)\s+(?:to|on|auf|bei|in)\s+"
    r"(?:mastodon|bluesky)(?:\s+(?:and|und)\s+(?:mastodon|bluesky))?\s*[.!]?\s*$")
_REPLY_TEXT = re.compile(r"(?is)\b(?:mention|erwähnung)\b(?:\s+(?:on|auf)\s+(?:mastodon|bluesky))?\s*[:,]?\s*(?P<text>.+)$")


def networks_named(text: str, available: list[Network]) -> list[Network]:
    """The networks the request names, in the order of NETWORKS; none named: every connected one."""
    named = {w.lower() for w in _NET_WORDS.findall(text)}
    chosen = [n for n in NETWORKS if n in named]
    return chosen or list(available)


def _unquoted(text: str) -> str:
    t = text.strip()
    if len(t) >= 2 and t[0] in _QUOTES and t[-1] in _QUOTES:
        t = t[1:-1].strip()
    return t


def post_text(request: str, slot: str) -> str:
    """The text to post as the user said or typed it (case and punctuation kept; the quotes around it
    dropped); the recognizer's slot when the request has another shape."""
    before = _TEXT_BEFORE.search(request)
    if before:
        return _unquoted(before.group("text"))
    after = _TEXT_AFTER.search(request)
    if after and not _NET_WORDS.fullmatch(after.group("text").strip(" .!")):
        return _unquoted(after.group("text"))
    return _unquoted(slot)


def _hub(d: AssistantDeps) -> SocialService | None:
    hub = d.services.social
    return hub if hub is not None and hub.networks else None


def _names(nets: list[Network], lang: str) -> str:
    words = [NETWORK_NAMES[n] for n in nets]
    return (tr(lang, " and ", " und ")).join(words)


def _mentions(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    hub = _hub(d)
    lang = m.language
    if hub is None:
        return no_service(m, "social media account", "Social-Media-Konto")
    nets = networks_named(m.text, hub.networks)
    call = ToolCallInfo(name="social.mentions", args={"networks": nets})
    cfg = d.domain_settings("social", SocialSettings)
    try:
        found = hub.mentions(nets)
    except ServiceError as exc:
        return reply(m, tr(lang, f"I could not read your mentions: {exc}.", f"Ich konnte deine Erwähnungen "
                                                                           f"nicht lesen: {exc}."),
                     tool_calls=[call], error=str(exc))
    for n in found:
        d.heard_from(f"{NETWORK_NAMES[n.network]}: {n.handle}")
    if not found:
        return reply(m, tr(lang, f"No new mentions on {_names(nets, lang)}.",
                           f"Keine neuen Erwähnungen auf {_names(nets, lang)}."), tool_calls=[call])
    lines = [spoken_post(n.post, lang) for n in found if n.post is not None][:cfg.mentions_read]
    count = len(found)
    head = tr(lang, f"{count} mention{'s' if count != 1 else ''} on {_names(nets, lang)}.",
              f"{count} Erwähnung{'en' if count != 1 else ''} auf {_names(nets, lang)}.")
    return reply(m, " ".join([head, *lines]), tool_calls=[call])


def _digest(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    hub = _hub(d)
    lang = m.language
    if hub is None:
        return no_service(m, "social media account", "Social-Media-Konto")
    nets = networks_named(m.text, hub.networks)
    cfg = d.domain_settings("social", SocialSettings)
    call = ToolCallInfo(name="social.timeline", args={"networks": nets})
    try:
        posts = hub.timeline(nets)
    except ServiceError as exc:
        return reply(m, tr(lang, f"I could not read your timeline: {exc}.",
                           f"Ich konnte deine Timeline nicht lesen: {exc}."), tool_calls=[call], error=str(exc))
    from agents.social.seen import mark_seen, seen_until, unseen

    seen = seen_until(d.memory.db, list(nets))
    posts = unseen(posts, seen)  # "what's new": since the last digest
    since = min(seen.values()) if seen else None
    when = tr(lang, " since last time", " seit dem letzten Mal") if since else ""
    if not posts:
        return reply(m, tr(lang, f"Nothing new on {_names(nets, lang)}{when}.",
                           f"Nichts Neues auf {_names(nets, lang)}{when}."), tool_calls=[call])
    top = rank(posts, cfg.digest_size)
    for p in top:
        d.heard_from(f"{NETWORK_NAMES[p.network]}: {p.handle}")
    mark_seen(d.memory.db, posts)
    # the model words the digest only where models word answers (``llm.answers = "model"``): a small model's
    # summary turned a post that asks the assistant to delete things into "Carol deleted her account" and left
    # out the most discussed post (eval s-news-de); where tools word answers the digest quotes the posts.
    model = d.llm() if d.llm is not None and not d.one_call else None
    if model is not None:  # it words the digest (the posts fenced, never followed)
        from agents.social.summary import summarize

        said = summarize(model, rank(posts, len(posts)), lang)
        if said:
            head = tr(lang, f"{len(posts)} new posts on {_names(nets, lang)}{when}, in short:",
                      f"{len(posts)} neue Beiträge auf {_names(nets, lang)}{when}, kurz gesagt:")
            return reply(m, f"{head} {said}", tool_calls=[call])
    head = tr(lang, f"The most discussed of {len(posts)} new posts on {_names(nets, lang)}{when}:",
              f"Am meisten diskutiert von {len(posts)} neuen Beiträgen auf {_names(nets, lang)}{when}:")
    lines = [spoken_post(p, lang) + tr(lang, f" ({p.replies} replies, {p.boosts} boosts)",
                                       f" ({p.replies} Antworten, {p.boosts} Boosts)") for p in top]
    return reply(m, " ".join([head, *lines]), tool_calls=[call])


def draft_summary(draft: Draft, lang: str) -> str:
    """What the approval says, exactly: networks, the text, thread size, visibility, CW, language."""
    nets = _names(draft.networks, lang)
    threads = [f"{NETWORK_NAMES[n]}: {len(p)}" for n, p in draft.parts.items() if len(p) > 1]
    thread = tr(lang, f" as a thread ({', '.join(threads)} posts)", f" als Thread ({', '.join(threads)} Beiträge)") \
        if threads else ""
    cw = tr(lang, f", content warning \"{draft.cw}\"", f", Inhaltswarnung „{draft.cw}“") if draft.cw else ""
    what = tr(lang, "Reply", "Antwort") if draft.reply_to else tr(lang, "Post", "Beitrag")
    for img in draft.media:  # each image with its alt text, as it will be described
        cw += tr(lang, f", image with alt text \"{img.alt}\"", f", Bild mit Alternativtext „{img.alt}“")
    return tr(lang, f"{what} on {nets}{thread} ({draft.visibility}{cw}, language {draft.language}): \"{draft.text}\".",
              f"{what} auf {nets}{thread} ({draft.visibility}{cw}, Sprache {draft.language}): „{draft.text}“.")


def park_post(approvals: ApprovalStore, draft: Draft, lang: str, now: datetime,
              provenance: list[str] | None = None) -> ApprovalRecord:
    """The draft as a pending approval (what it shows: networks, text, visibility, CW, language, thread
    sizes); after the yes ``actions.run_post`` publishes exactly this draft."""
    shown = {"networks": [NETWORK_NAMES[n] for n in draft.networks], "text": draft.text,
             "visibility": draft.visibility, "content_warning": draft.cw or None, "language": draft.language,
             "thread": {NETWORK_NAMES[n]: len(p) for n, p in draft.parts.items() if len(p) > 1} or None,
             "images": [{"file": Path(m.path).name, "alt": m.alt} for m in draft.media] or None}
    return approvals.request(POST, draft_summary(draft, lang), {"post": shown, "draft": draft.model_dump(mode="json"),
                                                                "provenance": list(provenance or [])}, now)


def request_post(m: IntentMatch, d: AssistantDeps, draft: Draft) -> AgentReply:
    summary = draft_summary(draft, m.language)
    rec = park_post(d.approvals, draft, m.language, d.now(), d.origins)
    d.pending.append(rec)
    return reply(m, summary + phrase("approval.question", m.language), approval=rec.info(),
                 tool_calls=[ToolCallInfo(name="social.draft", args={"networks": draft.networks})])


def _post(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    hub = _hub(d)
    if hub is None:
        return no_service(m, "social media account", "Social-Media-Konto")
    from agents.social.schedule_intents import SCHEDULE_HANDLERS, scheduled_time

    if scheduled_time(d.request or m.text, d.now()) is not None:  # "... to Mastodon tomorrow at 9": later
        return SCHEDULE_HANDLERS["SocialSchedule"](m, d)
    from agents.social.meeting_post import ASKS_FOR_MEETING_SUMMARY, MEETING_HANDLERS

    quoted = re.search(r"[\"„“”«»‚‘]|(?:^|\s)'", d.request or m.text)  # the user's own words in quotes: post those
    if ASKS_FOR_MEETING_SUMMARY.search(d.request or m.text) and not quoted:
        return MEETING_HANDLERS["SocialMeetingSummary"](m, d)  # the meeting's summary, not these words
    text = post_text(d.request or m.text, str(m.slots.get("text", "")))
    if not text:
        return reply(m, tr(m.language, "What shall I post?", "Was soll ich posten?"))
    nets = networks_named(d.request or m.text, hub.networks)
    missing = [n for n in nets if n not in hub.networks]
    if missing:
        return no_service(m, f"{_names(missing, 'en')} account", f"{_names(missing, 'de')}-Konto")
    cfg = d.domain_settings("social", SocialSettings)
    from agents.social.attachments import attached_now

    draft = make_draft(text, nets, visibility=cfg.visibility, language=m.language, now=d.now(), media=attached_now())
    return request_post(m, d, draft)


def _reply(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    hub = _hub(d)
    lang = m.language
    if hub is None:
        return no_service(m, "social media account", "Social-Media-Konto")
    nets = networks_named(d.request or m.text, hub.networks)
    try:
        last = next((n for n in hub.mentions(nets) if n.post is not None), None)
    except ServiceError as exc:
        return reply(m, tr(lang, f"I could not read your mentions: {exc}.",
                           f"Ich konnte deine Erwähnungen nicht lesen: {exc}."), error=str(exc))
    if last is None or last.post is None:
        return reply(m, tr(lang, "There is no mention to reply to.", "Es gibt keine Erwähnung zum Antworten."))
    found = _REPLY_TEXT.search(d.request or "")
    text = _unquoted(found.group("text")) if found else _unquoted(str(m.slots.get("text", "")))
    d.heard_from(f"{NETWORK_NAMES[last.network]}: {last.handle}")
    cfg = d.domain_settings("social", SocialSettings)
    draft = make_draft(text, [last.network], visibility=cfg.visibility, language=lang,
                       reply_to={last.network: last.post.id}, now=d.now())
    return request_post(m, d, draft)


def _delete_last(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    hub = _hub(d)
    lang = m.language
    if hub is None:
        return no_service(m, "social media account", "Social-Media-Konto")
    nets = networks_named(d.request or m.text, hub.networks)
    network = nets[0]
    try:
        own = hub.own_posts(network, 1)
    except ServiceError as exc:
        return reply(m, tr(lang, f"I could not read your posts: {exc}.",
                           f"Ich konnte deine Beiträge nicht lesen: {exc}."), error=str(exc))
    if not own:
        return reply(m, tr(lang, f"You have no posts on {NETWORK_NAMES[network]}.",
                           f"Du hast keine Beiträge auf {NETWORK_NAMES[network]}."))
    post = own[0]
    summary = tr(lang, f"Delete your last post on {NETWORK_NAMES[network]}: \"{post.text}\".",
                 f"Deinen letzten Beitrag auf {NETWORK_NAMES[network]} löschen: „{post.text}“.")
    rec = d.approvals.request(DELETE, summary, {"post": {"network": NETWORK_NAMES[network], "text": post.text},
                                                "target": {"network": network, "id": post.id}}, d.now())
    d.pending.append(rec)
    return reply(m, summary + phrase("approval.question", lang), approval=rec.info())


HANDLERS: dict[str, Handler] = {
    "SocialMentions": _mentions,
    "SocialDigest": _digest,
    "SocialPost": _post,
    "SocialReply": _reply,
    "SocialDeleteLast": _delete_last,
}
