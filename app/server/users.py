"""Server users, their devices, refresh-token rotation and one-time pairing codes (database side).

Refresh tokens rotate: each use marks the old one used and issues a new one. Presenting a used
token again means it was copied: the device is revoked with all its tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from sqlalchemy import select, update

from app.server.passwords import hash_password, needs_rehash, verify_password
from app.server.tokens import Claims, TokenError, TokenIssuer
from storage.audit import AuditLog
from storage.db.engine import Database
from storage.db.server import ServerDevice, ServerObject, ServerPairingCode, ServerRefreshToken, ServerUser

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
PAIRING_ALPHABET = "0123456789"
PAIRING_DIGITS = 8


class UserError(ValueError):
    """Bad user input (name taken, bad name); the message is one line."""


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


AwareTime = Annotated[datetime, AfterValidator(_aware)]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    is_admin: bool
    disabled: bool
    created_at: AwareTime


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    created_at: AwareTime
    last_seen_at: AwareTime | None
    revoked: bool


class IssuedTokens(BaseModel):
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    user: UserOut
    device_id: int


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code)


class UserStore:
    def __init__(self, db: Database, audit: AuditLog, tokens: TokenIssuer, pairing_ttl: timedelta) -> None:
        self.db = db
        self.audit = audit
        self.tokens = tokens
        self.pairing_ttl = pairing_ttl

    # ------------------------------------------------------------------ users
    def create_user(self, username: str, password: str, is_admin: bool = False) -> UserOut:
        if not USERNAME.match(username):
            raise UserError("user name: 1-64 letters, digits or . _ @ -")
        pw = hash_password(password)
        with self.db.session() as s:
            if s.scalar(select(ServerUser.id).where(ServerUser.username == username)) is not None:
                raise UserError(f"user '{username}' already exists")
            row = ServerUser(username=username, password_hash=pw, is_admin=is_admin)
            s.add(row)
            s.flush()
            out = UserOut.model_validate(row)
        self.audit.record("server.user_add", username, "ok", actor="admin")
        return out

    def set_password(self, username: str, password: str) -> None:
        pw = hash_password(password)
        with self.db.session() as s:
            row = s.scalar(select(ServerUser).where(ServerUser.username == username))
            if row is None:
                raise UserError(f"no user '{username}'")
            row.password_hash = pw
            s.execute(update(ServerDevice).where(ServerDevice.user_id == row.id).values(revoked=True))
        self.audit.record("server.password", username, "ok", "all devices signed out", actor="admin")

    def users(self) -> list[UserOut]:
        with self.db.session() as s:
            return [UserOut.model_validate(r) for r in s.scalars(select(ServerUser).order_by(ServerUser.id))]

    def get_user(self, user_id: int) -> UserOut | None:
        with self.db.session() as s:
            row = s.get(ServerUser, user_id)
            return UserOut.model_validate(row) if row is not None else None

    def by_name(self, username: str) -> UserOut | None:
        with self.db.session() as s:
            row = s.scalar(select(ServerUser).where(ServerUser.username == username))
            return UserOut.model_validate(row) if row is not None else None

    def authenticate(self, username: str, password: str) -> UserOut | None:
        """The user if name and password match and the user is enabled (constant work otherwise)."""
        with self.db.session() as s:
            row = s.scalar(select(ServerUser).where(ServerUser.username == username))
            ok = verify_password(row.password_hash if row is not None else None, password)
            if row is None or not ok or row.disabled:
                return None
            if needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            return UserOut.model_validate(row)

    # ------------------------------------------------------------------ devices and tokens
    def _issue(self, user: UserOut, device_id: int) -> IssuedTokens:
        access, ac = self.tokens.issue("access", user.id, device_id)
        refresh, rc = self.tokens.issue("refresh", user.id, device_id)
        with self.db.session() as s:
            s.add(ServerRefreshToken(jti=rc.jti, user_id=user.id, device_id=device_id,
                                     expires_at=datetime.fromtimestamp(rc.exp, UTC)))
        return IssuedTokens(access_token=access, refresh_token=refresh,
                            access_expires_at=datetime.fromtimestamp(ac.exp, UTC),
                            refresh_expires_at=datetime.fromtimestamp(rc.exp, UTC), user=user, device_id=device_id)

    def sign_in(self, user: UserOut, device_name: str) -> IssuedTokens:
        with self.db.session() as s:
            dev = ServerDevice(user_id=user.id, name=device_name, last_seen_at=datetime.now(UTC))
            s.add(dev)
            s.flush()
            device_id = dev.id
        self.audit.record("server.sign_in", f"{user.username} / {device_name}", "ok", actor=user.username)
        return self._issue(user, device_id)

    def refresh(self, token: str) -> IssuedTokens:
        claims = self.tokens.verify(token, "refresh")
        now = datetime.now(UTC)
        with self.db.session() as s:
            row = s.scalar(select(ServerRefreshToken).where(ServerRefreshToken.jti == claims.jti))
            dev = s.get(ServerDevice, claims.dev)
            user = s.get(ServerUser, claims.user_id)
            if row is None or dev is None or user is None or dev.revoked or user.disabled:
                raise TokenError.invalid()
            if row.used_at is not None:  # replay of a rotated token: revoke the device
                dev.revoked = True
                reused = True
            else:
                row.used_at = now
                dev.last_seen_at = now
                reused = False
            out = UserOut.model_validate(user)
        if reused:
            self.audit.record("server.token_reuse", f"{out.username} / device {claims.dev}", "failed",
                              "refresh token used twice: device signed out", actor="server")
            raise TokenError.invalid()
        return self._issue(out, claims.dev)

    def check_access(self, claims: Claims) -> UserOut:
        """The user of a verified access token, if the user and device are still allowed."""
        with self.db.session() as s:
            user = s.get(ServerUser, claims.user_id)
            dev = s.get(ServerDevice, claims.dev)
            if user is None or user.disabled or dev is None or dev.revoked or dev.user_id != user.id:
                raise TokenError.invalid()
            return UserOut.model_validate(user)

    def sign_out(self, user_id: int, device_id: int) -> None:
        self.revoke_device(user_id, device_id)

    def devices(self, user_id: int) -> list[DeviceOut]:
        with self.db.session() as s:
            q = select(ServerDevice).where(ServerDevice.user_id == user_id).order_by(ServerDevice.id)
            return [DeviceOut.model_validate(r) for r in s.scalars(q)]

    def revoke_device(self, user_id: int, device_id: int) -> DeviceOut | None:
        """Revoke one of the user's devices; None if the user has no such device."""
        with self.db.session() as s:
            dev = s.get(ServerDevice, device_id)
            if dev is None or dev.user_id != user_id:
                return None
            dev.revoked = True
            return DeviceOut.model_validate(dev)

    # ------------------------------------------------------------------ pairing
    def create_pairing_code(self, user_id: int) -> tuple[str, datetime]:
        """A one-time code (8 digits, shown as 1234-5678) that signs a new device in as this user."""
        code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_DIGITS))
        expires = datetime.now(UTC) + self.pairing_ttl
        with self.db.session() as s:
            s.add(ServerPairingCode(user_id=user_id, code_sha256=_code_hash(code), expires_at=expires))
        return f"{code[:4]}-{code[4:]}", expires

    def claim_pairing_code(self, code: str, device_name: str) -> IssuedTokens | None:
        now = datetime.now(UTC)
        with self.db.session() as s:
            row = s.scalar(select(ServerPairingCode).where(ServerPairingCode.code_sha256 == _code_hash(normalize_code(code))))
            if row is None or row.used_at is not None or _aware(row.expires_at) <= now:
                return None
            row.used_at = now
            user = s.get(ServerUser, row.user_id)
            if user is None or user.disabled:
                return None
            out = UserOut.model_validate(user)
        self.audit.record("server.pair", f"{out.username} / {device_name}", "ok", actor=out.username)
        return self.sign_in(out, device_name)

    # ------------------------------------------------------------------ ownership
    def own(self, kind: str, key: str, user_id: int) -> None:
        with self.db.session() as s:
            s.add(ServerObject(kind=kind, key=key, user_id=user_id))

    def owner(self, kind: str, key: str) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(ServerObject.user_id).where(ServerObject.kind == kind, ServerObject.key == key))

    def owned(self, kind: str, user_id: int) -> list[str]:
        with self.db.session() as s:
            q = select(ServerObject.key).where(ServerObject.kind == kind, ServerObject.user_id == user_id)
            return list(s.scalars(q.order_by(ServerObject.id.desc())))
