"""`personal-agent ask` end to end (real settings, SQLite in PA_HOME, no model configured)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from app.cli.main import cli

pytestmark = pytest.mark.e2e
runner = CliRunner()


def test_what_time_is_it_offline() -> None:
    res = runner.invoke(cli, ["ask", "what time is it"])
    assert res.exit_code == 0, res.output
    assert re.fullmatch(r"It's \d\d:\d\d\.\n", res.output)


def test_german_calendar_question_offline_with_json() -> None:
    res = runner.invoke(cli, ["ask", "--json", "was steht morgen im Kalender"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["intent"] == "CalendarQuery" and out["language"] == "de" and out["source"] == "local"
    assert out["slots"] == {"range": "morgen"}
    assert "Kalender" in out["spoken"]  # no calendar account: says so, in German
    assert out["approval"] is None
    # the true source and the time of each stage the turn went through
    assert set(out["timings"]) == {"intent", "total"} and out["timings"]["total"] >= out["timings"]["intent"] >= 0
    assert out["usage"] == {"requests": 0, "input_tokens": 0, "output_tokens": 0} and out["turn_id"]


def test_unknown_request_without_model_and_empty_input() -> None:
    res = runner.invoke(cli, ["ask", "--json", "write me a sonnet"])
    assert res.exit_code == 0
    out = json.loads(res.output)
    assert out["source"] == "fallback" and "settings" in out["text"] and "llm.provider" not in out["text"]
    assert {"intent", "fallback", "total"} <= set(out["timings"])
    empty = runner.invoke(cli, ["ask", "   "])
    assert empty.exit_code == 2 and "nothing to ask" in empty.output


def test_notes_persist_between_invocations_and_forget_works() -> None:
    assert runner.invoke(cli, ["ask", "remember that the spare key is under the blue pot"]).exit_code == 0
    recall = runner.invoke(cli, ["ask", "what did I say about the spare key"])
    assert "blue pot" in recall.output
    assert "Shall I?" in runner.invoke(cli, ["ask", "forget the spare key"]).output  # deleting waits for a yes
    assert "1 note deleted" in runner.invoke(cli, ["ask", "yes"]).output
    assert "haven't told me" in runner.invoke(cli, ["ask", "what did I say about the spare key"]).output


def test_unknown_approval_id_is_a_clear_error() -> None:
    res = runner.invoke(cli, ["ask", "--approve", "99"])
    assert res.exit_code == 2 and "no approval #99" in res.output
