"""The UI's state, in plain Python (no Flet): the views render these models, the engine's events
update them. Unit-tested without a browser (tests/gui)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.engine import (
    ApprovalDecided,
    ApprovalRequested,
    ApprovalView,
    AssistantState,
    EngineEvent,
    EngineInfo,
    HistoryTurn,
    MeetingSegment,
    MeetingSegmentAdded,
    MeetingUpdated,
    MeetingView,
    Notice,
    ProgressEvent,
    ReplyDelta,
    ReplyDone,
    SpeechAudioReady,
    StateChanged,
    TanChallenge,
    TimerChanged,
    TimerView,
    TranscriptFinal,
    TranscriptInterim,
)
from app.gui.strings import t

PHONE_MAX_WIDTH = 600
STATE_LABELS: dict[AssistantState, str] = {  # catalogue keys (app/gui/strings.py)
    "idle": "state.idle", "listening": "state.listening", "thinking": "state.thinking", "speaking": "state.speaking",
}
MODEL_LOAD_TASKS = ("stt_load", "tts_load")  # the engine's progress tasks that load a model
Screen = Literal["conversation", "meetings", "approvals", "settings"]


def is_phone(width: float | None) -> bool:
    return width is not None and 0 < width <= PHONE_MAX_WIDTH


def fmt_clock(seconds: float) -> str:
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


@dataclass
class Turn:
    id: str
    user: str = ""
    interim: bool = False
    addressed: bool = True
    reply: str = ""
    spoken: str = ""
    done: bool = False
    error: str | None = None
    approval_id: int | None = None
    source: str = ""  # local, llm, fallback (a miss: nothing here could answer), approval, unavailable
    tan: TanChallenge | None = None  # the bank asks for a TAN: its image or flicker code, shown under the reply

    @property
    def miss(self) -> bool:
        return self.source == "fallback"

    @property
    def shown_reply(self) -> str:
        """What the turn shows as the answer: for a miss only its sentence (what works offline is behind
        the "What I can do" chip), else the whole reply."""
        if self.miss and self.spoken:
            return self.spoken
        return self.reply

    @property
    def more(self) -> str:
        """A miss's longer part (what works offline), shown on demand."""
        if not self.miss or not self.reply.startswith(self.spoken):
            return ""
        return self.reply[len(self.spoken):].strip()


class PushToTalk:
    """Press-and-hold and toggle on one button (or key).

    A press starts listening. Releasing after ``hold_s`` or more stops (hold to talk); releasing
    sooner leaves it listening until the next press (tap to toggle)."""

    def __init__(self, hold_s: float = 0.35) -> None:
        self.hold_s = hold_s
        self.active = False
        self._pressed_at: float | None = None
        self._toggled = False

    def press(self, now: float) -> Literal["start", "stop"] | None:
        if self._pressed_at is not None:  # key repeat or a second pointer: already down
            return None
        if self.active and self._toggled:
            self.active, self._toggled = False, False
            self._pressed_at = None
            return "stop"
        self._pressed_at = now
        if self.active:
            return None
        self.active = True
        return "start"

    def release(self, now: float) -> Literal["stop"] | None:
        if self._pressed_at is None:
            return None
        held = now - self._pressed_at
        self._pressed_at = None
        if not self.active:
            return None
        if held >= self.hold_s:
            self.active = False
            return "stop"
        self._toggled = True
        return None

    def cancel(self) -> Literal["stop"] | None:
        """Stop whatever is going on (focus lost, error)."""
        was = self.active
        self.active, self._toggled, self._pressed_at = False, False, None
        return "stop" if was else None


