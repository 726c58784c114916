"""A realistic mailbox to seed Dovecot with: ordinary mail plus the nasty cases (broken MIME, lying
charsets, encoded and raw 8-bit headers, HTML only, a huge attachment)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SENDERS = [("Anna Schmidt", "anna@example.org"), ("Tom Becker", "tom@example.net"),
           ("Jörg Müller", "joerg@example.de"), ("Newsletter", "news@shop.example")]


@dataclass
class Seed:
    raw: bytes
    seen: bool
    when: datetime
    label: str


def _plain(i: int, name: str, addr: str, when: datetime, subject: str, body: str) -> bytes:
    m = EmailMessage()
    m["From"] = f"{name} <{addr}>"
    m["To"] = "me@example.test"
    m["Subject"] = subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<seed-{i}@example.org>"
    m.set_content(body)
    return m.as_bytes()


def special_messages() -> list[Seed]:
    when = BASE + timedelta(days=20)
    out: list[Seed] = []
    out.append(Seed(label="encoded-umlaut-subject", seen=False, when=when, raw=(
        b"From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>\r\nTo: me@example.test\r\n"
        b"Subject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
        b"Message-ID: <umlaut-1@example.de>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nSch\xf6ne Gr\xfc\xdfe, bis Montag!\r\n")))
    out.append(Seed(label="utf8-labelled-latin1", seen=False, when=when, raw=(
        b"From: Anna Schmidt <anna@example.org>\r\nTo: me@example.test\r\nSubject: Falsches Charset\r\n"
        b"Date: Mon, 23 Nov 2026 11:00:00 +0100\r\nMessage-ID: <charset-1@example.org>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        + "Die Br\u00fccke ist gesperrt. Stra\u00dfe frei.\r\n".encode())))
    out.append(Seed(label="unknown-charset", seen=True, when=when, raw=(
        b"From: Tom Becker <tom@example.net>\r\nTo: me@example.test\r\nSubject: Unknown charset\r\n"
        b"Date: Mon, 23 Nov 2026 12:00:00 +0100\r\nMessage-ID: <charset-2@example.net>\r\n"
        b"Content-Type: text/plain; charset=x-made-up-8\r\n\r\nCaf\xc3\xa9 at noon\r\n")))
    out.append(Seed(label="raw-8bit-header", seen=True, when=when, raw=(
        b"From: M\xc3\xbcller <mueller@example.de>\r\nTo: me@example.test\r\nSubject: Rohe \xc3\x9cberschrift\r\n"
        b"Date: Mon, 23 Nov 2026 13:00:00 +0100\r\n\r\nBody ok\r\n")))
    out.append(Seed(label="broken-headers", seen=True, when=when, raw=(
        b"From: <<<broken@@example..org\r\nTo: ;;;\r\nSubject: =?utf-8?B?bm90IGJhc2U2NCE?=!\r\n"
        b"Date: not a date at all\r\nContent-Type: multipart/mixed\r\n\r\nno boundary given\r\n")))
    out.append(Seed(label="html-only", seen=False, when=when, raw=(
        b"From: Newsletter <news@shop.example>\r\nTo: me@example.test\r\nSubject: Angebote\r\n"
        b"Date: Mon, 23 Nov 2026 14:00:00 +0100\r\nMessage-ID: <html-1@shop.example>\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>p{color:red}</style>"
        b"<script>alert(1)</script></head><body><h1>Sale</h1><p>Alles &amp; mehr &ndash; 50%</p>"
        b"<ul><li>Eins</li><li>Zwei</li></ul></body></html>\r\n")))
    out.append(Seed(label="truncated-multipart", seen=True, when=when, raw=(
        b"From: Tom Becker <tom@example.net>\r\nTo: me@example.test\r\nSubject: Cut off\r\n"
        b"Date: Mon, 23 Nov 2026 15:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/alternative; boundary=\"XYZ\"\r\n\r\n--XYZ\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe first part survives\r\n--XYZ\r\n"
        b"Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+dW5maW5pc2hl")))
    big = EmailMessage()
    big["From"], big["To"], big["Subject"] = "Anna Schmidt <anna@example.org>", "me@example.test", "Fotos vom Urlaub"
    big["Date"], big["Message-ID"] = "Tue, 24 Nov 2026 09:00:00 +0100", "<big-1@example.org>"
    big.set_content("Hier sind die Fotos.")
    big.add_attachment(os.urandom(6 * 1024 * 1024), maintype="image", subtype="jpeg", filename="Strand ä.jpg")
    big.add_attachment(b"%PDF-1.4 tiny", maintype="application", subtype="pdf", filename="plan.pdf")
    out.append(Seed(label="huge-attachment", seen=False, when=when, raw=big.as_bytes()))
    return out


def ordinary_messages(n: int, start: int = 0) -> list[Seed]:
    out = []
    for i in range(start, start + n):
        name, addr = SENDERS[i % len(SENDERS)]
        when = BASE + timedelta(hours=7 * i)
        out.append(Seed(raw=_plain(i, name, addr, when, f"Update {i} from {name.split()[0]}",
                                   f"Message number {i}. Topic {'budget' if i % 5 == 0 else 'weekly'}."),
                        seen=i % 3 != 0, when=when, label=f"plain-{i}"))
    return out


def corpus() -> list[Seed]:
    return ordinary_messages(50) + special_messages()
