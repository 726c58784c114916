"""The engine interface the UI talks to: one typed Protocol, two implementations.

``LocalEngine`` (``app/engine/local/``) runs speech in/out, the agents and meetings in this process;
``RemoteEngine`` (``app/engine/remote.py``) does the same over HTTP for phones (the home server).
Both are composed of five small ports: conversation, voice, meetings, settings, accounts. The UI never knows which one
it has: it calls the async methods below and renders the events it receives.

Contract, for both implementations:

- Every method is ``async`` and never blocks the event loop (heavy work runs in threads/tasks).
- Results and events are the pydantic models of this module (plain data: they serialize to JSON
  with ``model_dump(mode="json")`` and back with ``EngineEventAdapter.validate_python``).
- Progress of long work, streamed reply text, transcripts, state changes, new approvals and meeting
  updates arrive as :data:`EngineEvent` objects at the listeners given to :meth:`Engine.subscribe`.
  Listeners may be called from ANY thread and must return quickly (the UI marshals to its loop).
- Bad input raises :class:`EngineError` (one line for the user) and changes nothing; a feature that
  is not installed/connected raises :class:`NotAvailable` (a subclass) saying what is missing.
  ``Engine.info()`` lists every feature with its availability up front, so the UI can grey it out.

This module imports only pydantic, the standard library and the assistant's plain data
(``agents/replies.py``, ``agents/turn.py``: one event vocabulary for a turn), so a phone build can use it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field, TypeAdapter

# one event vocabulary: a turn's events and its reply are the assistant's own (agents/turn.py)
from agents.replies import AgentReply as TurnReply
from agents.replies import ApprovalInfo as ApprovalView
from agents.replies import TanChallenge
from agents.turn import (
    ApprovalRequested,
    IntentRecognized,
    ReplyDelta,
    ReplyDone,
    SpeakingStarted,
    SpeechStopped,
    ToolCalled,
    TranscriptFinal,
    TranscriptInterim,
    TurnError,
    TurnStarted,
)

if TYPE_CHECKING:
    from app.engine.local import LocalEngine as LocalEngine


class EngineError(Exception):
    """Bad input or a failed action; the message is one line fit to show the user. Nothing changed."""


class NotAvailable(EngineError):
    """The feature is not installed or not connected here (e.g. no microphone, no meeting recorder)."""


# ------------------------------------------------------------------------------------ plain data

AssistantState = Literal["idle", "listening", "thinking", "speaking"]
FeatureName = Literal["text", "speech_in", "speech_out", "hands_free", "llm", "approvals", "meetings",
                      "accounts", "settings"]


class Feature(BaseModel):
    name: FeatureName
    available: bool
    detail: str = Field("", description="why not, or what backs it (e.g. 'whisper base, offline')")


class EngineInfo(BaseModel):
    kind: Literal["local", "remote"]
    version: str = ""
    features: list[Feature] = Field(default_factory=list)
    wake_phrase: str = "hey assistant"
    language: str = "en"

    def feature(self, name: FeatureName) -> Feature:
        for f in self.features:
            if f.name == name:
                return f
        return Feature(name=name, available=False, detail="unknown")


class AudioChunk(BaseModel):
    """Captured audio from a browser or phone microphone: little-endian PCM16, interleaved channels.
    The engine resamples and downmixes (browsers deliver 44.1/48 kHz stereo whatever was asked)."""

    pcm16: bytes
    sample_rate: int = Field(ge=8000, le=192_000)
    channels: int = Field(1, ge=1, le=8)


class HistoryTurn(BaseModel):
    """One line of the stored conversation (what a window shows when it opens)."""

    role: Literal["user", "assistant"]
    text: str
    at: datetime


class AudioClip(BaseModel):
    """Audio for the client to play (speech output in web/phone mode, meeting playback): a WAV file."""

    wav: bytes
    duration_s: float = Field(ge=0)
    text: str = Field("", description="what is said (speech output) or transcribed (meeting playback)")


class ApprovalOutcome(BaseModel):
    id: int
    status: Literal["done", "failed", "denied", "expired"]
    message: str = Field(description="what happened, for the screen and for speech")
    tan_challenge: TanChallenge | None = Field(None, description="the bank now asks for a TAN: what to show")


class MeetingSegment(BaseModel):
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    speaker: str = Field("", description="speaker label, e.g. 'Speaker 1'")
    text: str


class MeetingView(BaseModel):
    """The meeting being recorded (or the one just stopped)."""

    id: str | None = None
    title: str = ""
    state: Literal["idle", "recording", "paused", "processing", "done"] = "idle"
    started_at: datetime | None = None
    elapsed_s: float = 0.0
    level: float = Field(0.0, ge=0, le=1, description="input level 0..1 for the meter")
    waiting_for_audio: bool = Field(False, description="recording, but no audio from the client's microphone yet")
    segments: list[MeetingSegment] = Field(default_factory=list)
    summary: str = ""
    action_items: list[str] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)
    speakers: list[str] = Field(default_factory=list)


class MeetingSummary(BaseModel):
    """A past meeting in the list."""

    id: str
    title: str
    started_at: datetime
    duration_s: float = 0.0
    summary: str = ""


class MeetingHit(BaseModel):
    meeting_id: str
    title: str
    at: datetime
    start_s: float = 0.0
    text: str


ExportFormat = Literal["md", "txt", "json", "srt", "vtt"]
EXPORT_MEDIA_TYPES: dict[str, str] = {"md": "text/markdown", "txt": "text/plain", "json": "application/json",
                                      "srt": "application/x-subrip", "vtt": "text/vtt"}


class ExportedFile(BaseModel):
    filename: str
    media_type: str
    content: bytes


class SettingsView(BaseModel):
    """What the settings screen shows, with the choices each field offers."""

    language: str = "en"
    stt_model: str = "base"
    stt_models: list[str] = Field(default_factory=list)
    llm_provider: str = "none"
    llm_providers: list[str] = Field(default_factory=list)
    llm_model: str = ""
    llm_base_url: str = ""
    voice: str = ""
    voices: list[str] = Field(default_factory=list)
    storage_backend: str = "local"
    storage_backends: list[str] = Field(default_factory=list)
    input_device: str = ""
    output_device: str = ""
    input_devices: list[str] = Field(default_factory=list)
    output_devices: list[str] = Field(default_factory=list)
    wake_phrase: str = "hey assistant"
    hands_free: bool = False
    ptt_key: str = Field(" ", description="hold-to-talk key as Flet names it (' ' = space)")
    theme: Literal["system", "light", "dark"] = "system"
    onboarded: bool = False
    show_overheard: bool = False
    meeting_system_audio: str = Field("", description="meetings also record the computer's sound: '' off, 'auto', "
                                      "or a source's name")
    system_audio_sources: list[str] = Field(default_factory=list, description="where the computer's sound can "
                                            "be recorded from here")


class SettingsPatch(BaseModel):
    """Fields to change; None = keep. Validated by the engine (EngineError on a bad value)."""

    language: str | None = None
    stt_model: str | None = None
    llm_provider: str | None = None
    llm_model: str | None = None
    llm_base_url: str | None = None
    voice: str | None = None
    storage_backend: str | None = None
    input_device: str | None = None
    output_device: str | None = None
    wake_phrase: str | None = None
    ptt_key: str | None = None
    theme: Literal["system", "light", "dark"] | None = None
    onboarded: bool | None = None
    meeting_system_audio: str | None = Field(None, max_length=300)


class AccountDraft(BaseModel):
    """A new account; the secret goes to the keyring, never into settings or the database."""

    kind: str = Field(min_length=1, max_length=40, description="an account kind (app.accounts.account_kinds())")
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@\-]+$")
    username: str = ""
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    secret: str | None = Field(None, repr=False, max_length=4096)
    options: dict[str, str | int | bool] = Field(
        default_factory=dict, description="the kind's own settings: smtp_host, smtp_port, url, address, preset ...")


class AccountView(BaseModel):
    kind: str
    name: str
    username: str = ""
    host: str | None = None
    port: int | None = None
    has_secret: bool | None = None


class CheckOutcome(BaseModel):
    ok: bool
    message: str


TIMER_ID_PATTERN = r"^(timer|reminder)-[0-9]{1,9}$"


class TimerView(BaseModel):
    """A running timer, an upcoming reminder, or one that rings now (until the user stops or snoozes it)."""

    id: str = Field(pattern=TIMER_ID_PATTERN, description="'timer-<n>' or 'reminder-<n>'")
    kind: Literal["timer", "reminder"]
    label: str = Field("", description="the timer's name or the reminder's text")
    ends_at: datetime = Field(description="when it rings (or rang)")
    started_at: datetime | None = None
    ringing: bool = False
    text: str = Field("", description="what the alert says (and the voice said) when it rings")


KeyringState = Literal["ready", "locked", "missing"]


class KeyringView(BaseModel):
    """Where the account passwords are kept, and whether they can be used now: ``ready``; ``locked`` (the
    encrypted keyring needs its master password, for this session only); ``missing`` (no system keyring:
    create the encrypted one with a new master password)."""

    state: KeyringState
    where: Literal["system", "encrypted-file", "server"] = "system"


# ---------------------------------------------------------------------------------------- events


class ModelView(BaseModel):
    """A voice or speech model of the catalogue, as Settings -> Voices & models shows it."""

    id: str
    kind: Literal["voice", "whisper"]
    languages: list[str]
    size_mb: float
    quality: str
    rtf: float = Field(description="expected seconds of work per second of speech on 2 cores")
    speed: str = Field(description="'measured ...' or 'estimated ...'")
    installed: bool
    builtin: bool = Field(description="comes with the app (a PyPI package): cannot be removed")
    source: str = ""
    sha256: dict[str, str] = Field(default_factory=dict, description="file -> SHA-256 (recorded or published) or md5:<published MD5>")


class _Event(BaseModel):
    at: datetime = Field(default_factory=lambda: datetime.now().astimezone())


class StateChanged(_Event):
    kind: Literal["state"] = "state"
    state: AssistantState
    hands_free: bool = False


class SpeechAudioReady(_Event):
    """Speech output for the client to play (web/phone); desktop engines play it themselves."""

    kind: Literal["speech_audio"] = "speech_audio"
    turn_id: str
    clip: AudioClip
    origin: str = Field("", description="the window/tab whose request this answers (it alone plays it); "
                                         "empty: any")


class ApprovalDecided(_Event):
    kind: Literal["approval_decided"] = "approval_decided"
    outcome: ApprovalOutcome


class MeetingUpdated(_Event):
    """Timer, level and state of the running meeting (a few times per second while recording)."""

    kind: Literal["meeting"] = "meeting"
    meeting: MeetingView


class MeetingSegmentAdded(_Event):
    kind: Literal["meeting_segment"] = "meeting_segment"
    meeting_id: str
    segment: MeetingSegment


class ProgressEvent(_Event):
    """Long work (model load, import, export, migration). ``fraction`` None = unknown length."""

    kind: Literal["progress"] = "progress"
    task: str
    label: str
    fraction: float | None = Field(None, ge=0, le=1)
    done: bool = False


class Notice(_Event):
    kind: Literal["notice"] = "notice"
    level: Literal["info", "warning", "error"] = "info"
    message: str
    # an offer the UI shows as a button beside the notice: open Settings -> Voices & models at model_id
    action: Literal["install_model"] | None = None
    model_id: str = ""
    action_label: str = Field("", description="the button's text, in the notice's language")


class TimerChanged(_Event):
    """A timer or reminder started, rang, was cancelled, snoozed (+5 min) or stopped (the alert acknowledged)."""

    kind: Literal["timer"] = "timer"
    change: Literal["started", "rang", "cancelled", "snoozed", "stopped"]
    timer: TimerView


EngineEvent = Annotated[
    StateChanged | TurnStarted | TranscriptInterim | TranscriptFinal | IntentRecognized | ToolCalled | ReplyDelta
    | ReplyDone | TurnError | SpeechAudioReady | SpeakingStarted | SpeechStopped | ApprovalRequested | ApprovalDecided
    | MeetingUpdated | MeetingSegmentAdded | ProgressEvent | Notice | TimerChanged,
    Field(discriminator="kind"),
]
EngineEventAdapter: TypeAdapter[EngineEvent] = TypeAdapter(EngineEvent)
Listener = Callable[[EngineEvent], None]
Unsubscribe = Callable[[], None]


# -------------------------------------------------------------------------------------- protocol


@runtime_checkable
class ConversationPort(Protocol):
    """Typed turns and the approvals they ask for."""

    async def ask(self, text: str, origin: str = "") -> TurnReply:
        """A typed turn from the window/tab ``origin`` (its reply is spoken there only). Emits the turn's events (intent, tool calls, ReplyDelta ...), then ReplyDone;
        speaks the reply unless muted. EngineError for empty or over-long text."""
        ...

    async def approvals(self) -> list[ApprovalView]:
        """Actions waiting for yes/no, newest first."""
        ...

    async def history(self, limit: int = 50) -> list[HistoryTurn]:
        """The stored conversation's last turns, oldest first (kept across restarts and devices)."""
        ...

    async def decide(self, approval_id: int, approve: bool, origin: str = "") -> ApprovalOutcome:
        """Approve (the action runs now) or deny (nothing happens). EngineError if unknown/decided."""
        ...


