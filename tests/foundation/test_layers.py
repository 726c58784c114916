"""The layer contracts (``[tool.importlinter]`` in pyproject.toml, run by scripts/test.sh) fail the build
on a back-import: app -> agents | audio -> storage, and only app reads settings and secrets.

The contracts of the real pyproject.toml are copied, unchanged, next to a tiny fake tree of the four
packages in a temp dir; ``lint-imports`` runs there (nothing is written into the source tree)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# a tree that keeps every rule: each layer imports only what is below it
CLEAN = {
    "storage/__init__.py": "",
    "storage/base.py": "class Backend: ...\n",
    "agents/__init__.py": "",
    "agents/llm.py": "from storage.base import Backend\n",
    "audio/__init__.py": "",
    "audio/tts.py": "import storage.base\n",
    "app/__init__.py": "",
    "app/settings.py": "",
    "app/secrets.py": "",
    "app/services.py": "import agents.llm\nimport app.secrets\nimport app.settings\nimport audio.tts\n",
}


def _contracts() -> str:
    """The [tool.importlinter] table of the real pyproject.toml, as its own TOML file."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    lines = ["[tool.importlinter]", f"root_packages = {_toml(cfg['root_packages'])}"]
    lines += [f"{k} = {_toml(v)}" for k, v in cfg.items() if k not in ("root_packages", "contracts")]
    for contract in cfg["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"] + [f"{k} = {_toml(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


def _toml(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lint(tmp_path: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for rel, text in (CLEAN | extra).items():
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
    (tmp_path / "contracts.toml").write_text(_contracts(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(tmp_path)}
    return subprocess.run([str(LINT_IMPORTS), "--config", "contracts.toml", "--no-cache"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_contracts_name_the_four_layers() -> None:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert sorted(cfg["root_packages"]) == ["agents", "app", "audio", "storage"]
    [layers] = [c for c in cfg["contracts"] if c["type"] == "layers"]
    assert layers["layers"] == ["app", "agents | audio", "storage"]


def test_a_tree_that_points_down_passes(tmp_path: Path) -> None:
    res = _lint(tmp_path, {})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 broken" in res.stdout


def test_a_back_import_fails_the_build_and_is_named(tmp_path: Path) -> None:
    res = _lint(tmp_path, {"storage/_probe.py": "import app.settings\n"})
    assert res.returncode != 0, res.stdout + res.stderr
    assert "storage._probe -> app.settings" in res.stdout, res.stdout


# one module per forbidden direction (a TYPE_CHECKING import counts too), all in one run to stay fast
PROBES = {
    "storage/_to_audio.py": ("import audio.tts\n", "storage._to_audio -> audio.tts"),
    "storage/_to_agents.py": ("from agents import llm\n", "storage._to_agents -> agents.llm"),
    "agents/_to_secrets.py": ("from app import secrets\n", "agents._to_secrets -> app.secrets"),
    "agents/_to_services.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import app.services\n",
                               "agents._to_services -> app.services"),
    "agents/_to_audio.py": ("import audio.tts\n", "agents._to_audio -> audio.tts"),
    "audio/_to_agents.py": ("from agents import llm\n", "audio._to_agents -> agents.llm"),
    "audio/_to_settings.py": ("import app.settings\n", "audio._to_settings -> app.settings"),
}


def test_every_forbidden_direction_is_named(tmp_path: Path) -> None:
    res = _lint(tmp_path, {path: code for path, (code, _) in PROBES.items()})
    assert res.returncode != 0, res.stdout + res.stderr
    missing = [violation for _, violation in PROBES.values() if violation not in res.stdout]
    assert not missing, res.stdout
