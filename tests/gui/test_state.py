"""The UI's state machine and view models, in pure Python (no browser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.engine import (
    ApprovalDecided,
    ApprovalOutcome,
    ApprovalRequested,
    ApprovalView,
    AudioClip,
    EngineEventAdapter,
    HistoryTurn,
    MeetingSegment,
    MeetingSegmentAdded,
    MeetingUpdated,
    MeetingView,
    Notice,
    ProgressEvent,
    ReplyDelta,
    ReplyDone,
    SpeechAudioReady,
    StateChanged,
    TranscriptFinal,
    TranscriptInterim,
    TurnReply,
)
from app.gui.state import PushToTalk, UiModel, fmt_clock, is_phone, level_bar, transcript_lines

pytestmark = pytest.mark.unit


def test_hold_starts_on_press_and_stops_on_release() -> None:
    ptt = PushToTalk(hold_s=0.35)
    assert ptt.press(10.0) == "start"
    assert ptt.active
    assert ptt.press(10.1) is None  # key repeat while held
    assert ptt.release(11.0) == "stop"
    assert not ptt.active


def test_short_tap_toggles_on_and_the_next_tap_off() -> None:
    ptt = PushToTalk(hold_s=0.35)
    assert ptt.press(1.0) == "start"
    assert ptt.release(1.1) is None  # a tap: keep listening
    assert ptt.active
    assert ptt.press(5.0) == "stop"
    assert ptt.release(5.1) is None
    assert not ptt.active
    assert ptt.press(6.0) == "start"  # and it starts again


def test_release_without_press_and_cancel() -> None:
    ptt = PushToTalk()
    assert ptt.release(1.0) is None
    assert ptt.cancel() is None
    ptt.press(2.0)
    assert ptt.cancel() == "stop"
    assert not ptt.active


def test_interim_then_final_transcript_then_streamed_reply() -> None:
    m = UiModel()
    m.apply(StateChanged(state="listening"))
    assert m.status_text == "Listening…"
    m.apply(TranscriptInterim(turn_id="t1", text="what time"))
    assert m.turns[0].interim and m.turns[0].user == "what time"
    m.apply(TranscriptFinal(turn_id="t1", text="What time is it?"))
    assert not m.turns[0].interim and m.turns[0].user == "What time is it?"
    m.apply(TranscriptInterim(turn_id="t1", text="late interim"))  # never overwrites the final text
    assert m.turns[0].user == "What time is it?"
    m.apply(StateChanged(state="thinking"))
    m.apply(ReplyDelta(turn_id="t1", text="It's "))
    m.apply(ReplyDelta(turn_id="t1", text="10:00."))
    assert m.turns[0].reply == "It's 10:00." and not m.turns[0].done
    m.apply(ReplyDone(reply=TurnReply(turn_id="t1", user_text="What time is it?", spoken="It's 10.", text="It's 10:00.")))
    assert m.turns[0].done and m.turns[0].spoken == "It's 10."
    assert len(m.turns) == 1


def test_a_reply_to_a_request_asked_before_the_window_opened_goes_above_the_requests_asked_since() -> None:
    """A slow answer (minutes under load) to what was asked in a window closed since came after the newer
    requests of this window and was shown under them, as if it answered the newest (seen in the e2e test
    of the message field, with every request of an earlier page answered minutes late)."""
    m = UiModel()
    m.load_history([HistoryTurn(role="user", text="what is the date today", at=datetime.now(UTC))])
    m.apply(TranscriptFinal(turn_id="here", text="what time is it"))
    m.apply(ReplyDone(reply=TurnReply(turn_id="before", user_text="what time is it in Tokyo", spoken="No.", text="No.")))
    m.apply(ReplyDone(reply=TurnReply(turn_id="here", user_text="what time is it", spoken="It's 10.", text="It's 10:00.")))
    assert [t.user for t in m.turns] == ["what is the date today", "what time is it in Tokyo", "what time is it"]
    assert all(t.done for t in m.turns[1:])
    fresh = UiModel()  # a window with nothing asked in it: in the order the answers come
    fresh.apply(ReplyDelta(turn_id="a", text="It's "))
    fresh.apply(ReplyDone(reply=TurnReply(turn_id="b", user_text="hi", spoken="Hello.", text="Hello.")))
    assert [t.id for t in fresh.turns] == ["a", "b"]


def test_speaking_state_follows_the_client_player() -> None:
    m = UiModel()
    m.apply(SpeechAudioReady(turn_id="t1", clip=AudioClip(wav=b"RIFF", duration_s=1.0)))
    assert m.take_clip() is not None and m.take_clip() is None
    m.playing = True
    assert m.shown_state == "speaking" and m.status_text == "Speaking…"
    m.apply(StateChanged(state="listening"))
    assert m.shown_state == "listening"  # listening wins (barge-in)


def _approval(i: int) -> ApprovalView:
    now = datetime.now(UTC)
    return ApprovalView(id=i, action="calendar.create_event", summary=f"Create event {i}",
                        details={"Title": f"Event {i}"}, created_at=now, expires_at=now + timedelta(minutes=5))


def test_approvals_are_listed_once_and_removed_when_decided() -> None:
    m = UiModel()
    m.apply(ApprovalRequested(approval=_approval(1)))
    m.apply(ApprovalRequested(approval=_approval(2)))
    m.apply(ApprovalRequested(approval=_approval(2)))
    assert [a.id for a in m.approvals] == [2, 1]
    m.apply(ApprovalDecided(outcome=ApprovalOutcome(id=2, status="denied", message="Okay, I won't do it.")))
    assert [a.id for a in m.approvals] == [1]
    assert m.last_outcome == "Okay, I won't do it."
    assert m.turns[-1].reply == "Okay, I won't do it."


def test_meeting_updates_keep_live_segments_and_progress_and_notices() -> None:
    m = UiModel()
    m.apply(MeetingUpdated(meeting=MeetingView(id="m1", state="recording", elapsed_s=3)))
    m.apply(MeetingSegmentAdded(meeting_id="m1", segment=MeetingSegment(start_s=1, end_s=2, speaker="Speaker 1",
                                                                         text="hello")))
    m.apply(MeetingSegmentAdded(meeting_id="other", segment=MeetingSegment(start_s=1, end_s=2, text="ignored")))
    m.apply(MeetingUpdated(meeting=MeetingView(id="m1", state="recording", elapsed_s=4, level=0.5)))
    assert [s.text for s in m.meeting.segments] == ["hello"] and m.meeting.level == 0.5
    m.apply(ProgressEvent(task="stt", label="Loading"))
    assert "stt" in m.progress
    m.apply(ProgressEvent(task="stt", label="ready", done=True))
    assert m.progress == {}
    for i in range(30):
        m.apply(Notice(message=f"n{i}"))
    assert len(m.notices) == 20 and m.notices[-1].message == "n29"


def test_events_round_trip_as_json() -> None:
    ev = ReplyDone(reply=TurnReply(turn_id="x", user_text="hi", spoken="Hello.", text="Hello.", approval=_approval(3)))
    back = EngineEventAdapter.validate_python(ev.model_dump(mode="json"))
    assert back == ev
    clip = SpeechAudioReady(turn_id="x", clip=AudioClip(wav=b"\x00\x01RIFF", duration_s=0.5))
    assert EngineEventAdapter.validate_json(clip.model_dump_json()) == clip


def test_small_view_helpers() -> None:
    assert is_phone(390) and is_phone(600) and not is_phone(1280) and not is_phone(None)
    assert fmt_clock(0) == "00:00" and fmt_clock(75.9) == "01:15" and fmt_clock(3725) == "1:02:05"
    lines = transcript_lines([MeetingSegment(start_s=5, end_s=6, speaker="Speaker 2", text="Hi."),
                              MeetingSegment(start_s=65, end_s=66, text="No label.")])
    assert lines == ["[00:05] Speaker 2: Hi.", "[01:05] No label."]
    assert level_bar(0.5, 10) == "█████░░░░░" and level_bar(3, 4) == "████" and level_bar(-1, 2) == "░░"


def test_speech_not_addressed_is_no_turn_only_the_last_is_kept() -> None:
    """Hands-free: what is said in the room without the wake phrase never fills the conversation; the
    last of it is kept for the one dim line a user may switch on."""
    m = UiModel(hands_free=True)
    m.apply(TranscriptInterim(turn_id="t1", text="so the meeting"))
    m.apply(TranscriptFinal(turn_id="t1", text="So the meeting moved to Friday.", addressed=False))
    m.apply(TranscriptFinal(turn_id="t2", text="Did you feed the cat?", addressed=False))
    assert m.turns == [] and m.overheard == "Did you feed the cat?"
    m.apply(TranscriptFinal(turn_id="t3", text="What time is it?"))
    assert [t.user for t in m.turns] == ["What time is it?"]


def test_a_reply_is_spoken_only_in_the_tab_that_asked() -> None:
    """Two tabs on one engine (the desktop and a phone on the same web UI): each plays only the clips of
    what it asked; a clip with no origin (an alarm, say) plays everywhere."""
    clip = AudioClip(wav=b"RIFF", duration_s=1.0)
    desk, phone = UiModel(origin="desk"), UiModel(origin="phone")
    for ev in (SpeechAudioReady(turn_id="t1", clip=clip, origin="phone"),
               SpeechAudioReady(turn_id="t2", clip=clip, origin="desk"), SpeechAudioReady(turn_id="a", clip=clip)):
        desk.apply(ev)
        phone.apply(ev)
    assert [c.turn_id for c in desk.pending_clips] == ["t2", "a"]
    assert [c.turn_id for c in phone.pending_clips] == ["t1", "a"]


def test_a_new_window_shows_the_stored_conversation_first() -> None:
    from app.engine import HistoryTurn

    now = datetime.now(UTC)
    m = UiModel()
    m.apply(TranscriptFinal(turn_id="new", text="what time is it"))
    m.load_history([HistoryTurn(role="user", text="remember the code 2580", at=now),
                    HistoryTurn(role="assistant", text="Noted: the code 2580.", at=now),
                    HistoryTurn(role="assistant", text="Your timer is done.", at=now),
                    HistoryTurn(role="user", text="thanks", at=now)])
    assert [(t.user, t.reply) for t in m.turns] == [("remember the code 2580", "Noted: the code 2580."),
                                                    ("", "Your timer is done."), ("thanks", ""),
                                                    ("what time is it", "")]


def test_status_says_loading_while_a_model_loads() -> None:
    m = UiModel()
    m.apply(ProgressEvent(task="stt_load", label="Loading speech recognition"))
    assert m.status_text == "Loading…"
    m.apply(ProgressEvent(task="export", label="Exporting meeting…"))
    m.apply(ProgressEvent(task="stt_load", label="Speech recognition ready", done=True))
    assert m.status_text == "Idle"  # other work in progress is no model loading
    m.apply(ProgressEvent(task="tts_load", label="Loading voice"))
    m.apply(StateChanged(state="listening"))
    assert m.status_text == "Listening…"


def test_a_miss_shows_its_sentence_and_keeps_what_works_offline_for_the_chip() -> None:
    from agents.local.handlers import help_text

    m = UiModel()
    sentence = "I can't answer that offline; no language model is connected."
    m.apply(ReplyDone(reply=TurnReply(turn_id="t1", user_text="book a flight", spoken=sentence,
                                      text=sentence + "\n\n" + help_text("en"), source="fallback")))
    t = m.turns[0]
    assert t.miss and t.shown_reply == sentence
    assert t.more == help_text("en")
    m.apply(ReplyDone(reply=TurnReply(turn_id="t2", spoken="It's 10.", text="It's 10:00.")))
    assert not m.turns[1].miss and m.turns[1].shown_reply == "It's 10:00." and m.turns[1].more == ""
