"""The number of speakers is estimated: one voice comes out as one speaker, the two-speaker file as two
(DER still <= 0.13), and a number the user gives is honoured. Real speech from ../shared/audio, the VAD
and the diarizer as the recorder runs them (no transcription: fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.meeting import voice_encoder
from audio.meeting.capture import FileSource
from audio.meeting.der import diarization_error_rate, read_rttm
from audio.meeting.diarization import DiarizerConfig
from audio.meeting.live import LiveTranscriber
from audio.meeting.models import SpeakerTurn

pytestmark = pytest.mark.integration


def diarize(path: Path, cfg: DiarizerConfig | None = None) -> tuple[list[SpeakerTurn], float]:
    tr = LiveTranscriber(None, 1, None, cfg or DiarizerConfig())
    for block in FileSource(path).blocks():
        tr.push(block[:, :1])
    tr.finish()
    return tr.final_turns(), tr.audio_s


def test_the_voice_encoder_is_installed_and_used() -> None:
    assert voice_encoder.available(), "the speaker-encoder weights (package Resemblyzer, no deps) are missing"
    tr = LiveTranscriber(None, 1, None, DiarizerConfig())
    assert tr.diarizer is not None and tr.diarizer.has_voices


def test_one_voice_is_one_speaker(shared_audio: Path) -> None:
    turns, _ = diarize(shared_audio / "jfk.flac")  # more single voices: bench/meetings.py --diarization
    assert turns and {t.speaker for t in turns} == {"S1"}, turns


def test_a_mono_recording_saved_as_stereo_is_one_channel(shared_audio: Path) -> None:
    assert FileSource(shared_audio / "jfk.flac").channels == 1  # both channels carry the same signal
    assert FileSource(shared_audio / "stereo_two_speakers.wav").channels == 2  # one speaker per channel


def test_two_speakers_stay_two_and_the_der_holds(shared_audio: Path) -> None:
    turns, audio_s = diarize(shared_audio / "meeting_two_speakers.wav")
    assert {t.speaker for t in turns} == {"S1", "S2"}
    r = diarization_error_rate(read_rttm(shared_audio / "meeting_two_speakers.rttm"), turns, 0.25, audio_s)
    assert r.der <= 0.13, r


def test_a_given_number_of_speakers_is_honoured(shared_audio: Path) -> None:
    turns, _ = diarize(shared_audio / "jfk.flac", DiarizerConfig(num_speakers=2))
    assert {t.speaker for t in turns} == {"S1", "S2"}  # the user said two: no merging
