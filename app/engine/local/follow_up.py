"""Hands-free approvals: which voice in the follow-up window may answer an approval prompt.

In hands-free mode anything said in the follow-up window after the assistant spoke counts as
addressed to it, without the wake phrase: fine for "and tomorrow?", not for a yes that runs a send or
a delete. After an approval prompt, a follow-up utterance (no wake phrase) answers it only when

- it is a plain yes or no on its own (a whole-utterance template match of Confirm/Reject: "yes",
  "ja bitte", "no, don't send it"; not a sentence that merely contains "yes"),
- it began inside the window after the prompt finished playing (not over the prompt, not later), and
- it was heard by the device that spoke the prompt (a prompt only shown, or played by the phone,
  is not answered by the desktop microphone).

Any other yes/no-like utterance in the window is not addressed (shown, not acted on); the user can
say the wake phrase and yes, or use the buttons. Other requests in the window are answered as usual:
they cannot approve anything (a yes binds only to the question just asked; agents/assistant.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from agents.local.recognizer import match_template, understand

YES_NO = frozenset({"Confirm", "Reject"})
Device = Literal["device", "client", "screen"]  # "screen": shown only, spoken by no device
# a yes or no word anywhere (EN + DE): such an utterance must not pass as a new request either
_YES_NO_WORD = re.compile(r"(?i)\b(yes|yeah|yep|yup|sure|ok|okay|no|nope|nah|ja|jawohl|jo|genau|klar|nein|nö)\b")


@dataclass(frozen=True)
class SpokenPrompt:
    """The approval question the assistant asked last, and where and when it finished."""

    approval_id: int
    device: Device
    ended_at: float  # time.monotonic() when it finished playing (or was shown)


@dataclass(frozen=True)
class Heard:
    """A hands-free utterance addressed by the follow-up window (no wake phrase)."""

    text: str
    device: Literal["device", "client"]
    started_at: float  # time.monotonic() when the speech began


Verdict = Literal["answer", "not_addressed"]


def is_plain_yes_no(text: str, now: datetime) -> bool:
    m = match_template(text, now)
    return m is not None and m.intent in YES_NO


def _sounds_like_yes_no(text: str, now: datetime) -> bool:
    rec = understand(text, now)
    return any(m is not None and m.intent in YES_NO for m in (rec.match, rec.suggestion)) or \
        _YES_NO_WORD.search(text) is not None


def follow_up_verdict(heard: Heard, prompt: SpokenPrompt | None, window_s: float, now: datetime) -> Verdict:
    """Whether a follow-up utterance is acted on ("answer") or only shown ("not_addressed")."""
    if prompt is None:
        return "answer"  # no approval question open: the follow-up window works as always
    in_time = 0 <= heard.started_at - prompt.ended_at <= window_s
    if is_plain_yes_no(heard.text, now):
        return "answer" if in_time and heard.device == prompt.device else "not_addressed"
    return "not_addressed" if _sounds_like_yes_no(heard.text, now) else "answer"
