"""'What's new' means since last time: the newest post time the timeline digest told the user about, per
network (``social_seen``), and the posts after it."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.social.db import SocialSeen
from agents.social.models import Post
from storage.db.engine import Database


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)  # SQLite drops the zone: stored values are UTC


def seen_until(db: Database, networks: list[str]) -> dict[str, datetime]:
    with db.session() as s:
        return {r.network: _aware(r.seen_until) for r in s.query(SocialSeen).filter(SocialSeen.network.in_(networks))}


def unseen(posts: list[Post], seen: dict[str, datetime]) -> list[Post]:
    """The posts newer than what was told last time (a post without a time counts as new)."""
    return [p for p in posts if p.created_at is None or p.network not in seen
            or _aware(p.created_at) > seen[p.network]]


def mark_seen(db: Database, posts: list[Post]) -> None:
    """Remember the newest post time per network of the posts just told about."""
    newest: dict[str, datetime] = {}
    for p in posts:
        if p.created_at is not None:
            t = _aware(p.created_at)
            newest[p.network] = max(t, newest.get(p.network, t))
    if not newest:
        return
    with db.session() as s:
        for net, t in newest.items():
            row = s.get(SocialSeen, net)
            if row is None:
                s.add(SocialSeen(network=net, seen_until=t.astimezone(UTC)))
            elif _aware(row.seen_until) < t:
                row.seen_until = t.astimezone(UTC)
