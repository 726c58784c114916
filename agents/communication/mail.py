"""E-mail over IMAP (imapclient) and SMTP (smtplib); implements ``agents.deps.MailService``.

- One IMAP connection, reused; every call has a socket time-out; a dropped connection is reopened
  once and the call repeated, a second failure is a ``ServiceError`` with a clear message.
- Searches run on the server (IMAP SEARCH); listings fetch headers and a 2 KB peek, never whole
  messages; big messages are fetched part by part so a huge attachment is listed, not downloaded.
- Sending: RCPT for every recipient first (a refused one aborts with RSET, so nothing is half
  sent), then DATA; only a message the server accepted is filed in Sent. The caller (the agent)
  asks the user's approval before it calls ``send``/``reply``.
Message ids are ``"<folder>:<uid>"``."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import smtplib
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any, TypeVar

import imapclient
from imapclient.exceptions import LoginError

from agents.communication.mime import (
    build_message,
    decode_bytes,
    decode_header_value,
    draft_reply,
    parse_addresses,
    parse_message,
)
from agents.communication.models import (
    Attachment,
    DraftMail,
    Folder,
    FullMail,
    MailSearch,
    MailServerConfig,
    ParsedMail,
    ThreadSummary,
)
from agents.communication.oauth import OAuthSession, xoauth2
from agents.deps import ServiceError
from agents.models import MailMessage, MailQuery, MailSummary, OutgoingMail, SendResult
from storage.audit import AuditLog, record_quietly

log = logging.getLogger(__name__)
T = TypeVar("T")

_DROPPED: tuple[type[BaseException], ...] = (imaplib.IMAP4.abort, ConnectionError, socket.timeout, ssl.SSLError,
                                              EOFError, BrokenPipeError, OSError)
SEEN, ANSWERED, DELETED = rb"\Seen", rb"\Answered", rb"\Deleted"
SENT, ARCHIVE, DRAFTS, TRASH, JUNK = rb"\Sent", rb"\Archive", rb"\Drafts", rb"\Trash", rb"\Junk"
FULL_FETCH_LIMIT = 4 * 1024 * 1024
_LIST_FIELDS = ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]<0.2048>"]


def message_id(folder: str, uid: int) -> str:
    return f"{folder}:{uid}"


def split_id(mid: str) -> tuple[str, int]:
    folder, sep, uid = mid.rpartition(":")
    if not sep or not folder or not uid.isdigit():
        raise ServiceError(f"not a mail id: {mid!r} (expected folder:uid)")
    return folder, int(uid)


def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()


def _ascii(text: str) -> bool:
    return text.isascii()


class ImapMailService:
    """Mail of one account. Thread-safe (one lock around the shared IMAP connection)."""

    def __init__(self, config: MailServerConfig, password: str, audit: AuditLog | None = None,
                 account: str = "mail", oauth: OAuthSession | None = None) -> None:
        self.config = config
        self._password = password
        self.oauth = oauth  # set: IMAP and SMTP log in with SASL XOAUTH2 and its access token
        self.audit = audit
        self.account = account
        self._conn: imapclient.IMAPClient | None = None
        self._selected: str | None = None
        self._lock = threading.RLock()
        self._special: dict[bytes, str] | None = None

    # --- connection -------------------------------------------------------------------------------
    def _where(self) -> str:
        return f"{self.config.imap.host}:{self.config.imap.port}"

    def _connect(self) -> imapclient.IMAPClient:
        ep, ctx = self.config.imap, _tls_context(self.config.ca_file)
        try:
            conn = imapclient.IMAPClient(ep.host, ep.port, ssl=ep.security == "ssl", ssl_context=ctx,
                                         timeout=self.config.timeout_s)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ServiceError(f"cannot reach the mail server {self._where()}: {_reason(exc)}") from None
        try:
            if ep.security == "starttls":
                conn.starttls(ctx)
            if self.oauth is not None:
                self._imap_oauth_login(conn)
            else:
                conn.login(self.config.username, self._password)
        except ServiceError:
            _close_quietly(conn)
            raise
        except LoginError as exc:
            _close_quietly(conn)
            raise ServiceError(f"the mail server {self._where()} refused the login of "
                               f"'{self.config.username}': wrong password or app password needed "
                               f"({_reason(exc)})") from None
        except (OSError, imaplib.IMAP4.error) as exc:
            _close_quietly(conn)
            raise ServiceError(f"mail server {self._where()}: {_reason(exc)}") from None
        return conn

    def _imap_oauth_login(self, conn: imapclient.IMAPClient) -> None:
        """XOAUTH2 with the held access token; refused once: a refreshed token, once (a token the
        provider withdrew before its expiry)."""
        assert self.oauth is not None
        try:
            conn.oauth2_login(self.config.username, self.oauth.access_token())
        except LoginError:
            log.info("the IMAP server refused the access token of '%s'; refreshing it once", self.account)
            try:
                conn.oauth2_login(self.config.username, self.oauth.access_token(force=True))
            except LoginError:
                raise ServiceError(f"the mail server {self._where()} refused the sign-in of "
                                   f"'{self.config.username}' with a fresh token: check that the account "
                                   "allows IMAP and that its sign-in grants mail access") from None

    def _smtp_login(self, conn: smtplib.SMTP) -> None:
        """AUTH XOAUTH2 (refreshed once when refused) or a password login."""
        if self.oauth is None:
            conn.login(self.config.username, self._password)
            return
        conn.ehlo_or_helo_if_needed()
        for force in (False, True):
            initial = xoauth2(self.config.username, self.oauth.access_token(force=force))
            try:
                conn.auth("XOAUTH2", lambda challenge=None, r=initial: r if challenge is None else "",
                          initial_response_ok=True)
                return
            except smtplib.SMTPAuthenticationError:
                if force:
                    raise
                log.info("the SMTP server refused the access token of '%s'; refreshing it once", self.account)

    def _run(self, op: Callable[[imapclient.IMAPClient], T], what: str) -> T:
        """Run ``op`` on the shared connection; on a dropped connection reconnect once and retry."""
        with self._lock:
            for attempt in (1, 2):
                if self._conn is None:
                    self._conn = self._connect()
                    self._selected = None
                try:
                    return op(self._conn)
                except LoginError:
                    raise
                except imaplib.IMAP4.abort as exc:
                    self._drop()
                    if attempt == 2:
                        raise ServiceError(f"{what}: the mail server dropped the connection twice "
                                           f"({_reason(exc)})") from None
                    log.warning("IMAP connection dropped during %s (%s); reconnecting once", what, exc)
                except imaplib.IMAP4.error as exc:
                    raise ServiceError(f"{what}: the mail server said {_reason(exc)}") from None
                except _DROPPED as exc:
                    self._drop()
                    if attempt == 2:
                        raise ServiceError(f"{what}: lost the connection to {self._where()} "
                                           f"({_reason(exc)})") from None
                    log.warning("IMAP connection lost during %s (%s); reconnecting once", what, exc)
            raise AssertionError("unreachable")

    def _drop(self) -> None:
        if self._conn is not None:
            _close_quietly(self._conn)
        self._conn = None
        self._selected = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.logout()
            self._drop()

    def _select(self, conn: imapclient.IMAPClient, folder: str) -> None:
        if self._selected != folder:
            conn.select_folder(folder)
            self._selected = folder
        else:
            conn.noop()  # a long-lived connection learns of mail that arrived since it selected

    # --- folders ----------------------------------------------------------------------------------
    def folders(self) -> list[Folder]:
        def op(conn: imapclient.IMAPClient) -> list[Folder]:
            out = []
            for flags, _sep, name in conn.list_folders():
                special = next((f.decode() for f in flags if f in (SENT, ARCHIVE,
                                DRAFTS, TRASH, JUNK)), None)
                out.append(Folder(name=str(name), special_use=special))
            return out

        return self._run(op, "listing folders")

    def _special_folder(self, flag: bytes, configured: str | None, fallback: str) -> str:
        if configured:
            return configured
        if self._special is None:
            self._special = {}
            for f in self.folders():
                if f.special_use:
                    self._special[f.special_use.encode()] = f.name
        name = self._special.get(flag)
        if name:
            return name

        def create(conn: imapclient.IMAPClient) -> str:
            if not conn.folder_exists(fallback):
                conn.create_folder(fallback)
            return fallback

        return self._run(create, f"creating folder {fallback}")

    def sent_folder(self) -> str:
        return self._special_folder(SENT, self.config.sent_folder, "Sent")

    def archive_folder(self) -> str:
        return self._special_folder(ARCHIVE, self.config.archive_folder, "Archive")

    # --- search and fetch -------------------------------------------------------------------------
    def search(self, query: MailQuery) -> list[MailSummary]:
        """MailService: messages matching the query, newest first."""
        return list(self.search_full(MailSearch(folder=query.folder, sender=query.sender, text=query.text,
                                                since=query.since, unread_only=query.unread_only,
                                                limit=query.limit)))

    def search_full(self, q: MailSearch) -> list[MailSummary]:
        criteria: list[Any] = []
        if q.unread_only:
            criteria.append("UNSEEN")
        if q.sender:
            criteria += ["FROM", q.sender]
        if q.subject:
            criteria += ["SUBJECT", q.subject]
        if q.text:
            criteria += ["TEXT", q.text]
        if q.since:
            criteria += ["SINCE", q.since.date()]
        if q.before:
            criteria += ["BEFORE", q.before.date()]
        if not criteria:
            criteria = ["ALL"]
        charset = None if all(_ascii(str(c)) for c in criteria) else "UTF-8"

        def op(conn: imapclient.IMAPClient) -> list[MailSummary]:
            self._select(conn, q.folder)
            uids = sorted(conn.search(criteria, charset=charset), reverse=True)
            out: list[MailSummary] = []
            # fetch in pages until `limit` summaries pass the exact (sub-day) time filter
            for i in range(0, len(uids), max(q.limit, 20)):
                page = uids[i:i + max(q.limit, 20)]
                data = conn.fetch(page, _LIST_FIELDS)
                for uid in page:
                    if uid not in data:
                        continue
                    s = _summary(q.folder, uid, data[uid])
                    if (q.since and s.date < q.since) or (q.before and s.date >= q.before):
                        continue
                    out.append(s)
                if len(out) >= q.limit:
                    break
            out.sort(key=lambda s: s.date, reverse=True)
            return out[:q.limit]

        return self._run(op, "searching mail")

    def get(self, message_id: str) -> FullMail:
        """MailService: the full message, without changing its read state."""
        folder, uid = split_id(message_id)

        def op(conn: imapclient.IMAPClient) -> FullMail:
            self._select(conn, folder)
            meta = conn.fetch([uid], ["FLAGS", "INTERNALDATE", "RFC822.SIZE"])
            if uid not in meta:
                raise ServiceError(f"no message {message_id} (deleted or moved?)")
            size = int(meta[uid].get(b"RFC822.SIZE", 0))
            if size <= FULL_FETCH_LIMIT:
                raw = conn.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
                parsed = parse_message(raw)
            else:
                parsed = _parse_big(conn, uid)
            return _full(folder, uid, meta[uid], parsed)

        return self._run(op, "fetching a message")

    def get_raw(self, message_id: str) -> bytes:
        folder, uid = split_id(message_id)

        def op(conn: imapclient.IMAPClient) -> bytes:
            self._select(conn, folder)
            data = conn.fetch([uid], ["BODY.PEEK[]"])
            if uid not in data:
                raise ServiceError(f"no message {message_id}")
            return bytes(data[uid][b"BODY[]"])

        return self._run(op, "fetching a message")

    # --- changes ----------------------------------------------------------------------------------
    def mark_read(self, message_id: str, read: bool = True) -> None:
        folder, uid = split_id(message_id)

        def op(conn: imapclient.IMAPClient) -> None:
            self._select(conn, folder)
            (conn.add_flags if read else conn.remove_flags)([uid], [SEEN])

        self._run(op, "marking a message read")

    def move(self, message_id: str, to_folder: str) -> None:
        folder, uid = split_id(message_id)

        def op(conn: imapclient.IMAPClient) -> None:
            self._select(conn, folder)
            if not conn.search(["UID", str(uid)]):
                raise ServiceError(f"no message {message_id} (moved already?)")
            if conn.has_capability("MOVE"):
                conn.move([uid], to_folder)
            else:
                conn.copy([uid], to_folder)
                conn.add_flags([uid], [DELETED])
                conn.uid_expunge([uid])

        self._run(op, f"moving a message to {to_folder}")
        self._audit("mail.move", f"{message_id} -> {to_folder}", "ok")

    def archive(self, message_id: str) -> None:
        self.move(message_id, self.archive_folder())

    # --- threads ----------------------------------------------------------------------------------
    def thread(self, message_id: str, folders: tuple[str, ...] | None = None) -> ThreadSummary:
        first = self.get(message_id)
        root = (first.references or [first.message_id or ""])[0]
        found: dict[str, FullMail] = {}
        if root:
            for folder in folders or (first.folder, self.sent_folder()):
                def op(conn: imapclient.IMAPClient, folder: str = folder) -> list[int]:
                    self._select(conn, folder)
                    return list(conn.search(["OR", "HEADER", "Message-ID", root, "HEADER", "References", root]))

                for uid in self._run(op, "searching a thread"):
                    m = self.get(_mid(folder, uid))
                    found[m.message_id or m.id] = m
        found.setdefault(first.message_id or first.id, first)
        msgs = sorted(found.values(), key=lambda m: m.date)
        people = list(dict.fromkeys(m.sender_name or m.sender for m in msgs))
        last = msgs[-1]
        gist = " ".join(last.body.split())[:300]
        summary = (f"{len(msgs)} message(s) about \"{first.subject}\" between {', '.join(people)}, "
                   f"{msgs[0].date:%Y-%m-%d} to {last.date:%Y-%m-%d}. Latest from "
                   f"{last.sender_name or last.sender}: {gist}")
        return ThreadSummary(subject=first.subject, participants=people, count=len(msgs), first=msgs[0].date,
                             last=last.date, messages=msgs, summary=summary)

    # --- sending ----------------------------------------------------------------------------------
    def draft(self, mail: OutgoingMail) -> DraftMail:
        """The message as it would be sent (for the approval prompt); threading set if it is a reply."""
        refs: list[str] = []
        in_reply_to = None
        if mail.in_reply_to:
            original = parse_message(self.get_raw(mail.in_reply_to))
            in_reply_to = original.message_id
            refs = [*original.references, *([original.message_id] if original.message_id else [])]
        return DraftMail(to=mail.to, cc=mail.cc, subject=mail.subject, body=mail.body, in_reply_to=in_reply_to,
                         references=refs, attachments=mail.attachments)

    def draft_reply(self, message_id: str, body: str) -> DraftMail:
        return draft_reply(parse_message(self.get_raw(message_id)), body)

    def send(self, mail: OutgoingMail) -> SendResult:
        """MailService: send (the caller has the user's approval)."""
        return self.send_draft(self.draft(mail))

    def reply(self, message_id: str, body: str) -> SendResult:
        """MailService: reply to the sender with threading headers; flags the original \\Answered."""
        result = self.send_draft(self.draft_reply(message_id, body))
        folder, uid = split_id(message_id)

        def flag(conn: imapclient.IMAPClient) -> None:
            self._select(conn, folder)
            conn.add_flags([uid], [ANSWERED])

        try:
            self._run(flag, "flagging the original answered")
        except ServiceError as exc:
            result.detail += f"; could not flag the original as answered: {exc}"
        return result

    def send_draft(self, draft: DraftMail) -> SendResult:
        msg = build_message(draft, self.config.address, self.config.display_name)
        rcpts = [a for _, a in parse_addresses([*draft.to, *draft.cc]) if "@" in a]
        if not rcpts:
            raise ServiceError("no valid recipient address")
        target = ", ".join(rcpts)
        try:
            self._smtp_send(msg.as_bytes(), rcpts)
        except ServiceError as exc:
            self._audit("mail.send", target, "failed", str(exc))
            raise
        detail = "sent"
        if self.config.file_sent_copy:
            sent = None
            try:
                sent = self.sent_folder()
                self._run(lambda c: c.append(sent, msg.as_bytes(), flags=[SEEN],
                                             msg_time=datetime.now(UTC)), "filing in Sent")
                detail = f"sent and filed in {sent}"
            except ServiceError as exc:
                detail = f"sent, but not filed in {sent or 'Sent'}: {exc}"
        self._audit("mail.send", target, "ok", f"{draft.subject} ({detail})")
        return SendResult(ok=True, id=str(msg["Message-ID"]), detail=detail)

    def _smtp_send(self, data: bytes, rcpts: list[str]) -> None:
        ep, ctx = self.config.smtp, _tls_context(self.config.ca_file)
        where = f"{ep.host}:{ep.port}"
        conn: smtplib.SMTP | None = None
        try:
            if ep.security == "ssl":
                conn = smtplib.SMTP_SSL(ep.host, ep.port, timeout=self.config.timeout_s, context=ctx)
            else:
                conn = smtplib.SMTP(ep.host, ep.port, timeout=self.config.timeout_s)
                if ep.security == "starttls":
                    conn.starttls(context=ctx)
            self._smtp_login(conn)
            code, resp = conn.mail(self.config.address)
            if code != 250:
                raise ServiceError(f"SMTP {where} refused the sender: {code} {_text(resp)}; nothing was sent")
            for r in rcpts:
                code, resp = conn.rcpt(r)
                if code not in (250, 251):
                    conn.rset()
                    raise ServiceError(f"SMTP {where} refused the recipient {r}: {code} {_text(resp)}; "
                                       "nothing was sent")
            code, resp = conn.data(data)
            if code != 250:
                raise ServiceError(f"SMTP {where} did not accept the message: {code} {_text(resp)}; "
                                   "nothing was sent")
        except smtplib.SMTPAuthenticationError as exc:
            raise ServiceError(f"the SMTP server {where} refused the login of '{self.config.username}': "
                               f"{exc.smtp_code} {_text(exc.smtp_error)}; nothing was sent") from None
        except smtplib.SMTPServerDisconnected as exc:
            raise ServiceError(f"the SMTP server {where} dropped the connection ({exc}); the message was "
                               "not accepted, nothing was sent") from None
        except smtplib.SMTPResponseException as exc:
            raise ServiceError(f"SMTP {where}: {exc.smtp_code} {_text(exc.smtp_error)}; nothing was sent") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ServiceError(f"cannot send through {where}: {_reason(exc)}; nothing was sent") from None
        finally:
            if conn is not None:
                try:
                    conn.quit()
                except Exception:
                    conn.close()

    def check_login(self) -> str:
        """Log in to IMAP and SMTP once (for `accounts test`)."""
        self._run(lambda c: c.noop(), "checking the IMAP login")
        ep = self.config.smtp
        try:
            conn: smtplib.SMTP = (smtplib.SMTP_SSL(ep.host, ep.port, timeout=self.config.timeout_s,
                                                   context=_tls_context(self.config.ca_file))
                                  if ep.security == "ssl" else smtplib.SMTP(ep.host, ep.port,
                                                                            timeout=self.config.timeout_s))
            with conn:
                if ep.security == "starttls":
                    conn.starttls(context=_tls_context(self.config.ca_file))
                self._smtp_login(conn)
        except smtplib.SMTPAuthenticationError as exc:
            raise ServiceError(f"SMTP {ep.host}:{ep.port} refused the login: {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ServiceError(f"SMTP {ep.host}:{ep.port}: {_reason(exc)}") from None
        return f"IMAP {self._where()} and SMTP {ep.host}:{ep.port} login ok"

    def _audit(self, action: str, target: str, outcome: Any, detail: str = "") -> None:
        record_quietly(self.audit, action, f"{self.account}: {target}", outcome, detail)


# --- helpers ----------------------------------------------------------------------------------------
def _mid(folder: str, uid: int) -> str:
    return message_id(folder, uid)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, bytes):
        text = exc.decode(errors="replace")
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server down or the port wrong?)"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return (text or type(exc).__name__).splitlines()[0][:300]


