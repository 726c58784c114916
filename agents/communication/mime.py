"""Safe MIME parsing and building: every message yields something to show, nothing raises.

Headers: RFC 2047 words decoded, unknown or wrong charsets and raw 8-bit bytes repaired.
Bodies: text/plain preferred, HTML turned into text, attachments listed (name, type, size) but not
kept. Replies get ``In-Reply-To`` and ``References`` so they thread in every client."""

from __future__ import annotations

import codecs
import email
import email.header
import email.utils
import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.policy import SMTP, compat32
from html.parser import HTMLParser

from agents.communication.models import Attachment, DraftMail, ParsedMail

MAX_TEXT_CHARS = 200_000
_FALLBACK_CHARSETS = ("utf-8", "cp1252")
_CHARSET_ALIASES = {"utf8": "utf-8", "latin1": "latin-1", "unknown-8bit": "utf-8", "x-unknown": "utf-8",
                    "iso-8859-8-i": "iso-8859-8", "ks_c_5601-1987": "cp949", "gb2312": "gb18030", "gbk": "gb18030",
                    "ascii": "utf-8", "us-ascii": "utf-8", "windows-874": "cp874"}
_LATIN_FAMILY = {"latin-1", "iso-8859-1", "iso-8859-15", "cp1252", "windows-1252", "iso8859-1"}


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, repairing the usual lies (UTF-8 labelled Latin-1, unknown names)."""
    declared = _codec(charset)
    if declared in _LATIN_FAMILY or declared == "cp1252":
        try:  # UTF-8 mislabelled as Latin-1: valid UTF-8 with multibyte sequences is almost never Latin-1
            text = data.decode("utf-8")
            if any(ord(c) > 127 for c in text):
                return text
        except UnicodeDecodeError:
            pass
    for name in ((declared,) if declared else ()) + _FALLBACK_CHARSETS:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def _unescape_surrogates(text: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogate escapes: decode them for real."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    return decode_bytes(text.encode("ascii", errors="surrogateescape"), None)


def decode_header_value(value: object) -> str:
    """Any header value (str, Header, None) to clean one-line text. Never raises."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):  # compat32 wraps raw 8-bit headers as unknown-8bit
        parts: list[tuple[bytes | str, str | None]] = [
            (c.encode("utf-8", "surrogateescape") if isinstance(c, str) else c, cs)
            for c, cs in email.header.decode_header(value)]
        raw = "".join(decode_bytes(c, cs) if isinstance(c, bytes) else c for c, cs in parts)
        return re.sub(r"\s+", " ", raw).strip()
    raw = _unescape_surrogates(str(value))
    try:
        parts = email.header.decode_header(raw)
    except Exception:
        parts = [(raw, None)]
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    # decode_header drops the whitespace between an encoded word and plain text only where RFC 2047 says so
    text = "".join(out) if any(isinstance(c, bytes) for c, _ in parts) else raw
    return re.sub(r"\s+", " ", text).strip()


