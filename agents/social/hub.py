"""The user's social networks as one service: read mentions and timelines from each connected network,
the offline timeline digest (top posts by replies and boosts), drafts (split per network's limit) and
publishing an approved draft to every network it names."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from agents.deps import ServiceError
from agents.social.models import (
    LIMITS,
    Draft,
    MediaFile,
    Network,
    Notice,
    Post,
    Published,
    Reaction,
    Visibility,
)
from agents.social.text import split_thread


class NetworkClient(Protocol):
    """What the hub needs of one network's client (``MastodonClient``, ``BlueskyClient``)."""

    def check_login(self) -> str: ...

    def mentions(self, limit: int = 20) -> list[Notice]: ...

    def timeline(self, limit: int = 40) -> list[Post]: ...

    def own_posts(self, limit: int = 5) -> list[Post]: ...

    def publish(self, draft: Draft, parts: list[str]) -> Published: ...

    def delete(self, post_id: str) -> None: ...

    def react(self, kind: Reaction, post: Post) -> str: ...


def rank(posts: Iterable[Post], top: int = 5) -> list[Post]:
    """The digest offline: the posts most replied to and boosted (replies count double: a conversation),
    likes breaking ties; one post per author first, so a loud account does not fill the list."""
    ordered = sorted(posts, key=lambda p: (2 * p.replies + p.boosts, p.likes), reverse=True)
    seen: set[tuple[str, str]] = set()
    first: list[Post] = []
    rest: list[Post] = []
    for p in ordered:
        who = (p.network, p.handle)
        (rest if who in seen else first).append(p)
        seen.add(who)
    return (first + rest)[:top]


def make_draft(text: str, networks: list[Network], visibility: Visibility = "public", cw: str = "",
               language: str = "en", reply_to: dict[Network, str] | None = None,
               now: datetime | None = None, media: list[MediaFile] | None = None) -> Draft:
    """A draft with its parts per network (a numbered thread where the text is over the limit) and a fresh
    idempotency key: what the approval shows is exactly what is sent."""
    at = now or datetime.now(UTC)
    return Draft(networks=networks, text=text.strip(), visibility=visibility, cw=cw.strip(), language=language,
                 reply_to=dict(reply_to or {}), key=uuid.uuid4().hex,
                 created_us=int(at.timestamp() * 1_000_000),
                 parts={n: split_thread(text, LIMITS[n]) for n in networks}, media=list(media or []))


class SocialHub:
    """Each connected network's client by name (only those with an account)."""

    def __init__(self, clients: dict[Network, NetworkClient]) -> None:
        self.clients = clients

    @property
    def networks(self) -> list[Network]:
        return list(self.clients)

    def client(self, network: Network) -> NetworkClient:
        if network not in self.clients:
            raise ServiceError(f"no {network} account is connected")
        return self.clients[network]

    def mentions(self, networks: list[Network] | None = None, limit: int = 20) -> list[Notice]:
        out: list[Notice] = []
        for n in networks or self.networks:
            out.extend(x for x in self.client(n).mentions(limit) if x.kind in ("mention", "reply", "quote"))
        return out

    def timeline(self, networks: list[Network] | None = None, limit: int = 40) -> list[Post]:
        out: list[Post] = []
        for n in networks or self.networks:
            out.extend(self.client(n).timeline(limit))
        return out

    def own_posts(self, network: Network, limit: int = 5) -> list[Post]:
        """The user's own latest posts on one network, newest first."""
        return self.client(network).own_posts(limit)

    def publish(self, draft: Draft) -> list[Published]:
        """Every network of the draft, in order; one failing does not stop the others."""
        results: list[Published] = []
        for n in draft.networks:
            if n not in self.clients:
                results.append(Published(network=n, ok=False, error=f"no {n} account is connected"))
                continue
            results.append(self.clients[n].publish(draft, draft.parts.get(n) or [draft.text]))
        return results

    def delete(self, network: Network, post_id: str) -> None:
        self.client(network).delete(post_id)

    def react(self, kind: Reaction, post: Post) -> str:
        """Boost or like one post on its own network (ServiceError when that fails)."""
        return self.client(post.network).react(kind, post)
