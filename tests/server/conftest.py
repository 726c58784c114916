"""The live home server used by the server tests (one per session), with a real CalDAV account
(Radicale) so that approvals can be made and carried out end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.server.live import LiveServer, as_home, start_server, stop_server
from tests.servers.oauth import OAuthServer
from tests.servers.radicale import RadicaleServer

WA_ACCOUNT, WA_APP_SECRET, WA_VERIFY_TOKEN = "wa", "meta-app-secret", "my-verify-token"


def _server_env(models_dir: Path) -> dict[str, str]:
    return {"PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin"}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path,
                radicale_server: RadicaleServer, oauth_server: OAuthServer) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("server-home")
    cal_user = radicale_server.add_user()
    radicale_server.seed_calendar(cal_user, "personal", [], display_name="Personal")
    with as_home(home):
        from app.cli.main import cli

        res = CliRunner().invoke(cli, ["accounts", "add", "cal", "--kind", "caldav", "--username", cal_user.name,
                                       "-o", f"url={radicale_server.url}", "--password-stdin"],
                                 input=cal_user.password + "\n")
        assert res.exit_code == 0, res.output
        # a WhatsApp account whose webhook Meta would call (secrets through the CLI, into the keyring)
        res = CliRunner().invoke(cli, ["accounts", "add", WA_ACCOUNT, "--kind", "whatsapp",
                                       "-o", "phone_number_id=106540352242922", "--password-stdin"],
                                 input="wa-access-token\n")
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(cli, ["accounts", "webhook", WA_ACCOUNT, "--secrets-stdin"],
                                 input=f"{WA_APP_SECRET}\n{WA_VERIFY_TOKEN}\n")
        assert res.exit_code == 0, res.output
    # the app registered for Microsoft sign-in is the local OAuth server's client (a phone signs in through it)
    env = {**_server_env(models_dir), "PA_OAUTH__MICROSOFT_CLIENT_ID": oauth_server.add_client()}
    server = start_server(home, env)
    server.calendar = (radicale_server.url, cal_user.name, cal_user.password)
    yield server
    stop_server(server)
