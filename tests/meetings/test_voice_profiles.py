"""Voice profiles: a speaker named once is recognised in the next meeting by voice (the match score kept),
the name shows in search hits and every export, and "forget" deletes the profile. Real speech, the real
recognizer and diarizer, a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agents.meetings.voices import VoiceProfiles
from storage.db.engine import Database
from tests.meetings.conftest import MEETING, ServiceFactory

pytestmark = pytest.mark.integration


def test_profiles_enrol_match_and_forget(db: Database) -> None:
    rng = np.random.default_rng(1)
    anna, ben = (v / np.linalg.norm(v) for v in rng.normal(size=(2, 256)).astype(np.float32))
    vp = VoiceProfiles(db)
    vp.enrol("Anna", anna, 10)
    vp.enrol("Ben", ben, 10)
    near_anna = anna + 0.3 * ben / 4
    got = vp.match({"S1": (near_anna.astype(np.float32), 5), "S2": (-anna, 5)})
    assert [(m.speaker, m.profile) for m in got] == [("S1", "Anna")] and got[0].score >= 0.75
    assert vp.forget("anna's") == "Anna" and vp.names() == ["Ben"] and vp.forget("Anna") is None


def test_a_named_voice_is_named_in_the_next_meeting(shared_audio: Path, make_service: ServiceFactory,
                                                    recognizer: object) -> None:
    svc = make_service(recognizer=recognizer, language="en")
    first = svc.import_file(shared_audio / MEETING, "Monday")
    assert first.speakers == ["S1", "S2"]
    assert {v.speaker for v in svc.speaker_voices(first.id)} == {"S1", "S2"}
    from app.meetings.control import MeetingControlAdapter

    assert MeetingControlAdapter(svc).name_speaker(2, "Anna") == "Monday"  # "the second speaker was Anna"
    assert svc.voice_profiles() == ["Anna"]

    second = svc.import_file(shared_audio / MEETING, "Tuesday")
    assert "Anna" in second.speakers and len(second.speakers) == 2, second.speakers
    anna = next(v for v in svc.speaker_voices(second.id) if v.speaker == "Anna")
    assert anna.profile == "Anna" and anna.score is not None and anna.score >= 0.75
    for fmt in ("md", "srt", "vtt", "json"):
        text = svc.export(second.id, fmt)
        assert "Anna" in text and "S1:" not in text and "<v S1>" not in text, fmt
    assert set(json.loads(svc.export(second.id, "json"))["meeting"]["speakers"]) == {"Anna", "Speaker 1"}
    lines = svc.transcript(second.id)
    anna_words = next(s.text for s in lines if s.speaker == "Anna").split()
    hits = svc.search(" ".join(anna_words[:2]))
    assert hits and all(not h.speaker.startswith("S") or h.speaker.startswith("Speaker") for h in hits)

    assert svc.forget_voice("Anna's") == "Anna" and svc.voice_profiles() == []
    third = svc.import_file(shared_audio / MEETING, "Wednesday")
    assert third.speakers == ["S1", "S2"]  # forgotten: no longer recognised


def test_cli_voice_commands_say_one_clear_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PA_")}, "PA_HOME": str(tmp_path),
           "PA_KEYRING_PASSWORD": "voices-cli", "PA_LLM__PROVIDER": "none"}
    root = Path(__file__).resolve().parents[2]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli.main", "meeting", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)

    for args, says in ((("forget-voice", "Anna"), "no voice profile called 'Anna'"),
                       (("name", "nosuchmeeting", "2", "Anna"), "no meeting with id 'nosuchmeeting'")):
        r = run(*args)
        lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
        assert r.returncode != 0 and len(lines) == 1 and says in lines[0] and "Traceback" not in r.stderr, r
