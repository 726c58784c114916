"""The plain configuration of each network's client, from an account record (no client library imported
here: ``atproto`` alone takes seconds to import, so checking an account record or building the app does not
load it)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class MastodonConfig(BaseModel):
    base_url: str  # https://mastodon.social (or a local server)
    timeout_s: float = 15.0
    retries: int = 3  # attempts per post on 5xx / 429 / network errors
    max_wait_s: float = 30.0  # the longest Retry-After honoured before giving up


def mastodon_config(username: str, host: str | None, port: int | None, options: dict[str, Any]) -> MastodonConfig:
    """From an account record: ``options.base_url``, else ``https://<host>[:port]`` (ValueError if neither)."""
    base = str(options.get("base_url") or "").strip()
    if not base and host:
        base = f"https://{host}" + (f":{port}" if port else "")
    if not base:
        raise ValueError("a Mastodon account needs its server address (for example https://mastodon.social)")
    return MastodonConfig(base_url=base.rstrip("/"))


class BlueskyConfig(BaseModel):
    base_url: str = "https://bsky.social"  # the account's PDS
    handle: str
    timeout_s: float = 15.0
    retries: int = 3
    max_wait_s: float = 30.0


def bluesky_config(username: str, host: str | None, port: int | None, options: dict[str, Any]) -> BlueskyConfig:
    handle = username.strip().lstrip("@")
    if not handle:
        raise ValueError("a Bluesky account needs its handle (for example you.bsky.social)")
    base = str(options.get("base_url") or "").strip() or (
        f"https://{host}" + (f":{port}" if port else "") if host else "https://bsky.social")
    return BlueskyConfig(base_url=base.rstrip("/"), handle=handle)
