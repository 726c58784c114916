"""The Social screen's compose preview, without Flet (unit-testable): per network the text's grapheme count
against the network's limit (500 Mastodon, 300 Bluesky) and the posts that would go out, a numbered thread
where the text is over the limit: exactly the split the approved draft publishes (``agents.social.text``)."""

from __future__ import annotations

from dataclasses import dataclass

from agents.social.models import LIMITS, NETWORK_NAMES, Network
from agents.social.text import graphemes, split_thread
from app.gui.strings import GUI


@dataclass(frozen=True)
class PartPreview:
    text: str
    graphemes: int


@dataclass(frozen=True)
class NetworkPreview:
    network: Network
    name: str
    count: int  # graphemes of the whole text
    limit: int
    parts: list[PartPreview]

    @property
    def over(self) -> bool:
        return self.count > self.limit


def preview(text: str, networks: list[Network]) -> list[NetworkPreview]:
    """Each chosen network's preview of ``text`` (nothing for an empty text)."""
    text = text.strip()
    out: list[NetworkPreview] = []
    for n in networks:
        parts = [PartPreview(p, graphemes(p)) for p in split_thread(text, LIMITS[n])] if text else []
        out.append(NetworkPreview(network=n, name=NETWORK_NAMES[n], count=graphemes(text), limit=LIMITS[n],
                                  parts=parts))
    return out


def count_line(p: NetworkPreview, language: str) -> str:
    """"Mastodon: 42 / 500" or, over the limit, "Bluesky: 420 / 300 · a thread of 2 posts"."""
    if len(p.parts) > 1:
        return GUI.text("social.count_thread", language, network=p.name, count=p.count, limit=p.limit,
                        parts=len(p.parts))
    return GUI.text("social.count", language, network=p.name, count=p.count, limit=p.limit)


def part_label(p: NetworkPreview, index: int, language: str) -> str:
    """A part's heading in the preview: "Post 2 of 3 · 287 / 300"."""
    part = p.parts[index]
    if len(p.parts) == 1:
        return GUI.text("social.one_post", language, count=part.graphemes, limit=p.limit)
    return GUI.text("social.part_of", language, index=index + 1, total=len(p.parts), count=part.graphemes,
                    limit=p.limit)