@runtime_checkable
class VoicePort(Protocol):
    """Speech in (push-to-talk, hands-free, client audio) and speech out."""

    async def start_listening(self, origin: str = "") -> None:
        """Push-to-talk pressed in the window/tab ``origin``: capture speech (engine microphone or pushed chunks)."""
        ...

    async def stop_listening(self) -> TurnReply | None:
        """Push-to-talk released: end the utterance, transcribe, answer. None if nothing was said."""
        ...

    async def set_hands_free(self, on: bool, origin: str = "") -> None:
        """Listen continuously (replies are spoken in the window/tab ``origin``) for the wake phrase (NotAvailable without speech input)."""
        ...

    async def push_audio(self, chunk: AudioChunk) -> None:
        """Microphone audio captured by the client (browser/phone) while listening or recording."""
        ...

    async def speak(self, text: str, origin: str = "") -> None:
        """Say a text again (e.g. a previous reply)."""
        ...

    async def stop_speaking(self) -> None:
        """Stop speech output at once."""
        ...


@runtime_checkable
class MeetingsPort(Protocol):
    """Meeting recording, past meetings, search, playback and export."""

    async def meeting_start(self, title: str = "", call_audio: bool = False) -> MeetingView:
        """``call_audio``: the client sends two channels, its microphone and a tab it shares (an online
        call in the browser), kept apart as two sides of the call."""
        ...

    async def meeting_pause(self) -> MeetingView: ...

    async def meeting_resume(self) -> MeetingView: ...

    async def meeting_stop(self) -> MeetingView:
        """Stop recording; the result has the transcript, summary and action items."""
        ...

    async def meetings(self, query: str = "") -> list[MeetingSummary]:
        """Past meetings, newest first (filtered by words in title or summary)."""
        ...

    async def meeting_search(self, query: str) -> list[MeetingHit]:
        """Transcript passages matching the words."""
        ...

    async def meeting_audio(self, meeting_id: str, start_s: float = 0.0, duration_s: float = 30.0) -> AudioClip:
        """A stretch of a recording to play (e.g. from a search hit)."""
        ...

    async def meeting_export(self, meeting_id: str, fmt: ExportFormat = "md") -> ExportedFile: ...

    async def meeting(self, meeting_id: str) -> MeetingView:
        """A past meeting, whole: transcript with speakers, summary, decisions and action items."""
        ...

    async def rename_speaker(self, meeting_id: str, old: str, new: str) -> MeetingView:
        """Give a speaker label ("Speaker 1") a name, everywhere in that meeting. EngineError if bad."""
        ...


