"""Sign-ins with Google or Microsoft started from a phone and finished on the home server.

The phone asks the server to start one (``start``): the server builds the provider's authorization URL
(authorization code + PKCE S256, the redirect to the server's own callback route) and keeps the PKCE
verifier and a random ``state`` here, in this process's memory, for ten minutes. The phone opens the URL
in its browser; the provider sends the browser back to the callback with the code and the state
(``finish``): a state this store does not hold (wrong, expired, or used once already) is refused and
nothing is stored; else the code is exchanged for tokens, the refresh token goes into the server's keyring
(the account added, or its grant replaced for "sign in again") and the state is gone for good. The phone
reads the outcome by the sign-in's id (``outcome``), only as the user who started it.

One server process holds a sign-in: with several worker processes the callback must reach the one that
started it (the server runs one process; docs/oauth.md)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from agents.communication.oauth import AuthorizationRequest, OAuthClient, OAuthFailure, exchange_code

if TYPE_CHECKING:
    from app.accounts import AccountIn

LIFETIME_S = 600.0
MAX_PER_USER = 5  # sign-ins waiting at once per user: older ones are dropped
KEEP_DONE_S = 600.0  # how long the outcome of a finished sign-in can be read

Status = Literal["waiting", "done", "failed"]


class UnknownSignIn(Exception):
    """The callback's state belongs to no waiting sign-in (wrong, expired or already used)."""


@dataclass
class PendingSignIn:
    id: str
    user_id: int
    username: str
    request: AuthorizationRequest = field(repr=False)
    client: OAuthClient = field(repr=False)
    record: AccountIn
    again: bool
    expires_at: float
    status: Status = "waiting"
    message: str = ""


class SignInStore:
    """The waiting and finished sign-ins of this server process. Thread-safe."""

    def __init__(self) -> None:
        self._by_state: dict[str, PendingSignIn] = {}
        self._by_id: dict[str, PendingSignIn] = {}
        self._lock = threading.Lock()

    def _sweep(self, now: float) -> None:
        for state, p in list(self._by_state.items()):
            if p.expires_at <= now:
                del self._by_state[state]
                p.status, p.message = "failed", "the sign-in took too long: nothing was stored"
        for sid, p in list(self._by_id.items()):
            if p.expires_at + KEEP_DONE_S <= now:
                del self._by_id[sid]

    def add(self, user_id: int, username: str, client: OAuthClient, request: AuthorizationRequest,
            record: AccountIn, again: bool) -> PendingSignIn:
        now = time.time()
        p = PendingSignIn(id=secrets.token_urlsafe(12), user_id=user_id, username=username, request=request,
                          client=client, record=record, again=again, expires_at=now + LIFETIME_S)
        with self._lock:
            self._sweep(now)
            mine = sorted((q for q in self._by_state.values() if q.user_id == user_id), key=lambda q: q.expires_at)
            for old in mine[: max(0, len(mine) - MAX_PER_USER + 1)]:
                del self._by_state[old.request.state]
                old.status, old.message = "failed", "a newer sign-in was started: nothing was stored"
            self._by_state[request.state] = p
            self._by_id[p.id] = p
        return p

    def take(self, state: str) -> PendingSignIn:
        """The waiting sign-in of this state, removed: a state answers once (``UnknownSignIn`` else)."""
        with self._lock:
            self._sweep(time.time())
            p = self._by_state.pop(state, None)
        if p is None:
            raise UnknownSignIn("this sign-in answer belongs to no waiting sign-in (it was used already, has "
                                "expired or is not from this server): nothing was stored")
        return p

    def outcome(self, sign_in_id: str, user_id: int) -> PendingSignIn | None:
        """A sign-in of this user (None for another user's or an unknown id)."""
        with self._lock:
            self._sweep(time.time())
            p = self._by_id.get(sign_in_id)
        return p if p is not None and p.user_id == user_id else None


def tokens_for(p: PendingSignIn, code: str) -> tuple[str, tuple[str, ...]]:
    """The refresh token and the granted scopes for the provider's code (``OAuthFailure`` in one line)."""
    if not code:
        raise OAuthFailure("the sign-in answer has no code: nothing was stored")
    tokens = exchange_code(p.client, p.request, code)
    assert tokens.refresh_token is not None  # exchange_code refuses an answer without one
    return tokens.refresh_token, tokens.scopes
