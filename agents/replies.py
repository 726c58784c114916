"""What the assistant hands back: a short spoken reply, a longer text for the screen, and for
`--json` / the UI what was recognized, which tools ran and any approval waiting for a yes/no."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Source = Literal["local", "llm", "fallback", "approval", "unavailable"]


class ToolCallInfo(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class ActionInfo(BaseModel):
    """Something the turn changed or wants to change: what the reply says was done is exactly this list."""

    name: str = Field(description="the tool, e.g. set_timer, send_mail")
    status: Literal["done", "failed", "pending"] = Field(
        description="done: it ran; failed: it ran and reported an error; pending: it waits for the user's yes")
    summary: str = Field("", description="what it did or will do, in the user's language or as arguments")


class ApprovalInfo(BaseModel):
    """An action with a side effect that waits for the user's yes or no; ``details`` shows exactly
    what will happen, field by field (what the approval card and ``--json`` show)."""

    id: int
    action: str = Field(description="e.g. communication.send_mail")
    summary: str = Field(description="exactly what will be done, in the user's language")
    details: dict[str, str] = Field(default_factory=dict,
                                    description="recipient, subject, body, time, amount ... as shown")
    provenance: list[str] = Field(default_factory=list,
                                  description="where text of the action came from, when not from the user "
                                              "(an e-mail, a message, a transcript)")
    created_at: datetime | None = None
    expires_at: datetime


class TanChallenge(BaseModel):
    """What the bank shows for a TAN, for the screen: its text and, by TAN method, a photoTAN/QR image to
    scan with the banking app or a chipTAN flicker code to hold the TAN generator to."""

    transfer_id: str
    text: str = Field("", description="the bank's challenge text (chipTAN manual: with the start code)")
    image_type: str | None = Field(None, description="media type of the photoTAN/QR image, e.g. image/png")
    image_b64: str | None = Field(None, description="the image, base64")
    flicker: list[str] = Field(default_factory=list,
                               description="chipTAN optical: frames of five bars (clock, then four data bits), "
                                           "'1' = light; shown in a loop, about 20 frames a second")
    code: str | None = Field(None, description="chipTAN: the HHD code, when it could not be made a flicker code")


class Usage(BaseModel):
    """What the language model used for one turn (zero when a local intent answered)."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class AgentReply(BaseModel):
    """The assistant's answer to one turn (typed or spoken): the last event of the turn carries it,
    and the engine, the home server and ``ask --json`` hand it on as it is."""

    turn_id: str = ""
    user_text: str = Field("", description="the request as typed or transcribed")
    spoken: str = Field(description="one or two sentences for speech output")
    text: str = Field(description="the longer version for the screen")
    source: Source = Field("local", description="local, llm, fallback, approval or unavailable")
    language: str = "en"
    intent: str | None = None
    slots: dict[str, str] = Field(default_factory=dict)
    tool_calls: list[ToolCallInfo] = Field(default_factory=list)
    approval: ApprovalInfo | None = Field(None, description="the action now waiting for yes/no, if any")
    actions: list[ActionInfo] = Field(default_factory=list,
                                      description="what this turn changed (done, failed) or wants to (pending)")
    error: str | None = Field(None, description="what went wrong (model error, service error), if anything")
    tan_challenge: TanChallenge | None = Field(None, description="a bank asks for a TAN: what to show for it")
    usage: Usage = Field(default_factory=Usage)
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage: stt, intent, "
                                      "approval, llm, fallback, total")


class DomainResult(BaseModel):
    """What a delegate agent returns to the orchestrator."""

    spoken: str = Field(description="a short answer to speak, one or two sentences, no markdown")
    text: str = Field(description="the full answer for the screen (lists, details)")


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def first_sentences(text: str, n: int = 2, max_chars: int = 300) -> str:
    """The first sentences of a text, for speech."""
    out = " ".join(split_sentences(text)[:n])
    return out if len(out) <= max_chars else out[: max_chars - 1].rsplit(" ", 1)[0] + "…"


class SentenceChunker:
    """Feed streamed text deltas; get complete sentences out as soon as they end (for TTS)."""

    def __init__(self) -> None:
        self._buf = ""

    def feed(self, delta: str) -> list[str]:
        self._buf += delta
        parts = _SENTENCE_END.split(self._buf)
        if len(parts) == 1:
            return []
        self._buf = parts[-1]
        return [p.strip() for p in parts[:-1] if p.strip()]

    def flush(self) -> list[str]:
        rest, self._buf = self._buf.strip(), ""
        return [rest] if rest else []
