"""MIME parsing and building without a server."""

from __future__ import annotations

import email

import pytest

from agents.communication.mime import (
    build_message,
    decode_header_value,
    draft_reply,
    html_to_text,
    parse_message,
)
from tests.communication.mail_corpus import special_messages

pytestmark = pytest.mark.unit
SPECIAL = {s.label: s.raw for s in special_messages()}


def test_encoded_headers_and_latin1_body_decode_to_umlauts() -> None:
    p = parse_message(SPECIAL["encoded-umlaut-subject"])
    assert p.subject == "Grüße aus Köln"
    assert p.sender_name == "Jörg Müller" and p.sender == "joerg@example.de"
    assert p.text.startswith("Schöne Grüße")


def test_utf8_mislabelled_as_latin1_is_repaired() -> None:
    assert "Brücke" in parse_message(SPECIAL["utf8-labelled-latin1"]).text


def test_unknown_charset_and_raw_8bit_headers_survive() -> None:
    assert "Café" in parse_message(SPECIAL["unknown-charset"]).text
    p = parse_message(SPECIAL["raw-8bit-header"])
    assert p.subject == "Rohe Überschrift" and p.sender_name == "Müller"


def test_broken_headers_and_structure_give_defects_not_exceptions() -> None:
    p = parse_message(SPECIAL["broken-headers"])
    assert p.date is None and p.defects
    assert "no boundary" in p.text or p.text == "" or p.defects


def test_html_only_becomes_text_without_script_or_style() -> None:
    p = parse_message(SPECIAL["html-only"])
    assert "Sale" in p.text and "Alles & mehr – 50%" in p.text and "- Eins" in p.text
    assert "alert" not in p.text and "color" not in p.text


def test_truncated_multipart_keeps_first_part() -> None:
    assert "The first part survives" in parse_message(SPECIAL["truncated-multipart"]).text


def test_attachments_are_listed_with_decoded_names_and_sizes() -> None:
    p = parse_message(SPECIAL["huge-attachment"])
    assert p.text.strip() == "Hier sind die Fotos."
    names = {a.filename: a for a in p.attachments}
    assert set(names) == {"Strand ä.jpg", "plan.pdf"}
    assert abs(names["Strand ä.jpg"].size - 6 * 1024 * 1024) < 1024


def test_decode_header_value_never_raises() -> None:
    assert decode_header_value(None) == ""
    assert decode_header_value("=?bogus-charset?Q?abc?=") == "abc"
    assert decode_header_value("plain  text\r\n folded") == "plain text folded"


def test_reply_has_threading_headers_and_single_re_prefix() -> None:
    original = parse_message(
        b"From: Anna <anna@example.org>\r\nReply-To: anna.private@example.org\r\nSubject: Re: Dinner\r\n"
        b"Message-ID: <m2@example.org>\r\nReferences: <m1@example.org>\r\n\r\nAt 8?\r\n")
    d = draft_reply(original, "I'll be late.")
    assert d.to == ["anna.private@example.org"] and d.subject == "Re: Dinner"
    assert d.in_reply_to == "<m2@example.org>" and d.references == ["<m1@example.org>", "<m2@example.org>"]
    msg = email.message_from_bytes(build_message(d, "me@example.test", "Me Müller").as_bytes())
    assert msg["In-Reply-To"] == "<m2@example.org>"
    assert msg["References"] == "<m1@example.org> <m2@example.org>"
    assert msg["Message-ID"].endswith("@example.test>")
    reparsed = parse_message(build_message(d, "me@example.test", "Me Müller").as_bytes())
    assert reparsed.sender_name == "Me Müller" and "> At 8?" in reparsed.text


def test_html_to_text_handles_garbage() -> None:
    assert html_to_text("<p>a<b>b</p></div></div>&amp;<") .startswith("ab")
