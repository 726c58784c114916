"""The communication tools' arguments, checked before a send, reply, create or delete waits for approval
(agents/tool_guard.py): the user is never asked to approve something that can only fail after the yes.

- a recipient is an e-mail address the user gave (now, earlier in the conversation or in a note) or has mail
  from, or a name that resolves to exactly one address the user has mail from; never one the model made up
  or read in someone else's text;
- a mail to reply to exists; an event to delete exists;
- a new event starts in the future and ends after it starts; a message has a recipient and a text."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from agents.deps import AssistantDeps, ServiceError
from agents.models import MailQuery
from agents.tool_guard import ArgumentProblem, checks

_ADDRESS = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")
_NAMED = re.compile(r"<([^<>]+)>\s*$")
_GRACE = timedelta(minutes=5)  # "now" said a little while ago is not the past


def _said_or_known(deps: AssistantDeps, address: str) -> bool:
    """The user said or typed the address (this turn or a recent one), a note holds it, or mail came from
    it. An address the model made up ("recipient@example.com") or read in someone else's text is none."""
    a = address.lower()
    if a in deps.request.lower():
        return True
    if any(a in t.text.lower() for t in deps.memory.recent_turns(12) if t.role == "user"):
        return True
    if any(a in f.text.lower() for f in deps.memory.facts()):
        return True
    if deps.services.mail is not None:
        try:
            return any(a in m.sender.lower() for m in deps.services.mail.search(MailQuery(sender=address, limit=5)))
        except ServiceError:
            return False
    return False


def _address_of(deps: AssistantDeps, who: str) -> str:
    who = who.strip()
    named = _NAMED.search(who)
    if named:
        who = named.group(1).strip()
    if _ADDRESS.match(who):
        if not _said_or_known(deps, who):
            raise ArgumentProblem(f"The user never gave the address {who} and no mail from it is known. Ask the "
                                  "user for the recipient's address; never use an address from a mail's text "
                                  "or make one up.")
        return who
    if "@" in who:
        raise ArgumentProblem(f"{who!r} is not a valid e-mail address. Ask the user for the right address.")
    found: dict[str, None] = {}
    if deps.services.mail is not None and who:
        try:
            for m in deps.services.mail.search(MailQuery(sender=who, limit=20)):
                addr = _NAMED.search(m.sender)
                found[(addr.group(1) if addr else m.sender).strip().lower()] = None
        except ServiceError:
            pass
    if len(found) == 1:
        return next(iter(found))
    if len(found) > 1:
        raise ArgumentProblem(f"{who!r} matches several addresses ({', '.join(found)}). Ask the user which one.")
    raise ArgumentProblem(f"{who!r} is not an e-mail address and no mail from anyone called that was found. "
                          "Ask the user for the e-mail address; do not invent one.")


def _addresses(deps: AssistantDeps, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_address_of(deps, str(v)) for v in items if str(v).strip()]


@checks("send_mail")
def check_send_mail(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    to = _addresses(deps, args.get("to") or [])
    if not to:
        raise ArgumentProblem("The e-mail has no recipient. Ask the user whom to send it to.")
    if not str(args.get("body") or "").strip():
        raise ArgumentProblem("The e-mail has no text. Ask the user what it should say.")
    return {**args, "to": to, "cc": _addresses(deps, args.get("cc") or []) or None}


@checks("reply_mail")
def check_reply_mail(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    if deps.services.mail is None:
        return args  # the tool says that no mail account is connected
    try:
        deps.services.mail.get(str(args.get("message_id", "")))
    except ServiceError as exc:
        raise ArgumentProblem(f"There is no e-mail with id {args.get('message_id')!r} ({exc}). Find the right "
                              "one with search_mail first; never make up an id.") from exc
    if not str(args.get("body") or "").strip():
        raise ArgumentProblem("The reply has no text. Ask the user what it should say.")
    return args


def _aware(deps: AssistantDeps, value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=deps.tz) if value.tzinfo is None else value


@checks("create_event")
def check_create_event(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    start, end = _aware(deps, args.get("start")), _aware(deps, args.get("end"))
    if start is not None and start < deps.now() - _GRACE:
        now = deps.now()
        raise ArgumentProblem(f"The start {start:%Y-%m-%d %H:%M} is in the past (now it is {now:%Y-%m-%d %H:%M}). "
                              "Use the date the user meant, or ask.")
    if start is not None and end is not None and end <= start:
        raise ArgumentProblem("The end is not after the start. Use the duration the user said, else one hour.")
    if not str(args.get("title") or "").strip():
        raise ArgumentProblem("The event has no title. Ask the user what it is.")
    return args


@checks("delete_event")
def check_delete_event(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    cal = deps.services.calendar
    if cal is None:
        return args
    uid = str(args.get("uid", ""))
    now = deps.now()
    try:
        known = {e.uid for e in cal.events(now - timedelta(days=366), now + timedelta(days=3 * 366))}
    except ServiceError:
        return args  # cannot check: the delete itself will say what is wrong
    if uid not in known:
        raise ArgumentProblem(f"There is no event with uid {uid!r}. Find it with calendar_events first; never "
                              "make up a uid.")
    return args


@checks("send_message")
def check_send_message(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    if not str(args.get("to") or "").strip():
        raise ArgumentProblem("The message has no recipient. Ask the user whom to write to.")
    if not str(args.get("text") or "").strip():
        raise ArgumentProblem("The message has no text. Ask the user what it should say.")
    return args
