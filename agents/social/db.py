"""The social domain's tables: posts scheduled for later (the migration ``0015_social_scheduled`` creates it),
and how far the timeline digest has read per network (``0015b_social_seen``).

A row holds the approved draft exactly as the user said yes to it. Its ``state`` goes ``waiting`` →
``sending`` (claimed by one process, once) → ``sent`` | ``failed`` | ``unclear``; or ``waiting`` →
``cancelled``. Only a ``waiting`` row is ever claimed, so a post goes out at most once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.models import Base, utcnow


class SocialScheduledPost(Base):
    __tablename__ = "social_scheduled"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    state: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")  # what the approval showed
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)  # agents.social.models.Draft, as approved
    language: Mapped[str] = mapped_column(String(8), default="en")  # of the user's words about it
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")  # what happened, one line per network
    told: Mapped[bool] = mapped_column(Boolean, default=False)  # the outcome was given to the user


class SocialSeen(Base):
    """The newest post time the digest has told the user about, per network."""

    __tablename__ = "social_seen"

    network: Mapped[str] = mapped_column(String(16), primary_key=True)
    seen_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
