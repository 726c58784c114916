"""The home server answers its error details in the client's language (Accept-Language), and RemoteEngine
sends the phone's: a German phone reads German refusals from the live server."""

from __future__ import annotations

import asyncio

import pytest

from app.engine import EngineError
from app.engine.remote import RemoteEngine
from app.server.api_language import accepted_language
from tests.server.live import PASSWORD, LiveServer


@pytest.mark.unit
@pytest.mark.parametrize(("header", "lang"), [
    ("de-DE,de;q=0.9,en;q=0.8", "de"), ("en-US,en;q=0.9,de;q=0.8", "en"), ("fr, de;q=0.5", "de"),
    ("en;q=0.2, de;q=0.8", "de"), ("de;q=0, en", "en"), ("de;q=abc", None), ("*", None), ("", None), (None, None),
    ("DE", "de"), ("de_AT", "de"),
])
def test_the_accepted_language(header: str | None, lang: str | None) -> None:
    assert accepted_language(header) == lang


@pytest.mark.integration
def test_error_details_in_the_requests_language(live_server: LiveServer) -> None:
    c = live_server.new_client()
    de, en = {"Accept-Language": "de-DE,de;q=0.9"}, {"Accept-Language": "en"}
    # a route's own words
    assert c.post("/api/v1/approvals/999999/approve", headers=de).json()["detail"] == "keine solche Freigabe"
    assert c.post("/api/v1/approvals/999999/approve", headers=en).json()["detail"] == "no such approval"
    # an error from below the server (a bilingual timer error) passed on
    r = c.post("/api/v1/timers/timer-999999/cancel", headers=de)
    assert (r.status_code, r.json()["detail"]) == (404, "kein Timer 'timer-999999'")
    # a request the schema refuses: the frame in German (pydantic's reason stays English)
    r = c.post("/api/v1/turns/text", json={}, headers=de)
    assert r.status_code == 422 and r.json()["detail"].startswith("ungültige Anfrage: text: ")
    # no language we speak: the server's own (English here)
    r = c.post("/api/v1/approvals/999999/approve", headers={"Accept-Language": "fr"})
    assert r.json()["detail"] == "no such approval"


@pytest.mark.integration
def test_a_german_phone_reads_the_servers_refusals_in_german(live_server: LiveServer) -> None:
    name = live_server.add_user()

    async def run() -> list[str]:
        said: list[str] = []
        try:
            await RemoteEngine.sign_in(live_server.url, name, "not the password", "pixel", language="de")
        except EngineError as exc:
            said.append(str(exc))
        eng = await RemoteEngine.sign_in(live_server.url, name, PASSWORD, "pixel", language="de")
        try:
            for call in (eng.decide(999999, True), eng.delete_path("/devices/999999")):
                try:
                    await call
                except EngineError as exc:
                    said.append(str(exc))
            await eng.info()  # the server's language (English here) from now on
            try:
                await eng.delete_path("/devices/999999")
            except EngineError as exc:
                said.append(str(exc))
        finally:
            await eng.close()
        return said

    assert asyncio.run(run()) == ["falscher Benutzername oder falsches Passwort", "keine solche Freigabe",
                                  "kein solches Gerät", "no such device"]
