"""JWT access and refresh tokens (HS256). The signing key is a random 256-bit secret kept in the
keyring (``server:jwt``), created on first start; it is never a setting and never logged."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from pydantic import BaseModel, Field, ValidationError, field_validator

from app.secrets import get_secret, set_secret
from storage.bilingual import Bilingual

ALGORITHM = "HS256"
ISSUER = "personal-agent"
KEY_KIND, KEY_NAME = "server", "jwt"
TokenType = Literal["access", "refresh"]


class TokenError(Bilingual):
    """The token is missing, malformed, tampered with, expired or of the wrong type (said in the client's
    language by the server's error handler and the request guard)."""

    @classmethod
    def invalid(cls) -> TokenError:
        return cls("invalid token", de="ungültiges Token")

    @classmethod
    def expired(cls) -> TokenError:
        return cls("token expired", de="Token abgelaufen")


MAX_ID = 2**31 - 1  # user and device ids: positive, and within every database's integer


class Claims(BaseModel):
    """What a token says; anything the server would not have issued fails validation (a TokenError)."""

    sub: str = Field(pattern=r"^[1-9][0-9]{0,9}$")
    typ: TokenType
    jti: str = Field(min_length=1, max_length=64)
    dev: int = Field(ge=1, le=MAX_ID, strict=True)
    iat: int
    exp: int
    iss: str

    @field_validator("sub")
    @classmethod
    def _user_id_in_range(cls, sub: str) -> str:
        if int(sub) > MAX_ID:
            raise ValueError("user id out of range")
        return sub

    @property
    def user_id(self) -> int:
        return int(self.sub)


def signing_key() -> str:
    """The server's JWT key from the keyring; created (and stored) the first time."""
    key = get_secret(KEY_KIND, KEY_NAME)
    if not key:
        key = secrets.token_urlsafe(32)
        set_secret(KEY_KIND, KEY_NAME, key)
    return key


class TokenIssuer:
    def __init__(self, key: str, access_ttl: timedelta, refresh_ttl: timedelta) -> None:
        if len(key) < 32:
            raise ValueError("JWT signing key must be at least 32 characters")
        self._key = key
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl

    def issue(self, typ: TokenType, user_id: int, device_id: int, now: datetime | None = None) -> tuple[str, Claims]:
        now = now or datetime.now(UTC)
        ttl = self.access_ttl if typ == "access" else self.refresh_ttl
        claims = Claims(sub=str(user_id), typ=typ, jti=uuid.uuid4().hex, dev=device_id,
                        iat=int(now.timestamp()), exp=int((now + ttl).timestamp()), iss=ISSUER)
        return jwt.encode(claims.model_dump(), self._key, algorithm=ALGORITHM), claims

    def verify(self, token: str, typ: TokenType) -> Claims:
        try:
            raw = jwt.decode(token, self._key, algorithms=[ALGORITHM], issuer=ISSUER,
                             options={"require": ["exp", "iat", "sub", "jti", "typ"]})
            claims = Claims.model_validate(raw)
        except jwt.ExpiredSignatureError:
            raise TokenError.expired() from None
        except (jwt.InvalidTokenError, ValidationError, ValueError):
            raise TokenError.invalid() from None
        if claims.typ != typ:
            raise TokenError.invalid()
        return claims
