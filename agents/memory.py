"""The assistant's memory in the database: conversation history (bounded), user facts and notes,
reminders and timers. Plain typed methods; the local handlers and the agent tools both use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Update, delete, func, select, update
from sqlalchemy.orm import Session

from agents.deps import MemoryInputError
from storage.db.agents import ConversationTurn, Reminder, Timer, UserFact
from storage.db.engine import Database

MAX_TEXT = 4000
_STOP = {
    "the", "a", "an", "my", "about", "of", "to", "is", "what", "that", "i", "der", "die", "das", "den",
    "mein", "meine", "meinen", "über", "zu", "ist", "dass", "ich", "and", "und", "in", "on", "for", "für",
}



class TurnOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    role: str
    text: str
    source: str
    intent: str | None
    approval_id: int | None = None


class FactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: datetime
    kind: str
    text: str


class ReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    due_at: datetime
    text: str
    done: bool
    acknowledged: bool = False


class TimerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    ends_at: datetime
    label: str
    cancelled: bool
    rung: bool = False
    acknowledged: bool = False
    created_at: datetime | None = None


def _aware(dt: datetime) -> datetime:
    """SQLite drops the zone: values we stored are UTC."""
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _timer_out(row: Timer) -> TimerOut:
    out = TimerOut.model_validate(row)
    out.ends_at = _aware(out.ends_at)
    out.created_at = _aware(out.created_at) if out.created_at else None
    return out


def _claim(s: Session, stmt: Update) -> bool:
    """Run a conditional update (set a flag where it is still unset); True if this call set it."""
    res = s.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(res, "rowcount", 0))


_WHAT_DE = {"note": "Die Notiz", "reminder": "Der Text der Erinnerung"}


def _clean_text(text: str, what: str) -> str:
    t = " ".join(text.split())
    what_de = _WHAT_DE.get(what, "Der Text")
    if not t:
        raise MemoryInputError(f"the {what} is empty", f"{what_de} ist leer.")
    if len(t) > MAX_TEXT:
        raise MemoryInputError(f"the {what} is too long ({len(t)} characters, at most {MAX_TEXT})",
                               f"{what_de} ist zu lang ({len(t)} Zeichen, höchstens {MAX_TEXT}).")
    return t


def keywords(text: str) -> list[str]:
    words = re.findall(r"[\w'-]+", text.lower())
    return [w for w in words if w not in _STOP and len(w) > 1]


class Memory:
    def __init__(self, db: Database, history_limit: int = 20) -> None:
        self.db = db
        self.history_limit = history_limit

    # -- conversation
    def add_turn(self, role: str, text: str, source: str = "", intent: str | None = None,
                 approval_id: int | None = None) -> None:
        """``approval_id``: the request an assistant's reply asked the user about."""
        with self.db.session() as s:
            s.add(ConversationTurn(role=role, text=text[:MAX_TEXT], source=source, intent=intent,
                                   approval_id=approval_id))

    def last_reply(self) -> TurnOut | None:
        """The assistant's newest reply, if it is also the newest turn (nothing was said after it)."""
        with self.db.session() as s:
            row = s.scalar(select(ConversationTurn).order_by(ConversationTurn.id.desc()).limit(1))
            return TurnOut.model_validate(row) if row is not None and row.role == "assistant" else None

    def recent_turns(self, limit: int | None = None) -> list[TurnOut]:
        """The last turns, oldest first (the bounded context window)."""
        n = limit or self.history_limit
        with self.db.session() as s:
            rows = list(s.scalars(select(ConversationTurn).order_by(ConversationTurn.id.desc()).limit(n)))
            return [TurnOut.model_validate(r) for r in reversed(rows)]

    def prune_history(self, keep: int = 500) -> int:
        """Delete all but the newest ``keep`` turns; returns how many were deleted."""
        with self.db.session() as s:
            cutoff = s.scalar(select(ConversationTurn.id).order_by(ConversationTurn.id.desc()).offset(keep).limit(1))
            if cutoff is None:
                return 0
            res = s.execute(delete(ConversationTurn).where(ConversationTurn.id <= cutoff))
            return int(getattr(res, "rowcount", 0) or 0)

    # -- facts and notes
    def remember(self, text: str, kind: str = "note") -> FactOut:
        t = _clean_text(text, "note")
        with self.db.session() as s:
            row = UserFact(text=t, kind=kind)
            s.add(row)
            s.flush()
            return FactOut.model_validate(row)

    def facts(self) -> list[FactOut]:
        with self.db.session() as s:
            return [FactOut.model_validate(r) for r in s.scalars(select(UserFact).order_by(UserFact.id))]

    def recall(self, topic: str, limit: int = 5) -> list[FactOut]:
        """Facts sharing words with the topic, best match first (all words > some words)."""
        words = keywords(topic)
        if not words:
            return []
        scored: list[tuple[int, int, FactOut]] = []
        for f in self.facts():
            have = set(keywords(f.text))
            hits = sum(1 for w in words if w in have or any(h.startswith(w) for h in have))
            if hits:
                scored.append((hits, f.id, f))
        scored.sort(key=lambda x: (-x[0], -x[1]))
        return [f for _, _, f in scored[:limit]]

    def about(self, topic: str) -> list[FactOut]:
        """The facts that contain every keyword of the topic (what ``forget`` would delete)."""
        words = keywords(topic)
        if not words:
            return []
        return [f for f in self.facts() if all(w in set(keywords(f.text)) or any(
            h.startswith(w) for h in keywords(f.text)) for w in words)]

    def forget_ids(self, ids: list[int]) -> int:
        """Delete these facts; returns how many were still there."""
        if not ids:
            return 0
        with self.db.session() as s:
            return int(s.execute(delete(UserFact).where(UserFact.id.in_(ids))).rowcount or 0)  # type: ignore[attr-defined]

    def forget(self, topic: str) -> list[FactOut]:
        """Delete the facts that contain every keyword of the topic; returns what was deleted."""
        gone = self.about(topic)
        self.forget_ids([f.id for f in gone])
        return gone

    # -- reminders
    def add_reminder(self, due_at: datetime, text: str) -> ReminderOut:
        t = _clean_text(text, "reminder")
        if due_at.tzinfo is None:
            raise MemoryInputError("the reminder time has no time zone", "Die Zeit der Erinnerung hat keine Zeitzone.")
        with self.db.session() as s:
            row = Reminder(due_at=due_at.astimezone(UTC), text=t)
            s.add(row)
            s.flush()
            out = ReminderOut.model_validate(row)
        out.due_at = _aware(out.due_at)
        return out

    def reminders(self, include_done: bool = False) -> list[ReminderOut]:
        with self.db.session() as s:
            q = select(Reminder).order_by(Reminder.due_at)
            if not include_done:
                q = q.where(Reminder.done.is_(False))
            outs = [ReminderOut.model_validate(r) for r in s.scalars(q)]
        for o in outs:
            o.due_at = _aware(o.due_at)
        return outs

    def due_reminders(self, now: datetime) -> list[ReminderOut]:
        """Reminders that are due and not yet delivered; marks them done. Each is claimed once, also with
        several processes on one database (home-server replicas on PostgreSQL): a row another process is
        claiming is skipped (``FOR UPDATE SKIP LOCKED``) and only the update that finds it still not done
        returns it, so exactly one caller delivers it."""
        out: list[ReminderOut] = []
        with self.db.session() as s:
            q = (select(Reminder).where(Reminder.done.is_(False), Reminder.due_at <= now.astimezone(UTC))
                 .order_by(Reminder.due_at).with_for_update(skip_locked=True))
            for row in list(s.scalars(q)):
                if _claim(s, update(Reminder).where(Reminder.id == row.id, Reminder.done.is_(False))
                          .values(done=True)):
                    r = ReminderOut.model_validate(row)
                    r.due_at, r.done = _aware(r.due_at), True
                    out.append(r)
        return out

    # -- timers
    def add_timer(self, duration: timedelta, now: datetime, label: str = "") -> TimerOut:
        if duration <= timedelta(0):
            raise MemoryInputError("a timer needs a positive duration", "Ein Timer braucht eine Dauer größer null.")
        if duration > timedelta(days=7):
            raise MemoryInputError("That's too long: a timer can run at most 7 days; use a reminder for longer.",
                                   "Das ist zu lang: Ein Timer läuft höchstens 7 Tage; für länger nimm eine "
                                   "Erinnerung.")
        with self.db.session() as s:
            row = Timer(created_at=now.astimezone(UTC), ends_at=(now + duration).astimezone(UTC), label=label[:200])
            s.add(row)
            s.flush()
            out = TimerOut.model_validate(row)
        out.ends_at = _aware(out.ends_at)
        return out

    def active_timers(self, now: datetime) -> list[TimerOut]:
        with self.db.session() as s:
            q = select(Timer).where(Timer.cancelled.is_(False)).order_by(Timer.ends_at)
            outs = [_timer_out(r) for r in s.scalars(q)]
        return [o for o in outs if o.ends_at > now]

    def due_timers(self, now: datetime) -> list[TimerOut]:
        """Timers that have run out and not yet rung (nor been cancelled); marks them rung. Claimed once
        across processes, as ``due_reminders``."""
        out: list[TimerOut] = []
        with self.db.session() as s:
            q = (select(Timer).where(Timer.cancelled.is_(False), Timer.rung.is_(False),
                                     Timer.ends_at <= now.astimezone(UTC))
                 .order_by(Timer.ends_at).with_for_update(skip_locked=True))
            for row in list(s.scalars(q)):
                if _claim(s, update(Timer).where(Timer.id == row.id, Timer.rung.is_(False),
                                                 Timer.cancelled.is_(False)).values(rung=True)):
                    out.append(_timer_out(row).model_copy(update={"rung": True}))
        return out

    def cancel_timers(self, now: datetime) -> int:
        active = self.active_timers(now)
        with self.db.session() as s:
            for t in active:
                row = s.get(Timer, t.id)
                if row is not None:
                    row.cancelled = True
        return len(active)

    # -- what rings now, and what the user does about it (the GUI's timers panel)
    def ringing_timers(self, now: datetime) -> list[TimerOut]:
        """Timers that have run out and that the user has neither stopped nor cancelled, oldest first."""
        with self.db.session() as s:
            q = select(Timer).where(Timer.cancelled.is_(False), Timer.acknowledged.is_(False)).order_by(Timer.ends_at)
            outs = [_timer_out(r) for r in s.scalars(q)]
        return [o for o in outs if o.ends_at <= now]

    def ringing_reminders(self, now: datetime) -> list[ReminderOut]:
        """Reminders that came due and that the user has not stopped, oldest first."""
        with self.db.session() as s:
            q = select(Reminder).where(Reminder.acknowledged.is_(False)).order_by(Reminder.due_at)
            outs = [ReminderOut.model_validate(r) for r in s.scalars(q)]
        for o in outs:
            o.due_at = _aware(o.due_at)
        return [o for o in outs if o.due_at <= now]

    def timer(self, timer_id: int) -> TimerOut | None:
        with self.db.session() as s:
            row = s.get(Timer, timer_id)
            return _timer_out(row) if row is not None else None

    def reminder(self, reminder_id: int) -> ReminderOut | None:
        with self.db.session() as s:
            row = s.get(Reminder, reminder_id)
            if row is None:
                return None
            out = ReminderOut.model_validate(row)
        out.due_at = _aware(out.due_at)
        return out

    def update_timer(self, timer_id: int, *, ends_at: datetime | None = None, cancelled: bool | None = None,
                     acknowledged: bool | None = None) -> TimerOut | None:
        """Cancel, stop (acknowledged) or snooze (a new end, to ring again) one timer; None if unknown."""
        with self.db.session() as s:
            row = s.get(Timer, timer_id)
            if row is None:
                return None
            if ends_at is not None:
                row.ends_at, row.rung, row.acknowledged = ends_at.astimezone(UTC), False, False
            if cancelled is not None:
                row.cancelled = cancelled
            if acknowledged is not None:
                row.acknowledged = acknowledged
            s.flush()
            return _timer_out(row)

    def update_reminder(self, reminder_id: int, *, due_at: datetime | None = None,
                        acknowledged: bool | None = None) -> ReminderOut | None:
        """Stop (acknowledged, also delivered) or snooze (a new time, to come again) one reminder."""
        with self.db.session() as s:
            row = s.get(Reminder, reminder_id)
            if row is None:
                return None
            if due_at is not None:
                row.due_at, row.done, row.acknowledged = due_at.astimezone(UTC), False, False
            if acknowledged:
                row.done = True
            if acknowledged is not None:
                row.acknowledged = acknowledged
            s.flush()
            out = ReminderOut.model_validate(row)
        out.due_at = _aware(out.due_at)
        return out

    def count_turns(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(ConversationTurn)) or 0)
