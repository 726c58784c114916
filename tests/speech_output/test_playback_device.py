"""Playback on a real PortAudio output stream (a JACK dummy device paced in real time): streaming
starts before the reply is complete, barge-in stops it within 100 ms, and the report of what was
spoken matches what the device played."""

from __future__ import annotations

import time

import pytest

from audio.events import AssistantSpeakingStarted, AssistantSpeakingStopped, AudioEvent, BargeIn, StopSpeaking
from audio.playback import AudioPlayer, PlaybackError, PlaybackReport
from audio.speaker import Speaker, SpeechJob
from audio.tts import PiperTts
from audio.virtual_output import JackDummyOutput

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPLY = [
    "Sure, here is the plan for today.",
    "At ten you meet Sarah about the budget review.",
    "After lunch there is a long call with the design team about the new website.",
]


def _wait_for(cond: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(cond) and cond():
            return
        time.sleep(0.005)
    raise AssertionError("condition not reached in time")


def _played(job: SpeechJob, index: int) -> int:
    segs = job.player.report().segments
    return segs[index].frames_played if len(segs) > index else 0


def _device_check(report: PlaybackReport, event_at: float) -> float:
    """Seconds of reply audio the (real-time) device received after the event."""
    assert report.first_audio_at is not None
    played_s = sum(s.frames_played for s in report.segments) / report.sample_rate
    heard_before_event = event_at - report.first_audio_at
    return played_s - heard_before_event


def test_barge_in_stops_within_100ms_and_reports_the_spoken_part(
    piper_tts: PiperTts, virtual_output: JackDummyOutput
) -> None:
    events: list[AudioEvent] = []
    speaker = Speaker(piper_tts, device=virtual_output.device_index(), on_event=events.append)
    job = speaker.start("en")
    job.feed(" ".join(REPLY))
    job.finish()
    # sentence 1 is "Sure," (first clause), then "here is the plan for today.", ...: wait until the
    # third piece ("At ten you meet Sarah ...") has played for a while
    _wait_for(lambda: _played(job, 2) > 0.5 * job.player.sample_rate)
    event = BargeIn()
    job.handle(event)
    report = job.wait(10)

    assert report.stop_reason == "barge_in"
    assert report.interrupted
    # stop: at most 100 ms of reply audio reached the device after the event, by the device's clock
    assert _device_check(report, event.at) <= 0.100
    assert report.audio_after_stop_s <= 0.100
    assert report.stop_latency_s is not None and report.stop_latency_s <= 0.100
    # the report: pieces 0-1 whole, piece 2 in part, the rest not at all
    segs = report.segments
    assert [s.text for s in segs[:3]] == ["Sure,", "here is the plan for today.", REPLY[1]]
    assert segs[0].complete and segs[1].complete
    assert 0 < segs[2].frames_played < segs[2].frames
    assert all(s.frames_played == 0 for s in segs[3:])
    assert report.spoken_text.startswith("Sure, here is the plan for today. At ten")
    assert report.spoken_text.endswith("…")
    assert REPLY[2] in report.unspoken_text
    assert "Sarah" not in report.spoken_text or "Sarah" not in report.unspoken_text
    words = report.spoken_text.removesuffix("…").split() + report.unspoken_text.split()
    assert words == " ".join(REPLY).split()
    # the listener was told when speech started and stopped
    assert [type(e) for e in events] == [AssistantSpeakingStarted, AssistantSpeakingStopped]


def test_stop_request_during_a_streamed_reply(piper_tts: PiperTts, virtual_output: JackDummyOutput) -> None:
    speaker = Speaker(piper_tts, device=virtual_output.device_index())
    job = speaker.start("en")
    job.feed("Well, let me check your calendar. ")
    _wait_for(lambda: _played(job, 1) > 0)  # speaking before the reply is complete
    job.feed("You have three meetings")
    event = StopSpeaking()
    job.handle(event)
    job.feed(" tomorrow.")  # the model keeps writing: kept as unspoken, not played
    job.finish()
    report = job.wait(10)
    assert report.stop_reason == "stop"
    assert _device_check(report, event.at) <= 0.100
    assert report.spoken_text.startswith("Well,")
    assert report.segments[0].complete
    assert report.unspoken_text.endswith("You have three meetings tomorrow.")


def test_reply_plays_to_the_end(piper_tts: PiperTts, virtual_output: JackDummyOutput) -> None:
    played: list[int] = []  # what an echo guard (Listener.feed_reference) would get
    speaker = Speaker(
        piper_tts,
        device=virtual_output.device_index(),
        on_played=lambda block, rate: played.append(len(block)),
    )
    t0 = time.monotonic()
    report = speaker.say("Hello there.\n😀\nIt is 10:30 am.")
    took = time.monotonic() - t0
    assert report.stop_reason == "finished"
    assert not report.interrupted
    assert [s.text for s in report.segments] == ["Hello there.", "😀", "It is 10:30 am."]
    assert all(s.complete for s in report.segments)
    assert report.segments[1].frames == 0  # emoji only: nothing to say, no crash
    assert report.spoken_text == "Hello there. 😀 It is 10:30 am."
    audio_s = sum(s.frames for s in report.segments) / report.sample_rate
    assert took >= audio_s - 0.05  # the device really consumed it in real time
    _wait_for(lambda: sum(played) == sum(s.frames for s in report.segments), timeout=5)


@pytest.mark.parametrize("text", ["", "   \n\t", "😀🎉👍🏽"])
def test_nothing_to_say_ends_at_once(piper_tts: PiperTts, virtual_output: JackDummyOutput, text: str) -> None:
    report = Speaker(piper_tts, device=virtual_output.device_index()).say(text, timeout=10)
    assert report.stop_reason == "finished"
    assert sum(s.frames for s in report.segments) == 0
    assert report.first_audio_at is None
    assert report.unspoken_text == ""


def test_10000_character_reply_streams_and_stops(
    piper_tts: PiperTts, virtual_output: JackDummyOutput
) -> None:
    sentence = "The quarterly numbers for region {n} came in at $1,250.75 on 2025-03-{d:02d}. "
    text = "Here is the report. " + "".join(sentence.format(n=i, d=i % 28 + 1) for i in range(200))
    text = text[:10_000]
    assert len(text) == 10_000
    job = Speaker(piper_tts, device=virtual_output.device_index()).start("en")
    job.feed(text)
    job.finish()
    _wait_for(lambda: job.player.first_audio_at is not None)
    job.stop()
    report = job.wait(20)
    assert report.stop_reason == "stop"
    synthesized = [s for s in report.segments if s.frames > 0]
    assert 1 <= len(synthesized) < 10  # it started at once, without synthesizing the whole text first
    assert report.unspoken_text.endswith(text.strip()[-30:])
    spoken = report.spoken_text.removesuffix("…").split()
    assert spoken + report.unspoken_text.split() == text.split()


def test_unknown_output_device_is_a_clear_error(virtual_output: JackDummyOutput) -> None:
    with pytest.raises(PlaybackError, match=r"'no such speaker' not usable.*available: system"):
        AudioPlayer(device="no such speaker").open()


def test_device_at_another_rate_gets_resampled_audio(
    piper_tts: PiperTts, virtual_output: JackDummyOutput
) -> None:
    """Most sound cards run at 48 kHz only; the 22.05 kHz voice is resampled for them."""
    text = "Hello there, this is a test of the speaker."
    with JackDummyOutput(sample_rate=48000) as card:
        report = Speaker(piper_tts, device=card.device_index(), first_clause=False).say(text, timeout=30)
    assert virtual_output.device_index() is not None  # the package's device is back
    assert report.sample_rate == 48000
    assert report.stop_reason == "finished"
    (seg,) = report.segments
    assert seg.complete
    voice_s = piper_tts.synthesize(text).duration_s
    assert seg.frames / 48000 == pytest.approx(voice_s, rel=0.2)  # same speech length, not 2.2x faster


def test_synthesis_stays_a_bounded_time_ahead_of_playback(
    piper_tts: PiperTts, virtual_output: JackDummyOutput
) -> None:
    job = Speaker(piper_tts, device=virtual_output.device_index(), max_ahead_s=1.0).start("en")
    job.feed("Okay. " + "This sentence is one of many in a long reply. " * 30)
    job.finish()
    _wait_for(lambda: job.player.first_audio_at is not None)
    worst = 0.0
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        worst = max(worst, job.player.queued_s())
        time.sleep(0.01)
    job.stop()
    report = job.wait(10)
    one_sentence_s = max(s.frames for s in report.segments) / report.sample_rate
    assert worst <= 1.0 + one_sentence_s + 0.1  # the limit plus the sentence being synthesized
    assert sum(s.frames > 0 for s in report.segments) < 10  # not all 31 synthesized up front
