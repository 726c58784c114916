"""`personal-agent finance import` through the real command: the summary line, idempotence, and bad
input (missing file, unknown format, wrong IBAN, broken file) as one line, exit != 0, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.finance.conftest import ROOT, SHARED_MT940

pytestmark = pytest.mark.unit


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PA_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app.cli.main", "finance", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=str(ROOT))


def one_error_line(res: subprocess.CompletedProcess[str], *words: str) -> None:
    assert res.returncode != 0
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_import_cli(pa_home: Path, tmp_path: Path) -> None:
    f = SHARED_MT940 / "cmxl_mt940.sta"
    res = run(pa_home, "import", str(f))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "imported 16 new, 0 already known, 0 skipped"
    assert run(pa_home, "import", str(f)).stdout.strip() == "imported 0 new, 16 already known, 0 skipped"

    one_error_line(run(pa_home, "import", str(tmp_path / "nope.xml")), "no such file")
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\nworld\n")
    one_error_line(run(pa_home, "import", str(junk)), "unknown format", "nothing imported")
    one_error_line(run(pa_home, "import", str(SHARED_MT940 / "self-provided_details_60-63.sta"), "--account",
                       "DE02120300000000202051"), "is for account DE20123456781020304050")
    one_error_line(run(pa_home, "import", str(f), "--account", "DE00123"), "not a valid IBAN")
    one_error_line(run(pa_home, "import", str(SHARED_MT940 / "betterplace_sepa_snippet_broken.sta")), "nothing imported")
    bal = run(pa_home, "balance")
    assert bal.returncode == 0 and len(bal.stdout.strip().splitlines()) == 3  # the file holds 3 accounts
