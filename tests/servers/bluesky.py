"""A Bluesky PDS stand-in (XRPC over HTTP) on a free loopback port, for the endpoints the app uses.

Why not a real PDS: ``@atproto/dev-env`` needs Node >= 22 (this machine has 20) and builds
``better-sqlite3`` from source, whose prebuilt download fails offline (see README, Social media).

Endpoints, with the lexicons' request and response shapes: ``com.atproto.server.createSession`` and
``refreshSession`` (JWTs with ``exp``, so the ``atproto`` client refreshes when due; the refresh token
rotates), ``com.atproto.identity.resolveHandle``, ``com.atproto.repo.createRecord`` /
``deleteRecord`` / ``getRecord`` / ``uploadBlob`` (createRecord: posts, likes and reposts), ``app.bsky.feed.getTimeline`` / ``getAuthorFeed`` /
``getPosts`` and ``app.bsky.notification.listNotifications``. Records are validated with the ``atproto``
package's lexicon models (strict string formats: DIDs, AT-URIs, CIDs, datetimes, languages) plus the
post lexicon's ``maxGraphemes: 300`` and facet byte ranges; CIDs are real (dag-cbor, sha-256).
A record key that exists already is refused ("Record already exists"), as the PDS does for the same
rkey. Mentions (facets) and replies notify the account they name. ``fail_next`` injects a 429 with
Retry-After, a 500 after the record was stored (an ambiguous answer) or a 503."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import jwt
import libipld
import pytest
import regex

from tests.servers.base import announce, free_port

Failure = Literal["rate_limit", "stored_then_500", "unavailable"]
POST = "app.bsky.feed.post"
LIKE = "app.bsky.feed.like"
REPOST = "app.bsky.feed.repost"


def cid_of(value: Any, codec: int = 0x71) -> str:
    data = libipld.encode_dag_cbor(value) if codec == 0x71 else value
    return libipld.encode_multibase("b", bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest())


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class User:
    handle: str
    display_name: str
    password: str
    did: str = field(default_factory=lambda: "did:plc:" + uuid.uuid4().hex[:24])


@dataclass
class Stored:
    uri: str
    cid: str
    did: str
    rkey: str
    value: dict[str, Any]
    indexed_at: str


class XrpcError(Exception):
    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers or {}


@dataclass
class BlueskyServer:
    host: str
    port: int
    users: dict[str, User] = field(default_factory=lambda: {
        u.handle: u for u in (User("me.example.com", "Me Myself", "app-pass-me-1"),
                              User("bob.example.com", "Bob Baker", "app-pass-bob-2"),
                              User("carol.example.com", "Carol Chen", "app-pass-carol-3"))})
    secret: str = field(default_factory=lambda: uuid.uuid4().hex)
    access_ttl_s: int = 7200
    records: dict[str, Stored] = field(default_factory=dict)  # uri -> record (posts only)
    reactions: dict[str, Stored] = field(default_factory=dict)  # uri -> like or repost record
    notifications: list[dict[str, Any]] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    fail_next: list[Failure] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # "METHOD nsid" in order
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def user(self, handle: str) -> User:
        return self.users[handle]

    def by_did(self, did: str) -> User:
        for u in self.users.values():
            if u.did == did:
                return u
        raise XrpcError(400, "InvalidRequest", f"unknown repo {did}")

    # ------------------------------------------------------------------ sessions
    def _tokens(self, u: User) -> dict[str, Any]:
        now = int(time.time())
        access = jwt.encode({"scope": "com.atproto.access", "sub": u.did, "iat": now, "exp": now + self.access_ttl_s,
                             "jti": uuid.uuid4().hex}, self.secret, algorithm="HS256")
        refresh = jwt.encode({"scope": "com.atproto.refresh", "sub": u.did, "iat": now, "exp": now + 90 * 86400,
                              "jti": uuid.uuid4().hex}, self.secret, algorithm="HS256")
        self.refresh_tokens.add(refresh)
        return {"did": u.did, "handle": u.handle, "accessJwt": access, "refreshJwt": refresh, "active": True}

    def _auth(self, headers: Any, scope: str = "com.atproto.access") -> User:
        raw = str(headers.get("Authorization") or "")
        if not raw.startswith("Bearer "):
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        try:
            claims = jwt.decode(raw[7:], self.secret, algorithms=["HS256"])
        except jwt.ExpiredSignatureError:
            raise XrpcError(400, "ExpiredToken", "Token has expired") from None
        except jwt.InvalidTokenError:
            raise XrpcError(401, "InvalidToken", "Token could not be verified") from None
        if claims.get("scope") != scope:
            raise XrpcError(400, "InvalidToken", "Bad token scope")
        if scope == "com.atproto.refresh":
            if raw[7:] not in self.refresh_tokens:
                raise XrpcError(400, "ExpiredToken", "Token has been revoked")
            self.refresh_tokens.discard(raw[7:])  # rotates
        return self.by_did(str(claims["sub"]))

    # ------------------------------------------------------------------ records
    def validate_post(self, record: dict[str, Any]) -> None:
        from atproto_client import models
        from atproto_client.models.utils import get_or_create
        from pydantic import ValidationError

        if record.get("$type") != POST:
            raise XrpcError(400, "InvalidRecord", f"Invalid $type: expected {POST}")
        try:
            get_or_create(record, models.AppBskyFeedPost.Record, strict=True, strict_string_format=True)
        except (ValidationError, Exception) as exc:
            raise XrpcError(400, "InvalidRecord", f"Invalid app.bsky.feed.post record: {str(exc)[:300]}") from None
        text = str(record.get("text", ""))
        if len(regex.findall(r"\X", text)) > 300:
            raise XrpcError(400, "InvalidRecord", "Invalid app.bsky.feed.post record: Record/text must not be "
                                                  "longer than 300 graphemes")
        size = len(text.encode())
        for f in record.get("facets") or []:
            i = f["index"]
            if not 0 <= i["byteStart"] < i["byteEnd"] <= size:
                raise XrpcError(400, "InvalidRecord", "facet byte range outside the text")

    def store_post(self, u: User, record: dict[str, Any], rkey: str | None = None) -> Stored:
        self.validate_post(record)
        rkey = rkey or f"3l{next(self._seq):011d}"
        uri = f"at://{u.did}/{POST}/{rkey}"
        if uri in self.records:
            raise XrpcError(400, "InvalidRequest", "Record already exists")
        rec = Stored(uri=uri, cid=cid_of(record), did=u.did, rkey=rkey, value=record, indexed_at=now_iso())
        self.records[uri] = rec
        self._notify(u, rec)
        return rec

    def store_reaction(self, u: User, collection: str, record: dict[str, Any]) -> Stored:
        """A like or repost, validated with its lexicon model; its subject must exist."""
        from atproto_client import models
        from atproto_client.models.utils import get_or_create
        from pydantic import ValidationError

        model = models.AppBskyFeedLike.Record if collection == LIKE else models.AppBskyFeedRepost.Record
        if record.get("$type") != collection:
            raise XrpcError(400, "InvalidRecord", f"Invalid $type: expected {collection}")
        try:
            get_or_create(record, model, strict=True, strict_string_format=True)
        except (ValidationError, Exception) as exc:
            raise XrpcError(400, "InvalidRecord", f"Invalid {collection} record: {str(exc)[:300]}") from None
        subject = (record.get("subject") or {}).get("uri")
        if subject not in self.records:
            raise XrpcError(400, "InvalidRecord", "the subject does not exist")
        rkey = f"3r{next(self._seq):011d}"
        rec = Stored(uri=f"at://{u.did}/{collection}/{rkey}", cid=cid_of(record), did=u.did, rkey=rkey,
                     value=record, indexed_at=now_iso())
        self.reactions[rec.uri] = rec
        return rec

    def reactions_on(self, uri: str, collection: str) -> list[Stored]:
        """The likes or reposts (``LIKE`` / ``REPOST``) of one post."""
        return [r for r in self.reactions.values()
                if r.uri.split("/")[-2] == collection and (r.value.get("subject") or {}).get("uri") == uri]

    def _notify(self, author: User, rec: Stored) -> None:
        told: set[str] = set()
        parent = ((rec.value.get("reply") or {}).get("parent") or {}).get("uri")
        if parent and parent in self.records and self.records[parent].did != author.did:
            told.add(self.records[parent].did)
            self._note(self.records[parent].did, author, rec, "reply")
        for f in rec.value.get("facets") or []:
            for feat in f.get("features") or []:
                did = feat.get("did")
                if feat.get("$type") == "app.bsky.richtext.facet#mention" and did and did not in told \
                        and did != author.did:
                    told.add(did)
                    self._note(did, author, rec, "mention")

    def _note(self, to: str, author: User, rec: Stored, reason: str) -> None:
        self.notifications.append({"to": to, "uri": rec.uri, "cid": rec.cid, "author": self.profile(author),
                                   "reason": reason, "record": rec.value, "isRead": False,
                                   "indexedAt": rec.indexed_at})

    def post_as(self, handle: str, text: str, reply_to: str | None = None, mention: str | None = None) -> Stored:
        """A post by another account (test data): a mention of ``mention`` (a handle) becomes a facet."""
        u = self.user(handle)
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": now_iso(), "langs": ["en"]}
        if mention:
            start = text.encode().index(f"@{mention}".encode())
            record["facets"] = [{"index": {"byteStart": start, "byteEnd": start + len(mention.encode()) + 1},
                                 "features": [{"$type": "app.bsky.richtext.facet#mention",
                                               "did": self.user(mention).did}]}]
        if reply_to:
            parent = self.records[reply_to]
            root = (parent.value.get("reply") or {}).get("root") or {"uri": parent.uri, "cid": parent.cid}
            record["reply"] = {"root": root, "parent": {"uri": parent.uri, "cid": parent.cid}}
        with self.lock:
            return self.store_post(u, record)

    def posts_of(self, handle: str) -> list[Stored]:
        did = self.user(handle).did
        return [r for r in self.records.values() if r.did == did]

    # ------------------------------------------------------------------ views
    def profile(self, u: User) -> dict[str, Any]:
        return {"did": u.did, "handle": u.handle, "displayName": u.display_name}

    def view(self, rec: Stored) -> dict[str, Any]:
        replies = sum(1 for r in self.records.values()
                      if ((r.value.get("reply") or {}).get("parent") or {}).get("uri") == rec.uri)
        return {"uri": rec.uri, "cid": rec.cid, "author": self.profile(self.by_did(rec.did)), "record": rec.value,
                "replyCount": replies, "repostCount": int(rec.value.get("_reposts", 0)), "likeCount": 0,
                "indexedAt": rec.indexed_at}

    def handle_call(self, method: str, nsid: str, q: dict[str, list[str]], body: bytes, headers: Any,
                    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            self.calls.append(f"{method} {nsid}")
            failure = self.fail_next.pop(0) if self.fail_next and nsid == "com.atproto.repo.createRecord" else None
            if failure == "rate_limit":
                raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded", {"Retry-After": "1"})
            if failure == "unavailable":
                raise XrpcError(503, "InternalServerError", "Service unavailable")
            out = self._dispatch(method, nsid, q, body, headers)
            if failure == "stored_then_500":
                raise XrpcError(500, "InternalServerError", "Internal Server Error")
            return 200, out, {}

    def _dispatch(self, method: str, nsid: str, q: dict[str, list[str]], body: bytes, headers: Any) -> dict[str, Any]:
        def arg(name: str) -> str:
            if name not in q:
                raise XrpcError(400, "InvalidRequest", f"Error: Params must have the property \"{name}\"")
            return q[name][0]

        data: dict[str, Any] = {}
        if method == "POST" and nsid != "com.atproto.repo.uploadBlob" and body:
            try:
                data = json.loads(body)
            except ValueError:
                raise XrpcError(400, "InvalidRequest", "Invalid JSON body") from None
        if nsid == "com.atproto.server.createSession":
            ident = str(data.get("identifier", "")).lstrip("@")
            u = next((x for x in self.users.values() if ident in (x.handle, x.did)), None)
            if u is None or data.get("password") != u.password:
                raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
            return self._tokens(u)
        if nsid == "com.atproto.server.refreshSession":
            return self._tokens(self._auth(headers, "com.atproto.refresh"))
        if nsid == "com.atproto.identity.resolveHandle":
            h = arg("handle")
            if h not in self.users:
                raise XrpcError(400, "InvalidRequest", "Unable to resolve handle")
            return {"did": self.users[h].did}
        me = self._auth(headers)
        if nsid == "com.atproto.repo.createRecord":
            if data.get("repo") not in (me.did, me.handle):
                raise XrpcError(401, "InvalidToken", "Token does not match the repo")
            if data.get("collection") in (LIKE, REPOST):
                rec = self.store_reaction(me, str(data.get("collection")), data.get("record") or {})
                return {"uri": rec.uri, "cid": rec.cid, "validationStatus": "valid"}
            if data.get("collection") != POST:
                raise XrpcError(400, "InvalidRequest", "collection not supported here")
            rec = self.store_post(me, data.get("record") or {}, data.get("rkey"))
            return {"uri": rec.uri, "cid": rec.cid, "validationStatus": "valid"}
        if nsid == "com.atproto.repo.deleteRecord":
            uri = f"at://{me.did}/{data.get('collection')}/{data.get('rkey')}"
            if data.get("repo") not in (me.did, me.handle):
                raise XrpcError(401, "InvalidToken", "Token does not match the repo")
            self.records.pop(uri, None)
            return {}
        if nsid == "com.atproto.repo.getRecord":
            u = self.by_did(arg("repo")) if arg("repo").startswith("did:") else self.user(arg("repo"))
            uri = f"at://{u.did}/{arg('collection')}/{arg('rkey')}"
            if uri not in self.records:
                raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
            return {"uri": uri, "cid": self.records[uri].cid, "value": self.records[uri].value}
        if nsid == "com.atproto.repo.uploadBlob":
            cid = cid_of(body, 0x55)
            self.blobs[cid] = body
            return {"blob": {"$type": "blob", "ref": {"$link": cid},
                             "mimeType": headers.get("Content-Type") or "application/octet-stream", "size": len(body)}}
        limit = int(q.get("limit", ["50"])[0])
        if nsid == "app.bsky.feed.getTimeline":
            feed = [r for r in self.records.values() if r.did != me.did]
            return {"feed": [{"post": self.view(r)} for r in reversed(feed)][:limit]}
        if nsid == "app.bsky.feed.getAuthorFeed":
            actor = arg("actor")
            u = self.by_did(actor) if actor.startswith("did:") else self.user(actor)
            return {"feed": [{"post": self.view(r)} for r in reversed(list(self.records.values()))
                             if r.did == u.did][:limit]}
        if nsid == "app.bsky.feed.getPosts":
            return {"posts": [self.view(self.records[u]) for u in q.get("uris", []) if u in self.records]}
        if nsid == "app.bsky.notification.listNotifications":
            mine = [{k: v for k, v in n.items() if k != "to"} for n in reversed(self.notifications) if n["to"] == me.did]
            return {"notifications": mine[:limit]}
        raise XrpcError(501, "MethodNotImplemented", f"Method Not Implemented: {nsid}")


def _handler(server: BlueskyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not parts.path.startswith("/xrpc/"):
                self._send(404, {"error": "NotFound", "message": "Not Found"}, {})
                return
            nsid = parts.path[len("/xrpc/"):]
            try:
                status, out, extra = server.handle_call(method, nsid, parse_qs(parts.query), body, self.headers)
            except XrpcError as exc:
                status, out, extra = exc.status, {"error": exc.error, "message": exc.message}, exc.headers
            self._send(status, out, extra)

        def _send(self, status: int, out: dict[str, Any], extra: dict[str, str]) -> None:
            data = json.dumps(out).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


def start_bluesky() -> tuple[BlueskyServer, ThreadingHTTPServer]:
    """The XRPC server in a thread on a free loopback port; ``httpd.shutdown()`` stops it."""
    server = BlueskyServer(host="127.0.0.1", port=free_port())
    httpd = ThreadingHTTPServer((server.host, server.port), _handler(server))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="bluesky-xrpc", daemon=True).start()
    return server, httpd


@pytest.fixture(scope="session")
def bluesky_server() -> Iterator[BlueskyServer]:
    server, httpd = start_bluesky()
    announce("Bluesky PDS XRPC (local stand-in)", f"{server.base_url}/xrpc")
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
