"""Auth against the live server: sign-in, refresh rotation, sign-out, pairing, rate limiting, and the
negatives (no token, expired, tampered, wrong type) on every protected route of the live schema."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
import pytest
from jwt.utils import base64url_decode, base64url_encode

from tests.server.live import PASSWORD, Client, LiveServer

pytestmark = pytest.mark.integration
ALLOWED_401 = {"not signed in", "invalid token", "token expired"}


def _protected_ops(server: LiveServer) -> list[tuple[str, str]]:
    schema = server.http().get("/api/openapi.json").json()
    ops = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if op.get("security"):
                ops.append((method.upper(), path.replace("{approval_id}", "1").replace("{device_id}", "1")
                            .replace("{audio_id}", "0" * 32).replace("{meeting_id}", "m1")))
    return ops


def test_health_needs_no_token_and_says_nothing_private(live_server: LiveServer) -> None:
    r = live_server.http().get("/api/v1/health")
    assert r.status_code == 200 and r.json() == {"status": "ok", "version": r.json()["version"]}


def test_login_me_and_devices(live_server: LiveServer) -> None:
    c = live_server.new_client("alice")
    me = c.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == c.username
    devs = c.get("/api/v1/devices").json()
    assert [d["name"] for d in devs] == ["test phone"] and devs[0]["current"] is True
    assert c.tokens["token_type"] == "bearer" and c.tokens["refresh_token"] != c.tokens["access_token"]


def test_wrong_password_and_unknown_user_look_the_same(live_server: LiveServer) -> None:
    name = live_server.add_user()
    http = live_server.http()
    bad = http.post("/api/v1/auth/login", json={"username": name, "password": "wrong password!"})
    nobody = http.post("/api/v1/auth/login", json={"username": name + "x", "password": "wrong password!"})
    assert bad.status_code == nobody.status_code == 401
    assert bad.json() == nobody.json() == {"detail": "wrong user name or password"}
    assert "access_token" not in bad.text


def test_login_rate_limit_blocks_even_the_right_password(live_server: LiveServer) -> None:
    name = live_server.add_user()
    http = live_server.http()
    codes = [http.post("/api/v1/auth/login", json={"username": name, "password": f"guess-{i:04d}"}).status_code
             for i in range(5)]
    assert codes == [401] * 5
    r = http.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "access_token" not in r.text
    other = live_server.add_user()  # another account from the same address still works
    assert http.post("/api/v1/auth/login", json={"username": other, "password": PASSWORD}).status_code == 200


def _tampered(token: str) -> str:
    """The same token with another user id in the payload and the original signature."""
    head, body, sig = token.split(".")
    payload = json.loads(base64url_decode(body))
    payload["sub"] = str(int(payload["sub"]) + 1)
    return f"{head}.{base64url_encode(json.dumps(payload).encode()).decode()}.{sig}"


@pytest.mark.parametrize("case", ["none", "garbage", "tampered", "expired", "refresh_as_access", "wrong_key"])
def test_every_protected_route_rejects_bad_tokens(live_server: LiveServer, case: str) -> None:
    c = live_server.new_client()
    access = c.tokens["access_token"]
    claims: dict[str, Any] = jwt.decode(access, live_server.key, algorithms=["HS256"], issuer="personal-agent")
    token = {
        "none": None,
        "garbage": "not.a.jwt",
        "tampered": _tampered(access),
        "expired": jwt.encode({**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600},
                              live_server.key, algorithm="HS256"),
        "refresh_as_access": c.tokens["refresh_token"],
        "wrong_key": jwt.encode(claims, "another-key-another-key-another-key", algorithm="HS256"),
    }[case]
    http = live_server.http()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ops = _protected_ops(live_server)
    assert len(ops) >= 10
    for method, path in ops:
        r = http.request(method, path, headers=headers)
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.json()["detail"] in ALLOWED_401 and r.headers["www-authenticate"] == "Bearer"
    assert c.get("/api/v1/auth/me").status_code == 200  # the real token still works


def test_refresh_rotates_and_a_replayed_refresh_token_signs_the_device_out(live_server: LiveServer) -> None:
    c = live_server.new_client()
    http = live_server.http()
    old = c.tokens["refresh_token"]
    r = http.post("/api/v1/auth/refresh", json={"refresh_token": old})
    assert r.status_code == 200
    new = r.json()
    assert new["refresh_token"] != old and new["device_id"] == c.tokens["device_id"]
    ok = http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert ok.status_code == 200
    replay = http.post("/api/v1/auth/refresh", json={"refresh_token": old})
    assert replay.status_code == 401 and "token" not in replay.json().get("access_token", "")
    # theft detected: the whole device is signed out, including the newest tokens
    assert http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"}).status_code == 401
    assert http.post("/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]}).status_code == 401
    assert http.post("/api/v1/auth/refresh", json={"refresh_token": c.tokens["access_token"]}).status_code == 401


def test_logout_ends_the_device_only(live_server: LiveServer) -> None:
    name = live_server.add_user()
    phone, laptop = live_server.login(name, device="phone"), live_server.login(name, device="laptop")
    assert phone.post("/api/v1/auth/logout").status_code == 204
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert laptop.get("/api/v1/auth/me").status_code == 200
    assert live_server.http().post("/api/v1/auth/refresh",
                                   json={"refresh_token": phone.tokens["refresh_token"]}).status_code == 401


def test_pairing_code_is_one_time_and_signs_in_as_the_user(live_server: LiveServer) -> None:
    desktop = live_server.new_client()
    r = desktop.post("/api/v1/pairing/codes")
    assert r.status_code == 201
    code = r.json()["code"]
    assert len(code.replace("-", "")) == 8
    http = live_server.http()
    claim = http.post("/api/v1/pairing/claim", json={"code": code, "device_name": "Pixel"})
    assert claim.status_code == 200 and claim.json()["user"]["username"] == desktop.username
    again = http.post("/api/v1/pairing/claim", json={"code": code, "device_name": "thief"})
    assert again.status_code == 401 and "access_token" not in again.text
    names = sorted(d["name"] for d in desktop.get("/api/v1/devices").json())
    assert names == ["Pixel", "test phone"]


def test_revoking_devices_is_per_user(live_server: LiveServer) -> None:
    alice, bob = live_server.new_client("alice"), live_server.new_client("bob")
    assert alice.delete(f"/api/v1/devices/{bob.tokens['device_id']}").status_code == 404
    assert bob.get("/api/v1/auth/me").status_code == 200
    second = live_server.login(alice.username, device="old phone")
    assert alice.delete(f"/api/v1/devices/{second.tokens['device_id']}").status_code == 204
    assert second.get("/api/v1/auth/me").status_code == 401
    assert alice.delete("/api/v1/devices/999999").status_code == 404


def test_x_forwarded_for_is_not_trusted_by_default(live_server: LiveServer) -> None:
    """No proxy is configured: a local process that rotates X-Forwarded-For is still one address to
    the limits, and the audit log records where it really connected from."""
    name = live_server.add_user()
    http = live_server.http()
    codes = [http.post("/api/v1/auth/login", json={"username": name, "password": f"guess-{i:04d}"},
                       headers={"X-Forwarded-For": f"203.0.113.{i + 1}"}).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    store = live_server._users()
    try:
        mine = [e for e in store.audit.recent(200, "server.sign_in") if e.target == name]
    finally:
        store.db.dispose()
    assert len(mine) == 5 and all(e.detail == "from 127.0.0.1" for e in mine), [e.detail for e in mine]


@pytest.mark.parametrize("bad", [{"sub": "abc"}, {"sub": "99999999999999999999999"}, {"sub": "-1"},
                                 {"dev": 2**70}, {"dev": -5}, {"dev": "x"}, {"sub": 7}])
def test_a_signed_token_with_odd_ids_is_401_not_500(live_server: LiveServer, bad: dict[str, Any]) -> None:
    """Claims the server never issues (only someone with the key could sign them) still get a 401."""
    c = live_server.new_client()
    http = live_server.http()
    for typ in ("access", "refresh"):
        claims = jwt.decode(c.tokens[f"{typ}_token"], live_server.key, algorithms=["HS256"], issuer="personal-agent")
        token = jwt.encode({**claims, **bad}, live_server.key, algorithm="HS256")
        if typ == "access":
            r = http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            posted = http.post("/api/v1/turns/text", json={"text": "hi"}, headers={"Authorization": f"Bearer {token}"})
            assert posted.status_code == 401, posted.text
        else:
            r = http.post("/api/v1/auth/refresh", json={"refresh_token": token})
        assert r.status_code == 401 and r.json()["detail"] == "invalid token", (typ, r.status_code, r.text)


def test_a_lone_surrogate_in_a_json_string_is_400_not_500(live_server: LiveServer) -> None:
    c = live_server.new_client()
    http = live_server.http()
    json_headers = {"Content-Type": "application/json"}
    cases: list[tuple[httpx.Client | Client, str, str]] = [(http, "/api/v1/auth/login", '{"username": "\\ud800", "password": "x"}'),
             (http, "/api/v1/auth/login", '{"username": 5, "password": "\\udfff"}'),
             (http, "/api/v1/pairing/claim", '{"code": "1234\\ud800"}'),
             (c, "/api/v1/turns/text", '{"text": "hello \\ud83d"}')]
    for client, path, body in cases:
        r = client.post(path, content=body.encode(), headers=json_headers)
        assert r.status_code == 400 and "Unicode" in r.json()["detail"], (path, r.status_code, r.text)
    ok = c.post("/api/v1/turns/text", content=b'{"text": "what time is it \\ud83d\\ude00"}', headers=json_headers)
    assert ok.status_code == 200  # a surrogate pair (an emoji) is fine


def test_no_page_loads_anything_from_a_cdn_by_default(live_server: LiveServer) -> None:
    http = live_server.http()
    assert http.get("/api/docs").status_code == 404
    assert http.get("/api/redoc").status_code == 404
    assert http.get("/api/openapi.json").status_code == 200
