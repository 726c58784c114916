"""The engine that runs everything in this process, composed of five small ports around one shared
core (``core.py``: services, event bus, state, the heavy parts loaded once):

- ``conversation.py``: typed turns through the assistant, approvals
- ``voice.py``: speech in (push-to-talk, hands-free, client chunks, the device microphone) and out
- ``meetings.py``: meeting recording, search, playback, export
- ``settings.py``: the settings screen
- ``accounts.py``: accounts and their keyring secrets
- ``timers.py``: timers and reminders you can see (``TimersPort``), their events

Implements ``app.engine.Engine``; see that module for the contract. Heavy parts load lazily in worker
threads (with ProgressEvents); blocking calls never run on the caller's event loop. Parts that are not
installed or not connected raise NotAvailable saying so."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from app import __version__
from app.engine import (
    AccountDraft,
    AccountView,
    ApprovalOutcome,
    ApprovalView,
    AudioChunk,
    AudioClip,
    CheckOutcome,
    EngineInfo,
    ExportedFile,
    ExportFormat,
    Feature,
    HistoryTurn,
    KeyringView,
    Listener,
    MeetingHit,
    MeetingSummary,
    MeetingView,
    ModelView,
    NotAvailable,
    SettingsPatch,
    SettingsView,
    StateChanged,
    TimerView,
    TurnReply,
    Unsubscribe,
)
from app.engine.local.accounts import LocalAccounts
from app.engine.local.conversation import LocalConversation
from app.engine.local.core import EngineCore, SpeechOutput
from app.engine.local.meetings import MeetingAdapter
from app.engine.local.models import LocalModels
from app.engine.local.settings import LocalSettings
from app.engine.local.timers import LocalTimers
from app.engine.local.voice import LocalVoice

if TYPE_CHECKING:
    from agents.alarms import Alarm, AlarmClock
    from agents.assistant import Assistant
    from app.services import Services

log = logging.getLogger(__name__)


class LocalEngine:
    """All parts in-process. ``speech_output``: client = emit WAV clips for the UI to play
    (web, phone, window), device = play on this machine's speaker, off = silent."""

    def __init__(self, sv: Services, speech_output: SpeechOutput | None = None, preload: bool = True,
                 assistant: Assistant | None = None, alarms: bool = True) -> None:
        self.sv = sv
        self.core = EngineCore(sv, speech_output or sv.settings.gui.speech_output, assistant)
        self.voice = LocalVoice(self.core)
        self.conversation = LocalConversation(self.core, self.voice)
        self.voice.answer = self.conversation.answer
        self.meetings_port = MeetingAdapter(sv, self.core.bus)
        self.settings_port = LocalSettings(self.core, self.voice)
        self.accounts_port = LocalAccounts(self.core)
        self.models_port = LocalModels(self.core)
        self.timers_port = LocalTimers(self.core)
        self.preload = preload
        self.alarms = alarms  # timers ring and reminders speak while a UI is subscribed
        self._preloaded = False
        self._alarm_clock: AlarmClock | None = None
        self._alarms_started = False
        self._closed = False

    @property
    def speech_output(self) -> SpeechOutput:
        return self.core.speech_output

    # ------------------------------------------------------------------------------ lifecycle

    async def info(self) -> EngineInfo:
        s = self.sv.settings
        core = self.core
        stt_ok, stt_detail = core.speech_in_status()
        tts_ok, tts_detail = core.speech_out_status()
        llm_ok = s.llm.provider != "none"
        m_ok, m_detail = self.meetings_port.status()
        out_on = core.speech_output != "off"
        return EngineInfo(kind="local", version=__version__, wake_phrase=s.stt.wake_phrase, language=s.language,
                          features=[
                              Feature(name="text", available=True, detail=core.say("feature.text")),
                              Feature(name="speech_in", available=stt_ok, detail=stt_detail),
                              Feature(name="speech_out", available=tts_ok and out_on,
                                      detail=tts_detail if out_on else core.say("feature.speech_off")),
                              Feature(name="hands_free", available=stt_ok, detail=core.say("feature.wake", wake=s.stt.wake_phrase)),
                              Feature(name="llm", available=llm_ok,
                                      detail=f"{s.llm.provider} {s.llm.model or ''}".strip() if llm_ok else
                                      core.say("feature.no_llm")),
                              Feature(name="approvals", available=True),
                              Feature(name="meetings", available=m_ok, detail=m_detail),
                              Feature(name="accounts", available=True),
                              Feature(name="settings", available=True),
                          ])

    def subscribe(self, listener: Listener) -> Unsubscribe:
        unsub = self.core.bus.subscribe(listener)
        listener(StateChanged(state=self.core.state, hands_free=self.core.hands_free))
        if self.preload and not self._preloaded:
            self._preloaded = True
            threading.Thread(target=self._preload, name="engine-preload", daemon=True).start()
        if self.alarms and not self._alarms_started:
            self._alarms_started = True
            with contextlib.suppress(RuntimeError):  # called from the UI's loop: alarms speak on it
                self.core.loop = self.core.loop or asyncio.get_running_loop()
            threading.Thread(target=self._start_alarms, name="alarm-start", daemon=True).start()
        return unsub

    def _preload(self) -> None:
        # one after the other, in one thread: two at once took both cores while the page first loaded (the
        # fresh-clone e2e tests then found pages blank or late). A press before the recognizer is loaded keeps
        # its audio and waits for it (app/engine/local/voice.py)
        for load in (self.core.assistant, _warm_understanding, self.core.tts, self.core.recognizer, self.voice.prepare):
            try:
                load()
            except Exception as exc:  # reported again, clearly, when the feature is used
                log.info("preload: %s", exc)
        try:  # last: a local model server reads each agent's prompt once (agents/warmup.py)
            self.core.assistant().warm_up()
        except Exception as exc:
            log.info("model warm-up: %s", exc)

    def _start_alarms(self) -> None:
        """Timers ring, reminders and budget warnings speak (shown and said), scheduled social posts go out
        and say how it went, new mentions from the people named in the social settings are announced; those that came due while the app was closed come once at start, marked late."""
        from agents.alarms import AlarmClock

        try:
            asst = self.core.assistant()
        except NotAvailable as exc:
            log.warning("no alarms: %s", exc)
            return
        from agents.finance.notices import budget_source
        from agents.finance.settings import FinanceSettings

        finance = asst.domain_settings.get("finance")
        budgets = budget_source(asst.memory.db, finance if isinstance(finance, FinanceSettings) else FinanceSettings(),
                                asst.language)
        from agents.social.scheduled import publish_due

        def social_posts(now: datetime) -> list[Alarm]:  # scheduled posts that came due, each sent once
            return publish_due(asst.memory.db, self.core.sv.current_social(), now)

        from agents.social.mention_notices import mention_source
        from agents.social.settings import SocialSettings

        social = asst.domain_settings.get("social")
        people = social.announce_mentions_from if isinstance(social, SocialSettings) else []
        mentions = mention_source(lambda: self.core.sv.current_social(), people, asst.language)
        clock = AlarmClock(asst.memory, asst.clock, self._ring,
                           sources=[budgets, social_posts, mentions, self._watch_timers])
        if not self._closed:
            self._alarm_clock = clock
            clock.start()

    def _watch_timers(self, now: datetime) -> list[Alarm]:
        """An alarm-clock source that delivers nothing itself: each second it reports the timers that
        started, rang or were cancelled (``TimerChanged``) for the timers panel."""
        self.timers_port.watch(now)
        return []

    def _ring(self, alarm: Alarm) -> None:
        self.core.notice(alarm.text)
        if self.core.speech_output != "off":
            self.core.run_on_loop(self.voice.speak(alarm.text))

    async def close(self) -> None:
        self._closed = True
        clock, self._alarm_clock = self._alarm_clock, None
        if clock is not None:
            await self.core.thread(clock.stop)
        await self.voice.close()
        await self.meetings_port.close()

    # ------------------------------------------------------------------------------ the ports

    async def ask(self, text: str, origin: str = "") -> TurnReply:
        return await self.conversation.ask(text, origin)

    async def approvals(self) -> list[ApprovalView]:
        return await self.conversation.approvals()

    async def history(self, limit: int = 50) -> list[HistoryTurn]:
        return await self.conversation.history(limit)

    async def decide(self, approval_id: int, approve: bool, origin: str = "") -> ApprovalOutcome:
        return await self.conversation.decide(approval_id, approve, origin)

    async def start_listening(self, origin: str = "") -> None:
        await self.voice.start_listening(origin)

    async def stop_listening(self) -> TurnReply | None:
        return await self.voice.stop_listening()

    async def set_hands_free(self, on: bool, origin: str = "") -> None:
        await self.voice.set_hands_free(on, origin)

    async def push_audio(self, chunk: AudioChunk) -> None:
        if not self.meetings_port.push(chunk):  # a recording meeting takes the client's audio
            await self.voice.push_audio(chunk)

    async def speak(self, text: str, origin: str = "") -> None:
        await self.voice.speak(text, origin)

    async def stop_speaking(self) -> None:
        await self.voice.stop_speaking()

    async def meeting_start(self, title: str = "", call_audio: bool = False) -> MeetingView:
        owner = self.voice.device_owner  # the background listener records it on its microphone ...
        if not call_audio and owner is not None and await self.core.thread(owner.present):
            return await owner.meeting("start", title)
        return await self.meetings_port.start(title, call_audio)  # ... but a tab's call only the browser has

    async def meeting_pause(self) -> MeetingView:
        owner = self.voice.device_owner
        if owner is not None and owner.meeting_active:
            return await owner.meeting("pause")
        return await self.meetings_port.pause()

    async def meeting_resume(self) -> MeetingView:
        owner = self.voice.device_owner
        if owner is not None and owner.meeting_active:
            return await owner.meeting("resume")
        return await self.meetings_port.resume()

    async def meeting_stop(self) -> MeetingView:
        owner = self.voice.device_owner
        if owner is not None and owner.meeting_active:
            return await owner.meeting("stop")
        return await self.meetings_port.stop()

    def devices_elsewhere(self) -> bool:
        """The app's turn or meeting runs on the background listener's microphone: the window opens none."""
        owner = self.voice.device_owner
        return owner is not None and (owner.turn_active or owner.meeting_active or owner.hands_free_active)

    async def meetings(self, query: str = "") -> list[MeetingSummary]:
        return await self.meetings_port.past(query)

    async def meeting_search(self, query: str) -> list[MeetingHit]:
        return await self.meetings_port.search(query)

    async def meeting_audio(self, meeting_id: str, start_s: float = 0.0, duration_s: float = 30.0) -> AudioClip:
        return await self.meetings_port.audio(meeting_id, start_s, duration_s)

    async def meeting(self, meeting_id: str) -> MeetingView:
        return await self.meetings_port.detail(meeting_id)

    async def rename_speaker(self, meeting_id: str, old: str, new: str) -> MeetingView:
        return await self.meetings_port.rename_speaker(meeting_id, old, new)

    async def meeting_export(self, meeting_id: str, fmt: ExportFormat = "md") -> ExportedFile:
        return await self.meetings_port.export(meeting_id, fmt)

    async def settings(self) -> SettingsView:
        return await self.settings_port.settings()

    async def update_settings(self, patch: SettingsPatch) -> SettingsView:
        return await self.settings_port.update_settings(patch)

    async def accounts(self) -> list[AccountView]:
        return await self.accounts_port.accounts()

    async def add_account(self, draft: AccountDraft) -> AccountView:
        return await self.accounts_port.add_account(draft)

    async def test_account(self, kind: str, name: str) -> CheckOutcome:
        return await self.accounts_port.test_account(kind, name)

    async def remove_account(self, kind: str, name: str) -> None:
        await self.accounts_port.remove_account(kind, name)

    async def keyring(self) -> KeyringView:
        return await self.accounts_port.keyring()

    async def sign_in_account(self, draft: AccountDraft, provider: str) -> AccountView:
        return await self.accounts_port.sign_in_account(draft, provider)

    async def sign_in_again(self, kind: str, name: str) -> AccountView:
        return await self.accounts_port.sign_in_again(kind, name)

    async def open_keyring(self, password: str, create: bool = False) -> KeyringView:
        return await self.accounts_port.open_keyring(password, create)

    # ------------------------------------------------------------------------------ voices and models

    async def models(self) -> list[ModelView]:
        return await self.models_port.models()

    async def install_model(self, model_id: str) -> ModelView:
        return await self.models_port.install_model(model_id)

    async def cancel_model_install(self, model_id: str) -> None:
        await self.models_port.cancel_model_install(model_id)

    async def remove_model(self, model_id: str) -> ModelView:
        return await self.models_port.remove_model(model_id)

    # ------------------------------------------------------------------------------ timers and reminders

    async def timers(self) -> list[TimerView]:
        return await self.timers_port.timers()

    async def cancel_timer(self, timer_id: str) -> None:
        await self.timers_port.cancel_timer(timer_id)

    async def snooze_timer(self, timer_id: str, minutes: int = 5) -> TimerView:
        return await self.timers_port.snooze_timer(timer_id, minutes)


def _warm_understanding() -> None:
    """Compile every intent template and build the fuzzy matcher's index now: done on the first request that
    needed them, they took 6 s on a quiet machine (2.6 s the index, 3.4 s the templates) and the first offline
    miss was answered that late — ~20–60 s under load, while the window waited (#18's late Send)."""
    from agents.local import fuzzy
    from agents.local.recognizer import compile_all

    compile_all()
    fuzzy.warm_up()

