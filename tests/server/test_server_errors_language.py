"""The server's own refusals in the client's language (Accept-Language, app/server/api_language.py): the request
guard's 400 and 413 (answered before a route runs), and the token and sign-in errors (401, 403), each in German
and English on the live server; none is a 5xx or names a setting. The 429 of the sign-in limit:
tests/server/test_limits.py."""

from __future__ import annotations

import json
import socket

import pytest

from tests.foundation.test_user_messages import FORBIDDEN
from tests.server.live import LiveServer

pytestmark = pytest.mark.integration
LANGS = {"de": "de-DE,de;q=0.9", "en": "en"}


def _raw(server: LiveServer, head: str) -> tuple[int, str]:
    """Send a request head as it is (no body) and read the answer: its status and detail."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as conn:
        conn.sendall(head.encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    body = rest.partition(b"\r\n\r\n")[2]
    return int(status_line.split()[1]), json.loads(body)["detail"]


def _said(status: int, detail: str, want: int) -> str:
    assert status == want, (status, detail)
    bad = [what for what, pattern in FORBIDDEN if pattern.search(detail)]
    assert not bad, (detail, bad)
    return detail


def test_the_request_guards_refusals_in_the_clients_language(live_server: LiveServer) -> None:
    got: dict[str, list[str]] = {}
    for lang, header in LANGS.items():
        head = f"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: {header}\r\n" \
               "Content-Type: application/json\r\n"
        too_long = _said(*_raw(live_server, head + "Content-Length: 1000000000000000000\r\n\r\n"), 400)
        too_large = _said(*_raw(live_server, head + "Content-Length: 9000\r\n\r\n"), 413)
        r = live_server.http().post("/api/v1/auth/login", content=b'{"username": "\\ud800", "password": "x"}',
                                    headers={"Content-Type": "application/json", "Accept-Language": header})
        surrogate = _said(r.status_code, r.json()["detail"], 400)
        got[lang] = [too_long, too_large, surrogate]
    assert got["en"] == ["bad Content-Length", "request body too large: at most 8 KB",
                         "text must be valid Unicode (a lone surrogate such as \\ud800 is not)"]
    assert got["de"] == ["ungültige Content-Length", "Anfrage zu groß: höchstens 8 KB",
                         "Text muss gültiges Unicode sein (ein einzelnes Surrogat wie \\ud800 ist es nicht)"]


def test_token_and_sign_in_errors_in_the_clients_language(live_server: LiveServer) -> None:
    member = live_server.new_client("member")  # not the household's admin
    http = live_server.http()
    got: dict[str, list[str]] = {}
    for lang, header in LANGS.items():
        h = {"Accept-Language": header}
        said = []
        # the guard (a signed-in route with a body): no token, a bad token
        r = http.post("/api/v1/turns/text", json={"text": "hi"}, headers=h)
        said.append(_said(r.status_code, r.json()["detail"], 401))
        r = http.post("/api/v1/turns/text", json={"text": "hi"}, headers={**h, "Authorization": "Bearer nope"})
        said.append(_said(r.status_code, r.json()["detail"], 401))
        # the route's sign-in check and the token refresh
        r = http.get("/api/v1/auth/me", headers={**h, "Authorization": "Bearer nope"})
        said.append(_said(r.status_code, r.json()["detail"], 401))
        r = http.post("/api/v1/auth/refresh", json={"refresh_token": "nope"}, headers=h)
        said.append(_said(r.status_code, r.json()["detail"], 401))
        # signed in, but not allowed
        r = member.post("/api/v1/connected-accounts", json={"kind": "caldav", "name": "x"}, headers=h)
        said.append(_said(r.status_code, r.json()["detail"], 403))
        got[lang] = said
    assert got["en"] == ["not signed in", "invalid token", "invalid token", "invalid token",
                         "only the household's admin can change the connected accounts"]
    assert got["de"] == ["nicht angemeldet", "ungültiges Token", "ungültiges Token", "ungültiges Token",
                         "nur der Admin des Haushalts kann die verbundenen Konten ändern"]