@dataclass
class UiModel:
    """Everything the screens show, updated by :meth:`apply`."""

    info: EngineInfo | None = None
    state: AssistantState = "idle"
    hands_free: bool = False
    turns: list[Turn] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    progress: dict[str, ProgressEvent] = field(default_factory=dict)
    approvals: list[ApprovalView] = field(default_factory=list)
    last_outcome: str = ""
    last_status: str = ""  # the last decided approval's status (done, failed, denied, expired)
    meeting: MeetingView = field(default_factory=MeetingView)
    pending_clips: list[SpeechAudioReady] = field(default_factory=list)
    playing: bool = False
    origin: str = ""  # this window/tab (see SpeechAudioReady.origin)
    overheard: str = ""  # hands-free: the last speech not addressed to the assistant (never a turn)
    show_overheard: bool = False
    timers: list[TimerView] = field(default_factory=list)  # the timers panel: ringing first, then soonest
    _handled: set[str] = field(default_factory=set)  # alert texts stopped or snoozed: their notices are gone
    _started: set[str] = field(default_factory=set)  # turns whose request this window saw come

    @property
    def ringing(self) -> list[TimerView]:
        return [t for t in self.timers if t.ringing]

    def set_timers(self, timers: list[TimerView]) -> None:
        """The engine's list (read when the screen opens, after a turn and every few seconds)."""
        self.timers = list(timers)
        self._clear_notices()

    def dismiss_notices(self) -> None:
        self.notices.clear()

    def _clear_notices(self) -> None:
        """A notice about a timer or reminder that rings is the alert's (shown there, not as a line), and
        it goes away once the alert is stopped or snoozed."""
        ringing = {t.text for t in self.ringing}
        self.notices = [n for n in self.notices if n.message not in ringing and n.message not in self._handled]

    def _apply_timer(self, ev: TimerChanged) -> None:
        rest = [t for t in self.timers if t.id != ev.timer.id]
        if ev.change in ("cancelled", "stopped"):
            self.timers = rest
        else:
            self.timers = sorted([*rest, ev.timer], key=lambda t: (not t.ringing, t.ends_at))
        if ev.change in ("stopped", "snoozed", "cancelled"):
            self._handled = {*list(self._handled)[-20:], ev.timer.text}
        elif ev.change == "rang":
            self._handled.discard(ev.timer.text)
        self._clear_notices()

    @property
    def shown_state(self) -> AssistantState:
        return "speaking" if self.playing and self.state == "idle" else self.state

    @property
    def status_text(self) -> str:
        if self.shown_state == "idle" and any(task in self.progress for task in MODEL_LOAD_TASKS):
            return t("state.loading")  # not "Idle": push-to-talk or the voice would still wait for the model
        return t(STATE_LABELS[self.shown_state])

    def turn(self, turn_id: str) -> Turn:
        for turn in reversed(self.turns):
            if turn.id == turn_id:
                return turn
        new = Turn(id=turn_id)
        self.turns.append(new)
        return new

    def _reply_turn(self, turn_id: str) -> Turn:
        """The turn a reply belongs to. One whose request this window did not see come was asked before
        the window opened and answered after it (a slow answer): it goes above the turns asked since, not
        under the newest one (where it had looked like the answer to what was just sent)."""
        for turn in reversed(self.turns):
            if turn.id == turn_id:
                return turn
        new = Turn(id=turn_id)
        at = next((i for i, t in enumerate(self.turns) if t.id in self._started), len(self.turns))
        self.turns.insert(at, new)
        return new

    def apply(self, ev: EngineEvent) -> None:
        if isinstance(ev, StateChanged):
            self.state, self.hands_free = ev.state, ev.hands_free
        elif isinstance(ev, TranscriptInterim):
            self._started.add(ev.turn_id)
            t = self.turn(ev.turn_id)
            if not t.user or t.interim:
                t.user, t.interim = ev.text, True
        elif isinstance(ev, TranscriptFinal):
            if not ev.addressed:  # talk in the room: not a turn (at most one dim line, if asked for)
                self.turns = [t for t in self.turns if t.id != ev.turn_id or t.reply or t.done]
                self.overheard = ev.text
                return
            self._started.add(ev.turn_id)
            t = self.turn(ev.turn_id)
            t.user, t.interim, t.addressed = ev.text, False, ev.addressed
        elif isinstance(ev, ReplyDelta):
            self._reply_turn(ev.turn_id).reply += ev.text
        elif isinstance(ev, ReplyDone):
            t = self._reply_turn(ev.reply.turn_id)
            if not t.user:
                t.user = ev.reply.user_text
            t.reply, t.spoken, t.done, t.error = ev.reply.text, ev.reply.spoken, True, ev.reply.error
            t.source = ev.reply.source
            t.tan = ev.reply.tan_challenge
            if ev.reply.approval is not None:
                t.approval_id = ev.reply.approval.id
        elif isinstance(ev, SpeechAudioReady):
            if not ev.origin or ev.origin == self.origin:  # a reply is spoken where it was asked for
                self.pending_clips.append(ev)
        elif isinstance(ev, ApprovalRequested):
            if all(a.id != ev.approval.id for a in self.approvals):
                self.approvals.insert(0, ev.approval)
        elif isinstance(ev, ApprovalDecided):
            self.approvals = [a for a in self.approvals if a.id != ev.outcome.id]
            self.last_outcome = ev.outcome.message
            self.last_status = ev.outcome.status
            t = self.turn(f"approval-{ev.outcome.id}")
            t.reply, t.spoken, t.done, t.tan = ev.outcome.message, ev.outcome.message, True, ev.outcome.tan_challenge
        elif isinstance(ev, MeetingUpdated):
            segments = self.meeting.segments if ev.meeting.id == self.meeting.id else []
            self.meeting = ev.meeting.model_copy(update={"segments": ev.meeting.segments or segments})
        elif isinstance(ev, MeetingSegmentAdded):
            if ev.meeting_id == self.meeting.id:
                self.meeting.segments.append(ev.segment)
        elif isinstance(ev, ProgressEvent):
            if ev.done:
                self.progress.pop(ev.task, None)
            else:
                self.progress[ev.task] = ev
        elif isinstance(ev, Notice):
            if ev.message in {t.text for t in self.ringing} or ev.message in self._handled:
                return  # the timers panel's alert shows it (or showed it, and it was stopped)
            self.notices.append(ev)
            del self.notices[:-20]
        elif isinstance(ev, TimerChanged):
            self._apply_timer(ev)

    def load_history(self, history: list[HistoryTurn]) -> None:
        """The stored conversation before this window opened: a user line and the reply after it are one
        turn; shown above anything said since."""
        old: list[Turn] = []
        for i, h in enumerate(history):
            if h.role == "user" or not old or old[-1].done:
                old.append(Turn(id=f"history-{i}"))
            t = old[-1]
            if h.role == "user":
                t.user = h.text
            else:
                t.reply, t.spoken, t.done = h.text, h.text, True
        self.turns = [*old, *self.turns]

    def take_clip(self) -> SpeechAudioReady | None:
        return self.pending_clips.pop(0) if self.pending_clips else None


def transcript_lines(segments: list[MeetingSegment]) -> list[str]:
    """'[00:05] Speaker 1: text' per segment."""
    return [f"[{fmt_clock(s.start_s)}] {s.speaker + ': ' if s.speaker else ''}{s.text}" for s in segments]


def level_bar(level: float, width: int = 20) -> str:
    n = round(max(0.0, min(1.0, level)) * width)
    return "█" * n + "░" * (width - n)
