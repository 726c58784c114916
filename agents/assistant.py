"""The assistant: one turn (``run``: typed events, see ``agents/turn.py``; ``ask``: its final reply)
through a pipeline of small stages.

1. a pending approval + "yes"/"no"  -> run or drop the parked action (audited)
2. the local intent recognizer      -> instant offline answer (templates, close paraphrases, a question
                                       that a stored note answers); a request understood only roughly
                                       is asked back ("Did you mean …?") and a yes runs it
3. a domain's delegate              -> when a model is configured and the request names one domain
                                       (agents/routing.py), else the orchestrator, which delegates
4. fallback                         -> what works offline and how to connect a model

Model errors (missing key, rate limit, time-out, no network) give a clear sentence and fall back.
Every turn is stored in the conversation history; the LLM sees a bounded window of it."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from pydantic_ai import DeferredToolRequests
from pydantic_ai.exceptions import AgentRunError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model
from pydantic_ai.usage import RunUsage

from agents import domains
from agents.approvals import AlreadyDecided, ApprovalError, ApprovalRecord, ApprovalStore
from agents.deps import AssistantDeps, Referent, ServiceDeps, ServiceError
from agents.honesty import (
    CORRECTION,
    claims_action,
    model_text,
    no_usable_answer,
    nothing_done,
    parrots_correction,
    ran_before,
    raw_tool_call,
    without_framework_words,
    without_situation,
)
from agents.llm import MODEL_ERRORS, model_error_message
from agents.local.compound import split_compound
from agents.local.facts import NO_NOTE, is_question, match_note_question
from agents.local.handlers import handle, help_text
from agents.local.normalize import guess_language, normalize
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch, understand
from agents.local.suggest import Suggestion, did_you_mean, dropped
from agents.memory import Memory
from agents.models import NewEvent
from agents.orchestrator import (
    DELEGATE_LIMITS,
    ORCHESTRATOR_LIMITS,
    approval_question,
    delegate_of,
    orchestrator,
    park,
    resume_approved,
)
from agents.phrasebook import phrase
from agents.replies import ActionInfo, AgentReply, SentenceChunker, Source, Usage, first_sentences
from agents.routing import follow_up, pick_domain
from agents.toolkit import situated
from agents.turn import (
    ApprovalRequested,
    IntentRecognized,
    ReplyDelta,
    ReplyDone,
    StageTimer,
    ToolCalled,
    TurnEvent,
    TurnStarted,
    final_reply,
    new_turn_id,
)
from agents.turn_context import in_turn
from agents.warmup import warm_up
from agents.worded import ToolWording

log = logging.getLogger(__name__)
ModelFactory = Callable[[], Model | None]
_ACTION_ERRORS: tuple[type[BaseException], ...] = (ServiceError, *MODEL_ERRORS)


def _no_model() -> Model | None:
    return None


class _Turn:
    """The running turn: its id and text, the timer, the model's usage, and the events that tools and
    delegates noted during a model run (handed on at the next chance)."""

    def __init__(self, turn_id: str, text: str) -> None:
        self.id = turn_id
        self.text = text
        self.timer = StageTimer()
        self.started = time.monotonic()
        self.usage = Usage()
        self.pending_events: list[TurnEvent] = []
        self.domain: str | None = None  # the domain that answered (a local intent's, or the delegate asked)
        self.follows: Topic | None = None  # the last answer, when this request points back at it
        self.shown: list[Referent] = []  # what this turn's answer shows

    def intent(self, source: Source, name: str, slots: dict[str, str], confidence: float | None = None,
               suggested: bool = False) -> None:
        self.pending_events.append(IntentRecognized(turn_id=self.id, source=source, name=name, slots=slots,
                                                    confidence=confidence, suggested=suggested))

    def count(self, usage: RunUsage) -> None:
        """Add one model run's usage (a turn may take two: the answer and its correction)."""
        self.usage = Usage(requests=self.usage.requests + usage.requests,
                           input_tokens=self.usage.input_tokens + (usage.input_tokens or 0),
                           output_tokens=self.usage.output_tokens + (usage.output_tokens or 0))

    def left(self, deadline_s: float) -> float:
        """Seconds left of the turn's deadline."""
        return deadline_s - (time.monotonic() - self.started)

    def flush(self) -> Iterator[TurnEvent]:
        while self.pending_events:
            ev = self.pending_events.pop(0)
            if isinstance(ev, IntentRecognized) and not ev.suggested and ev.source in ("local", "llm"):
                self.domain = ev.name if ev.source == "llm" else domains.owner(ev.name) or self.domain
            yield ev


