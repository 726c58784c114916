"""Tables of home-server mode: users (argon2 password hashes), paired devices, refresh tokens
(stored by id only, for rotation and revocation), one-time pairing codes (stored as SHA-256) and
ownership of server-made objects such as reply audio and uploaded meetings, the leases of its scheduled
jobs (one server process runs each), and the sign-ins with Google or Microsoft that phones started."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.models import Base, utcnow


class ServerUser(Base):
    __tablename__ = "server_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ServerDevice(Base):
    """A phone or other client that logged in or was paired; revoking it ends all its tokens."""

    __tablename__ = "server_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("server_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ServerRefreshToken(Base):
    """One issued refresh token (its JWT id). Using it rotates it; reusing a rotated one revokes
    the device (token theft)."""

    __tablename__ = "server_refresh_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("server_users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("server_devices.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ServerPairingCode(Base):
    __tablename__ = "server_pairing_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("server_users.id", ondelete="CASCADE"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ServerObject(Base):
    """Who owns an object the server made (``kind`` e.g. "audio", "meeting"; ``key`` its id)."""

    __tablename__ = "server_objects"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_server_objects_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("server_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ServerJobLease(Base):
    """Who runs a scheduled job of the server (the bank sync) until when: with several server processes on
    one database the one whose claim succeeds runs it (storage/db/leases.py)."""

    __tablename__ = "server_job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100), default="")
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServerOAuthSignIn(Base):
    """A sign-in with Google or Microsoft a phone started (app/server/oauth_signins.py): waiting for the
    provider's answer at the callback, then done or failed; any server process on the database can take
    the answer, once. Nothing secret: only the state's hash is kept, the PKCE verifier is derived from the
    state with the server's key, the account's record holds no secret."""

    __tablename__ = "server_oauth_sign_ins"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(100), default="")
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    again: Mapped[bool] = mapped_column(Boolean, default=False)
    redirect_uri: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    message: Mapped[str] = mapped_column(String(400), default="")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
