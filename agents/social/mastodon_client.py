"""Mastodon through ``Mastodon.py``: the account's instance and access token come in as plain values.

Posting is idempotent: every part of a draft carries an ``Idempotency-Key`` derived from the draft's
key, so a retry after a 5xx, a time-out or a 429 (after its Retry-After) gives back the same status,
never a second one. When retries run out the result says "ambiguous" and nothing sends it again."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from agents.communication.mime import html_to_text
from agents.deps import ServiceError
from agents.social.config import MastodonConfig
from agents.social.models import Draft, Notice, Post, Published, Reaction, Uncertain

_KINDS = {"mention": "mention", "reblog": "boost", "favourite": "like", "follow": "follow", "quote": "quote"}
_VISIBILITY = {"public": "public", "unlisted": "unlisted", "followers": "private", "direct": "direct"}


def _text(status: dict[str, Any]) -> str:
    return html_to_text(str(status.get("content") or "")).strip()


def _post(s: dict[str, Any]) -> Post:
    acc = s.get("account") or {}
    created = s.get("created_at")
    return Post(network="mastodon", id=str(s["id"]), author=str(acc.get("display_name") or acc.get("username") or ""),
                handle=str(acc.get("acct") or ""), text=_text(s), cw=str(s.get("spoiler_text") or ""),
                replies=int(s.get("replies_count") or 0), boosts=int(s.get("reblogs_count") or 0),
                likes=int(s.get("favourites_count") or 0),
                created_at=created if isinstance(created, datetime) else None, url=str(s.get("url") or ""))


class MastodonClient:
    def __init__(self, cfg: MastodonConfig, token: str, account: str = "mastodon",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.cfg = cfg
        self.account = account
        self._sleep = sleep
        self._session = requests.Session()
        self.retry_after: float | None = None
        self._session.hooks["response"].append(self._note)
        self.api = Mastodon(access_token=token, api_base_url=cfg.base_url, ratelimit_method="throw",
                            request_timeout=cfg.timeout_s, session=self._session, version_check_mode="none")

    def _note(self, r: requests.Response, *args: Any, **kwargs: Any) -> None:
        value = r.headers.get("Retry-After")
        try:
            self.retry_after = float(value) if value is not None else None
        except ValueError:
            self.retry_after = None

    def _fail(self, exc: Exception) -> ServiceError:
        if isinstance(exc, MastodonUnauthorizedError):
            return ServiceError(f"Mastodon ({self.account}) refused the access token")
        if isinstance(exc, MastodonNetworkError):
            return ServiceError(f"cannot reach the Mastodon server of {self.account}")
        if isinstance(exc, MastodonRatelimitError):
            return ServiceError(f"Mastodon ({self.account}) asks to wait before the next request")
        return ServiceError(f"Mastodon ({self.account}) answered with an error: {str(exc).splitlines()[0][:200]}")

    def check_login(self) -> str:
        try:
            me = self.api.account_verify_credentials()
        except MastodonError as exc:
            raise self._fail(exc) from None
        return f"Mastodon login ok: @{me['acct']} on {self.cfg.base_url}"

    def mentions(self, limit: int = 20) -> list[Notice]:
        try:
            items = self.api.notifications(limit=limit)
        except MastodonError as exc:
            raise self._fail(exc) from None
        out: list[Notice] = []
        for n in items:
            acc = n.get("account") or {}
            status = n.get("status")
            kind = _KINDS.get(str(n.get("type")), "other")
            if kind == "mention" and status and status.get("in_reply_to_id"):
                kind = "reply"
            created = n.get("created_at")
            out.append(Notice(network="mastodon", id=str(n["id"]), kind=kind,
                              author=str(acc.get("display_name") or acc.get("username") or ""),
                              handle=str(acc.get("acct") or ""), post=_post(status) if status else None,
                              created_at=created if isinstance(created, datetime) else None))
        return out

    def timeline(self, limit: int = 40) -> list[Post]:
        try:
            return [_post(s) for s in self.api.timeline_home(limit=limit)]
        except MastodonError as exc:
            raise self._fail(exc) from None

    def own_posts(self, limit: int = 5) -> list[Post]:
        try:
            me = self.api.account_verify_credentials()
            return [_post(s) for s in self.api.account_statuses(me["id"], limit=limit)]
        except MastodonError as exc:
            raise self._fail(exc) from None

    def _status_post(self, key: str, **kw: Any) -> dict[str, Any]:
        """One status with retries under the same Idempotency-Key (ServiceError; ``ambiguous`` on it when
        the server may have it)."""
        last: Exception | None = None
        for attempt in range(self.cfg.retries):
            try:
                return dict(self.api.status_post(idempotency_key=key, **kw))
            except MastodonRatelimitError as exc:
                last = exc
                wait = self.retry_after if self.retry_after is not None else 1.0
                if wait > self.cfg.max_wait_s:
                    raise self._fail(exc) from None  # refused, not sent: not ambiguous
                self._sleep(max(wait, 0.0))
            except (MastodonServerError, MastodonNetworkError) as exc:  # it may exist: retry with the same key
                last = exc
                self._sleep(min(2.0 ** attempt * 0.5, self.cfg.max_wait_s))
            except MastodonAPIError as exc:  # 4xx: refused
                raise self._fail(exc) from None
        if isinstance(last, MastodonRatelimitError):
            raise self._fail(last)  # refused each time: not sent
        raise Uncertain(str(self._fail(last or MastodonError("no answer"))))

    def publish(self, draft: Draft, parts: list[str]) -> Published:
        """The parts as one status or a thread (each answering the one before)."""
        done = Published(network="mastodon")
        reply_to = draft.reply_to.get("mastodon")
        try:  # the images first (each with its description): nothing is posted when one is refused
            media = [str(self.api.media_post(m.path, mime_type=m.mime, description=m.alt)["id"]) for m in draft.media]
        except (MastodonError, OSError) as exc:
            done.ok = False
            done.error = f"the image was not taken: {exc}" if isinstance(exc, OSError) else str(self._fail(exc))
            return done
        for i, part in enumerate(parts):
            try:
                s = self._status_post(f"{draft.key}-{i}", status=part, in_reply_to_id=reply_to,
                                      visibility=_VISIBILITY[draft.visibility], spoiler_text=draft.cw or None,
                                      sensitive=bool(draft.cw), language=draft.language,
                                      media_ids=(media or None) if i == 0 else None)
            except ServiceError as exc:
                done.ok, done.error = False, str(exc)
                done.ambiguous = isinstance(exc, Uncertain)
                return done
            reply_to = str(s["id"])
            done.ids.append(reply_to)
            done.urls.append(str(s.get("url") or ""))
        return done

    def react(self, kind: Reaction, post: Post) -> str:
        """Boost (reblog) or like (favourite) someone's post; the server keeps one of each per user, so
        asking twice is still one. The id of the boost, or of the post liked."""
        try:
            s = self.api.status_reblog(post.id) if kind == "boost" else self.api.status_favourite(post.id)
        except MastodonNotFoundError:
            raise ServiceError(f"that post is not on Mastodon ({self.account}) any more") from None
        except MastodonError as exc:
            raise self._fail(exc) from None
        return str(s.get("id") or post.id)

    def delete(self, post_id: str) -> None:
        try:
            self.api.status_delete(post_id)
        except MastodonNotFoundError:
            raise ServiceError(f"that post is not on Mastodon ({self.account}) any more") from None
        except MastodonError as exc:
            raise self._fail(exc) from None

    def close(self) -> None:
        self._session.close()
