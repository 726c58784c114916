"""Table tests of the streaming sentence splitter, English and German, including the hard cases."""

from __future__ import annotations

import re

import pytest

from audio.sentences import Language, SentenceSplitter, split_sentences, split_stream

pytestmark = pytest.mark.unit

CASES: list[tuple[Language, str, list[str]]] = [
    ("en", "Hello there. How are you? Fine!", ["Hello there.", "How are you?", "Fine!"]),
    ("en", "Dr. Smith arrived at 10:30. He left.", ["Dr. Smith arrived at 10:30.", "He left."]),
    ("en", "Mr. and Mrs. Brown are here. Prof. Lee too.", ["Mr. and Mrs. Brown are here.", "Prof. Lee too."]),
    ("en", "Bring fruit, e.g. apples. Then leave.", ["Bring fruit, e.g. apples.", "Then leave."]),
    ("en", "Use a tool, i.e. a hammer. Done.", ["Use a tool, i.e. a hammer.", "Done."]),
    ("en", "The rate is 3.5 percent. It rose.", ["The rate is 3.5 percent.", "It rose."]),
    ("en", "It costs $3.50 today. Tomorrow $4.", ["It costs $3.50 today.", "Tomorrow $4."]),
    ("en", "Wait... I forgot. Well... maybe not.", ["Wait...", "I forgot.", "Well... maybe not."]),
    ("en", "Hmm… Let me think. Okay.", ["Hmm…", "Let me think.", "Okay."]),
    ("en", "Visit example.com today. Or not.", ["Visit example.com today.", "Or not."]),
    ("en", "Mail anna.b@example.org now. Thanks.", ["Mail anna.b@example.org now.", "Thanks."]),
    ("en", "See https://x.org/a?b=1 first. Then go.", ["See https://x.org/a?b=1 first.", "Then go."]),
    ("en", "It was 8 a.m. When did you wake?", ["It was 8 a.m.", "When did you wake?"]),
    ("en", "We met at 8 a.m. on Monday.", ["We met at 8 a.m. on Monday."]),
    ("en", "Apples, pears, etc. are fruit.", ["Apples, pears, etc. are fruit."]),
    ("en", "Apples, pears etc. The rest is veg.", ["Apples, pears etc.", "The rest is veg."]),
    ("en", "J. R. R. Tolkien wrote it.", ["J. R. R. Tolkien wrote it."]),
    ("en", 'He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
    ("en", "Really?! Yes.", ["Really?!", "Yes."]),
    ("en", "I have 3. Then more.", ["I have 3.", "Then more."]),
    ("en", "Version 3.11.2 is out. Update now.", ["Version 3.11.2 is out.", "Update now."]),
    ("en", "1. Buy milk\n2. Call Bob\n\nDone.", ["1. Buy milk", "2. Call Bob", "Done."]),
    ("en", "- one\n- two", ["- one", "- two"]),
    (
        "en",
        "Code:\n```py\nx = 1. \nprint(x)\n```\nThat is it.",
        ["Code:", "```py\nx = 1. \nprint(x)\n```", "That is it."],
    ),
    ("en", "no end mark here", ["no end mark here"]),
    ("de", "Das ist z. B. gut. Ja.", ["Das ist z. B. gut.", "Ja."]),
    ("de", "Das ist z.B. gut. Ja.", ["Das ist z.B. gut.", "Ja."]),
    ("de", "Am 3. März kommt er. Gut.", ["Am 3. März kommt er.", "Gut."]),
    (
        "de",
        "Der 2. Weltkrieg endete 1945. Danach kam Frieden.",
        ["Der 2. Weltkrieg endete 1945.", "Danach kam Frieden."],
    ),
    ("de", "Die Antwort ist 42. Möchtest du mehr?", ["Die Antwort ist 42.", "Möchtest du mehr?"]),
    ("de", "Es kostet 3,5 Mio. Euro. Teuer.", ["Es kostet 3,5 Mio. Euro.", "Teuer."]),
    ("de", "Treffen um 10:30 Uhr. Dr. Müller kommt.", ["Treffen um 10:30 Uhr.", "Dr. Müller kommt."]),
    ("de", "Das heißt d. h. nichts. Ok.", ["Das heißt d. h. nichts.", "Ok."]),
    ("de", "Äpfel, Birnen usw. Das reicht.", ["Äpfel, Birnen usw.", "Das reicht."]),
    ("de", "Äpfel, Birnen usw. sind Obst.", ["Äpfel, Birnen usw. sind Obst."]),
    ("de", "Also... Ich weiß nicht. Hm… vielleicht.", ["Also...", "Ich weiß nicht.", "Hm… vielleicht."]),
    ("de", "Bitte ca. 5 Min. warten. Danke.", ["Bitte ca. 5 Min. warten.", "Danke."]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_whole_text(lang: Language, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


def _tokens(text: str) -> list[str]:
    """LLM-like pieces: a leading space plus up to four characters."""
    return re.findall(r"\s*\S{1,4}|\s+$", text)


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_token_stream_gives_the_same_sentences(lang: Language, text: str, expected: list[str]) -> None:
    assert list(split_stream(_tokens(text), lang)) == expected


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_char_by_char_gives_the_same_sentences(lang: Language, text: str, expected: list[str]) -> None:
    assert list(split_stream(list(text), lang)) == expected


def test_sentence_is_emitted_as_soon_as_it_is_certain() -> None:
    s = SentenceSplitter("en")
    assert s.feed("Hello there") == []
    assert s.feed(".") == []  # could still be "there.com"
    assert s.feed(" How") == ["Hello there."]
    assert s.feed(" are you?") == []
    assert s.feed(" ") == ["How are you?"]
    assert s.feed("Fine. ") == ["Fine."]  # a space after a plain word's period is enough
    assert s.feed("At 8 a.m. ") == []  # "a.m." may go on: wait for the next word
    assert s.feed("Then") == ["At 8 a.m."]
    assert s.flush() == ["Then"]


def test_abbreviation_waits_for_the_next_word() -> None:
    s = SentenceSplitter("en")
    assert s.feed("Apples etc. ") == []
    assert s.feed("and pears.") == []
    assert s.flush() == ["Apples etc. and pears."]


def test_first_clause_mode_cuts_the_first_piece_early() -> None:
    s = SentenceSplitter("en", first_clause=True)
    assert s.feed("Sure, I can") == ["Sure,"]
    assert s.feed(" do that, of course. And then, more.") == ["I can do that, of course."]
    assert s.flush() == ["And then, more."]


def test_first_clause_mode_keeps_thousands_separators() -> None:
    s = SentenceSplitter("en", first_clause=True)
    assert s.feed("It costs 1,") == []
    assert s.feed("234 dollars, okay.") == ["It costs 1,234 dollars,"]
    assert s.flush() == ["okay."]


def test_long_text_without_end_marks_is_cut_at_clause_breaks() -> None:
    text = ", ".join(["one two three four five six"] * 40)
    parts = split_sentences(text, "en", max_chars=120)
    assert len(parts) > 5
    assert all(len(p) <= 120 for p in parts)
    assert " ".join(parts).replace(" ,", ",") == text


def test_long_run_without_any_break_is_cut_at_max_chars() -> None:
    parts = split_sentences("x" * 1000, "en", max_chars=100)
    assert parts == ["x" * 100] * 10


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  "])
def test_empty_and_whitespace_give_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_flush_text_returns_the_unemitted_rest() -> None:
    s = SentenceSplitter("en")
    assert s.feed("Done. Half a sen") == ["Done."]
    assert s.flush_text() == "Half a sen"
    assert s.flush() == []


def test_max_chars_must_be_sensible() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        SentenceSplitter("en", max_chars=5)