def _text(resp: bytes | str) -> str:
    return resp.decode(errors="replace") if isinstance(resp, bytes) else str(resp)


def _close_quietly(conn: imapclient.IMAPClient) -> None:
    with contextlib.suppress(Exception):
        conn.shutdown()


def _date(meta: dict[bytes, Any], parsed_date: datetime | None) -> datetime:
    internal = meta.get(b"INTERNALDATE")
    d = parsed_date or internal or datetime.now(UTC)
    if d.tzinfo is None:
        d = d.astimezone()  # imapclient normalises INTERNALDATE to naive local time
    return d  # type: ignore[no-any-return]


def _summary(folder: str, uid: int, meta: dict[bytes, Any]) -> MailSummary:
    header = meta.get(b"BODY[HEADER]") or b""
    peek = meta.get(b"BODY[TEXT]<0>") or b""
    parsed = parse_message(bytes(header) + bytes(peek))
    return MailSummary(id=message_id(folder, uid), sender=parsed.sender, sender_name=parsed.sender_name,
                       subject=parsed.subject or "(no subject)", date=_date(meta, parsed.date),
                       unread=SEEN not in meta.get(b"FLAGS", ()),
                       snippet=" ".join(parsed.text.split())[:200])


def _full(folder: str, uid: int, meta: dict[bytes, Any], parsed: ParsedMail) -> FullMail:
    return FullMail(id=message_id(folder, uid), sender=parsed.sender, sender_name=parsed.sender_name,
                    subject=parsed.subject or "(no subject)", date=_date(meta, parsed.date),
                    unread=SEEN not in meta.get(b"FLAGS", ()),
                    snippet=" ".join(parsed.text.split())[:200], to=parsed.to, cc=parsed.cc, body=parsed.text,
                    message_id=parsed.message_id, references=parsed.references, attachments=parsed.attachments,
                    folder=folder)


