"""The shipped alert rules and Grafana dashboard: valid, tested, and using only metric names the app
exports (app/metrics.py)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from app.metrics import metric_names
from tests.servers.base import require_binary

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "alerts.yml"
DASHBOARD = ROOT / "deploy" / "grafana-dashboard.json"
KEYWORDS = {"and", "or", "unless", "bool", "offset"}


def names_in(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: what is left without label matchers, ranges,
    grouping clauses, function calls, keywords and numbers."""
    e = re.sub(r"\{[^}]*\}", "", expr)  # label matchers (with their strings)
    e = re.sub(r"\[[^\]]*\]", "", e)  # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    e = re.sub(r"\b[a-zA-Z_]+\s*\(", "(", e)  # function names
    e = re.sub(r"\b\d[\d.e+]*\b", "", e)  # numbers (2e9, 0.5)
    return {w for w in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", e) if w not in KEYWORDS}


def test_names_in_reads_metric_names() -> None:
    assert names_in('sum by (le) (rate(pa_x_bucket{a="b"}[5m])) / pa_y > 2e9 unless up') == {"pa_x_bucket", "pa_y", "up"}


def test_promtool_checks_and_unit_tests_the_rules() -> None:
    promtool = require_binary("promtool", hint="apt-get install prometheus (scripts/setup.sh --dev)")
    check = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    units = subprocess.run([promtool, "test", "rules", str(Path(__file__).with_name("alerts_test.yml"))],
                           capture_output=True, text=True, timeout=300)
    assert units.returncode == 0, units.stdout + units.stderr


def test_the_rules_use_only_exported_metrics() -> None:
    exported = metric_names() | {"up"}
    rules = [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    assert {r["alert"] for r in rules} >= {"SpoolBacklogGrowing", "BankSyncFailing", "DiskAlmostFull", "TurnErrorRate"}
    for r in rules:
        unknown = names_in(r["expr"]) - exported
        assert not unknown, f"{r['alert']} reads {unknown}, which the app does not export"


def test_the_dashboard_queries_only_exported_metrics() -> None:
    dash = json.loads(DASHBOARD.read_text())
    exported = metric_names()
    used: set[str] = set()
    for panel in dash["panels"]:
        assert panel["targets"], panel["title"]
        for t in panel["targets"]:
            names = names_in(t["expr"])
            assert names and not names - exported, f"{panel['title']}: {names - exported} not exported"
            used |= names
    families = {n.removesuffix("_total").removesuffix("_bucket") for n in used}
    for wanted in ("pa_turns", "pa_turn_stage_seconds", "pa_approvals", "pa_service_calls", "pa_service_errors",
                   "pa_storage_bytes", "pa_spool_pending", "pa_meeting_recorded_seconds", "pa_meeting_live_lag_seconds",
                   "pa_login_failures", "pa_rate_limited", "process_resident_memory_bytes"):
        assert wanted in families, f"no panel shows {wanted}"
