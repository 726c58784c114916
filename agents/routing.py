"""Pick the domain before the model: a request that no local intent answered but whose words belong to
exactly one domain (its ``cues``: "mail", "Termin", "Timer", "Aufnahme" ...) goes straight to that
domain's delegate. A small model then sees one domain's few tools and no routing step: one model
round trip less and no wrong ``ask_<domain>`` pick. Anything else (no cue, or cues of two domains)
goes through the orchestrator."""

from __future__ import annotations

import re
from functools import lru_cache

from agents import domains


@lru_cache(maxsize=4)
def _cues(registry: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(d.name, re.compile(r"(?<![\w-])(?:" + "|".join(d.cues) + ")", re.IGNORECASE))
            for d in domains.domains(registry) if d.cues and d.delegate]


# what may come before the verb that says what to do ("bitte antworte …", "can you reply …")
_LEAD = re.compile(r"(?i)^\W*(?:(?:please|bitte|hey|okay|ok|so|also|mal|kannst du|könntest du|can you|could you|"
                   r"would you)\W+)*")
_TWO_REQUESTS = re.compile(r"(?i)\b(?:and|und|then|dann)\b")
# what someone wrote, not what was said: a meeting's transcript holds only speech, so "was schreibt Jörg im
# Protokoll" is a mail or a message (minutes someone sent), even with a meeting's word in it
_WROTE = re.compile(r"(?i)\b(?:schreibt|schrieb|geschrieben|wrote|writes|written)\b")


# words that point back at what the last answer was about: "cancel that one", "tell her …", "lösch den bitte",
# "schreib ihm zurück". German articles count only where they stand for a noun (at the end, or before "bitte",
# "wieder", "ab" …), so "wie ist das Wetter" points at nothing
_BACK = re.compile(
    r"(?i)\b(?:him|her|them|(?:that|this|the first|the second|the last|the other) one|"
    r"(?:it|that|this|those|these)(?=\s*(?:$|[.,;!?]|please\b|again\b|too\b|as well\b|to\b|for\b|on\b|"
    r"instead\b|then\b|now\b|about\b))|"
    r"ihm|ihn|ihnen|ihr|ihre[mnrs]?|"
    r"(?:den|die|das|dem|diesen|diese|dieses|dieser)(?=\s*(?:$|[.,;!?]|bitte\b|doch\b|mal\b|wieder\b|auch\b|"
    r"noch\b|jetzt\b|dann\b|ab\b|weg\b|zurück\b|auf\b|an\b)))")


def refers_back(text: str) -> bool:
    """The request points at something said before ("cancel that one", "schreib ihm zurück")."""
    return bool(_BACK.search(text))


def cued_domains(text: str) -> list[str]:
    """The domains whose cues the request has."""
    return [name for name, pattern in _cues(tuple(domains.DOMAINS)) if pattern.search(text)]


def follow_up(text: str, topic: str | None) -> str | None:
    """``topic``, the domain the last answer came from, when the request points back at it and names no
    domain of its own: "Cancel that one" after the calendar was read goes to the calendar's delegate (with
    the conversation so far), not to the orchestrator or a local intent that only sounds alike."""
    if topic is None or not refers_back(text):
        return None
    cued = cued_domains(text)
    return topic if not cued or cued == [topic] else None


def pick_domain(text: str) -> str | None:
    """The one domain whose cues the request has, else None. With cues of several, the domain whose cue
    starts the request decides when it is one request ("Antworte Lena, dass ich bis Montag überweise" is a
    reply that speaks of a transfer, not a transfer); what someone wrote in minutes is communication."""
    cues = _cues(tuple(domains.DOMAINS))
    hits = cued_domains(text)
    if len(hits) == 1:
        return hits[0]
    if set(hits) == {"communication", "meetings"} and _WROTE.search(text):
        return "communication"
    if len(hits) > 1 and not _TWO_REQUESTS.search(text):
        head = text[_LEAD.match(text).end():]  # type: ignore[union-attr]
        first = [name for name, pattern in cues if name in hits and pattern.match(head)]
        return first[0] if len(first) == 1 else None
    return None
