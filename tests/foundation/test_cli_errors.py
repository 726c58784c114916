"""Issue 17, finding 7: whatever a careless user gives the CLI (bad arguments, a broken home, a wrong
database address, bad TLS files, no keyring password) ends in one line on stderr and a non-zero
exit, never a traceback; and nothing is made where the user did not ask for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def run(home: Path, *args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    full = {**base, "PA_HOME": str(home), "PA_KEYRING_PASSWORD": "cli-errors", "PA_TIMEZONE": "Europe/Berlin",
            **(env or {})}
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT, env=full, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def one_line_failure(res: subprocess.CompletedProcess[bytes], *words: str) -> str:
    err = res.stderr.decode("utf-8", "replace")
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert res.returncode != 0, (res.returncode, err, res.stdout)
    assert "Traceback" not in err and len(lines) == 1, err[-3000:]
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, Path, Path]:
    from tests.servers.tls_cert import self_signed_cert

    cert = self_signed_cert()
    other = tmp_path / "other-key.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(other), "2048"], capture_output=True, check=True)
    return cert.cert, cert.key, other


def test_invalid_utf8_in_an_argument(tmp_path: Path) -> None:
    one_line_failure(run(tmp_path / "h", "ask", b"\xff\xfe hello"), "UTF-8")


def test_a_huge_timer_is_a_spoken_answer(tmp_path: Path) -> None:
    res = run(tmp_path / "h", "ask", "set a timer for 99999999999 hours")
    assert res.returncode == 0 and b"Traceback" not in res.stderr, res.stderr[-2000:]
    assert b"7 days" in res.stdout


def test_config_file_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "h" / "config" / "config.toml").mkdir(parents=True)
    one_line_failure(run(tmp_path / "h", "ask", "what time is it"), "config.toml")


def test_home_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "h").write_text("not a folder")
    one_line_failure(run(tmp_path / "h", "ask", "what time is it"), str(tmp_path / "h"))


@pytest.mark.parametrize("command", [("ask", "what time is it"), ("serve", "--port", "1")])
@pytest.mark.parametrize(("url", "words"), [
    ("postgresql+psycopg://someone:pw@127.0.0.1:1/nothing", ("database", "refused")),
    ("nosuchdb://x/y", ("database",)),
    ("::: not a url", ("database",)),
    ("CORRUPT", ("database", "not a database")),
])
def test_a_bad_database_address(tmp_path: Path, command: tuple[str, ...], url: str, words: tuple[str, ...]) -> None:
    if url == "CORRUPT":
        bad = tmp_path / "corrupt.sqlite3"
        bad.write_bytes(os.urandom(8192))
        url = f"sqlite:///{bad}"
    line = one_line_failure(run(tmp_path / "h", *command, env={"PA_DATABASE_URL": url}), *words)
    assert ":pw@" not in line


def test_a_sqlite_file_in_a_missing_folder_is_refused_not_made(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/dir/x.db"
    one_line_failure(run(tmp_path / "h", "ask", "what time is it", env={"PA_DATABASE_URL": url}), "does not exist")
    assert not (tmp_path / "no").exists()


def test_meeting_audio_into_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "clip.wav"
    one_line_failure(run(tmp_path / "h", "meeting", "play", "m1", "--output", str(out)), "does not exist")


@pytest.mark.parametrize("key", ["empty", "missing", "other"])
def test_serve_with_a_bad_tls_key(tmp_path: Path, tls: tuple[Path, Path, Path], key: str) -> None:
    cert, _good, other = tls
    keyfile = {"empty": tmp_path / "empty.pem", "missing": tmp_path / "missing.pem", "other": other}[key]
    if key == "empty":
        keyfile.write_text("")
    env = {"PA_SERVER__TLS_CERTFILE": str(cert), "PA_SERVER__TLS_KEYFILE": str(keyfile)}
    one_line_failure(run(tmp_path / "h", "serve", "--port", "1", env=env), "TLS")


def test_serve_without_the_keyring_password_and_no_os_keyring(tmp_path: Path) -> None:
    one_line_failure(run(tmp_path / "h", "serve", "--port", "1", env={"PA_KEYRING_PASSWORD": ""}), "keyring")


@pytest.mark.parametrize(("args", "field"), [(("--kind", "imap"), "kind"), (("--port", "99999"), "port")])
def test_accounts_add_with_a_bad_value_names_the_field(tmp_path: Path, args: tuple[str, ...], field: str) -> None:
    res = run(tmp_path / "h", "accounts", "add", "box", *args, "--no-secret")
    line = one_line_failure(res, f"{field}:")
    assert "errors.pydantic.dev" not in line


def test_control_characters_in_a_stored_note_do_not_reach_the_terminal(tmp_path: Path) -> None:
    home = tmp_path / "h"
    stored = run(home, "ask", "remember that \x1b]0;pwned\x07 the door code is 42")
    assert stored.returncode == 0, stored.stderr[-2000:]
    res = run(home, "ask", "what do you remember")
    assert res.returncode == 0 and b"door code is 42" in res.stdout, res.stdout
    assert b"\x1b" not in res.stdout and b"\x07" not in res.stdout  # shown as \\x1b, not sent raw


def test_say_refuses_a_text_above_its_limit_in_one_line(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "app.cli.main", "say", "-", "-o", str(tmp_path / "x.wav")],
                         cwd=ROOT, input=("All work and no play. " * 4400).encode(), capture_output=True, timeout=60,
                         env={**{k: v for k, v in os.environ.items() if not k.startswith("PA_")},
                              "PA_HOME": str(tmp_path / "h"), "PA_KEYRING_PASSWORD": "cli-errors"})
    line = one_line_failure(res, "too long", "10,000")
    assert "96,800" in line and not (tmp_path / "x.wav").exists()
