"""Bluesky through the ``atproto`` client (unmodified): handle + app password, the session kept by a
getter/setter the app backs with the keyring (so a restart refreshes instead of logging in again).

Links and mentions become facets (``atproto``'s TextBuilder; a mention's DID resolved from its handle).
Posting is idempotent: each part's record key (a TID) is fixed when the draft is made, so a retry of
the same part hits the same record ("already exists" means it was stored the first time)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from atproto import Client, models
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.utils import TextBuilder

from agents.deps import ServiceError
from agents.social.config import BlueskyConfig
from agents.social.models import Draft, Notice, Post, Published, Reaction, Uncertain
from agents.social.text import HANDLE, URL

_KINDS = {"mention": "mention", "reply": "reply", "repost": "boost", "like": "like", "follow": "follow",
          "quote": "quote"}
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
POST = "app.bsky.feed.post"


def tid(micros: int, clock_id: int) -> str:
    """An atproto TID: 53 bits of microseconds and 10 bits of clock id, sortable base32, 13 characters."""
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def part_rkey(draft: Draft, index: int) -> str:
    clock = int.from_bytes(hashlib.sha256(draft.key.encode()).digest()[:2], "big")
    return tid(draft.created_us + index, clock)


def _when(view: Any) -> datetime | None:
    """When the post was indexed (else when its record says it was made); None when neither parses."""
    for raw in (getattr(view, "indexed_at", None), getattr(view.record, "created_at", None)):
        try:
            return datetime.fromisoformat(str(raw).replace("Z", "+00:00")) if raw else None
        except ValueError:
            continue
    return None


def _post(view: Any) -> Post:
    rec = view.record
    author = view.author
    return Post(network="bluesky", id=view.uri, cid=view.cid, author=author.display_name or author.handle,
                handle=author.handle, text=str(getattr(rec, "text", "") or ""), created_at=_when(view),
                replies=view.reply_count or 0, boosts=view.repost_count or 0, likes=view.like_count or 0,
                url=f"https://bsky.app/profile/{author.handle}/post/{view.uri.rsplit('/', 1)[-1]}")


class BlueskyClient:
    def __init__(self, cfg: BlueskyConfig, app_password: str, account: str = "bluesky",
                 load_session: Callable[[], str | None] = lambda: None,
                 save_session: Callable[[str], None] = lambda s: None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.cfg = cfg
        self.account = account
        self._password = app_password
        self._load = load_session
        self._save = save_session
        self._sleep = sleep
        self.client = Client(base_url=cfg.base_url)
        self.client.on_session_change(lambda event, session: self._save(session.export()))
        self._did: str | None = None

    def _fail(self, exc: Exception) -> ServiceError:
        if isinstance(exc, UnauthorizedError):
            return ServiceError(f"Bluesky ({self.account}) refused the handle or app password")
        if isinstance(exc, RateLimitExceededError):
            return ServiceError(f"Bluesky ({self.account}) asks to wait before the next request")
        if isinstance(exc, NetworkError) and getattr(exc, "response", None) is None:
            return ServiceError(f"cannot reach the Bluesky server of {self.account}")
        detail = ""
        if isinstance(exc, RequestErrorBase) and exc.response is not None:
            content = exc.response.content
            detail = str(getattr(content, "message", "") or getattr(content, "error", "") or exc.response.status_code)
        return ServiceError(f"Bluesky ({self.account}) answered with an error: {detail[:200] or type(exc).__name__}")

    def login(self) -> str:
        """The account's DID: from the stored session (refreshed by the client when due), else a new
        session from the handle and app password."""
        if self._did:
            return self._did
        stored = self._load()
        try:
            if stored:
                try:
                    self.client.login(session_string=stored, fetch_bsky_profile=False)
                    self._did = self.client._session.did if self.client._session else None
                except (UnauthorizedError, BadRequestError, ValueError):
                    stored = None
            if not stored:
                self.client.login(self.cfg.handle, self._password, fetch_bsky_profile=False)
                self._did = self.client._session.did if self.client._session else None
        except AtProtocolError as exc:
            raise self._fail(exc) from None
        if not self._did:
            raise ServiceError(f"Bluesky ({self.account}) gave no session")
        return self._did

    def check_login(self) -> str:
        did = self.login()
        return f"Bluesky login ok: @{self.cfg.handle} ({did}) on {self.cfg.base_url}"

    def mentions(self, limit: int = 20) -> list[Notice]:
        self.login()
        try:
            res = self.client.app.bsky.notification.list_notifications(
                models.AppBskyNotificationListNotifications.Params(limit=limit))
        except AtProtocolError as exc:
            raise self._fail(exc) from None
        out: list[Notice] = []
        for n in res.notifications:
            text = str(getattr(n.record, "text", "") or "")
            post = None
            if n.reason in ("mention", "reply", "quote"):
                post = Post(network="bluesky", id=n.uri, cid=n.cid, author=n.author.display_name or n.author.handle,
                            handle=n.author.handle, text=text)
            out.append(Notice(network="bluesky", id=n.uri, kind=_KINDS.get(n.reason, "other"),
                              author=n.author.display_name or n.author.handle, handle=n.author.handle, post=post))
        return out

    def timeline(self, limit: int = 50) -> list[Post]:
        self.login()
        try:
            res = self.client.get_timeline(limit=limit)
        except AtProtocolError as exc:
            raise self._fail(exc) from None
        return [_post(item.post) for item in res.feed]

    def own_posts(self, limit: int = 5) -> list[Post]:
        did = self.login()
        try:
            res = self.client.get_author_feed(did, limit=limit)
        except AtProtocolError as exc:
            raise self._fail(exc) from None
        return [_post(item.post) for item in res.feed if item.post.author.did == did]

    def facets(self, text: str) -> TextBuilder:
        """The text with its links and @mentions as facets (a handle that does not resolve stays text)."""
        tb = TextBuilder()
        spans: list[tuple[int, int, str, str]] = []
        for m in URL.finditer(text):
            spans.append((m.start(), m.end(), "link", m.group(0)))
        for m in HANDLE.finditer(text):
            if not any(s <= m.start() < e for s, e, _, _ in spans) and "." in m.group(1) and not m.group(2):
                spans.append((m.start(), m.end(), "mention", m.group(1)))
        pos = 0
        for start, end, kind, value in sorted(spans):
            if start > pos:
                tb.text(text[pos:start])
            if kind == "link":
                tb.link(value, value)
            else:
                try:
                    did = self.client.com.atproto.identity.resolve_handle(
                        models.ComAtprotoIdentityResolveHandle.Params(handle=value)).did
                    tb.mention(text[start:end], did)
                except AtProtocolError:
                    tb.text(text[start:end])
            pos = end
        if pos < len(text):
            tb.text(text[pos:])
        return tb

    def _ref(self, uri: str) -> tuple[models.ComAtprotoRepoStrongRef.Main, models.ComAtprotoRepoStrongRef.Main]:
        """The (root, parent) references for answering the post ``uri``."""
        try:
            got = self.client.get_posts([uri]).posts
        except AtProtocolError as exc:
            raise self._fail(exc) from None
        if not got:
            raise ServiceError(f"that post is not on Bluesky ({self.account}) any more")
        parent = models.ComAtprotoRepoStrongRef.Main(uri=got[0].uri, cid=got[0].cid)
        reply = getattr(got[0].record, "reply", None)
        return (reply.root if reply is not None else parent), parent

    def _create(self, did: str, record: models.AppBskyFeedPost.Record, rkey: str) -> tuple[str, str]:
        last: Exception | None = None
        for attempt in range(self.cfg.retries):
            try:
                res = self.client.app.bsky.feed.post.create(did, record, rkey=rkey)
                return res.uri, res.cid
            except RateLimitExceededError as exc:
                last = exc
                headers = exc.response.headers if exc.response is not None else {}
                wait = float(next((v for k, v in headers.items() if k.lower() == "retry-after"), 1) or 1)
                if wait > self.cfg.max_wait_s:
                    raise self._fail(exc) from None
                self._sleep(wait)
            except BadRequestError as exc:
                content = exc.response.content if exc.response is not None else None
                if "already exists" in str(getattr(content, "message", "")).lower():  # stored by the try before
                    return self._existing(did, rkey)
                raise self._fail(exc) from None
            except (NetworkError, AtProtocolError) as exc:  # 5xx, 502, lost answer: may be stored
                if isinstance(exc, UnauthorizedError):
                    raise self._fail(exc) from None
                last = exc
                self._sleep(min(0.5 * 2 ** attempt, self.cfg.max_wait_s))
        if isinstance(last, RateLimitExceededError):
            raise self._fail(last)
        raise Uncertain(str(self._fail(last or ServiceError("no answer"))))

    def _existing(self, did: str, rkey: str) -> tuple[str, str]:
        try:
            rec = self.client.com.atproto.repo.get_record(
                models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST, rkey=rkey))
        except AtProtocolError as exc:
            raise Uncertain(str(self._fail(exc))) from None
        return rec.uri, rec.cid or ""

    def _images(self, draft: Draft) -> models.AppBskyEmbedImages.Main | None:
        """The draft's images uploaded as blobs (uploadBlob), each with its alt text, for the first post."""
        if not draft.media:
            return None
        images = []
        for m in draft.media:
            try:
                with open(m.path, "rb") as f:
                    data = f.read()
            except OSError as exc:
                raise ServiceError(f"the image was not taken: {exc}") from None
            try:
                blob = self.client.upload_blob(data).blob
            except AtProtocolError as exc:
                raise self._fail(exc) from None
            images.append(models.AppBskyEmbedImages.Image(alt=m.alt, image=blob))
        return models.AppBskyEmbedImages.Main(images=images)

    def publish(self, draft: Draft, parts: list[str]) -> Published:
        done = Published(network="bluesky")
        try:
            did = self.login()
            root = parent = None
            if draft.reply_to.get("bluesky"):
                root, parent = self._ref(draft.reply_to["bluesky"])
            embed = self._images(draft)
            for i, part in enumerate(parts):
                tb = self.facets(part)
                reply = models.AppBskyFeedPost.ReplyRef(root=root, parent=parent) if root and parent else None
                record = models.AppBskyFeedPost.Record(
                    created_at=self.client.get_current_time_iso(), text=tb.build_text(),
                    facets=tb.build_facets() or None, langs=[draft.language], reply=reply,
                    embed=embed if i == 0 else None)
                uri, cid = self._create(did, record, part_rkey(draft, i))
                ref = models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)
                root = root or ref
                parent = ref
                done.ids.append(uri)
                done.urls.append(f"https://bsky.app/profile/{self.cfg.handle}/post/{uri.rsplit('/', 1)[-1]}")
        except ServiceError as exc:
            done.ok, done.error, done.ambiguous = False, str(exc), isinstance(exc, Uncertain)
        return done

    def react(self, kind: Reaction, post: Post) -> str:
        """Repost or like someone's post (one try: a lost answer is not retried, so never two). The new
        record's URI."""
        did = self.login()
        if not post.cid:
            raise ServiceError(f"that post has no reference to answer on Bluesky ({self.account})")
        subject = models.ComAtprotoRepoStrongRef.Main(uri=post.id, cid=post.cid)
        at = self.client.get_current_time_iso()
        try:
            if kind == "boost":
                res = self.client.app.bsky.feed.repost.create(
                    did, models.AppBskyFeedRepost.Record(created_at=at, subject=subject))
            else:
                res = self.client.app.bsky.feed.like.create(did, models.AppBskyFeedLike.Record(created_at=at,
                                                                                                subject=subject))
        except AtProtocolError as exc:
            raise self._fail(exc) from None
        return str(res.uri)

    def delete(self, uri: str) -> None:
        self.login()
        try:
            self.client.delete_post(uri)
        except AtProtocolError as exc:
            raise self._fail(exc) from None

    def close(self) -> None:
        pass
