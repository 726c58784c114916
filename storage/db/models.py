"""SQLAlchemy 2 typed models of the foundation. Later features add their tables in their own modules
(imported by ``storage.db.all_models``) and their own Alembic revisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Account(Base):
    """A connection to an outside service. The secret (password, token) is NOT here: it is in the
    keyring under (service="personal-agent", username=f"{kind}:{name}")."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_accounts_kind_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))  # mail, caldav, whatsapp, llm, smb, s3
    username: Mapped[str] = mapped_column(String(255), default="")
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One sensitive operation: when, what, target, outcome. Never a secret."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(32))  # ok, failed, approved, denied, expired
    actor: Mapped[str] = mapped_column(String(64), default="user")
    detail: Mapped[str] = mapped_column(Text, default="")
