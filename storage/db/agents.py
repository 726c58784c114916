"""Tables of the agents: conversation history, user facts and notes, reminders, timers and
pending approvals (side effects waiting for the user's yes or no)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.models import Base, utcnow


class ConversationTurn(Base):
    """One utterance of the user or one reply of the assistant."""

    __tablename__ = "agent_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    role: Mapped[str] = mapped_column(String(16))  # user, assistant
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="")  # local, llm, fallback
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approval_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the request this reply asked about


class UserFact(Base):
    """Something the user asked the assistant to remember ("remember that ...")."""

    __tablename__ = "agent_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16), default="note")  # note, preference, person
    text: Mapped[str] = mapped_column(Text)


class Reminder(Base):
    __tablename__ = "agent_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)  # rang and the user stopped it


class Timer(Base):
    __tablename__ = "agent_timers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    rung: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)  # rang and the user stopped it


class PendingApproval(Base):
    """An action with a side effect that waits for the user's decision.

    ``payload`` holds what is needed to carry it out: the arguments of a local action, or for an
    agent's deferred tool call the delegate's name, the tool call id and its message history."""

    __tablename__ = "agent_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    action: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="local")  # local, llm
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[str] = mapped_column(Text, default="")
