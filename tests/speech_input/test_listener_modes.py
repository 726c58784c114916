"""Listener modes (push-to-talk, hands-free wake phrase and follow-up window, mute) and the echo guard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio.events import (
    AssistantSpeakingStarted,
    AssistantSpeakingStopped,
    AudioEvent,
    BargeIn,
    FinalTranscript,
    SpeechEnded,
    SpeechStarted,
)
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, frames_of
from audio.listener import Listener, ListenerConfig, strip_wake_phrase
from audio.sources import read_file
from audio.stt import Decoded, Recognizer
from audio.vad import SileroVad


@pytest.mark.unit
def test_wake_phrase_matching() -> None:
    assert strip_wake_phrase("Hey, Assistant! What time is it?", "hey assistant") == "What time is it?"
    assert strip_wake_phrase("hey assistant", "hey assistant") == ""
    assert strip_wake_phrase("What time is it?", "hey assistant") is None
    assert strip_wake_phrase("Hey", "hey assistant") is None
    assert (
        strip_wake_phrase("Okay deer computer, lights on", "okay dear computer") == "lights on"
    )  # one miss in 3


def _feed(listener: Listener, audio: np.ndarray, tail_s: float = 0.8) -> None:
    for f in frames_of(audio):
        listener.feed(f)
    for _ in range(int(tail_s * SAMPLE_RATE / FRAME_SAMPLES)):
        listener.feed(np.zeros(FRAME_SAMPLES, np.float32))
    assert listener.wait_idle(120)


@pytest.fixture(scope="module")
def timit(shared_audio: Path) -> np.ndarray:
    return read_file(shared_audio / "timit_ldc93s1.wav")


@pytest.mark.slow
@pytest.mark.integration
def test_mute_and_push_to_talk_gate_input(recognizer: Recognizer, timit: np.ndarray) -> None:
    events: list[AudioEvent] = []
    listener = Listener(recognizer, ListenerConfig(mode="mute"), on_event=events.append)
    try:
        _feed(listener, timit)
        assert events == []
        listener.set_mode("push_to_talk")
        _feed(listener, timit)  # not pressed: ignored
        assert events == []
        listener.press()
        _feed(listener, timit, tail_s=1.0)  # pause longer than the trailing silence: still one utterance
        assert not [e for e in events if isinstance(e, FinalTranscript)]
        listener.release()
        assert listener.wait_idle(120)
        finals = [e for e in events if isinstance(e, FinalTranscript)]
        assert len(finals) == 1 and "greasy" in finals[0].text.lower()
    finally:
        listener.close()


@pytest.mark.slow
@pytest.mark.integration
def test_hands_free_follow_up_window(recognizer: Recognizer, timit: np.ndarray) -> None:
    now = [100.0]
    events: list[AudioEvent] = []
    cfg = ListenerConfig(mode="hands_free", wake_phrase="hey assistant", follow_up_window_s=8)
    listener = Listener(recognizer, cfg, on_event=events.append, clock=lambda: now[0])
    try:
        _feed(listener, timit)  # no wake phrase, no recent reply: heard, not addressed
        listener.handle(AssistantSpeakingStarted())
        listener.handle(AssistantSpeakingStopped())
        now[0] += 2.0  # the user answers 2 s after the assistant stopped: inside the window
        _feed(listener, timit)
        finals = [e for e in events if isinstance(e, FinalTranscript)]
        assert [f.addressed for f in finals] == [False, True]
        assert all("greasy" in f.text.lower() for f in finals)
    finally:
        listener.close()


@pytest.mark.slow
@pytest.mark.integration
def test_echo_guard_ignores_own_voice_but_allows_barge_in(
    recognizer: Recognizer, timit: np.ndarray, shared_audio: Path
) -> None:
    """The 'assistant' plays timit; the mic hears it at -10 dB. Then the user (jfk) speaks over it."""
    events: list[AudioEvent] = []
    listener = Listener(recognizer, ListenerConfig(mode="hands_free", wake_phrase=""), on_event=events.append)
    played = np.concatenate([timit, timit])
    echo = (0.3 * played).astype(np.float32)
    try:
        listener.handle(AssistantSpeakingStarted())
        for i, f in enumerate(frames_of(echo)):
            listener.feed_reference(played[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES], SAMPLE_RATE)
            listener.feed(f)
        assert listener.wait_idle(60)
        assert not [e for e in events if isinstance(e, FinalTranscript | BargeIn | SpeechStarted)], events
        # the user talks over the assistant's voice
        user = read_file(shared_audio / "jfk.flac")[: 4 * SAMPLE_RATE]
        mix = user.copy()
        mix[: len(echo)] += echo[: len(mix)]
        for i, f in enumerate(frames_of(mix)):
            ref = played[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES]
            if len(ref):
                listener.feed_reference(ref, SAMPLE_RATE)
            listener.feed(f)
            if any(isinstance(e, BargeIn) for e in events):
                listener.handle(AssistantSpeakingStopped())  # speech output stops on the barge-in
        _feed(listener, np.zeros(0, np.float32))
        assert any(isinstance(e, BargeIn) for e in events)
        finals = [e for e in events if isinstance(e, FinalTranscript)]
        assert finals and "fellow americans" in " ".join(f.text for f in finals).lower()
    finally:
        listener.close()


@pytest.mark.slow
@pytest.mark.integration
def test_push_to_talk_release_after_a_pause_needs_no_decode(
    recognizer: Recognizer, timit: np.ndarray
) -> None:
    """Held through a pause, the utterance so far is decoded speculatively; a release with no speech
    after that snapshot emits that text at once (no decode after the release)."""
    events: list[AudioEvent] = []
    listener = Listener(recognizer, ListenerConfig(mode="push_to_talk"), on_event=events.append)
    try:
        listener.press()
        _feed(listener, timit, tail_s=0.4)  # silence > pause_ms: the speculative decode runs (and ends)
        assert not [e for e in events if isinstance(e, FinalTranscript)]
        listener.release()
        assert listener.wait_idle(60)
        finals = [e for e in events if isinstance(e, FinalTranscript)]
        assert len(finals) == 1 and "greasy" in finals[0].text.lower()
        assert finals[0].latency_s < 0.05, finals[0].latency_s  # a decode of 2.9 s takes ~0.3 s or more
    finally:
        listener.close()


@pytest.mark.slow
@pytest.mark.integration
def test_hands_free_early_end_on_a_finished_sentence(recognizer: Recognizer, timit: np.ndarray) -> None:
    """With early_end_ms, a pause after text that ends a sentence ends the utterance before the
    end-pointer's trailing silence; without it, only the trailing silence does."""
    fed: dict[int | None, int] = {}
    for early in (256, None):
        events: list[AudioEvent] = []
        cfg = ListenerConfig(mode="hands_free", wake_phrase="", early_end_ms=early)
        cfg.endpoint.trailing_silence_ms = 800
        listener = Listener(recognizer, cfg, on_event=events.append)
        try:
            for f in frames_of(timit):
                listener.feed(f)
            silent = 0
            while not any(isinstance(e, SpeechEnded) for e in events) and silent < 60:
                listener.feed(np.zeros(FRAME_SAMPLES, np.float32))
                silent += 1
                assert listener.wait_idle(60)  # decodes keep up (as on an idle machine)
            fed[early] = silent
            assert listener.wait_idle(60)
            finals = [e for e in events if isinstance(e, FinalTranscript)]
            assert len(finals) == 1 and "greasy" in finals[0].text.lower()
        finally:
            listener.close()
    # the clip ends in some silence of its own: compare the two runs (800 - 256 ms = 17 frames)
    assert fed[256] <= fed[None] - 12, fed


