"""The voice port of the local engine: speech in (push-to-talk, hands-free with the wake phrase,
client chunks and the device microphone through ONE audio Listener: ``voice_input.VoiceInput``) and
speech out (WAV clips for the client to play, or the device speaker, with barge-in)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from agents.phrasebook import phrase
from agents.turn import SpeakingStarted, new_turn_id
from app.engine import (
    AudioChunk,
    AudioClip,
    EngineError,
    MeetingView,
    NotAvailable,
    SpeechAudioReady,
    SpeechStopped,
    TranscriptFinal,
    TranscriptInterim,
    TurnReply,
)
from app.engine.local.core import EngineCore
from app.engine.local.follow_up import Device, Heard, SpokenPrompt, follow_up_verdict
from app.engine.local.voice_input import VoiceInput

if TYPE_CHECKING:
    from app.settings import Settings
    from audio.events import AudioEvent
    from audio.listener import Listener as AudioListener

# said once per language and engine when a reply is spoken by the espeak-ng fallback (in that language)
FALLBACK_NOTICE = {lang: phrase("engine.fallback_voice", lang) for lang in ("en", "de")}
# ... with the voice it offers to install (the notice's button: Settings -> Voices & models at that voice)
FALLBACK_OFFER = {lang: (voice, phrase("engine.install_voice", lang))
                  for lang, voice in (("en", "en_US-joe-medium"), ("de", "de_DE-thorsten-medium"))}

# the conversation port's answer: (text, turn id, seconds from the end of speech to the final text,
# time.monotonic() at the end of speech: push-to-talk release or the hands-free end-point)
Answer = Callable[[str, str, float | None, float | None], Awaitable[TurnReply]]

log = logging.getLogger(__name__)


class DeviceOwner(Protocol):
    """Another process that owns this computer's microphone and speaker (the background listener,
    app/listen/link.py): while it runs, push-to-talk and meetings happen there, its events come here."""

    turn_active: bool
    meeting_active: bool
    hands_free_active: bool

    def present(self) -> bool: ...  # blocking: called in a thread

    async def start_listening(self, origin: str) -> None: ...

    async def stop_listening(self) -> TurnReply | None: ...

    async def meeting(self, op: str, title: str = "") -> MeetingView: ...

    async def hands_free(self, on: bool) -> None: ...

    async def stop_speaking(self) -> None: ...  # its reply that plays stops (nothing when not attached)

    async def close(self) -> None: ...


class LocalVoice:
    def __init__(self, core: EngineCore) -> None:
        self.core = core
        self.answer: Answer | None = None  # set by the engine: the conversation port answers
        self._voice: VoiceInput | None = None
        self._voice_lock = threading.Lock()
        self.listening = False
        self._turn_id = ""
        self._hands_free_turn = ""
        self._client_turn = ""  # the reply whose clips the client plays (speech output client)
        self._stopped_turn = ""  # ... and the one the user stopped: its later clips are not sent
        self._origins: dict[str, str] = {}  # turn id -> the window/tab that asked (it alone plays the reply)
        self._hands_free_origin = ""
        self._woken_until = 0.0  # monotonic end of the window after a wake phrase said alone
        self._prompt: SpokenPrompt | None = None  # the approval question asked last (follow_up.py)
        self._speech_job: Any = None
        self._mic: Any = None
        self._hands_free_mic = False  # the device microphone stays open for the wake phrase (the listener)
        self._fallback_noticed: set[str] = set()
        # the device microphone could not be opened or stopped delivering (what went wrong); any thread
        self.on_device_lost: Callable[[str], None] | None = None
        # the device microphone belongs to another process (the background listener): a press here is
        # a turn there, never a second microphone (the GUI's engine has one; app/gui/page.py)
        self.device_owner: DeviceOwner | None = None
        self._early: list[AudioChunk] | None = None  # a press's client audio while speech recognition loads
        self._starting: asyncio.Future[None] | None = None  # done when the latest press is ready for audio

    async def _answer(self, text: str, turn_id: str, stt_s: float | None = None,
                      speech_end: float | None = None) -> TurnReply:
        assert self.answer is not None, "the engine wires the conversation port's answer"
        return await self.answer(text, turn_id, stt_s, speech_end)

    # -- speech in: one audio.listener.Listener per engine

    def _get_voice(self) -> VoiceInput:
        """The Listener fed by client chunks and the device microphone (loads speech recognition)."""
        rec = self.core.recognizer()
        with self._voice_lock:
            if self._voice is None or self._voice.listener.recognizer is not rec:
                old, self._voice = self._voice, None
                if old is not None:
                    old.close()
                self._voice = VoiceInput(self._make_listener, self._on_voice_event)
                if self.core.hands_free:
                    self._voice.set_mode("hands_free")
            return self._voice

    def prepare(self) -> None:
        """Build the Listener now (speech recognition, VAD), so the first press does not wait for it."""
        self._get_voice()

    def _make_listener(self, on_event: Callable[[AudioEvent], None]) -> AudioListener:
        from audio.endpointing import EndpointConfig
        from audio.listener import Listener as SpeechListener
        from audio.listener import ListenerConfig

        stt = self.core.sv.settings.stt
        cfg = ListenerConfig(mode="push_to_talk", wake_phrase=stt.wake_phrase,
                             follow_up_window_s=stt.follow_up_window_s,
                             early_end_ms=stt.early_end_ms or None,
                             endpoint=EndpointConfig(trailing_silence_ms=stt.trailing_silence_ms))
        return SpeechListener(self.core.recognizer(), cfg, on_event=on_event)

    def _on_voice_event(self, ev: AudioEvent) -> None:
        """The Listener's events (its feeding or decoding thread) -> engine events."""
        from audio.events import BargeIn, FinalTranscript, Interim, SpeechStarted

        bus = self.core.bus
        mode = self._voice.listener_mode() if self._voice is not None else "push_to_talk"
        if isinstance(ev, Interim) and ev.text.strip():
            if mode == "push_to_talk" and self.listening:
                bus.emit(TranscriptInterim(turn_id=self._turn_id, text=ev.text.strip()))
            elif mode == "hands_free" and self._hands_free_turn:
                bus.emit(TranscriptInterim(turn_id=self._hands_free_turn, text=ev.text.strip()))
        elif isinstance(ev, SpeechStarted) and mode == "hands_free":
            self._hands_free_turn = new_turn_id()
        elif isinstance(ev, FinalTranscript) and mode == "hands_free":
            turn_id, self._hands_free_turn = self._hands_free_turn or new_turn_id(), ""
            self.origin(turn_id, self._hands_free_origin)
            self._hands_free_final(ev, turn_id)
        elif isinstance(ev, BargeIn) and mode == "hands_free":
            self.stop_speech()
            bus.emit(SpeechStopped(reason="barge_in"))  # a client playing the reply stops it

    def _hands_free_final(self, ev: Any, turn_id: str) -> None:
        text = ev.text.strip()
        if not text and not ev.addressed:
            return
        now = time.monotonic()
        stt = self.core.sv.settings.stt
        if ev.addressed and not text:
            # only the wake phrase ("hey assistant" ... pause ... "what time is it"): what is said next,
            # inside the follow-up window, is the request
            self._woken_until = now + stt.follow_up_window_s
            self.core.bus.emit(TranscriptFinal(turn_id=turn_id, text=stt.wake_phrase, language=ev.language))
            self.core.notice(self.core.say("engine.listening"))
            return
        woken = now < self._woken_until
        addressed = ev.addressed or woken
        if addressed and getattr(ev, "follow_up", False) and not woken and not self._said_wake(text):
            started = ev.at - ev.latency_s - max(0.0, ev.audio_end - ev.audio_start)
            device: Literal["device", "client"] = "client" if self._voice is not None and \
                self._voice.source == "client" else "device"
            heard = Heard(text=text, device=device, started_at=started)
            if follow_up_verdict(heard, self._prompt, stt.follow_up_window_s,
                                 datetime.now().astimezone()) == "not_addressed":
                addressed = False
                self.core.notice(self.core.say("engine.answer_with_wake", wake=stt.wake_phrase))
        self._woken_until = 0.0 if addressed else self._woken_until
        self.core.bus.emit(TranscriptFinal(turn_id=turn_id, text=text, language=ev.language, addressed=addressed))
        if addressed:
            # the end of speech hands-free: when the end-pointer closed the utterance
            self.core.run_on_loop(self._answer(text, turn_id, ev.latency_s, ev.at - ev.latency_s))

    def origin(self, turn_id: str, origin: str) -> None:
        """The window/tab that asked ``turn_id``: its speech clips go there only."""
        self._origins[turn_id] = origin
        while len(self._origins) > 200:
            self._origins.pop(next(iter(self._origins)))

    def _said_wake(self, text: str) -> bool:
        from audio.listener import strip_wake_phrase

        return strip_wake_phrase(text, self.core.sv.settings.stt.wake_phrase) is not None

    def _asked(self, approval_id: int | None, device: Device, ended_at: float) -> None:
        """Note where and when the last reply finished: an approval question, or None for anything else."""
        self._prompt = SpokenPrompt(approval_id, device, ended_at) if approval_id is not None else None

    async def start_listening(self, origin: str = "") -> None:
        ok, detail = self.core.speech_in_status()
        if not ok:
            raise NotAvailable(self.core.say("engine.stt_unavailable", detail=detail))
        # a release that comes before the press is ready for audio (the UI runs both as tasks) waits for it
        starting = self._starting = asyncio.get_running_loop().create_future()
        self._early = []  # the client's audio is kept from the press on (see _start_listening)
        try:
            await self._start_listening(origin)
        except BaseException:
            self._early = None
            raise
        finally:
            starting.set_result(None)

    async def _start_listening(self, origin: str) -> None:
        device_mic = self.core.microphone or (self.core.speech_output == "device"
                                              and self.core.sv.settings.gui.speech_output == "device")
        owner = self.device_owner
        if owner is not None and await self.core.thread(owner.present):
            self._early = None  # the listener's microphone takes this turn: the window's audio is not used
            await self.stop_speaking()
            await owner.start_listening(origin)  # EngineError: one line, nothing opened here
            return
        await self.stop_speaking()
        self.core.loop = asyncio.get_running_loop()
        self._turn_id = new_turn_id()
        self.origin(self._turn_id, origin)
        # the client's audio is kept from the press on: while speech recognition still loads (a press in the
        # first seconds of a session) its chunks wait in _early, and a release in that time waits for the load
        self.listening = True
        self.core.set_state("listening")
        try:
            voice = await self.core.thread(self._get_voice)
        except BaseException:
            self.listening = False
            self.core.set_state("idle")
            raise
        if self.core.hands_free:
            voice.set_mode("push_to_talk")  # a press while hands-free: this utterance is push-to-talk
        voice.press()
        early, self._early = self._early or [], None
        for chunk in early:
            try:
                voice.push(chunk)
            except EngineError as exc:
                log.warning("audio chunk dropped: %s", exc)
        if device_mic and self._mic is None:  # hands-free on the device: its microphone is open already
            self._start_mic(voice)

    async def stop_listening(self) -> TurnReply | None:
        released = time.monotonic()  # the end of speech: the turn's clock starts here
        if self._starting is not None:
            await self._starting  # a press not yet ready for audio (speech recognition still loading)
        owner = self.device_owner
        if owner is not None and owner.turn_active:
            return await owner.stop_listening()
        voice = self._voice
        if not self.listening or voice is None:
            return None
        deadline = time.monotonic() + 0.6  # chunks still on their way from the client
        while time.monotonic() < deadline and time.monotonic() - voice.last_chunk < 0.15:
            await asyncio.sleep(0.03)
        self.listening = False
        if not self._hands_free_mic:
            self._stop_mic()
        turn_id = self._turn_id
        self.core.set_state("thinking")
        try:
            final = await asyncio.wrap_future(voice.release())
        finally:
            if self.core.hands_free:
                voice.set_mode("hands_free")
        stt_s = time.monotonic() - released
        if final is None or not final.text.strip():
            self.core.set_state("idle")
            self.core.notice(self.core.say("engine.heard_nothing"))
            return None
        text = final.text.strip()
        self.core.bus.emit(TranscriptFinal(turn_id=turn_id, text=text, language=final.language))
        return await self._answer(text, turn_id, stt_s, released)

    def _start_mic(self, voice: VoiceInput) -> None:
        from audio.sources import MicrophoneSource

        mic = MicrophoneSource(self.core.sv.settings.audio.input_device, on_event=self._mic_event)
        self._mic = mic

        def run() -> None:
            for frame in mic.frames():
                voice.push_samples(frame)

        threading.Thread(target=run, name="mic", daemon=True).start()

    def _mic_event(self, ev: AudioEvent) -> None:
        from audio.events import DeviceLost

        lost = self.on_device_lost
        if isinstance(ev, DeviceLost) and lost is not None:
            lost(ev.error)

    def _stop_mic(self) -> None:
        mic, self._mic = self._mic, None
        if mic is not None:
            mic.stop()

    async def set_hands_free(self, on: bool, origin: str = "") -> None:
        owner = self.device_owner
        if owner is not None and (owner.hands_free_active if not on else await self.core.thread(owner.present)):
            await owner.hands_free(on)  # the listener's microphone, not the window's; EngineError: one line
            self.core.hands_free = on
            self.core.set_state(self.core.state)
            return
        if on:
            self._hands_free_origin = origin
            ok, detail = self.core.speech_in_status()
            if not ok:
                raise NotAvailable(self.core.say("engine.hands_free_unavailable", detail=detail))
            self.core.loop = asyncio.get_running_loop()
            voice = await self.core.thread(self._get_voice)
            voice.set_mode("hands_free")
            if self.core.microphone and self._mic is None:
                # the background listener: this machine's microphone stays open for the wake phrase
                self._start_mic(voice)
                self._hands_free_mic = True
        else:
            if self._voice is not None:
                self._voice.set_mode("push_to_talk")
            if self._hands_free_mic:
                self._hands_free_mic = False
                self._stop_mic()
        self.core.hands_free = on
        self._hands_free_turn = ""
        self.core.set_state(self.core.state)

    async def push_audio(self, chunk: AudioChunk) -> None:
        if self._early is not None:
            self._early.append(chunk)
            return
        voice = self._voice
        if voice is not None and (self.listening or self.core.hands_free):
            voice.push(chunk)

    def apply_settings(self, after: Settings) -> None:
        """A changed wake phrase or follow-up window holds for the running Listener at once."""
        voice = self._voice
        if voice is not None:
            voice.listener.config.wake_phrase = after.stt.wake_phrase
            voice.listener.config.follow_up_window_s = after.stt.follow_up_window_s

    # -- speech out

    async def speak(self, text: str, origin: str = "") -> None:
        text = (text or "").strip()
        if not text:
            raise EngineError(self.core.say("engine.nothing_to_say"))
        turn_id = uuid.uuid4().hex[:10]
        self.origin(turn_id, origin)
        await self.speak_reply(text, turn_id, self.core.sv.settings.language)

    def _assistant_speaks(self, samples: Any = None, rate: int = 16_000, duration_s: float = 0.0) -> None:
        """Tell the Listener: its echo guard ignores this speech, its follow-up window opens after it."""
        voice = self._voice
        if voice is not None:
            voice.assistant_speaks(samples, rate, duration_s)

    def _speaking_started(self, turn_id: str, asked: float, speech_end: float | None) -> None:
        now = time.monotonic()
        first = round(now - speech_end, 4) if speech_end is not None else None
        self.core.bus.emit(SpeakingStarted(turn_id=turn_id, after_s=round(now - asked, 4), first_audio_s=first))

    async def speak_reply(self, text: str, turn_id: str, language: str, speech_end: float | None = None,
                          approval_id: int | None = None) -> None:
        """Speak a reply; ``speech_end`` (time.monotonic() at the end of the user's speech) gives
        SpeakingStarted its ``first_audio_s``; ``approval_id``: the reply asks about that approval."""
        core = self.core
        self._asked(approval_id, "screen", time.monotonic())  # until it has been spoken
        if core.speech_output == "off" or not text:
            self._assistant_speaks()
            core.set_state("idle")
            return
        asked = time.monotonic()
        try:
            tts = await core.thread(core.tts)
        except NotAvailable as exc:
            core.notice(str(exc), "warning")
            core.set_state("idle")
            return
        lang: Any = language if language in ("en", "de") else "en"
        if lang not in self._fallback_noticed and await core.thread(tts.is_fallback, lang):
            self._fallback_noticed.add(lang)
            core.notice(FALLBACK_NOTICE[lang], "info", offer_model=FALLBACK_OFFER[lang])
        if core.speech_output == "client":
            from audio.sentences import split_sentences
            from audio.speaker import render
            from audio.tts import TtsError
            from audio.wav import wav_bytes

            # the first clause is its own clip, so the client starts playing while the rest renders
            pieces = split_sentences(text, lang, first_clause=True)
            ends = 0.0  # when the reply will have been played (the follow-up window opens then)
            for n, part in enumerate((pieces[:1], pieces[1:])):
                if not part:
                    continue
                try:
                    audio = await core.thread(render, tts, part, lang)
                except TtsError as exc:
                    core.notice(core.say("engine.could_not_speak", detail=exc), "warning")
                    core.set_state("idle")
                    return
                if n and self._stopped_turn == turn_id:
                    return  # the user stopped the reply (or spoke over it) before its rest was ready
                clip = AudioClip(wav=wav_bytes(audio.samples, audio.sample_rate), duration_s=audio.duration_s,
                                 text=" ".join(part))
                if n == 0:
                    core.set_state("idle")
                    self._client_turn, self._stopped_turn = turn_id, ""
                    self._assistant_speaks(audio.samples, audio.sample_rate, audio.duration_s)  # the client plays it now
                    ends = time.monotonic() + audio.duration_s
                else:
                    if self._voice is not None:
                        self._voice.assistant_continues(audio.samples, audio.sample_rate, audio.duration_s)
                    ends = max(ends, time.monotonic()) + audio.duration_s  # played right after the first
                self._asked(approval_id, "client", ends)
                core.bus.emit(SpeechAudioReady(turn_id=turn_id, clip=clip, origin=self._origins.get(turn_id, "")))
                if n == 0:
                    self._speaking_started(turn_id, asked, speech_end)
            return
        from audio.events import AssistantSpeakingStarted
        from audio.speaker import Speaker

        core.set_state("speaking")
        voice = self._voice
        if voice is not None:
            voice.assistant_speaks(None, 16_000, float("inf"))  # until it stops
        # hands-free on this machine: its microphone rests while the reply plays and opens again after (an
        # input stream left open while the reply's output stream ran stopped delivering on JACK)
        rested = self._hands_free_mic and self._mic is not None
        if rested:
            self._stop_mic()
        try:
            def started(ev: AudioEvent) -> None:  # the first sentence's audio is queued to play
                if isinstance(ev, AssistantSpeakingStarted):
                    self._speaking_started(turn_id, asked, speech_end)

            speaker = Speaker(tts, device=core.sv.settings.audio.output_device, language=lang, on_event=started)
            job = await core.thread(speaker.start, lang)
            self._speech_job = job
            job.feed(text)
            job.finish()
            await core.thread(job.wait)
            self._asked(approval_id, "device", time.monotonic())
        except Exception as exc:
            core.notice(core.say("engine.could_not_speak", detail=exc), "warning")
        finally:
            self._speech_job = None
            if voice is not None:
                voice.assistant_stopped()
            if rested and self._hands_free_mic and self._mic is None and self._voice is not None:
                self._start_mic(self._voice)
            core.set_state("idle")

    async def stop_speaking(self) -> None:
        self.stop_speech()
        if self.device_owner is not None:
            await self.device_owner.stop_speaking()

    def stop_speech(self) -> None:
        self._stopped_turn = self._client_turn
        job = self._speech_job
        if job is not None:
            job.stop()
        if self._voice is not None:
            self._voice.assistant_stopped()
        if self.core.state == "speaking":
            self.core.set_state("idle")

    async def close(self) -> None:
        if self.device_owner is not None:
            await self.device_owner.close()
        self.listening = False
        self.core.hands_free = False
        self._hands_free_mic = False
        await self.stop_speaking()  # the reply first, then the microphone (hands-free: both are open)
        self._stop_mic()
        with self._voice_lock:
            voice, self._voice = self._voice, None
        if voice is not None:
            await self.core.thread(voice.close)
