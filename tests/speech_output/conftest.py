"""Fixtures of the speech-output tests: one Piper voice per session and a real-time virtual
output device (a private JACK server on its dummy backend; Debian package jackd2)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from audio.tts import PiperTts
from audio.virtual_output import JackDummyOutput, jack_available


@pytest.fixture(scope="session")
def piper_tts() -> PiperTts:
    tts = PiperTts()
    tts.voice("en")
    return tts


@pytest.fixture(scope="package")
def virtual_output() -> Iterator[JackDummyOutput]:
    """A paced output device with no sound card; its PortAudio index is ``.device_index()``.
    Package scope: other test areas never see the JACK device as the default output."""
    if not jack_available():
        msg = "jackd missing: install the Debian package jackd2 (scripts/apt-packages.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    out = JackDummyOutput(sample_rate=22050, period=256).start()
    yield out
    out.stop()