@pytest.mark.slow
@pytest.mark.integration
def test_hands_free_early_end_needs_no_further_frame(recognizer: Recognizer, timit: np.ndarray) -> None:
    """When the silence is already long enough as the speculative decode of the whole utterance finishes,
    the utterance ends then (from the decoding thread), not when the next frame arrives."""
    events: list[AudioEvent] = []
    cfg = ListenerConfig(mode="hands_free", wake_phrase="", early_end_ms=256)
    cfg.endpoint.trailing_silence_ms = 3000  # the end-pointer alone would not end it
    listener = Listener(recognizer, cfg, on_event=events.append)
    try:
        for f in frames_of(timit):  # faster than real time: the decodes lag behind the frames
            listener.feed(f)
        for _ in range(12):  # 384 ms of silence, then no more frames
            listener.feed(np.zeros(FRAME_SAMPLES, np.float32))
        assert listener.wait_idle(60)
        ends = [e for e in events if isinstance(e, SpeechEnded)]
        finals = [e for e in events if isinstance(e, FinalTranscript)]
        assert len(ends) == 1 and ends[0].reason == "silence", events
        assert len(finals) == 1 and "greasy" in finals[0].text.lower()
    finally:
        listener.close()


class _CountingRecognizer:
    """The real recognizer, with a record of each decode it ran (a spy, not a stand-in)."""

    def __init__(self, real: Recognizer) -> None:
        self.real = real
        self.decodes: list[tuple[int, Decoded]] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def decode(self, audio: np.ndarray, *args: object, **kwargs: object) -> Decoded:
        d = self.real.decode(audio, *args, **kwargs)  # type: ignore[arg-type]
        self.decodes.append((len(audio), d))
        return d


@pytest.mark.slow
@pytest.mark.integration
def test_interim_decode_begun_at_the_last_voiced_frame_serves_the_pause(
    recognizer: Recognizer, timit: np.ndarray
) -> None:
    """Speech that stops right after an interim decode began: the pause that follows finds that
    decode already holding all the speech, so it is not cancelled and decoded again; the final takes
    its text (one decode in all, where there were two and the final waited for both)."""
    vad = SileroVad()
    probs = [vad(f) for f in frames_of(timit)]
    # cut the speech where the last three frames are clearly voiced: the interim gate opens there
    last = next(i for i in range(40, len(probs)) if min(probs[i - 2 : i + 1]) >= 0.9)
    speech = timit[: (last + 1) * FRAME_SAMPLES]
    now = [0.0]
    spy = _CountingRecognizer(recognizer)
    events: list[AudioEvent] = []
    listener = Listener(spy, ListenerConfig(mode="push_to_talk"), on_event=events.append,  # type: ignore[arg-type]
                        clock=lambda: now[0])
    try:
        listener.press()
        frames = list(frames_of(speech))
        for f in frames[:-1]:  # the clock stands still: no interim decode yet
            listener.feed(f)
        assert listener.wait_idle(60)
        n_before = len(spy.decodes)
        now[0] = 100.0  # interim due: it starts at the last voiced frame
        listener.feed(frames[-1])
        for _ in range(5):  # digital silence: the end-pointer reports a pause after one frame
            listener.feed(np.zeros(FRAME_SAMPLES, np.float32))
        listener.release()
        assert listener.wait_idle(60)
        finals = [e for e in events if isinstance(e, FinalTranscript)]
        after = spy.decodes[n_before:]
        assert len(after) == 1 and not after[0][1].cancelled, [(n, d.cancelled, d.text) for n, d in after]
        assert len(finals) == 1 and finals[0].text == after[0][1].text and "suit" in finals[0].text.lower()
    finally:
        listener.close()
