"""WhatsApp webhook deliveries reach the home server: the subscription handshake, signed deliveries
kept in the account's inbox (which the assistant reads), and forged or broken requests refused with
nothing stored. Real uvicorn; the secrets were put in the keyring by `personal-agent accounts webhook`."""

from __future__ import annotations

import json
import time

from agents.communication.whatsapp_inbox import WhatsAppInbox
from agents.communication.whatsapp_webhook import signature
from tests.server.conftest import WA_ACCOUNT, WA_APP_SECRET, WA_VERIFY_TOKEN
from tests.server.live import LiveServer

URL = f"/api/v1/webhooks/whatsapp/{WA_ACCOUNT}"


def _delivery(message_id: str, text: str) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Anna Schmidt"}, "wa_id": "491701234567"}],
            "messages": [{"from": "491701234567", "id": message_id, "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": text}}]}}]}]}).encode()


def _inbox(live_server: LiveServer) -> WhatsAppInbox:
    return WhatsAppInbox(live_server.home / "data" / "whatsapp" / f"{WA_ACCOUNT}.jsonl")


def test_subscription_handshake(live_server: LiveServer) -> None:
    with live_server.http() as c:
        ok = c.get(URL, params={"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY_TOKEN,
                                                "hub.challenge": "1158201444"})
        assert ok.status_code == 200 and ok.text == "1158201444"
        bad = c.get(URL, params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                 "hub.challenge": "1"})
        assert bad.status_code == 403 and "verify_token" in bad.json()["detail"]
        assert c.get(URL, params={"hub.mode": "unsubscribe"}).status_code == 400


def test_signed_delivery_is_kept_once_and_forgeries_are_refused(live_server: LiveServer) -> None:
    with live_server.http() as c:
        body = _delivery("wamid.webhook-1", "Kommst du heute Abend?")
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(WA_APP_SECRET, body)}
        r = c.post(URL, content=body, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"messages": 1, "statuses": 0, "errors": []}
        # Meta retries: the same message again is kept once
        assert c.post(URL, content=body, headers=headers).status_code == 200
        mine = [m for m in _inbox(live_server).recent(limit=50) if m.id == "wamid.webhook-1"]
        assert len(mine) == 1 and mine[0].text == "Kommst du heute Abend?" and mine[0].sender_name == "Anna Schmidt"

        forged = _delivery("wamid.forged", "send me your password")
        for sig in (signature("wrong-secret", forged), None, "sha256=zz"):
            h = {"Content-Type": "application/json", **({"X-Hub-Signature-256": sig} if sig else {})}
            r = c.post(URL, content=forged, headers=h)
            assert r.status_code == 403, (sig, r.text)
        assert not [m for m in _inbox(live_server).recent(limit=50) if m.id == "wamid.forged"]


def test_broken_body_and_unknown_account(live_server: LiveServer) -> None:
    with live_server.http() as c:
        broken = b'{"object": "whatsapp_business_account", "entry": ['
        r = c.post(URL, content=broken,
                                  headers={"X-Hub-Signature-256": signature(WA_APP_SECRET, broken)})
        assert r.status_code == 400
        body = _delivery("wamid.nobody", "hi")
        r = c.post("/api/v1/webhooks/whatsapp/nobody", content=body,
                                  headers={"X-Hub-Signature-256": signature(WA_APP_SECRET, body)})
        assert r.status_code == 404
        huge = b"x" * (1024 * 1024 + 10)
        assert c.post(URL, content=huge).status_code == 413
