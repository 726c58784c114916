"""Scheduled posts: an approved draft waits in the database for its time and goes out once.

``schedule`` stores it (after the user's yes to the draft, its networks and its time); ``publish_due``
is an alarm-clock source (agents/alarms.py: the running app's clock, the home server's sweep over its
users): it claims each post that came due (``FOR UPDATE SKIP LOCKED`` and a conditional update
``waiting`` → ``sending``, so with several processes on one database one of them sends it), publishes it
with the draft's own idempotency key and stores the outcome, which becomes a notice for the user.

Never twice: only a ``waiting`` row is claimed. A post whose sending was cut off (the process was
killed after the claim) stays ``sending``; after ``STALE_AFTER`` it is marked ``unclear`` and the user
is told to look, it is not sent again. A post that failed is marked ``failed`` and not retried."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel
from sqlalchemy import select, update

from agents.alarms import Alarm
from agents.local.phrases import tr
from agents.social.db import SocialScheduledPost
from agents.social.models import NETWORK_NAMES, Draft, Published

if TYPE_CHECKING:
    from agents.deps import SocialService
    from storage.db.engine import Database

log = logging.getLogger(__name__)
State = Literal["waiting", "sending", "sent", "failed", "unclear", "cancelled"]
STALE_AFTER = timedelta(minutes=10)  # longer than any publish with its retries takes


class ScheduledPost(BaseModel):
    """One scheduled post as lists and the API show it."""

    id: int
    due_at: datetime
    state: State
    networks: list[str]
    text: str
    summary: str
    result: str = ""


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)  # SQLite drops the zone: stored values are UTC


def _out(row: SocialScheduledPost) -> ScheduledPost:
    d = Draft.model_validate(row.draft)
    return ScheduledPost(id=row.id, due_at=_aware(row.due_at), state=row.state,  # type: ignore[arg-type]
                         networks=list(d.networks), text=d.text, summary=row.summary, result=row.result)


def schedule(db: Database, draft: Draft, due_at: datetime, summary: str, language: str) -> ScheduledPost:
    with db.session() as s:
        row = SocialScheduledPost(due_at=due_at.astimezone(UTC), draft=draft.model_dump(mode="json"),
                                  summary=summary, language=language, state="waiting", result="", told=False)
        s.add(row)
        s.flush()
        return _out(row)


def scheduled(db: Database, include_done: bool = False) -> list[ScheduledPost]:
    """Waiting posts by time (with ``include_done`` also what was sent, failed, unclear or cancelled)."""
    with db.session() as s:
        q = select(SocialScheduledPost).order_by(SocialScheduledPost.due_at, SocialScheduledPost.id)
        if not include_done:
            q = q.where(SocialScheduledPost.state == "waiting")
        return [_out(r) for r in s.scalars(q)]


def cancel(db: Database, post_id: int) -> bool:
    """Cancel a waiting post; False when there is none of that id still waiting (sent, sending, gone)."""
    with db.session() as s:
        res = s.execute(update(SocialScheduledPost)
                        .where(SocialScheduledPost.id == post_id, SocialScheduledPost.state == "waiting")
                        .values(state="cancelled", finished_at=datetime.now(UTC), told=True)
                        .execution_options(synchronize_session=False))
        return bool(getattr(res, "rowcount", 0))


def _claim(db: Database, now: datetime) -> list[ScheduledPost]:
    out: list[ScheduledPost] = []
    at = now.astimezone(UTC)
    with db.session() as s:
        q = (select(SocialScheduledPost)
             .where(SocialScheduledPost.state == "waiting", SocialScheduledPost.due_at <= at)
             .order_by(SocialScheduledPost.due_at).with_for_update(skip_locked=True))
        for row in list(s.scalars(q)):
            res = s.execute(update(SocialScheduledPost)
                            .where(SocialScheduledPost.id == row.id, SocialScheduledPost.state == "waiting")
                            .values(state="sending", claimed_at=at)
                            .execution_options(synchronize_session=False))
            if getattr(res, "rowcount", 0):
                out.append(_out(row))
    return out


def _finish(db: Database, post_id: int, state: State, result: str) -> None:
    with db.session() as s:
        s.execute(update(SocialScheduledPost)
                  .where(SocialScheduledPost.id == post_id, SocialScheduledPost.state == "sending")
                  .values(state=state, result=result[:2000], finished_at=datetime.now(UTC), told=True)
                  .execution_options(synchronize_session=False))


def _cut_off(db: Database, now: datetime) -> list[tuple[ScheduledPost, str]]:
    """Posts whose sending was cut off (claimed longer than ``STALE_AFTER`` ago): marked unclear, once."""
    before = (now - STALE_AFTER).astimezone(UTC)
    out: list[tuple[ScheduledPost, str]] = []
    with db.session() as s:
        q = select(SocialScheduledPost).where(SocialScheduledPost.state == "sending",
                                              SocialScheduledPost.claimed_at <= before)
        for row in list(s.scalars(q)):
            res = s.execute(update(SocialScheduledPost)
                            .where(SocialScheduledPost.id == row.id, SocialScheduledPost.state == "sending")
                            .values(state="unclear", result="sending was cut off", finished_at=datetime.now(UTC),
                                    told=True)
                            .execution_options(synchronize_session=False))
            if getattr(res, "rowcount", 0):
                out.append((_out(row).model_copy(update={"state": "unclear"}), row.language))
    return out


def _names(networks: list[str], lang: str) -> str:
    return tr(lang, " and ", " und ").join(NETWORK_NAMES.get(n, n) for n in networks)  # type: ignore[call-overload]


def outcome_text(post: ScheduledPost, results: list[Published], lang: str) -> tuple[State, str]:
    """The state to store and what the user is told."""
    quoted = tr(lang, f"\"{post.text}\"", f"„{post.text}“")
    ok = [r for r in results if r.ok]
    unclear = [r for r in results if not r.ok and r.ambiguous]
    failed = [r for r in results if not r.ok and not r.ambiguous]
    parts: list[str] = []
    if ok:
        parts.append(tr(lang, f"Your scheduled post {quoted} went out on {_names([r.network for r in ok], lang)}.",
                        f"Dein geplanter Beitrag {quoted} ist auf {_names([r.network for r in ok], lang)} "
                        "erschienen."))
    for r in unclear:
        name = NETWORK_NAMES[r.network]
        parts.append(tr(lang, f"{name} did not answer clearly about your scheduled post {quoted} ({r.error}); "
                              "I will not send it again: please check your profile there.",
                        f"{name} hat zu deinem geplanten Beitrag {quoted} nicht eindeutig geantwortet ({r.error}); "
                        "ich schicke ihn nicht noch einmal: bitte sieh in deinem Profil nach."))
    for r in failed:
        name = NETWORK_NAMES[r.network]
        parts.append(tr(lang, f"Your scheduled post {quoted} was not posted on {name}: {r.error}. "
                              "It will not be tried again.",
                        f"Dein geplanter Beitrag {quoted} wurde nicht auf {name} gepostet: {r.error}. "
                        "Ich versuche es nicht noch einmal."))
    state: State = "unclear" if unclear else "failed" if failed else "sent"
    return state, " ".join(parts)


def publish_due(db: Database, hub: SocialService | None, now: datetime) -> list[Alarm]:
    """Send what came due (each claimed once) and say how it went; posts cut off mid-sending are marked
    unclear and said, never sent again."""
    alarms: list[Alarm] = []
    for post, lang in _cut_off(db, now):
        alarms.append(Alarm(kind="social", id=post.id, due_at=post.due_at, text=tr(
            lang, f"Your scheduled post \"{post.text}\" was being sent when the app stopped; it may or may not "
                  "have gone out. I will not send it again: please check your profile.",
            f"Dein geplanter Beitrag „{post.text}“ wurde gerade gesendet, als die App anhielt; vielleicht ist er "
            "erschienen, vielleicht nicht. Ich schicke ihn nicht noch einmal: bitte sieh in deinem Profil nach.")))
    for post in _claim(db, now):
        with db.session() as s:
            row = s.get(SocialScheduledPost, post.id)
            lang = row.language if row is not None else "en"
            draft = Draft.model_validate(row.draft) if row is not None else None
        if draft is None:
            continue
        if hub is None:
            results = [Published(network=n, ok=False, error="no account of it is connected") for n in draft.networks]
        else:
            try:
                results = hub.publish(draft)
            except Exception as exc:  # anything unexpected: the post may exist, never sent again
                log.warning("scheduled post %d: %s", post.id, type(exc).__name__)
                results = [Published(network=n, ok=False, ambiguous=True, error="the sending broke off")
                           for n in draft.networks]
        state, text = outcome_text(post, results, lang)
        result = "; ".join(f"{r.network}: " + ("posted " + ", ".join(r.ids) if r.ok else
                                              ("unclear: " if r.ambiguous else "failed: ") + r.error)
                           for r in results)
        _finish(db, post.id, state, result)
        alarms.append(Alarm(kind="social", id=post.id, due_at=post.due_at, text=text,
                            late=now - post.due_at > timedelta(minutes=1)))
    return alarms