def _walk(bs: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if bs.is_multipart:
        for i, part in enumerate(bs[0], 1):
            yield from _walk(part, f"{prefix}.{i}" if prefix else str(i))
    else:
        yield prefix or "1", bs


def _params(value: Any) -> dict[str, str]:
    if not isinstance(value, tuple | list):
        return {}
    items = [v.decode(errors="replace") if isinstance(v, bytes) else str(v) for v in value]
    out: dict[str, str] = {}
    for i in range(0, len(items) - 1, 2):
        key, val = items[i].lower(), items[i + 1]
        if key.endswith("*"):  # RFC 2231: charset'lang'percent-encoded
            charset, _lang, text = val.split("'", 2) if val.count("'") >= 2 else ("", "", val)
            val = urllib.parse.unquote(text, encoding=charset or "utf-8", errors="replace")
            key = key.rstrip("*")
        out[key] = val
    return out


def _parse_big(conn: imapclient.IMAPClient, uid: int) -> ParsedMail:
    """A big message: headers + text parts fetched by section, attachments listed from BODYSTRUCTURE."""
    data = conn.fetch([uid], ["BODY.PEEK[HEADER]", "BODYSTRUCTURE"])[uid]
    parsed = parse_message(bytes(data[b"BODY[HEADER]"]))
    texts: list[tuple[str, str]] = []
    attachments: list[Attachment] = []
    for section, part in _walk(data[b"BODYSTRUCTURE"]):
        maintype = (part[0] or b"").decode(errors="replace").lower()
        subtype = (part[1] or b"").decode(errors="replace").lower()
        params = _params(part[2])
        size = int(part[6] or 0)
        disposition = next((x for x in part[7:] if isinstance(x, tuple) and x and isinstance(x[0], bytes)
                            and x[0].lower() in (b"attachment", b"inline")), None)
        dparams = _params(disposition[1]) if disposition else {}
        filename = dparams.get("filename") or params.get("name")
        is_attachment = bool(disposition and disposition[0].lower() == b"attachment") or bool(filename)
        if maintype == "text" and subtype in ("plain", "html") and not is_attachment and size < FULL_FETCH_LIMIT:
            texts.append((f"{section}", f"{subtype}|{params.get('charset', '')}|"
                          f"{(part[5] or b'7bit').decode().lower()}"))
        else:
            encoding = (part[5] or b"").decode(errors="replace").lower()
            attachments.append(Attachment(filename=decode_header_value(filename or f"unnamed.{subtype}"),
                                          content_type=f"{maintype}/{subtype}",
                                          size=size * 3 // 4 if encoding == "base64" else size))
    bodies: dict[str, list[str]] = {"plain": [], "html": []}
    for section, info in texts:
        subtype, charset, encoding = info.split("|")
        raw = bytes(conn.fetch([uid], [f"BODY.PEEK[{section}]"])[uid].get(f"BODY[{section}]".encode()) or b"")
        bodies[subtype].append(_decode_transfer(raw, encoding, charset, subtype))
    text = "\n\n".join(b for b in bodies["plain"] if b.strip()) or "\n\n".join(bodies["html"])
    return parsed.model_copy(update={"text": text, "attachments": attachments})


def _decode_transfer(raw: bytes, encoding: str, charset: str, subtype: str) -> str:
    import base64
    import quopri

    from agents.communication.mime import html_to_text

    try:
        if encoding == "base64":
            raw = base64.b64decode(raw, validate=False)
        elif encoding == "quoted-printable":
            raw = quopri.decodestring(raw)
    except Exception:
        pass
    text = decode_bytes(raw, charset or None)
    return html_to_text(text) if subtype == "html" else text.replace("\r\n", "\n")


def sender_matches(summary: MailSummary, who: str) -> bool:
    name, addr = parseaddr(summary.sender)
    who = who.lower()
    return who in (summary.sender_name or name or "").lower() or who in (addr or summary.sender).lower()


def as_message(full: FullMail) -> MailMessage:
    return MailMessage.model_validate(full.model_dump(include=set(MailMessage.model_fields)))
