"""Sign-ins with Google or Microsoft started from a phone and finished on the home server.

The phone asks the server to start one (``SignInStore.add``): the server makes a random ``state`` and
builds the provider's authorization URL (authorization code + PKCE S256, the redirect to the server's own
callback route); the PKCE verifier is derived from the state with the server's key (``verifier_for``),
so nothing secret is stored: the row (``storage.db.server.ServerOAuthSignIn``) keeps the state's SHA-256,
the account's record (no secret), who started it, until when it waits (ten minutes). The phone opens the
URL in its browser; the provider sends the browser back to the callback with the code and the state
(``take``): one conditional update claims a waiting, unexpired sign-in of that state hash, so a state
answers once, in whichever server process the callback reaches; a wrong, expired or used state is
refused and nothing is stored. The phone reads the outcome by the sign-in's id, only as the user who
started it (``outcome``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from storage.db.engine import Database
from storage.db.server import ServerOAuthSignIn

LIFETIME = timedelta(minutes=10)
KEEP_FINISHED = timedelta(minutes=10)  # how long the outcome of a finished sign-in can be read


TOOK_TOO_LONG = "The sign-in took too long: nothing was stored."  # said in the asker's language by the route


class UnknownSignIn(Exception):
    """The callback's state belongs to no waiting sign-in (wrong, expired or already used)."""


@dataclass(frozen=True)
class SignInRow:
    id: str
    user_id: int
    username: str
    record: dict[str, Any]
    again: bool
    redirect_uri: str
    status: str
    message: str


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _row(r: ServerOAuthSignIn) -> SignInRow:
    return SignInRow(id=r.id, user_id=r.user_id, username=r.username, record=dict(r.record), again=r.again,
                     redirect_uri=r.redirect_uri, status=r.status, message=r.message)


def verifier_for(key: str, state: str) -> str:
    """The PKCE verifier of a sign-in: HMAC-SHA256 of its state with the server's key (43 characters of
    base64url, as RFC 7636 asks); every server process with the key derives the same one."""
    mac = hmac.new(key.encode(), b"oauth-pkce:" + state.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class SignInStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, user_id: int, username: str, record: dict[str, Any], again: bool, redirect_uri: str) -> tuple[str, str]:
        """A waiting sign-in: its id (the phone asks by it) and its state (goes into the authorization URL)."""
        now = datetime.now(UTC)
        state, sign_in_id = secrets.token_urlsafe(24), secrets.token_urlsafe(12)
        with self.db.session() as s:
            s.execute(delete(ServerOAuthSignIn).where(ServerOAuthSignIn.expires_at < now - KEEP_FINISHED))
            s.add(ServerOAuthSignIn(id=sign_in_id, state_hash=_hash(state), user_id=user_id, username=username[:100],
                                    record=record, again=again, redirect_uri=redirect_uri, status="waiting",
                                    message="", expires_at=now + LIFETIME))
        return sign_in_id, state

    def take(self, state: str) -> SignInRow:
        """Claim the waiting sign-in of this state (``UnknownSignIn`` for a wrong, expired or used one)."""
        now = datetime.now(UTC)
        h = _hash(state)
        with self.db.session() as s:
            res = s.execute(update(ServerOAuthSignIn)
                            .where(ServerOAuthSignIn.state_hash == h, ServerOAuthSignIn.status == "waiting",
                                   ServerOAuthSignIn.expires_at > now)
                            .values(status="answered").execution_options(synchronize_session=False))
            row = s.scalar(select(ServerOAuthSignIn).where(ServerOAuthSignIn.state_hash == h)) \
                if getattr(res, "rowcount", 0) == 1 else None
            if row is None:
                raise UnknownSignIn("this sign-in answer belongs to no waiting sign-in (it was used already, has "
                                    "expired or is not from this server): nothing was stored")
            return _row(row)

    def finish(self, sign_in_id: str, ok: bool, message: str = "") -> None:
        with self.db.session() as s:
            s.execute(update(ServerOAuthSignIn).where(ServerOAuthSignIn.id == sign_in_id)
                      .values(status="done" if ok else "failed", message=message[:400])
                      .execution_options(synchronize_session=False))

    def outcome(self, sign_in_id: str, user_id: int) -> SignInRow | None:
        """A sign-in of this user (None for another user's or an unknown id); one whose time ran out
        unanswered is "failed"."""
        with self.db.session() as s:
            row = s.get(ServerOAuthSignIn, sign_in_id)
            if row is None or row.user_id != user_id:
                return None
            out = _row(row)
            expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if out.status == "waiting" and expires <= datetime.now(UTC):
            return SignInRow(**{**out.__dict__, "status": "failed",
                                "message": TOOK_TOO_LONG})
        return out
