"""Long German sentences keep their last words on the live path. German needs about twice as many Whisper
tokens a second as English, and CTranslate2 lets a decode write only about half of the ``max_length`` it
is given (audio/stt.py ``writable``): the live decode of a long German sentence stopped mid-word ("... mit
der Software und ein Geschen"); now a decode stopped there goes on from its words. Real speech: the German half of
../shared/audio/multilingual_en_de.mp3 (the MIT licence's grant read in German)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio import stt
from audio.events import AudioEvent, FinalTranscript
from audio.frames import FRAME_SAMPLES, SAMPLE_RATE, frames_of
from audio.listener import Listener, ListenerConfig
from audio.sources import read_file
from audio.stt import Recognizer, continuation_length, writable

GERMAN_FROM_S = 30.5  # the German reading starts at ~30.9 s (bench/stt_german.py finds it)


@pytest.mark.unit
def test_a_continuation_may_write_the_whole_budget() -> None:
    assert writable(4, 4 + 87) == 45  # measured: asked for 87 new tokens, CTranslate2 wrote 45
    for prompt in (4, 60, 114):
        for budget in (19, 88, 137, 208):
            assert writable(prompt, continuation_length(prompt, budget)) >= budget, (prompt, budget)


@pytest.fixture(scope="module")
def german(shared_audio: Path) -> np.ndarray:
    return read_file(shared_audio / "multilingual_en_de.mp3")[int(GERMAN_FROM_S * SAMPLE_RATE) :]


@pytest.mark.slow
@pytest.mark.integration
def test_a_long_german_sentence_keeps_its_last_words_live(recognizer: Recognizer, german: np.ndarray) -> None:
    """Hands-free, the end-pointer cuts the reading into its two long sentences (~11 s and ~18 s); each
    live final text ends with the sentence's last words. Recognition pinned to German, as a German app
    pins it (app/settings.py ``recognition_language``)."""
    events: list[AudioEvent] = []
    listener = Listener(recognizer, ListenerConfig(mode="hands_free", wake_phrase=""), on_event=events.append)
    pinned, recognizer.config.language = recognizer.config.language, "de"
    try:
        for f in frames_of(german):
            listener.feed(f)
        for _ in range(int(1.0 * SAMPLE_RATE / FRAME_SAMPLES)):
            listener.feed(np.zeros(FRAME_SAMPLES, np.float32))
        assert listener.wait_idle(180)
    finally:
        listener.close()
        recognizer.config.language = pinned
    text = " ".join(e.text for e in events if isinstance(e, FinalTranscript)).lower()
    assert "zu verfahren" in text, text  # the first sentence's end
    assert text.rstrip(" .").endswith("anderen zu übertragen"), text  # the second's


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("half_budget_first", [False, True])
def test_the_fast_decode_of_a_long_german_sentence_is_whole(
        recognizer: Recognizer, german: np.ndarray, half_budget_first: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """In one pass with the whole budget (German), and, when a first pass stopped at CTranslate2's cap (as
    English decodes are asked), by going on from its words."""
    if half_budget_first:
        monkeypatch.setattr(stt, "HALF_BUDGET_LANGUAGES", frozenset({"en", "de"}))
    sentence = german[: int(11.3 * SAMPLE_RATE)]  # "Jedem, der diese Software ... zu verfahren."
    d = recognizer.decode(sentence, language="de")
    assert not d.fallback and d.text.rstrip(" .").lower().endswith("zu verfahren"), d
