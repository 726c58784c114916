"""The shared types of the social domain: a post as read from a network, a notification, a draft to
publish (what the approval shows and what runs after the yes) and what publishing did."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agents.deps import ServiceError

Network = Literal["mastodon", "bluesky"]
NETWORKS: tuple[Network, ...] = ("mastodon", "bluesky")
Visibility = Literal["public", "unlisted", "followers", "direct"]
Reaction = Literal["boost", "like"]  # Mastodon: reblog / favourite; Bluesky: repost / like
# what a network counts as one post at most (graphemes): longer texts become a numbered thread
LIMITS: dict[Network, int] = {"mastodon": 500, "bluesky": 300}
NETWORK_NAMES: dict[Network, str] = {"mastodon": "Mastodon", "bluesky": "Bluesky"}


class Post(BaseModel):
    """One post (status / skeet) as a network returned it; ``text`` and ``author`` are other people's
    words: untrusted."""

    network: Network
    id: str  # Mastodon status id; Bluesky at:// URI
    author: str  # display name (or the handle when there is none)
    handle: str
    text: str  # plain text (Mastodon's HTML turned into text)
    cw: str = ""  # content warning (spoiler text): read first, the text only on request
    replies: int = 0
    boosts: int = 0  # reblogs / reposts
    likes: int = 0
    created_at: datetime | None = None
    url: str = ""
    cid: str = ""  # Bluesky: the record's CID (a reply needs it)


class Notice(BaseModel):
    """A notification: a mention or reply (with its post), a boost, a like or a new follower."""

    network: Network
    id: str
    kind: str  # mention, reply, boost, like, follow, quote, other
    author: str
    handle: str
    post: Post | None = None
    created_at: datetime | None = None


class MediaFile(BaseModel):
    """An image to attach, with the words a screen reader says for it (required: asked for when missing)."""

    path: str  # a file on this machine, read when the post goes out
    alt: str = Field(min_length=1, max_length=1500)
    mime: str = "image/jpeg"


class Draft(BaseModel):
    """What the user approves, exactly: the text (split into ``parts`` when over a network's limit), where
    it goes, visibility, content warning, language, the post it answers, and the key that makes a retry
    the same post (never a second one)."""

    networks: list[Network] = Field(min_length=1)
    text: str = Field(min_length=1)
    parts: dict[Network, list[str]] = Field(default_factory=dict)  # network -> the posts in order (a thread)
    visibility: Visibility = "public"
    cw: str = ""
    language: str = "en"
    reply_to: dict[Network, str] = Field(default_factory=dict)  # network -> id of the post answered
    key: str = ""  # idempotency key (Mastodon's Idempotency-Key; Bluesky's record keys derive from it)
    created_us: int = 0  # when it was drafted (µs since 1970): the Bluesky record keys (TIDs) start there
    media: list[MediaFile] = Field(default_factory=list, max_length=4)  # images on the first post


class Published(BaseModel):
    """What one network did with a draft: the ids of the posts that exist now, or why it stopped."""

    network: Network
    ids: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    ok: bool = True
    error: str = ""
    ambiguous: bool = False  # the network may or may not have it: never sent again by itself


class Uncertain(ServiceError):
    """The network may or may not have the post (a 5xx or a lost answer after every retry): it is never
    sent again by itself."""
