"""Graphemes, numbered threads at sentence boundaries, speakable posts, the offline digest."""

from __future__ import annotations

import pytest

from agents.social.hub import rank
from agents.social.models import Post
from agents.social.text import graphemes, speakable, split_thread, spoken_post

pytestmark = pytest.mark.unit


def test_graphemes_count_emoji_as_one() -> None:
    assert graphemes("👍🏽🇩🇪é") == 3 and graphemes("abc") == 3


def test_short_text_stays_one_post() -> None:
    assert split_thread("  Hello world.  ", 300) == ["Hello world."]


def test_split_at_sentence_boundaries_with_numbers() -> None:
    sentences = [f"This is sentence {i} and it has some words in it." for i in range(30)]
    parts = split_thread(" ".join(sentences), 300)
    assert len(parts) > 1
    for i, p in enumerate(parts, 1):
        assert graphemes(p) <= 300 and p.endswith(f" ({i}/{len(parts)})")
        body = p.rsplit(" (", 1)[0]
        assert body.endswith("."), body  # whole sentences only
    assert " ".join(p.rsplit(" (", 1)[0] for p in parts) == " ".join(sentences)


def test_a_sentence_longer_than_the_limit_is_cut_at_words() -> None:
    parts = split_thread("word " * 200, 100)
    assert all(graphemes(p) <= 100 for p in parts) and all("wor d" not in p for p in parts)


def test_many_parts_keep_the_limit_with_two_digit_numbers() -> None:
    parts = split_thread("Short one. " * 400, 50)
    assert len(parts) >= 10 and all(graphemes(p) <= 50 for p in parts)


def test_speakable_has_no_urls_and_names_for_handles() -> None:
    said = speakable("Hi @bob@mastodon.social and @carol.bsky.social, read https://www.example.org/a?b=1 #news",
                     names={"bob@mastodon.social": "Bob Baker"})
    assert said == "Hi Bob Baker and carol, read a link to example.org news"
    assert "http" not in speakable("http://x.org", lang="de") and "ein Link" in speakable("http://x.org", lang="de")


def test_content_warning_read_first_text_only_on_request() -> None:
    p = Post(network="mastodon", id="1", author="Bob", handle="bob", text="The butler did it.", cw="Spoilers")
    assert spoken_post(p, "en") == "Bob posted with a content warning: Spoilers."
    assert "butler" in spoken_post(p, "en", with_text=True)


def test_rank_by_replies_and_boosts_one_per_author_first() -> None:
    def post(i: int, who: str, replies: int, boosts: int) -> Post:
        return Post(network="mastodon", id=str(i), author=who, handle=who, text=f"p{i}", replies=replies,
                    boosts=boosts)

    posts = [post(1, "a", 10, 0), post(2, "a", 9, 0), post(3, "b", 1, 5), post(4, "c", 0, 0)]
    assert [p.id for p in rank(posts, 3)] == ["1", "3", "4"]


def test_each_kind_of_emoji_is_described_once() -> None:
    said = speakable("Great day 🎉🎉🎉 at the lake 🏊🏽‍♀️! 🇩🇪 and again 🎉, ok → done")
    assert said == "Great day (party popper) at the lake (swimmer)! (flag DE) and again, ok → done"
    assert speakable("Tolles Wetter ☀️☀️", lang="de") == "Tolles Wetter (Emoji black sun with rays)"
    assert speakable("no emoji here: © 2026 ½") == "no emoji here: © 2026 ½"