FOLLOW_UP_S = 300.0  # how long "cancel that one" points at the last answer


@dataclass(frozen=True)
class Topic:
    """What the last answer was about: its domain, and its tools and request as words."""

    at: datetime
    domain: str
    words: str
    referents: tuple[Referent, ...] = ()

    def live(self, now: datetime) -> bool:
        return (now - self.at).total_seconds() <= FOLLOW_UP_S


@dataclass
class Assistant:
    memory: Memory
    approvals: ApprovalStore
    services: ServiceDeps = field(default_factory=ServiceDeps)
    tz: tzinfo = UTC
    language: str = "en"
    model_factory: ModelFactory = _no_model
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    history_turns: int = 6  # what the model sees of the conversation (3 exchanges: a small model's prompt stays short)
    model_timeout_s: float = 30.0  # one model run (the orchestrator with its delegates)
    turn_deadline_s: float = 45.0  # the whole turn, a correction included: then it ends, whatever runs
    domain_settings: Mapping[str, BaseModel] = field(default_factory=dict)  # by domain name (app/settings.py)
    # the model picks the tool and its arguments; the tools word what they found (agents/worded.py). Off:
    # the model words every answer (better prose from a large model, slower and less exact from a small one)
    tool_answers: bool = True
    # the request last asked back about ("Did you mean …?"): a yes within two minutes runs it
    _suggestion: Suggestion | None = field(default=None, init=False, repr=False)
    _topic: Topic | None = field(default=None, init=False, repr=False)

    # ------------------------------------------------------------ public API

    def deps(self, language: str | None = None, turn: _Turn | None = None) -> AssistantDeps:
        return AssistantDeps(services=self.services, memory=self.memory, approvals=self.approvals, tz=self.tz,
                             clock=self.clock, language=language or self.language, settings=self.domain_settings,
                             events=turn.pending_events if turn is not None else [],
                             turn_id=turn.id if turn is not None else "", request=turn.text if turn is not None else "",
                             one_call=self.tool_answers, llm=lambda: self._model_or_error()[0],
                             topic=turn.follows.words if turn is not None and turn.follows is not None else "",
                             referents=turn.follows.referents if turn is not None and turn.follows is not None else (),
                             shown=turn.shown if turn is not None else [])

    def ask(self, text: str, turn_id: str | None = None) -> AgentReply:
        """Answer one utterance (typed or transcribed): the final reply of :meth:`run`."""
        return final_reply(self.run(text, turn_id, stream=False))

    def run(self, text: str, turn_id: str | None = None, stream: bool = True) -> Iterator[TurnEvent]:
        """One turn as typed events: TurnStarted, IntentRecognized, ToolCalled..., ApprovalRequested,
        ReplyDelta..., then ReplyDone with the final reply (its source, tool calls, approval, usage and
        timings per stage). ``stream``: the model's reply comes sentence by sentence as it is written
        (local answers come at once either way). The turn's id and trace span are current while it
        runs (agents/turn_context.py: log lines and spans of what it calls belong to it)."""
        turn = _Turn(turn_id or new_turn_id(), text.strip())
        yield from in_turn(turn.id, self._run(turn, stream))

    def _run(self, turn: _Turn, stream: bool) -> Iterator[TurnEvent]:
        yield TurnStarted(turn_id=turn.id, text=turn.text)
        if not turn.text:
            lang = self.language
            reply = AgentReply(spoken=tr(lang, "I didn't catch that.", "Das habe ich nicht verstanden."),
                               text=tr(lang, "Empty request.", "Leere Anfrage."), source="local", language=lang,
                               error="empty input")
            yield from self._finish(turn, reply, store=False)
            return
        now = self.clock().astimezone(self.tz)
        with turn.timer.stage("intent"):
            parts = split_compound(turn.text, now)
        if parts is not None:  # "set a timer … and remind me …": each request runs as its own
            reply = self._both(turn, parts, now)
            yield from turn.flush()
            yield ReplyDelta(turn_id=turn.id, text=reply.text)
            yield from self._finish(turn, reply)
            return
        with turn.timer.stage("intent"):
            understood = understand(turn.text, now)
            match = understood.match
            if match is None and is_question(normalize(turn.text)):
                match = match_note_question(turn.text, self.memory.facts())
        suggested, self._suggestion = self._suggestion, None  # asked back last turn: this turn answers it
        if suggested is not None and not suggested.fresh(now):
            suggested = None
        local = self._local_or_approval(turn, match, now, suggested)
        topic = self._topic if self._topic is not None and self._topic.live(now) else None
        back = follow_up(turn.text, topic.domain if topic is not None else None)
        if back is not None:
            turn.follows = topic
        if local is None and understood.suggestion is not None and (
                back is None or domains.owner(understood.suggestion.intent) == back):
            # ("Lösch den bitte" after the calendar was read is about that event, not "lösch den Timer")
            local = self._ask_back(turn, understood.suggestion, now)
        model: Model | None = None
        error: str | None = None
        if local is not None and local.error == NO_NOTE:  # a question no note answers: a model may know
            model, error = self._model_or_error()
            if model is not None:
                turn.pending_events.clear()
                local = None
        if local is not None:
            yield from turn.flush()
            yield ReplyDelta(turn_id=turn.id, text=local.text)
            yield from self._finish(turn, local)
            return
        if model is None:
            model, error = self._model_or_error()
        if model is None:
            with turn.timer.stage("fallback"):
                reply = self._fallback(turn.text, error)
            yield ReplyDelta(turn_id=turn.id, text=reply.text)
            yield from self._finish(turn, reply)
            return
        with turn.timer.stage("llm"):
            direct = pick_domain(turn.text) or back
            if direct is not None:
                reply = yield from self._ask_delegate(turn, model, direct)
            else:
                streamed = stream and not self.tool_answers  # worded answers are there at once
                reply = yield from (self._stream_llm(turn, model) if streamed else self._ask_llm(turn, model))
        yield from self._finish(turn, reply)

    def stream(self, text: str) -> Iterator[str]:
        """The spoken reply sentence by sentence as soon as each is ready (the ReplyDelta texts)."""
        for ev in self.run(text):
            if isinstance(ev, ReplyDelta):
                yield ev.text.strip()

    def _finish(self, turn: _Turn, reply: AgentReply, store: bool = True) -> Iterator[TurnEvent]:
        reply.turn_id, reply.user_text = turn.id, turn.text
        reply.usage = turn.usage
        reply.timings = turn.timer.finish()
        if store:
            self._store(turn.text, reply)
        if turn.domain is not None:  # what a request that points back ("cancel that one") is about
            tools = " ".join(re.sub(r"[._]", " ", c.name) for c in reply.tool_calls)
            self._topic = Topic(self.clock().astimezone(self.tz), turn.domain, f"{tools} {turn.text}".strip(),
                                tuple(turn.shown))
        if reply.approval is not None:
            yield ApprovalRequested(turn_id=turn.id, approval=reply.approval)
        yield ReplyDone(reply=reply)

    def _store(self, text: str, reply: AgentReply) -> None:
        if reply.intent == "TransferTan":  # the conversation kept on disk never holds a TAN
            text = re.sub(r"\d", "•", text)
        self.memory.add_turn("user", text, source=reply.source, intent=reply.intent)
        self.memory.add_turn("assistant", reply.text, source=reply.source, intent=reply.intent,
                             approval_id=reply.approval.id if reply.approval is not None else None)

    def decide(self, approval_id: int, approve: bool) -> AgentReply:
        """A yes/no from a button in the UI (voice goes through ``ask``)."""
        rec = self.approvals.get(approval_id)
        return self._decide(rec, approve, self.language)

    # ------------------------------------------------------------ routing

    def _ask_back(self, turn: _Turn, suggestion: IntentMatch, now: datetime) -> AgentReply:
        """Understood only roughly: say the request back and keep it for a yes."""
        self._suggestion = Suggestion(suggestion, now)
        turn.intent("local", suggestion.intent, suggestion.slots, suggestion.confidence, suggested=True)
        question = did_you_mean(suggestion)
        return AgentReply(spoken=question, text=question, source="local", language=suggestion.language)

    def _local_or_approval(self, turn: _Turn, match: IntentMatch | None, now: datetime,
                           suggested: Suggestion | None = None) -> AgentReply | None:
        if match is not None and match.intent in ("Confirm", "Reject"):
            asked = self._asked_about(now)
            if asked is not None:
                turn.intent("approval", match.intent, {"approval": str(asked.id)})
                deps = self.deps(match.language, turn)
                with turn.timer.stage("approval"):
                    return self._decide(asked, match.intent == "Confirm", match.language, match, deps)
            waiting = self.approvals.pending(now)
            if waiting is not None and suggested is None:  # a yes/no binds only to what was just asked
                turn.intent("approval", "Unbound" + match.intent, {"approval": str(waiting.id)})
                return self._ask_again(waiting, match.language)
            if suggested is not None and match.intent == "Reject":
                msg = dropped(match.language)
                turn.intent("local", "Reject", {})
                return AgentReply(spoken=msg, text=msg, source="local", language=match.language, intent="Reject")
            if suggested is not None:  # "yes" to "Did you mean …?": run what was suggested
                match = suggested.match
        if match is None:
            return None
        turn.intent("local", match.intent, match.slots, match.confidence)
        deps = self.deps(match.language, turn)
        try:
            with turn.timer.stage("intent"):
                reply = handle(match, deps)
        except ServiceError as exc:
            return AgentReply(spoken=str(exc), text=str(exc), source="local", language=match.language,
                              intent=match.intent, slots=match.slots, tool_calls=deps.tool_calls, error=str(exc))
        for call in reply.tool_calls:  # a handler's own calls (those through deps are noted already)
            if not any(call is c for c in deps.tool_calls):
                deps.events.append(ToolCalled(turn_id=turn.id, name=call.name, args=call.args))
        reply.tan_challenge = reply.tan_challenge or deps.tan_challenge
        return reply

    def _both(self, turn: _Turn, parts: list[IntentMatch], now: datetime) -> AgentReply:
        """Each request of a compound sentence answered in order, as one reply (none of them waits for a yes)."""
        replies = [r for m in parts if (r := self._local_or_approval(turn, m, now)) is not None]
        return AgentReply(spoken=" ".join(r.spoken for r in replies), text=" ".join(r.text for r in replies),
                          source="local", language=parts[0].language, intent="+".join(m.intent for m in parts),
                          tool_calls=[c for r in replies for c in r.tool_calls],
                          actions=[a for r in replies for a in r.actions],
                          error=next((r.error for r in replies if r.error), None))

    def _asked_about(self, now: datetime) -> ApprovalRecord | None:
        """The request the assistant's last reply asked about, if that reply is the newest turn and the
        request is still open (or ran out of time just now: the answer then says it expired)."""
        last = self.memory.last_reply()
        if last is None or last.approval_id is None:
            return None
        try:
            rec = self.approvals.get(last.approval_id)
        except ApprovalError:
            return None
        if rec.status == "pending" or (rec.status == "expired" and now - rec.expires_at < self.approvals.ttl):
            return rec
        return None

    def _ask_again(self, rec: ApprovalRecord, lang: str) -> AgentReply:
        """A yes or no came, but not right after the question (something else was said in between):
        nothing is decided; the waiting request is asked about again, so the next yes binds to it."""
        spoken = tr(lang, "To be sure, I'm asking again: ", "Sicherheitshalber frage ich noch einmal: ") + \
            rec.summary + phrase("approval.question", lang)
        return AgentReply(spoken=spoken, text=spoken, source="approval", language=lang, approval=rec.info(),
                          actions=[ActionInfo(name=rec.action, status="pending", summary=rec.summary)])

    def warm_up(self) -> int:
        """Have the model server read each agent's prompt once, in the background of a long-running app
        (agents/warmup.py); how many agents it read, 0 with no model."""
        model, _ = self._model_or_error()
        return 0 if model is None else warm_up(model, self.deps())

    def _model_or_error(self) -> tuple[Model | None, str | None]:
        try:
            return self.model_factory(), None
        except MODEL_ERRORS as exc:
            log.warning("no model: %s", exc)  # the setting at fault, for the log; the user hears one sentence
            return None, model_error_message(exc, self.language)

    def _fallback(self, text: str, error: str | None, connected: bool = False) -> AgentReply:
        """No model answered: say why in one sentence, then what works offline (``connected``: a model is
        set up and failed just now, so the reply does not ask to connect one)."""
        lang = self.language if error else guess_language(text) or self.language  # the language spoken to us
        offline = help_text(lang, connect_hint=not connected)
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
        output = model_text(output) if not deps.worded else without_framework_words(without_situation(output))
        if pending is not None:  # say exactly what will be done, whatever the model wrote
            spoken = approval_question(pending, lang)
            text = output.strip() if spoken in output else (
                output.strip() + "\n\n" + spoken if output.strip() else spoken)
        elif deps.worded:  # what the tools found, worded by them: said as a whole (a list, a mail), not cut
            spoken, text = first_sentences(" ".join(output.split("\n")), n=8, max_chars=700), output.strip()
        else:
            spoken, text = first_sentences(output), output.strip()
        actions = list(deps.actions) + [ActionInfo(name=p.action, status="pending", summary=p.summary)
                                        for p in deps.pending]
        done = [a for a in deps.actions if a.status != "pending"]
        if done:  # the screen lists what changed, whatever the model wrote
            text += "\n\n" + tr(lang, "Actions: ", "Aktionen: ") + "; ".join(
                f"{a.name.replace('_', ' ')} ({tr(lang, 'failed', 'fehlgeschlagen') if a.status == 'failed' else 'ok'})"
                for a in done)
        return AgentReply(spoken=spoken or text, text=text, source="llm", language=lang, actions=actions,
                          tool_calls=deps.tool_calls, approval=pending.info() if pending else None,
                          tan_challenge=deps.tan_challenge)

    def _run_timeout(self, turn: _Turn) -> float:
        return max(1.0, min(self.model_timeout_s, turn.left(self.turn_deadline_s)))

    def _model_failed(self, turn: _Turn, exc: BaseException, deps: AssistantDeps) -> AgentReply:
        log.warning("model failed: %r", exc)
        if deps.pending:  # a request was parked before the model failed: it waits for the yes, so ask about it
            return self._llm_reply("", deps)
        error = model_error_message(exc, self.language)
        error += ran_before(deps.actions, self.language)  # never leave what already changed unmentioned
        reply = self._fallback(turn.text, error, connected=True)
        reply.tool_calls, reply.actions = deps.tool_calls, deps.actions
        return reply

    def _ask_llm(self, turn: _Turn, model: Model) -> Generator[TurnEvent, None, AgentReply]:
        deps = self.deps(turn=turn)
        try:
            result = orchestrator.run_sync(situated(deps, turn.text), deps=deps, model=self._worded(model, deps),
                                           message_history=self._history(),
                                           usage_limits=ORCHESTRATOR_LIMITS, timeout=self._run_timeout(turn))
        except MODEL_ERRORS as exc:
            yield from turn.flush()
            return self._model_failed(turn, exc, deps)
        turn.count(result.usage)
        output = self._honest(turn, model, deps, result.output, result.all_messages())
        yield from turn.flush()
        reply = self._llm_reply(output, deps)
        yield ReplyDelta(turn_id=turn.id, text=reply.text)
        return reply

    def _honest(self, turn: _Turn, model: Model, deps: AssistantDeps, output: str,
                history: list[ModelMessage], delegate: str | None = None) -> str:
        """The model's answer, unless it claims an action (or asks "shall I?") while nothing was changed
        and nothing waits for approval: then the model (the orchestrator, or the ``delegate`` that
        answered directly) is asked once more with a correction, and if it still claims one, the reply
        says plainly that nothing was done (agents/honesty.py)."""
        if raw_tool_call(output):
            log.info("the model wrote a tool call as text: %r", output[:200])
            return "" if deps.pending else no_usable_answer(deps.language)
        if deps.actions or deps.pending or not claims_action(output):
            return output
        left = min(self.model_timeout_s, turn.left(self.turn_deadline_s))
        if left < 3:
            return nothing_done(deps.language)
        log.info("the model claimed an action that did not run; asking once more: %r", output[:200])
        try:
            if delegate is None:
                result = orchestrator.run_sync(CORRECTION, deps=deps, model=model, message_history=history,
                                               usage_limits=ORCHESTRATOR_LIMITS, timeout=left)
                turn.count(result.usage)
                again = result.output
            else:
                again = self._delegate_output(turn, model, deps, delegate, CORRECTION, history, left)[0]
        except MODEL_ERRORS as exc:
            log.warning("model failed on the correction: %r", exc)
            return nothing_done(deps.language)
        if deps.actions or deps.pending or not (claims_action(again) or parrots_correction(again)):
            return again
        return nothing_done(deps.language)

    def _worded(self, model: Model, deps: AssistantDeps) -> Model:
        """The model, with read results worded by the tools when ``tool_answers`` (agents/worded.py)."""
        return ToolWording(model, deps) if self.tool_answers else model

    def _delegate_output(self, turn: _Turn, model: Model, deps: AssistantDeps, name: str, prompt: str,
                         history: list[ModelMessage], timeout: float) -> tuple[str, list[ModelMessage]]:
        """Run a domain's delegate on ``prompt``: its answer (spoken, then the screen text), or "" when it
        asked for an action (parked as a pending approval)."""
        result = delegate_of(name).run_sync(prompt, deps=deps, model=self._worded(model, deps),
                                            message_history=history,
                                            usage_limits=DELEGATE_LIMITS, timeout=timeout)
        turn.count(result.usage)
        out = result.output
        if isinstance(out, DeferredToolRequests):
            if out.approvals:
                park(deps, name, out, result.all_messages())
            return "", result.all_messages()
        if isinstance(out, str):
            return out.strip(), result.all_messages()
        text = out.text.strip()
        return (text if not out.spoken.strip() or text.startswith(out.spoken.strip())
                else f"{out.spoken.strip()}\n{text}"), result.all_messages()

    def _ask_delegate(self, turn: _Turn, model: Model, name: str) -> Generator[TurnEvent, None, AgentReply]:
        """The request goes straight to the one domain it names (agents/routing.py): no orchestrator."""
        deps = self.deps(turn=turn)
        deps.delegated(name, turn.text)
        try:
            output, history = self._delegate_output(turn, model, deps, name, situated(deps, turn.text),
                                                    self._history(),
                                                    self._run_timeout(turn))
            output = self._honest(turn, model, deps, output, history, delegate=name)
        except MODEL_ERRORS as exc:
            yield from turn.flush()
            return self._model_failed(turn, exc, deps)
        yield from turn.flush()
        reply = self._llm_reply(output, deps)
        yield ReplyDelta(turn_id=turn.id, text=reply.text)
        return reply

    def _stream_llm(self, turn: _Turn, model: Model) -> Generator[TurnEvent, None, AgentReply]:
        """The model's text sentence by sentence as it is written; the reply's spoken part is every
        sentence streamed (plus the approval question), its text the whole answer."""
        deps = self.deps(turn=turn)
        chunker = SentenceChunker()
        spoken: list[str] = []
        try:
            with orchestrator.run_stream_sync(situated(deps, turn.text), deps=deps, model=model,
                                              message_history=self._history(),
                                              usage_limits=ORCHESTRATOR_LIMITS,
                                              timeout=self._run_timeout(turn)) as result:
                for delta in result.stream_text(delta=True, debounce_by=None):
                    yield from turn.flush()
                    for sentence in chunker.feed(delta):
                        spoken.append(sentence)
                        yield ReplyDelta(turn_id=turn.id, text=sentence + " ")
                turn.count(result.usage)
                history = result.all_messages()
            for sentence in chunker.flush():
                spoken.append(sentence)
                yield ReplyDelta(turn_id=turn.id, text=sentence + " ")
            streamed = " ".join(spoken)
            output = self._honest(turn, model, deps, streamed, history)
            yield from turn.flush()
        except MODEL_ERRORS as exc:
            yield from turn.flush()
            reply = self._model_failed(turn, exc, deps)
            yield ReplyDelta(turn_id=turn.id, text=reply.spoken)
            return reply
        if output != streamed:  # corrected: the final reply replaces what was streamed (speech comes after it)
            spoken = [output]
        reply = self._llm_reply(output, deps)
        if reply.approval is not None:
            yield ReplyDelta(turn_id=turn.id, text=reply.spoken)
            spoken.append(reply.spoken)
        reply.spoken = " ".join(spoken) or reply.spoken
        return reply

    # ------------------------------------------------------------ approvals

    def _decide(self, rec: ApprovalRecord, approve: bool, lang: str, match: IntentMatch | None = None,
                deps: AssistantDeps | None = None) -> AgentReply:
        now = self.clock().astimezone(self.tz)
        base: dict[str, Any] = {"source": "approval", "language": lang,
                                "intent": match.intent if match else ("Confirm" if approve else "Reject")}
        if rec.status not in ("pending", "expired"):  # decided meanwhile (another device or server process)
            msg = phrase("approval.already", lang)
            return AgentReply(spoken=msg, text=msg, error="approval already decided", **base)
        if rec.status != "pending" or rec.expires_at <= now:
            if rec.status == "pending":
                self.approvals.expire_old(now)
            msg = phrase("approval.expired", lang)
            return AgentReply(spoken=msg, text=msg, error="approval expired", **base)
        try:
            rec = self.approvals.decide(rec.id, approve, now)
        except AlreadyDecided:
            msg = phrase("approval.already", lang)
            return AgentReply(spoken=msg, text=msg, error="approval already decided", **base)
        if not approve:
            msg = phrase("approval.declined", lang)
            return AgentReply(spoken=msg, text=f"{msg} ({rec.summary})", **base)
        deps = deps or self.deps(lang)
        try:
            ok, result = self._execute(rec, deps)
        except (ServiceError, AgentRunError) as exc:  # the service failed (or the run broke) while acting
            detail = str(exc) if isinstance(exc, ServiceError) else type(exc).__name__
            self.approvals.finish(rec.id, False, f"error: {detail}")
            msg = phrase("error.failed", lang, detail=detail) + ran_before(deps.actions, lang)
            return AgentReply(spoken=msg, text=msg, error=detail, tool_calls=deps.tool_calls,
                              actions=deps.actions, tan_challenge=deps.tan_challenge, **base)
        self.approvals.finish(rec.id, ok, result)  # the outcome is stored before anything is said
        follow_up = deps.pending[-1] if deps.pending else None  # the next step asks again (a bank's payee check)
        return AgentReply(spoken=first_sentences(result.split("\n")[0]), text=result, tool_calls=deps.tool_calls,
                          actions=deps.actions, error=None if ok else first_sentences(result),
                          approval=follow_up.info() if follow_up else None, tan_challenge=deps.tan_challenge,
                          **base)

    def _execute(self, rec: ApprovalRecord, deps: AssistantDeps) -> tuple[bool, str]:
        lang = deps.language
        if rec.action == "calendar.create_event":
            cal = self.services.calendar
            if cal is None:
                raise ServiceError(tr(lang, "no calendar is connected", "kein Kalender verbunden"))
            event = NewEvent.model_validate(rec.payload["event"])
            deps.record_tool("calendar.create_event", rec.payload["event"])
            created = cal.create_event(event)
            deps.acted("create_event", {"title": created.title, "start": created.start}, f"created {created.uid}")
            return True, phrase("done.calendar_event", lang, title=created.title)
        if rec.action == "memory.forget":
            ids = [int(i) for i in rec.payload.get("ids") or []]
            deps.record_tool("memory.forget", {"topic": rec.payload.get("topic", ""), "ids": ids})
            n = self.memory.forget_ids(ids)
            deps.acted("forget_facts", {"topic": rec.payload.get("topic", "")}, f"deleted {n}")
            return True, phrase("done.notes_deleted_one" if n == 1 else "done.notes_deleted_many", lang, count=n)
        runner = domains.action_runner(rec.action)
        if runner is not None:
            return runner(rec, deps)
        if rec.source == "llm":
            return resume_approved(rec, deps)
        raise ServiceError(f"unknown action {rec.action}")
