"""Online calls with several voices on the far side, and without a headset (issue 23).

A call of the two-channel evaluation set (``bench/meeting_call_set.py``, built from the shared clips with a
generated RTTM): the user in channel 1, two far-side voices taking turns in channel 2. Each channel is
diarized on its own: the user stays one speaker (S1), the two far-side voices are two. Without a headset the
far side leaks into the microphone (delayed 20-80 ms, 15-25 dB quieter, with and without a room's
reflections): the echo gate keeps the leaked far-side speech off the user's channel, so it is not a second
copy under the user's speaker. The VAD and the diarizer run as the recorder runs them (no Whisper: fast);
the transcribed words: ``bench/meetings.py --calls --words``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio.frames import FRAME_SAMPLES, SAMPLE_RATE
from audio.meeting.capture import FileSource
from audio.meeting.der import diarization_error_rate
from audio.meeting.echo import EchoGate
from audio.meeting.live import LiveTranscriber
from audio.meeting.models import SpeakerTurn
from bench.meeting_call_set import CallFile, build_call_set

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory, shared_audio: Path) -> dict[str, CallFile]:
    files = build_call_set(tmp_path_factory.mktemp("calls"), shared_audio, calls=1, leaks=("headset", "room"),
                           turns=7)
    return {f.leak: f for f in files}


def diarize(f: CallFile, diarize: bool = True, echo_gate: bool = True) -> tuple[list[SpeakerTurn], float]:
    tr = LiveTranscriber(None, 2, None, diarize=diarize, echo_gate=echo_gate)
    for block in FileSource(f.wav).blocks():
        tr.push(block)
    tr.finish()
    return tr.final_turns(), tr.audio_s


@pytest.fixture(scope="module")
def headset(call: dict[str, CallFile]) -> tuple[list[SpeakerTurn], float]:
    return diarize(call["headset"])


def mic_on_far_only(f: CallFile, turns: list[SpeakerTurn]) -> float:
    far = f.far_only()
    mic = np.zeros(len(far), bool)
    for t in (t for t in turns if t.channel == 0):
        mic[int(t.start / 0.01): int(t.end / 0.01)] = True
    return float((mic & far).sum() / max(1, far.sum()))


def test_two_far_side_voices_are_two_speakers_and_the_user_one(call: dict[str, CallFile],
                                                               headset: tuple[list[SpeakerTurn], float]) -> None:
    f = call["headset"]
    turns, audio_s = headset
    by_channel = {c: {t.speaker for t in turns if t.channel == c} for c in (0, 1)}
    assert by_channel == {0: {"S1"}, 1: {"S2", "S3"}}, turns
    r = diarization_error_rate(f.reference, turns, collar=0.25, end_s=audio_s)
    assert r.mapping["S1"] == f.user and {r.mapping["S2"], r.mapping["S3"]} == set(f.far), r.mapping
    assert r.der <= 0.15, r


def test_the_far_sides_echo_is_not_the_user(call: dict[str, CallFile],
                                            headset: tuple[list[SpeakerTurn], float]) -> None:
    """The leak with a room's reflections (the plain delayed copy: the bench)."""
    f = call["room"]
    before, _ = diarize(f, diarize=False, echo_gate=False)  # the speech the microphone's VAD finds
    after, audio_s = diarize(f)
    assert mic_on_far_only(f, before) > 0.3  # without the gate the microphone "speaks" with the far side
    assert mic_on_far_only(f, after) <= 0.05, after
    assert {t.speaker for t in after if t.channel == 0} == {"S1"}
    assert {t.speaker for t in after if t.channel == 1} == {"S2", "S3"}
    r = diarization_error_rate(f.reference, after, collar=0.25, end_s=audio_s)
    r0 = diarization_error_rate(f.reference, headset[0], collar=0.25, end_s=audio_s)
    assert r.der <= r0.der + 0.05, (r, r0)  # about as good as with a headset


@pytest.mark.unit
def test_the_echo_gate_tells_a_delayed_copy_from_the_users_voice() -> None:
    rng = np.random.default_rng(7)
    n = 3 * SAMPLE_RATE
    far = (rng.standard_normal(n) * 0.05).astype(np.float32)
    user = (rng.standard_normal(n) * 0.05).astype(np.float32)
    d = int(0.05 * SAMPLE_RATE)
    echo = np.concatenate([np.zeros(d, np.float32), far[:-d]]) * 10 ** (-20 / 20)
    for near, want in ((echo, True), (user + echo, False), (user, False)):
        gate = EchoGate()
        gate.far(far)
        said = [gate.near(near[i: i + FRAME_SAMPLES]) for i in range(0, n - FRAME_SAMPLES + 1, FRAME_SAMPLES)]
        assert all(x == want for x in said[10:]), (want, said.count(True), len(said))
    gate = EchoGate()  # the far side silent: nothing is its echo
    gate.far(np.zeros(n, np.float32))
    assert not any(gate.near(user[i: i + FRAME_SAMPLES]) for i in range(0, n - FRAME_SAMPLES + 1, FRAME_SAMPLES))
