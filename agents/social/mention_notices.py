"""New mentions from people the user named (``[domains.social] announce_mentions_from``: names or
handles) announced by the running app: an alarm-clock source (agents/alarms.py) that looks every
``every_s`` seconds and says "New mention on Mastodon from Anna." once per mention. Only who and where
are said (the post is other people's words: read on request, "read my mentions"). Mentions that were
there when the app started are not announced; nor are those that came while it was closed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from agents.alarms import Alarm
from agents.local.phrases import tr
from agents.social.models import NETWORK_NAMES, Notice

if TYPE_CHECKING:
    from agents.deps import SocialService

log = logging.getLogger(__name__)


def from_people(n: Notice, people: list[str]) -> bool:
    """The mention's author is one of ``people`` (a display name, a handle or its user part, any case)."""
    handle = n.handle.casefold().lstrip("@")
    names = {n.author.casefold(), handle, handle.split("@")[0], handle.split(".")[0]}
    return any(p.casefold().strip().lstrip("@") in names for p in people if p.strip())


def mention_source(hub: Callable[[], SocialService | None], people: list[str], lang: str,
                   every_s: float = 120.0) -> Callable[[datetime], list[Alarm]]:
    seen: set[str] | None = None
    last = float("-inf")

    def source(now: datetime) -> list[Alarm]:
        nonlocal seen, last
        if not people or time.monotonic() - last < every_s:
            return []
        last = time.monotonic()
        h = hub()
        if h is None or not h.networks:
            return []
        found = h.mentions()
        keys = {f"{n.network}:{n.id}" for n in found}
        if seen is None:  # what was there at start is not news
            seen = keys
            return []
        new = [n for n in found if f"{n.network}:{n.id}" not in seen and from_people(n, people)]
        seen |= keys
        return [Alarm(kind="social", id=i, due_at=now, text=tr(
            lang, f"New {'reply' if n.kind == 'reply' else 'mention'} on {NETWORK_NAMES[n.network]} from {n.author}.",
            f"Neue {'Antwort' if n.kind == 'reply' else 'Erwähnung'} auf {NETWORK_NAMES[n.network]} von {n.author}."))
            for i, n in enumerate(new)]

    return source