@runtime_checkable
class SettingsPort(Protocol):
    async def settings(self) -> SettingsView: ...

    async def update_settings(self, patch: SettingsPatch) -> SettingsView: ...


@runtime_checkable
class AccountsPort(Protocol):
    async def accounts(self) -> list[AccountView]: ...

    async def add_account(self, draft: AccountDraft) -> AccountView: ...

    async def test_account(self, kind: str, name: str) -> CheckOutcome: ...

    async def remove_account(self, kind: str, name: str) -> None: ...

    async def keyring(self) -> KeyringView:
        """Whether the passwords can be stored and read now (never prompts)."""
        ...

    async def open_keyring(self, password: str, create: bool = False) -> KeyringView:
        """Unlock the encrypted keyring with its master password, or create it (``create``), for this
        session only: the password is never written anywhere. EngineError in plain words."""
        ...


@runtime_checkable
class SignInPort(Protocol):
    """Accounts that sign in with Google or Microsoft (OAuth 2.0): the local engine opens the provider's
    page in the system browser of its machine (a loopback redirect); the remote engine has the home server
    start the sign-in, opens the page in the phone's browser and the provider returns to the server; a UI
    checks ``isinstance(engine, SignInPort)``. EngineError in plain words."""

    async def sign_in_account(self, draft: AccountDraft, provider: str) -> AccountView:
        """Open the provider's sign-in page; after the user's consent the account is added (its refresh
        token in the keyring; ``draft.secret`` is not used)."""
        ...

    async def sign_in_again(self, kind: str, name: str) -> AccountView:
        """A new sign-in for an account whose sign-in was withdrawn or expired."""
        ...


