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


def pick_domain(text: str) -> str | None:
    """The one domain whose cues the request has, else None."""
    hits = [name for name, pattern in _cues(tuple(domains.DOMAINS)) if pattern.search(text)]
    return hits[0] if len(hits) == 1 else None
