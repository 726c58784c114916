"""Who gets the meeting notes: the named participants' addresses from the mailbox, and the ones it does not
know asked for, one at a time ("I don't have Bob's address. What is it?"). The next turn answers with an
address (typed, or said: "bob at example dot com") or "skip"; when every name has an answer, the mail to
all the addresses waits for the user's yes (``agents.meetings.after.SEND_NOTES``).

The open question lives in this process, one per conversation (the assistant's memory), and only the turn
right after it answers it: the conversation's last reply must be the question itself, asked at most
``ANSWER_WITHIN`` ago. Anything else said in between drops it (nothing is sent without a new request)."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from agents.local.phrases import tr

if TYPE_CHECKING:
    from agents.deps import AssistantDeps

ANSWER_WITHIN = timedelta(minutes=10)
_WRITTEN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def spoken_address(said: str) -> str | None:
    """``bob dot smith at example dot com`` -> ``bob.smith@example.com``; a written one as it is; None if
    it is no address."""
    s = " ".join(said.strip().lower().rstrip(".").split())
    if not _WRITTEN.fullmatch(s):
        s = re.sub(r" (?:dot|punkt) ", ".", s)
        s = re.sub(r" (?:at|ät) ", "@", s).replace(" ", "")
    return s if _WRITTEN.fullmatch(s) else None


@dataclass
class OpenQuestion:
    """The notes mail being put together: the addresses so far, the name asked about, the names still to
    ask about after it, the names skipped."""

    meeting_id: str
    language: str
    to: list[str]
    asking: str
    later: list[str]
    skipped: list[str] = field(default_factory=list)
    question: str = ""  # the reply that asked (the next turn must follow it)
    asked_at: datetime | None = None


_OPEN: weakref.WeakKeyDictionary[object, OpenQuestion] = weakref.WeakKeyDictionary()


def question_text(name: str, lang: str) -> str:
    return tr(lang, f"I don't have {name}'s address. What is it? You can also say skip.",
              f"Ich habe die Adresse von {name} nicht. Wie lautet sie? Du kannst auch „überspringen“ sagen.")


def ask(d: AssistantDeps, q: OpenQuestion) -> str:
    """Keep ``q`` open for the next turn; the question to say."""
    q.question = question_text(q.asking, q.language)
    q.asked_at = d.now()
    _OPEN[d.memory] = q
    return q.question


def take_open(d: AssistantDeps) -> OpenQuestion | None:
    """The question the last reply asked, if it did and is recent; it is no longer open after this."""
    q = _OPEN.pop(d.memory, None)
    if q is None or q.asked_at is None or d.now() - q.asked_at > ANSWER_WITHIN:
        return None
    last = d.memory.last_reply()
    if last is None or not last.text.split("\n")[0].endswith(q.question):  # the question, maybe after a remark
        return None
    return q
