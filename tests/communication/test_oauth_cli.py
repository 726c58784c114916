"""`personal-agent accounts add --oauth`, `accounts test`, `doctor` and `accounts signin` (the command run
in-process: a console-script start costs seconds on a loaded machine) against the local OAuth server,
Dovecot and the SMTP server. The system browser is the one stand-in: ``webbrowser.open`` fills in the login
and consent pages over HTTP and follows the redirect to the command's loopback listener (the Playwright
test drives the same pages in Chromium)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app.cli import common
from app.cli.main import cli
from tests.servers.dovecot import DovecotServer
from tests.servers.oauth import OAuthServer
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration
runner = CliRunner()


def run(*args: str) -> Result:
    common.reset()
    return runner.invoke(cli, list(args))


def _one_line(res: Result) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output  # no traceback
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(key, raising=False)


def test_bad_sign_in_input_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_OAUTH__MICROSOFT_CLIENT_ID", "x")
    base = ("accounts", "add", "work", "--kind", "mail", "--username", "me@example.test")
    assert "--provider" in _one_line(res := run(*base, "--oauth")) and res.exit_code == 2
    assert "google or microsoft" in _one_line(res := run(*base, "--oauth", "--provider", "yahoo"))
    assert res.exit_code == 2
    assert "--oauth" in _one_line(res := run(*base, "--provider", "google")) and res.exit_code == 2
    res = run(*base, "--oauth", "--provider", "google")  # no app registered with Google
    assert "client id" in _one_line(res) and res.exit_code == 2 and "PA_" not in res.stderr
    res = run("accounts", "add", "box", "--kind", "smb", "--oauth", "--provider", "microsoft", "--username", "me")
    assert "mail and caldav" in _one_line(res) and res.exit_code == 2
    res = run("accounts", "signin", "nobody")
    assert "no account" in _one_line(res) and res.exit_code == 2


def test_sign_in_test_doctor_revoke_and_sign_in_again(
        pa_home: Path, monkeypatch: pytest.MonkeyPatch, no_display: None, oauth_server: OAuthServer,
        dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    dovecot_server.enable_oauth2(oauth_server.endpoint("introspect"))
    smtp_server.enable_oauth2(oauth_server.endpoint("introspect"))
    user = dovecot_server.add_user("cli")
    password = oauth_server.add_user(user.name)
    monkeypatch.setenv("PA_OAUTH__MICROSOFT_CLIENT_ID", oauth_server.add_client())
    monkeypatch.setenv("DISPLAY", ":0")  # a desktop: the browser sign-in
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        return oauth_server.browse_sign_in(url, user.name, password) == 200

    monkeypatch.setattr("webbrowser.open", browser)
    res = run("accounts", "add", "work", "--kind", "mail", "--oauth", "--provider", "microsoft",
              "--username", user.name, "--host", "127.0.0.1", "--port", str(dovecot_server.imaps_port),
              "-o", "smtp_host=127.0.0.1", "-o", f"smtp_port={smtp_server.port}",
              "-o", f"ca_file={dovecot_server.cert.cert}", "-o", f"address={user.address}",
              "-o", f"oauth_issuer={oauth_server.issuer}")
    assert res.exit_code == 0, res.output
    assert len(opened) == 1 and "code_challenge=" in opened[0] and "redirect_uri=http%3A%2F%2F127.0.0.1" in opened[0]
    assert "signed in with Microsoft" in res.stdout and "IMAP.AccessAsUser.All" in res.stdout

    res = run("accounts", "test", "work")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("ok: signed in: access valid until ") and "refresh ok" in res.stdout
    assert "SMTP.Send" in res.stdout and "login ok" in res.stdout

    res = run("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(res.stdout)["checks"]}
    assert checks["account mail:work"]["status"] == "ok", checks["account mail:work"]
    assert "valid until" in checks["account mail:work"]["detail"]

    # secrets scan: no token the server issued is in any file the app wrote (database, WAL, logs, config)
    issued = [t for t, v in oauth_server.tokens.items() if v.grant.username == user.name]
    assert len(issued) >= 3  # the refresh token and the access tokens of sign-in, test and doctor
    files = [f for f in pa_home.rglob("*") if f.is_file()]
    assert any(f.name.endswith(".sqlite3") for f in files)
    for f in files:
        data = f.read_bytes()
        for token in issued:
            assert token.encode() not in data, f"a token is in {f}"
    assert not any(token in res.output for token in issued)

    # the grant is withdrawn at the provider: one sentence, exit 1, "sign in again"
    oauth_server.revoke_user(user.name)
    res = run("accounts", "test", "work")
    assert res.exit_code == 1 and res.stdout.count("\n") == 1 and "sign in again" in res.stdout

    # sign in again on another device (a headless machine: the device code), then the account works again
    monkeypatch.delenv("DISPLAY")

    def approve() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pending = [d for d in list(oauth_server.devices.values()) if d.grant is None and not d.denied]
            if pending:
                oauth_server.approve_device(pending[-1].user_code, user.name, password)
                return
            time.sleep(0.2)

    helper = threading.Thread(target=approve, daemon=True)
    helper.start()
    res = run("accounts", "signin", "work")
    helper.join(60)
    assert res.exit_code == 0, res.output
    assert "enter the code" in res.stdout and "/device" in res.stdout and "signed in again" in res.stdout
    res = run("accounts", "test", "work")
    assert res.exit_code == 0 and "login ok" in res.stdout, res.output
