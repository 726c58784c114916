"""Local intents (EN+DE) to boost (repost) or like a post: "boost Anna's last post", "like the last post
from Bob on Bluesky", "like that" (the newest mention: what "read my mentions" just read out). The post is
found and shown first; the boost or like waits for the user's yes (``run_react``). Other people's
posts are only acted on when the user's own words ask for it, never because a post says so."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agents.deps import AssistantDeps, ServiceError
from agents.domains import Handler
from agents.local.handlers import no_service, reply
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import Intents
from agents.phrasebook import phrase
from agents.replies import AgentReply, ToolCallInfo
from agents.social.intents import networks_named
from agents.social.models import NETWORK_NAMES, Post, Reaction
from agents.social.text import speakable

if TYPE_CHECKING:
    from agents.approvals import ApprovalRecord
    from agents.domains import ActionRunner

REACT = "social.react"
_BOOST = "(boost|reblog|repost)"
_LIKE = "(like|favourite|favorite)"
_POST = "(post|toot|skeet)"
_NETS = "[on (mastodon|bluesky)]"
_NETS_DE = "[auf (mastodon|bluesky)]"

REACT_INTENTS: Intents = {
    "SocialReact": {
        "en": [f"{_BOOST} {{person}}'s last {_POST} {_NETS}", f"{_LIKE} {{person}}'s last {_POST} {_NETS}",
               f"{_BOOST} the last {_POST} (from|by|of) {{person}} {_NETS}",
               f"{_LIKE} the last {_POST} (from|by|of) {{person}} {_NETS}",
               f"({_BOOST}|{_LIKE}) (that|this|it) [{_POST}|mention]",
               f"({_BOOST}|{_LIKE}) my last mention {_NETS}"],
        "de": [f"(booste|boost|reposte|repost|like) den letzten (beitrag|post) von {{person}} {_NETS_DE}",
               f"(booste|boost|reposte|repost|like) {{person}}s letzten (beitrag|post) {_NETS_DE}",
               "(booste|boost|reposte|like) (das|den|diesen beitrag|diese erwähnung)",
               f"(booste|boost|reposte|like) meine letzte erwähnung {_NETS_DE}"],
    },
}

_LIKE_WORD = re.compile(r"(?i)\b(?:like|favou?rite|gefällt)\b")
_PERSON_OF = re.compile(r"(?i)\b(?:from|by|of|von)\s+(?P<p>[^\s,.!?]+(?:\s+[A-Z][^\s,.!?]*)?)")
_PERSON_S = re.compile(r"(?i)\b(?P<p>[^\s,.!?]+?)(?:'s|’s|s)\s+(?:last|letzten)\b")


def reaction_of(text: str) -> Reaction:
    return "like" if _LIKE_WORD.search(text) else "boost"


def _person(m: IntentMatch, request: str) -> str:
    said = str(m.slots.get("person", "")).strip()
    if said:
        return said
    found = _PERSON_OF.search(request) or _PERSON_S.search(request)
    return found.group("p") if found else ""


def _matches(p: Post, who: str) -> bool:
    w = who.casefold().removesuffix("'s").removesuffix("’s")
    return w in p.author.casefold() or w in p.handle.casefold().split("@")[0].split(".")[0]


def _react(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    hub = d.services.social
    lang = m.language
    if hub is None or not hub.networks:
        return no_service(m, "social media account", "Social-Media-Konto")
    request = d.request or m.text
    kind = reaction_of(request)
    nets = networks_named(request, hub.networks)
    who = _person(m, request)
    try:
        if who:
            found = [p for p in hub.timeline(nets) if _matches(p, who)]
            found.sort(key=lambda p: p.created_at.timestamp() if p.created_at else 0.0, reverse=True)
        else:
            found = [n.post for n in hub.mentions(nets) if n.post is not None]
    except ServiceError as exc:
        return reply(m, tr(lang, f"I could not read the posts: {exc}.", f"Ich konnte die Beiträge nicht lesen: {exc}."),
                     error=str(exc))
    if not found:
        where = tr(lang, " and ", " und ").join(NETWORK_NAMES[n] for n in nets)
        return reply(m, tr(lang, f"I found no recent post by {who} on {where}." if who else
                           f"There is no mention on {where} to react to.",
                           f"Ich habe keinen neuen Beitrag von {who} auf {where} gefunden." if who else
                           f"Auf {where} gibt es keine Erwähnung dafür."))
    post = found[0]
    d.heard_from(f"{NETWORK_NAMES[post.network]}: {post.handle}")
    net = NETWORK_NAMES[post.network]
    text = speakable(post.text, lang=lang)
    if kind == "like":
        summary = tr(lang, f"Like {post.author}'s post on {net}: \"{text}\".",
                     f"Den Beitrag von {post.author} auf {net} liken: „{text}“.")
    else:
        summary = tr(lang, f"Boost {post.author}'s post on {net}: \"{text}\".",
                     f"Den Beitrag von {post.author} auf {net} boosten: „{text}“.")
    rec = d.approvals.request(REACT, summary, {
        "post": {"network": net, "author": post.author, "text": post.text, "kind": kind},
        "target": post.model_dump(mode="json"), "kind": kind, "provenance": list(d.origins)}, d.now())
    d.pending.append(rec)
    return reply(m, summary + phrase("approval.question", lang), approval=rec.info(),
                 tool_calls=[ToolCallInfo(name="social.find_post", args={"networks": nets, "kind": kind})])


def run_react(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    lang = d.language
    hub = d.services.social
    post = Post.model_validate(rec.payload["target"])
    kind: Reaction = "like" if rec.payload.get("kind") == "like" else "boost"
    net = NETWORK_NAMES[post.network]
    if hub is None:
        return False, tr(lang, "No social media account is connected.", "Kein Social-Media-Konto verbunden.")
    try:
        made = hub.react(kind, post)
    except ServiceError as exc:
        return False, tr(lang, f"Not done: {exc}.", f"Nicht erledigt: {exc}.")
    d.acted(f"social.{kind}", {"network": post.network}, made)
    if kind == "like":
        return True, tr(lang, f"Liked {post.author}'s post on {net}.", f"Beitrag von {post.author} auf {net} geliked.")
    return True, tr(lang, f"Boosted {post.author}'s post on {net}.", f"Beitrag von {post.author} auf {net} geboostet.")


REACT_HANDLERS: dict[str, Handler] = {"SocialReact": _react}
REACT_ACTIONS: dict[str, ActionRunner] = {REACT: run_react}
