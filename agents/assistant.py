"""The assistant: one entry point (``ask`` / ``stream``) in front of a pipeline of small stages.

1. a pending approval + "yes"/"no"  -> run or drop the parked action (audited)
2. the local intent recognizer      -> instant offline answer
3. the orchestrator agent           -> when a model is configured
4. fallback                         -> what works offline and how to connect a model

Model errors (missing key, rate limit, time-out, no network) give a clear sentence and fall back.
Every turn is stored in the conversation history; the LLM sees a bounded window of it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model

from agents.approvals import ApprovalRecord, ApprovalStore
from agents.deps import AssistantDeps, ServiceDeps, ServiceError
from agents.llm import MODEL_ERRORS, model_error_message
from agents.local.handlers import handle, help_text
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch, recognize
from agents.memory import Memory
from agents.models import NewEvent
from agents.orchestrator import ORCHESTRATOR_LIMITS, orchestrator, resume_approved
from agents.replies import AgentReply, SentenceChunker, ToolCallInfo, first_sentences, split_sentences

log = logging.getLogger(__name__)
ModelFactory = Callable[[], Model | None]
_ACTION_ERRORS: tuple[type[BaseException], ...] = (ServiceError, *MODEL_ERRORS)


def _no_model() -> Model | None:
    return None


@dataclass
class Assistant:
    memory: Memory
    approvals: ApprovalStore
    services: ServiceDeps = field(default_factory=ServiceDeps)
    tz: tzinfo = UTC
    language: str = "en"
    model_factory: ModelFactory = _no_model
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    history_turns: int = 12
    model_timeout_s: float = 30.0

    # ------------------------------------------------------------ public API

    def deps(self, language: str | None = None) -> AssistantDeps:
        return AssistantDeps(services=self.services, memory=self.memory, approvals=self.approvals, tz=self.tz,
                             clock=self.clock, language=language or self.language)

    def ask(self, text: str) -> AgentReply:
        """Answer one utterance (typed or transcribed)."""
        text = text.strip()
        if not text:
            lang = self.language
            return AgentReply(spoken=tr(lang, "I didn't catch that.", "Das habe ich nicht verstanden."),
                              text=tr(lang, "Empty request.", "Leere Anfrage."), source="local", language=lang,
                              error="empty input")
        reply = self._route(text)
        self._store(text, reply)
        return reply

    def _store(self, text: str, reply: AgentReply) -> None:
        self.memory.add_turn("user", text, source=reply.source, intent=reply.intent)
        self.memory.add_turn("assistant", reply.text, source=reply.source, intent=reply.intent)

    def stream(self, text: str) -> Iterator[str]:
        """Yield the spoken reply sentence by sentence as soon as each is ready (for speech output).
        Local answers come at once; model answers stream from the model."""
        text = text.strip()
        now = self.clock().astimezone(self.tz)
        reply = self._local_or_approval(text, now) if text else None
        if reply is None and text:
            model, error = self._model_or_error()
            if model is not None:
                yield from self._stream_llm(text, model)
                return
            reply = self._fallback(text, error)
        if reply is None:
            reply = self.ask(text)
        else:
            self._store(text, reply)
        yield from split_sentences(reply.spoken) or [reply.spoken]

    def decide(self, approval_id: int, approve: bool) -> AgentReply:
        """A yes/no from a button in the UI (voice goes through ``ask``)."""
        rec = self.approvals.get(approval_id)
        return self._decide(rec, approve, self.language)

    # ------------------------------------------------------------ routing

    def _route(self, text: str) -> AgentReply:
        now = self.clock().astimezone(self.tz)
        local = self._local_or_approval(text, now)
        if local is not None:
            return local
        model, error = self._model_or_error()
        if model is None:
            return self._fallback(text, error)
        return self._ask_llm(text, model)

    def _local_or_approval(self, text: str, now: datetime) -> AgentReply | None:
        match = recognize(text, now)
        pending = self.approvals.pending(now)
        if match is not None and match.intent in ("Confirm", "Reject"):
            if pending is None:
                latest = self.approvals.latest()
                if latest is not None and latest.status == "expired" and now - latest.expires_at < self.approvals.ttl:
                    pending = latest  # answered too late: say so instead of "nothing waiting"
            if pending is not None:
                return self._decide(pending, match.intent == "Confirm", match.language, match)
        if match is None:
            return None
        deps = self.deps(match.language)
        try:
            return handle(match, deps)
        except ServiceError as exc:
            return AgentReply(spoken=str(exc), text=str(exc), source="local", language=match.language,
                              intent=match.intent, slots=match.slots, error=str(exc))

    def _model_or_error(self) -> tuple[Model | None, str | None]:
        try:
            return self.model_factory(), None
        except MODEL_ERRORS as exc:
            return None, model_error_message(exc, self.language)

    def _fallback(self, text: str, error: str | None) -> AgentReply:
        lang = self.language
        offline = help_text(lang)
        if error:
            spoken = error + tr(lang, " I can only do the offline things now.", " Ich kann gerade nur Offline-Dinge.")
        else:
            spoken = tr(lang, "I can't answer that offline; no language model is connected.",
                        "Das kann ich offline nicht beantworten; es ist kein Sprachmodell verbunden.")
        return AgentReply(spoken=spoken, text=spoken + "\n\n" + offline, source="fallback", language=lang,
                          error=error)

    def _history(self) -> list[ModelMessage]:
        msgs: list[ModelMessage] = []
        for t in self.memory.recent_turns(self.history_turns):
            if t.role == "user":
                msgs.append(ModelRequest(parts=[UserPromptPart(content=t.text)]))
            else:
                msgs.append(ModelResponse(parts=[TextPart(content=t.text)]))
        while msgs and not isinstance(msgs[0], ModelRequest):
            msgs.pop(0)
        return msgs

    def _llm_reply(self, output: str, deps: AssistantDeps) -> AgentReply:
        lang = deps.language
        pending = deps.pending[-1] if deps.pending else None
        if pending is not None:  # say exactly what will be done, whatever the model wrote
            spoken = pending.summary + tr(lang, " Shall I?", " Soll ich?")
            text = output.strip() + "\n\n" + spoken if output.strip() else spoken
        else:
            spoken, text = first_sentences(output), output.strip()
        return AgentReply(spoken=spoken or text, text=text, source="llm", language=lang,
                          tool_calls=deps.tool_calls, pending_approval=pending.info() if pending else None)

    def _ask_llm(self, text: str, model: Model) -> AgentReply:
        deps = self.deps()
        try:
            result = orchestrator.run_sync(text, deps=deps, model=model, message_history=self._history(),
                                           usage_limits=ORCHESTRATOR_LIMITS, timeout=self.model_timeout_s)
        except MODEL_ERRORS as exc:
            log.warning("model failed: %r", exc)
            reply = self._fallback(text, model_error_message(exc, self.language))
            reply.tool_calls = deps.tool_calls
            return reply
        return self._llm_reply(result.output, deps)

    def _stream_llm(self, text: str, model: Model) -> Iterator[str]:
        deps = self.deps()
        chunker = SentenceChunker()
        spoken: list[str] = []
        try:
            with orchestrator.run_stream_sync(text, deps=deps, model=model, message_history=self._history(),
                                              usage_limits=ORCHESTRATOR_LIMITS,
                                              timeout=self.model_timeout_s) as result:
                for delta in result.stream_text(delta=True, debounce_by=None):
                    for sentence in chunker.feed(delta):
                        spoken.append(sentence)
                        yield sentence
            for sentence in chunker.flush():
                spoken.append(sentence)
                yield sentence
            reply = self._llm_reply(" ".join(spoken), deps)
            if reply.pending_approval is not None:
                yield reply.spoken
        except MODEL_ERRORS as exc:
            reply = self._fallback(text, model_error_message(exc, self.language))
            yield from split_sentences(reply.spoken)
        self._store(text, reply)

    # ------------------------------------------------------------ approvals

    def _decide(self, rec: ApprovalRecord, approve: bool, lang: str, match: IntentMatch | None = None) -> AgentReply:
        now = self.clock().astimezone(self.tz)
        base: dict[str, Any] = {"source": "approval", "language": lang,
                                "intent": match.intent if match else ("Confirm" if approve else "Reject")}
        if rec.status != "pending" or rec.expires_at <= now:
            if rec.status == "pending":
                self.approvals.expire_old(now)
            msg = tr(lang, "That request has expired; nothing was done. Please ask again.",
                     "Die Anfrage ist abgelaufen; es wurde nichts gemacht. Bitte frag noch einmal.")
            return AgentReply(spoken=msg, text=msg, error="approval expired", **base)
        rec = self.approvals.decide(rec.id, approve, now)
        if not approve:
            msg = tr(lang, "Okay, I won't do it.", "Okay, ich mache es nicht.")
            return AgentReply(spoken=msg, text=f"{msg} ({rec.summary})", **base)
        deps = self.deps(lang)
        try:
            result = self._execute(rec, deps)
        except _ACTION_ERRORS as exc:
            # a ServiceError comes from the action itself (nothing done); other errors come from the
            # model summarising after the approved tools ran
            ran = bool(deps.tool_calls) and not isinstance(exc, ServiceError)
            detail = str(exc) if isinstance(exc, ServiceError) else model_error_message(exc, lang)
            self.approvals.finish(rec.id, ran, f"error: {detail}")
            if ran:
                msg = tr(lang, f"Done, but I couldn't get a summary: {detail}",
                         f"Erledigt, aber ohne Zusammenfassung: {detail}")
            else:
                msg = tr(lang, f"That failed: {detail}", f"Das hat nicht geklappt: {detail}")
            return AgentReply(spoken=msg, text=msg, error=detail, tool_calls=deps.tool_calls, **base)
        self.approvals.finish(rec.id, True, result)
        follow = deps.pending[-1] if deps.pending else None
        spoken = first_sentences(result) if follow is None else follow.summary + tr(lang, " Shall I?", " Soll ich?")
        return AgentReply(spoken=spoken, text=result, tool_calls=deps.tool_calls,
                          pending_approval=follow.info() if follow else None, **base)

    def _execute(self, rec: ApprovalRecord, deps: AssistantDeps) -> str:
        lang = deps.language
        if rec.action == "calendar.create_event":
            cal = self.services.calendar
            if cal is None:
                raise ServiceError(tr(lang, "no calendar is connected", "kein Kalender verbunden"))
            event = NewEvent.model_validate(rec.payload["event"])
            deps.tool_calls.append(ToolCallInfo(name="calendar.create_event", args=rec.payload["event"]))
            created = cal.create_event(event)
            return tr(lang, f"Done, \"{created.title}\" is in your calendar.",
                      f"Erledigt, „{created.title}“ steht im Kalender.")
        if rec.source == "llm":
            model, error = self._model_or_error()
            if model is None:
                raise ServiceError(error or tr(lang, "no language model is connected", "kein Sprachmodell verbunden"))
            return resume_approved(rec, deps, model)
        raise ServiceError(f"unknown action {rec.action}")
