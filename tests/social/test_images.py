"""Images with alt text through ``personal-agent ask --image --alt`` against mastodon-mock (media API) and
the Bluesky XRPC server (uploadBlob, an images embed checked with the lexicon models): the approval says
the alt text, the post carries the picture once after the yes; an image without alt text or a file that
is no picture is one line and exit 2, nothing drafted."""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from pathlib import Path

import pytest

from tests.servers.bluesky import BlueskyServer
from tests.servers.mastodon import MastodonServer
from tests.social.test_ask_e2e import add_bluesky, add_mastodon, cli

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small real PNG (red pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_an_image_with_alt_text_goes_to_both_networks(mastodon_server: MastodonServer, bluesky_server: BlueskyServer,
                                                      tmp_path: Path) -> None:
    add_mastodon(mastodon_server)
    add_bluesky(bluesky_server)
    png = tmp_path / "sunset.png"
    png.write_bytes(_png())
    alt = "A red square, standing in for a sunset"
    text = f"Tonight's sky {uuid.uuid4().hex[:6]}"
    bad = cli("ask", "--image", str(png), f"post to Mastodon: {text}", code=2)
    assert "needs its alt text" in bad and "Traceback" not in bad
    note = tmp_path / "notes.txt"
    note.write_text("not a picture")
    assert "is not a JPEG, PNG, GIF or WebP picture" in cli("ask", "--image", str(note), "--alt", "x",
                                                            f"post to Mastodon: {text}", code=2)
    out = json.loads(cli("ask", "--json", "--image", str(png), "--alt", alt,
                         f"post this to Mastodon and Bluesky: {text}"))
    assert out["approval"]["action"] == "social.publish" and f'image with alt text "{alt}"' in out["spoken"]
    said = cli("ask", "yes")
    assert "Posted on Mastodon." in said and "Posted on Bluesky." in said
    [status] = [s for s in mastodon_server.statuses() if s["content"] == f"<p>{text}</p>"]
    [media] = status["media_attachments"]
    assert media["description"] == alt and media["type"] == "image"
    [rec] = [r for r in bluesky_server.posts_of("me.example.com") if r.value["text"] == text]
    [img] = rec.value["embed"]["images"]
    assert img["alt"] == alt and bluesky_server.blobs[img["image"]["ref"]["$link"]] == png.read_bytes()
