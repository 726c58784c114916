"""The ``mastodon-mock`` package (a stateful Mastodon API server: FastAPI + SQLite) run as its own process
on a free loopback port, seeded with the user (``me``) and two others who mention, reply and post.

Rate limits (429 with Retry-After) and 5xx come from the mock's own fault-injection control plane
(``POST /api/v1/_mock/faults``): ``MastodonServer.fault`` adds a rule for the next N matching requests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.base import announce, free_port, stop_process_group, unavailable, wait_for_port

USERS = {"me": "me_token_0001", "bob": "bob_token_0002", "carol": "carol_token_0003"}
_CONFIG = """
domain = "127.0.0.1:{port}"
url_scheme = "http"
[faults]
enabled = true
[seed]
accounts = [
  {{ username = "me", display_name = "Me Myself", access_token = "{me}" }},
  {{ username = "bob", display_name = "Bob Baker", access_token = "{bob}" }},
  {{ username = "carol", display_name = "Carol Chen", access_token = "{carol}" }},
]
follows = [
  {{ follower = "me", following = "bob" }},
  {{ follower = "me", following = "carol" }},
]
"""


@dataclass
class MastodonServer:
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, user: str = "me") -> str:
        return USERS[user]

    def client(self, user: str = "me") -> Any:
        from mastodon import Mastodon

        return Mastodon(access_token=USERS[user], api_base_url=self.base_url, version_check_mode="none",
                        ratelimit_method="throw")

    def fault(self, path: str, effect: dict[str, Any], count: int = 1, methods: tuple[str, ...] = ("POST",)) -> None:
        """The next ``count`` requests to ``path`` answered by ``effect`` (e.g. {"type": "ratelimit",
        "headers": {"Retry-After": "1"}} or {"type": "status", "status": 503})."""
        r = httpx.post(f"{self.base_url}/api/v1/_mock/faults", timeout=10,
                       json={"match": {"methods": list(methods), "path": path}, "effect": effect, "count": count})
        r.raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.base_url}/api/v1/_mock/faults", timeout=10).raise_for_status()

    def statuses(self, user: str = "me") -> list[dict[str, Any]]:
        """The user's statuses as the server has them (newest first)."""
        c = self.client(user)
        return [dict(s) for s in c.account_statuses(c.account_verify_credentials()["id"], limit=40)]


def start_mastodon(folder: Path) -> MastodonServer:
    """mastodon-mock in its own process group on a free port (its config and log in ``folder``)."""
    binary = shutil.which("mastodon_mock") or str(Path(sys.executable).with_name("mastodon_mock"))
    if not Path(binary).exists():
        unavailable("the mastodon-mock package is not installed (pip install mastodon-mock)")
    port = free_port()
    cfg = folder / "mastodon_mock.toml"
    cfg.write_text(_CONFIG.format(port=port, **USERS))
    with (folder / "server.log").open("wb") as log:
        proc = subprocess.Popen([binary, "serve", "--config", str(cfg), "--host", "127.0.0.1", "--port", str(port),
                                 "--in-memory", "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=folder)
    try:
        wait_for_port(port, timeout=60, proc=proc)
    except Exception:
        stop_process_group(proc)
        raise
    return MastodonServer(port=port, proc=proc)


@pytest.fixture(scope="session")
def mastodon_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MastodonServer]:
    server = start_mastodon(tmp_path_factory.mktemp("mastodon"))
    announce("Mastodon API (mastodon-mock)", server.base_url)
    try:
        yield server
    finally:
        stop_process_group(server.proc)


def authorize_in_browser(url: str, user: str = "me") -> str:
    """What the user does on the server's authorize page: allow access as ``user`` (mastodon-mock's account
    picker for the out-of-band redirect) and read the code the page shows."""
    import re
    from html import unescape

    page = httpx.get(url, timeout=10)
    page.raise_for_status()
    form = {k: unescape(v) for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text)}
    assert form["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob", form
    shown = httpx.post(f"{url.split('/oauth/')[0]}/oauth/authorize", data={**form, "username": user}, timeout=10)
    found = re.search(r"Authorization code: (\S+?)<", shown.text)
    assert found, shown.text
    return found.group(1)
