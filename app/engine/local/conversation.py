"""The conversation port of the local engine: a turn runs through ``Assistant.run`` and its events
go to the UI as they come; the last one holds the reply, which is then spoken. Approvals are listed
from the assistant's store and decided through it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Literal, cast

from agents.turn import ReplyDone, TurnStarted, new_turn_id
from app.engine import (
    ApprovalDecided,
    ApprovalOutcome,
    ApprovalView,
    EngineError,
    EngineEvent,
    HistoryTurn,
    TranscriptFinal,
    TurnReply,
)
from app.engine.local.core import EngineCore
from app.engine.local.voice import LocalVoice
from storage.bilingual import said

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 4000


class LocalConversation:
    def __init__(self, core: EngineCore, voice: LocalVoice) -> None:
        self.core = core
        self.voice = voice

    async def ask(self, text: str, origin: str = "") -> TurnReply:
        text = (text or "").strip()
        if not text:
            raise EngineError(self.core.say("engine.type_first"))
        if len(text) > MAX_TEXT_CHARS:
            raise EngineError(self.core.say("engine.too_long", length=len(text), limit=MAX_TEXT_CHARS))
        turn_id = new_turn_id()
        self.voice.origin(turn_id, origin)
        self.core.bus.emit(TranscriptFinal(turn_id=turn_id, text=text, addressed=True))
        return await self.answer(text, turn_id)

    async def answer(self, text: str, turn_id: str, stt_s: float | None = None,
                     speech_end: float | None = None) -> TurnReply:
        """Answer a typed or transcribed request (``stt_s``: end of speech to the final text;
        ``speech_end``: time.monotonic() at the end of speech, for SpeakingStarted.first_audio_s)."""
        core = self.core
        await self.voice.stop_speaking()
        core.set_state("thinking")
        try:
            reply = await core.thread(self._run_turn, text, turn_id)
        except Exception as exc:
            log.exception("turn failed")
            core.set_state("idle")
            msg = exc.args[0] if isinstance(exc, EngineError) and exc.args else f"Something went wrong: {exc}"
            reply = TurnReply(turn_id=turn_id, user_text=text, spoken=msg, text=msg, source="unavailable",
                              error=str(exc))
            core.bus.emit(ReplyDone(reply=reply))
            return reply
        if stt_s is not None:
            reply.timings = {"stt": round(stt_s, 4), **reply.timings}
        core.bus.emit(ReplyDone(reply=reply))
        await self.voice.speak_reply(reply.spoken, turn_id, reply.language, speech_end,
                                     reply.approval.id if reply.approval is not None else None)
        return reply

    def _run_turn(self, text: str, turn_id: str) -> TurnReply:
        """The assistant's turn events go to the UI as they come; its last one holds the reply."""
        assistant = self.core.assistant()
        reply: TurnReply | None = None
        stream = self.core.sv.settings.llm.provider != "none"  # the model's sentences as they come
        for ev in assistant.run(text, turn_id, stream=stream):
            if isinstance(ev, ReplyDone):
                reply = ev.reply
            elif not isinstance(ev, TurnStarted):  # the UI has the request from the transcript already
                self.core.bus.emit(cast(EngineEvent, ev))
        assert reply is not None  # Assistant.run always ends with ReplyDone
        return reply

    # -- approvals

    def _pending_views(self) -> list[ApprovalView]:
        return [r.info() for r in self.core.assistant().approvals.waiting(datetime.now(UTC))]

    async def history(self, limit: int = 50) -> list[HistoryTurn]:
        from agents.memory import Memory

        turns = await self.core.thread(Memory(self.core.sv.db).recent_turns, max(1, min(limit, 500)))
        return [HistoryTurn(role="user" if t.role == "user" else "assistant", text=t.text, at=t.at) for t in turns]

    async def approvals(self) -> list[ApprovalView]:
        return await self.core.thread(self._pending_views)

    async def decide(self, approval_id: int, approve: bool, origin: str = "") -> ApprovalOutcome:
        from agents.approvals import ApprovalError

        core = self.core
        assistant = await core.thread(core.assistant)
        try:
            r = await core.thread(assistant.decide, approval_id, approve)
        except ApprovalError as exc:
            raise EngineError(said(exc, self.core.lang)) from None
        if r.error == "approval expired":
            status: Literal["done", "failed", "denied", "expired"] = "expired"
        elif not approve:
            status = "denied"
        else:
            status = "failed" if r.error else "done"
        outcome = ApprovalOutcome(id=approval_id, status=status, message=r.text or r.spoken, tan_challenge=r.tan_challenge)
        core.bus.emit(ApprovalDecided(outcome=outcome))
        self.voice.origin(f"approval-{approval_id}", origin)
        await self.voice.speak_reply(r.spoken, f"approval-{approval_id}", r.language)
        return outcome