def parse_addresses(values: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs; names decoded. Broken entries are kept as best as possible."""
    pairs: list[tuple[str, str]] = []
    try:
        parsed = email.utils.getaddresses([_unescape_surrogates(v) for v in values])
    except Exception:
        parsed = [("", v) for v in values]
    for name, addr in parsed:
        if not name and not addr:
            continue
        pairs.append((decode_header_value(name), addr.strip()))
    return pairs


def format_address(name: str, addr: str) -> str:
    return f"{name} <{addr}>" if name else addr


_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
                         "ol", "blockquote", "pre", "hr", "section", "article", "header", "footer"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})


class _HtmlToText(HTMLParser):

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    parser = _HtmlToText()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.out)
    except Exception:  # pathological markup: drop the tags crudely
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _payload_text(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    return decode_bytes(data, part.get_content_charset() or part.get_param("charset"))  # type: ignore[arg-type]


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        name = part.get_param("name")  # type: ignore[assignment]
        if isinstance(name, tuple):
            name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name) if name else None


def _encoded_size(part: Message) -> int:
    raw = part.get_payload()
    if not isinstance(raw, str):
        return 0
    if str(part.get("Content-Transfer-Encoding", "")).lower().strip() == "base64":
        return len(re.sub(r"\s", "", raw)) * 3 // 4
    return len(raw.encode("utf-8", errors="surrogateescape"))


def _parse_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _msgids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _hstr(value: object) -> str:
    return decode_header_value(value) if isinstance(value, email.header.Header) else str(value)


def _first_msgid(value: object) -> str | None:
    ids = _msgids(str(value or ""))
    return ids[0] if ids else None


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one RFC 5322 message. Broken structure or headers give defects, not exceptions."""
    defects: list[str] = []
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
    except Exception as exc:  # practically unreachable: the parser is lenient
        return ParsedMail(text=decode_bytes(raw[:MAX_TEXT_CHARS], None), defects=[f"unparseable: {exc}"])

    def header(name: str) -> str:
        try:
            return decode_header_value(msg.get(name))
        except Exception as exc:
            defects.append(f"header {name}: {exc}")
            return ""

    senders = parse_addresses([_hstr(v) for v in msg.get_all("From", [])])
    sender_name, sender = senders[0] if senders else ("", header("From"))
    plain: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        for d in part.defects:
            defects.append(type(d).__name__)
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = str(part.get("Content-Disposition", "")).split(";")[0].strip().lower()
        filename = _filename(part)
        is_body = ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename
        if not is_body:
            attachments.append(Attachment(filename=filename or f"unnamed.{part.get_content_subtype()}",
                                          content_type=ctype, size=_encoded_size(part)))
            continue
        (plain if ctype == "text/plain" else htmls).append(_payload_text(part))
    if plain and any(p.strip() for p in plain):
        text = "\n\n".join(p.strip() for p in plain if p.strip())
    elif htmls:
        text = "\n\n".join(html_to_text(h) for h in htmls)
    else:
        text = ""
    reply_to = parse_addresses([_hstr(v) for v in msg.get_all("Reply-To", [])])
    return ParsedMail(
        message_id=_first_msgid(msg.get("Message-ID")),
        in_reply_to=_first_msgid(msg.get("In-Reply-To")),
        references=_msgids(str(msg.get("References", ""))),
        sender=sender,
        sender_name=sender_name or None,
        reply_to=reply_to[0][1] if reply_to else None,
        to=[format_address(n, a) for n, a in parse_addresses([_hstr(v) for v in msg.get_all("To", [])])],
        cc=[format_address(n, a) for n, a in parse_addresses([_hstr(v) for v in msg.get_all("Cc", [])])],
        subject=header("Subject"),
        date=_parse_date(header("Date")),
        text=text.replace("\r\n", "\n")[:MAX_TEXT_CHARS],
        attachments=attachments,
        defects=sorted(set(defects)),
    )


def reply_subject(subject: str) -> str:
    return subject if re.match(r"(?i)^\s*(re|aw|sv|antw)\s*:", subject or "") else f"Re: {subject}".strip()


def draft_reply(original: ParsedMail, body: str, quote: bool = True) -> DraftMail:
    """A reply to the sender (Reply-To wins) with correct threading headers."""
    to = original.reply_to or original.sender
    if not to:
        raise ValueError("the message has no sender address to reply to")
    refs = [*original.references]
    if original.message_id and original.message_id not in refs:
        refs.append(original.message_id)
    text = body.rstrip() + "\n"
    if quote and original.text:
        when = original.date.strftime("%Y-%m-%d %H:%M") if original.date else "earlier"
        who = original.sender_name or original.sender
        quoted = "\n".join("> " + ln for ln in original.text.strip().splitlines()[:60])
        text += f"\nOn {when}, {who} wrote:\n{quoted}\n"
    return DraftMail(to=[to], subject=reply_subject(original.subject), body=text,
                     in_reply_to=original.message_id, references=refs)


def build_message(draft: DraftMail, sender: str, sender_name: str | None = None,
                  domain: str | None = None) -> EmailMessage:
    """An RFC 5322 message (UTF-8, quoted-printable as needed) with a fresh Message-ID and Date."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = email.utils.formataddr((sender_name or "", sender))
    msg["To"] = ", ".join(draft.to)
    if draft.cc:
        msg["Cc"] = ", ".join(draft.cc)
    msg["Subject"] = draft.subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=domain or sender.rpartition("@")[2] or None)
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        msg["References"] = " ".join(draft.references)
    msg.set_content(draft.body)
    for a in draft.attachments:
        maintype, _, subtype = a.content_type.partition("/")
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype or "octet-stream", filename=a.filename)
    return msg