@runtime_checkable
class ModelsPort(Protocol):
    """Voices and speech models (the model manager), where the models live: the local engine has it;
    a UI checks ``isinstance(engine, ModelsPort)``. Installing reports ``ProgressEvent(task="model:<id>")``."""

    async def models(self) -> list[ModelView]: ...

    async def install_model(self, model_id: str) -> ModelView:
        """Download and verify (EngineError with one line on failure, also when cancelled)."""
        ...

    async def cancel_model_install(self, model_id: str) -> None: ...

    async def remove_model(self, model_id: str) -> ModelView: ...


@runtime_checkable
class TimersPort(Protocol):
    """Timers and reminders you can see: the local engine and the remote one have it; a UI checks
    ``isinstance(engine, TimersPort)``. Changes arrive as :class:`TimerChanged` events. An id that is
    not a timer or reminder of this user raises EngineError."""

    async def timers(self) -> list[TimerView]:
        """What rings now first, then the running timers and upcoming reminders, soonest first."""
        ...

    async def cancel_timer(self, timer_id: str) -> None:
        """Cancel a running timer or reminder, or stop one that rings."""
        ...

    async def snooze_timer(self, timer_id: str, minutes: int = 5) -> TimerView:
        """Ring again in ``minutes`` (1..120) minutes."""
        ...


class Engine(ConversationPort, VoicePort, MeetingsPort, SettingsPort, AccountsPort, Protocol):
    """What the UI can ask of the assistant: the five ports plus events and lifecycle. See the
    module docstring for the contract."""

    async def info(self) -> EngineInfo:
        """Kind, version and which features are available here (with the reason when not)."""
        ...

    def subscribe(self, listener: Listener) -> Unsubscribe:
        """Receive every event from now on; call the returned function to stop."""
        ...

    async def close(self) -> None:
        """Stop listening, speaking and recording; release devices and connections."""
        ...


def __getattr__(name: str) -> Any:  # LocalEngine imported lazily: it pulls in the in-process parts
    if name == "LocalEngine":
        from app.engine.local import LocalEngine

        return LocalEngine
    raise AttributeError(name)
