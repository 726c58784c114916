"""WhatsApp Cloud API client against the local API server (tests/servers/whatsapp.py), webhook
parsing and signatures, the inbox, and building the client from an account record."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agents.communication.models import WhatsAppConfig
from agents.communication.whatsapp import WhatsAppClient, WhatsAppError
from agents.communication.whatsapp_inbox import WhatsAppInbox
from agents.communication.whatsapp_webhook import (
    WebhookError,
    WebhookReceiver,
    WebhookSignatureError,
    parse_webhook,
    verify_signature,
    verify_subscription,
)
from agents.deps import MessagingService, ServiceError
from app.wiring.communication import build_whatsapp, store_webhook_secrets, webhook_receiver
from tests.servers.base import free_port
from tests.servers.whatsapp import WhatsAppServer, message_webhook, sign, status_webhook

ANNA = "4917012345678"
TS = 1767261600  # 2026-01-01 10:00 UTC


@pytest.fixture
def wa(whatsapp_server: WhatsAppServer) -> Iterator[WhatsAppServer]:
    whatsapp_server.reset()
    yield whatsapp_server
    whatsapp_server.reset()


def client(server: WhatsAppServer, *, token: str | None = None, phone_number_id: str | None = None,
           timeout: float = 5.0, inbox: WhatsAppInbox | None = None) -> WhatsAppClient:
    cfg = WhatsAppConfig(phone_number_id=phone_number_id or server.phone_number_id, base_url=server.base_url,
                         api_version="v21.0", timeout_s=timeout)
    return WhatsAppClient(cfg, token or server.token, inbox=inbox,
                          contacts={"Anna Schmidt": "+49 170 1234 5678", "Tom": "+4915112345678"})


# --- sending ----------------------------------------------------------------------------------------
@pytest.mark.integration
def test_send_text_uses_the_documented_request_and_returns_the_message_id(wa: WhatsAppServer) -> None:
    with client(wa) as c:
        assert isinstance(c, MessagingService)
        res = c.send_message("Anna", "I'll be 10 minutes late, sorry!")
    assert res.ok and res.id is not None and res.id.startswith("wamid.")
    [req] = wa.requests
    assert req.method == "POST" and req.path == f"/v21.0/{wa.phone_number_id}/messages"
    assert req.headers["authorization"] == f"Bearer {wa.token}"
    assert req.json() == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": ANNA,
                          "type": "text", "text": {"preview_url": False, "body": "I'll be 10 minutes late, sorry!"}}
    assert [m["id"] for m in wa.accepted] == [res.id]


@pytest.mark.integration
@pytest.mark.parametrize(("to", "wa_id"), [("Anna Schmidt", ANNA), ("anna", ANNA), ("tom", "4915112345678"),
                                           ("+44 (20) 7946-0018", "442079460018"), ("0044 20 7946 0018", "442079460018")])
def test_recipient_by_contact_name_or_international_number(wa: WhatsAppServer, to: str, wa_id: str) -> None:
    with client(wa) as c:
        sent = c.send_text(to, "hi")
    assert sent.to == wa_id and wa.requests[-1].json()["to"] == wa_id


@pytest.mark.integration
def test_template_message_with_parameters(wa: WhatsAppServer) -> None:
    with client(wa) as c:
        sent = c.send_template("Tom", "running_late", "en_US", ["15 minutes"])
        hello = c.send_template("Tom", "hello_world")
    assert sent.message_id != hello.message_id
    body = wa.requests[0].json()
    assert body["type"] == "template" and body["template"] == {
        "name": "running_late", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "15 minutes"}]}]}
    assert "components" not in wa.requests[1].json()["template"]


@pytest.mark.integration
def test_unknown_template_and_wrong_parameter_count_are_refused(wa: WhatsAppServer) -> None:
    with client(wa) as c:
        with pytest.raises(WhatsAppError, match="132001") as missing:
            c.send_template("Tom", "no_such_template")
        with pytest.raises(WhatsAppError, match="132000") as count:
            c.send_template("Tom", "running_late", params=[])
    assert missing.value.kind == count.value.kind == "template"
    assert missing.value.http_status == 404 and missing.value.sent is False
    assert wa.accepted == []


@pytest.mark.integration
def test_invalid_token_gives_code_190_without_leaking_the_token(wa: WhatsAppServer) -> None:
    bad = "EAAG-wrong-token-123"
    with client(wa, token=bad) as c, pytest.raises(WhatsAppError) as exc:
        c.send_text("Anna", "hello")
    err = exc.value
    assert (err.kind, err.code, err.http_status, err.sent) == ("auth", 190, 401, False)
    assert "access token" in str(err) and "nothing was sent" in str(err) and bad not in str(err)
    assert wa.accepted == []


@pytest.mark.integration
def test_invalid_parameter_code_100_is_reported(wa: WhatsAppServer) -> None:
    with client(wa, phone_number_id="999999") as c, pytest.raises(WhatsAppError) as exc:
        c.send_text("Anna", "hello")
    assert (exc.value.kind, exc.value.code, exc.value.http_status) == ("invalid", 100, 400)
    assert "999999" in str(exc.value)


@pytest.mark.integration
@pytest.mark.parametrize(("failure", "code", "status", "kind"), [
    ("rate_limit", 130429, 429, "rate_limit"), ("pair_rate_limit", 131056, 429, "rate_limit"),
    ("server_error", 131000, 500, "server"), ("unavailable", 2, 503, "server")])
def test_rate_limits_and_server_errors_are_clear_and_not_retried(wa: WhatsAppServer, failure: str, code: int,
                                                                 status: int, kind: str) -> None:
    wa.fail_next.append(failure)  # type: ignore[arg-type]
    with client(wa) as c:
        with pytest.raises(WhatsAppError) as exc:
            c.send_text("Anna", "are you there?")
        assert (exc.value.kind, exc.value.code, exc.value.http_status) == (kind, code, status)
        assert "nothing was sent" in str(exc.value) and exc.value.sent is False
        assert len(wa.requests) == 1 and wa.accepted == []  # no automatic retry
        assert c.send_message("Anna", "are you there?").ok  # the same client works afterwards
        wa.fail_next.append(failure)  # type: ignore[arg-type]
        res = c.send_message("Anna", "are you there?")  # the MessagingService call reports instead of raising
        assert not res.ok and res.id is None and res.detail == str(exc.value)
    assert len(wa.accepted) == 1


@pytest.mark.integration
def test_dropped_connection_after_sending_is_unknown_outcome_and_never_resent(wa: WhatsAppServer) -> None:
    wa.fail_next.append("drop")
    with client(wa) as c, pytest.raises(WhatsAppError) as exc:
        c.send_text("Anna", "once only")
    assert exc.value.kind == "unknown_outcome" and exc.value.sent is None
    assert "may or may not" in str(exc.value) and "not retried" in str(exc.value)
    assert len(wa.requests) == 1


@pytest.mark.integration
def test_slow_server_times_out(wa: WhatsAppServer) -> None:
    wa.slow_s = 1.5
    wa.fail_next.append("slow")
    t0 = time.monotonic()
    with client(wa, timeout=0.4) as c, pytest.raises(WhatsAppError) as exc:
        c.send_text("Anna", "hello")
    assert exc.value.kind == "unknown_outcome" and "timed out" in str(exc.value)
    assert time.monotonic() - t0 < 1.4 and len(wa.requests) == 1


def test_server_down_is_a_clear_error() -> None:
    cfg = WhatsAppConfig(phone_number_id="1", base_url=f"http://127.0.0.1:{free_port()}", timeout_s=2)
    with WhatsAppClient(cfg, "token") as c, pytest.raises(WhatsAppError) as exc:
        c.send_text("+4917012345678", "hello")
    assert exc.value.kind == "unreachable" and "cannot reach WhatsApp" in str(exc.value)
    assert "nothing was sent" in str(exc.value)


@pytest.mark.integration
@pytest.mark.parametrize(("to", "text", "match"), [
    ("Anna", "   ", "empty"), ("Anna", "x" * 4097, "4096"), ("Bob", "hi", "don't know a WhatsApp number for 'Bob'"),
    ("0170 1234567", "hi", "national number"), ("+49 12", "hi", "international form"), ("", "hi", "no recipient")])
def test_bad_input_is_refused_before_any_request(wa: WhatsAppServer, to: str, text: str, match: str) -> None:
    with client(wa) as c, pytest.raises(WhatsAppError, match=match) as exc:
        c.send_text(to, text)
    assert isinstance(exc.value, ServiceError) and exc.value.kind == "input"
    assert "nothing was sent" in str(exc.value) and wa.requests == []


@pytest.mark.integration
def test_bad_template_input_is_refused_before_any_request(wa: WhatsAppServer) -> None:
    with client(wa) as c:
        with pytest.raises(WhatsAppError, match="not a template name"):
            c.send_template("Tom", "Running Late!")
        with pytest.raises(WhatsAppError, match="parameter is empty"):
            c.send_template("Tom", "running_late", params=[" "])
    assert wa.requests == []


@pytest.mark.integration
def test_check_login(wa: WhatsAppServer) -> None:
    with client(wa) as c:
        assert c.check_login() == f"WhatsApp login ok: {wa.verified_name} ({wa.display_phone_number})"
    with client(wa, token="wrong") as c, pytest.raises(WhatsAppError, match="access token") as exc:
        c.check_login()
    assert "nothing was sent" not in str(exc.value)


# --- webhooks ---------------------------------------------------------------------------------------
@pytest.mark.unit
def test_parse_incoming_text_message(whatsapp_server: WhatsAppServer) -> None:
    payload = message_webhook(whatsapp_server, ANNA, "Anna Schmidt", "Läuft alles? 🙂", TS, "wamid.in1")
    events = parse_webhook(json.dumps(payload).encode())
    [m] = events.messages
    assert (m.id, m.sender, m.sender_name, m.type, m.text) == ("wamid.in1", ANNA, "Anna Schmidt", "text",
                                                                "Läuft alles? 🙂")
    assert m.at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC) and m.phone_number_id == whatsapp_server.phone_number_id
    assert events.statuses == [] and events.errors == []
    chat = m.chat_message()
    assert (chat.chat, chat.sender, chat.text) == ("Anna Schmidt", "Anna Schmidt", "Läuft alles? 🙂")


@pytest.mark.unit
def test_parse_statuses_including_a_failed_one(whatsapp_server: WhatsAppServer) -> None:
    ok = parse_webhook(status_webhook(whatsapp_server, "wamid.out1", ANNA, "delivered", TS))
    failed = parse_webhook(status_webhook(whatsapp_server, "wamid.out2", ANNA, "failed", TS + 5, error_code=131047))
    [d], [f] = ok.statuses, failed.statuses
    assert (d.message_id, d.recipient, d.status, d.error) == ("wamid.out1", ANNA, "delivered", None)
    assert f.status == "failed" and f.error is not None and f.error.startswith("131047: ") and "24 hours" in f.error


@pytest.mark.unit
def test_parse_other_message_types_and_skip_other_fields(whatsapp_server: WhatsAppServer) -> None:
    payload = message_webhook(whatsapp_server, ANNA, "Anna", "x", TS)
    msgs = payload["entry"][0]["changes"][0]["value"]["messages"]
    msgs[0] = {"from": ANNA, "id": "i1", "timestamp": str(TS), "type": "image",
               "image": {"caption": "Lunch", "mime_type": "image/jpeg", "id": "77"}}
    msgs.append({"from": ANNA, "id": "i2", "timestamp": str(TS), "type": "reaction",
                 "reaction": {"emoji": "👍", "message_id": "wamid.out1"}})
    msgs.append({"from": ANNA, "id": "i3", "timestamp": str(TS), "type": "interactive", "context": {"id": "q1"},
                 "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}})
    msgs.append({"from": ANNA, "id": "i4", "timestamp": str(TS), "type": "unsupported"})
    payload["entry"][0]["changes"].append({"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}})
    events = parse_webhook(payload)
    assert [m.text for m in events.messages] == ["[image] Lunch", "[reaction 👍]", "Yes", "[unsupported message]"]
    assert events.messages[2].reply_to == "q1"


@pytest.mark.unit
@pytest.mark.parametrize(("body", "match"), [
    (b"{not json", "not JSON"),
    (b'{"object": "page", "entry": []}', "not a WhatsApp webhook"),
    (b'{"object": "whatsapp_business_account"}', "entry"),
    (b'{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", '
     b'"value": {"messaging_product": "whatsapp"}}]}]}', "malformed 'messages' change.*metadata"),
    (b'{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": '
     b'{"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}, "messages": [{"id": "x"}]}}]}]}',
     "messages.0.from"),
])
def test_malformed_payloads_give_a_clear_error(body: bytes, match: str) -> None:
    with pytest.raises(WebhookError, match=match):
        parse_webhook(body)


@pytest.mark.unit
def test_signature_check(whatsapp_server: WhatsAppServer) -> None:
    body = json.dumps(message_webhook(whatsapp_server, ANNA, "Anna", "hi", TS)).encode()
    good = sign(body, "app-secret")
    verify_signature("app-secret", body, good)
    verify_signature("app-secret", body, good.upper().replace("SHA256", "sha256"))
    for secret, data, header, match in [
        ("app-secret", body + b" ", good, "does not match"),
        ("other-secret", body, good, "does not match"),
        ("app-secret", body, None, "missing"),
        ("app-secret", body, "sha1=abc", "malformed"),
        ("", body, good, "no WhatsApp app secret"),
    ]:
        with pytest.raises(WebhookSignatureError, match=match):
            verify_signature(secret, data, header)


@pytest.mark.unit
def test_subscription_handshake() -> None:
    assert verify_subscription({"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "1158201444"},
                               "vt") == "1158201444"
    with pytest.raises(WebhookSignatureError):
        verify_subscription({"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}, "vt")
    with pytest.raises(WebhookError, match=r"hub\.mode"):
        verify_subscription({"hub.mode": "unsubscribe", "hub.verify_token": "vt", "hub.challenge": "1"}, "vt")


@pytest.mark.unit
def test_receiver_from_keyring_stores_only_authentic_events(whatsapp_server: WhatsAppServer, tmp_path: Path) -> None:
    with pytest.raises(WebhookError, match="no app secret"):
        webhook_receiver("biz")
    store_webhook_secrets("biz", "s3cret", "verify-me")
    inbox = WhatsAppInbox(tmp_path / "inbox.jsonl")
    receiver = webhook_receiver("biz", sink=inbox)
    assert isinstance(receiver, WebhookReceiver)
    assert receiver.subscribe({"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}) == "42"
    body = json.dumps(message_webhook(whatsapp_server, ANNA, "Anna", "forged", TS)).encode()
    with pytest.raises(WebhookSignatureError):
        receiver.handle(body, {"X-Hub-Signature-256": sign(body, "wrong")})
    assert inbox.recent() == []
    events = receiver.handle(body, {"x-hub-signature-256": sign(body, "s3cret")})
    assert [m.text for m in events.messages] == ["forged"] and [m.text for m in inbox.recent()] == ["forged"]


@pytest.mark.unit
def test_webhook_secrets_go_through_the_callables_the_app_passes() -> None:
    from agents.communication import whatsapp_webhook as wh

    entries: dict[tuple[str, str], str] = {}
    wh.store_webhook_secrets("biz", "s3cret", "verify-me", lambda kind, name, value: entries.update({(kind, name): value}))
    assert list(entries) == [("whatsapp", "biz:webhook")]
    assert wh.webhook_secrets("biz", lambda kind, name: entries.get((kind, name))) == ("s3cret", "verify-me")
    receiver = wh.WebhookReceiver.from_secrets("biz", lambda kind, name: entries.get((kind, name)))
    assert (receiver.app_secret, receiver.verify_token) == ("s3cret", "verify-me")
    with pytest.raises(WebhookError, match="no app secret"):
        wh.WebhookReceiver.from_secrets("other", lambda kind, name: None)


# --- inbox ------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_inbox_dedupes_retries_orders_newest_first_and_persists(whatsapp_server: WhatsAppServer,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "wa" / "inbox.jsonl"
    inbox = WhatsAppInbox(path)
    first = parse_webhook(message_webhook(whatsapp_server, ANNA, "Anna Schmidt", "first", TS, "m1"))
    assert inbox.ingest(first) == 1 and inbox.ingest(first) == 0  # Meta retried the delivery
    inbox.ingest(parse_webhook(message_webhook(whatsapp_server, "4915112345678", "Tom", "from tom", TS + 60, "m2")))
    inbox.ingest(parse_webhook(message_webhook(whatsapp_server, ANNA, "Anna Schmidt", "second", TS + 120, "m3")))
    inbox.ingest(parse_webhook(status_webhook(whatsapp_server, "out1", ANNA, "read", TS + 130)))
    assert [m.text for m in inbox.recent()] == ["second", "from tom", "first"]
    assert [m.text for m in inbox.recent("anna")] == ["second", "first"]
    assert [m.text for m in inbox.recent("+49 151 12345678")] == ["from tom"]
    assert [m.text for m in inbox.recent(limit=1)] == ["second"]
    with path.open("a", encoding="utf-8") as f:
        f.write("{broken json\n")
    other = WhatsAppInbox(path)  # another process reading the same file
    assert [m.id for m in other.recent()] == ["m3", "m2", "m1"]
    status = other.status("out1")
    assert status is not None and status.status == "read"
    inbox.ingest(parse_webhook(message_webhook(whatsapp_server, ANNA, "Anna Schmidt", "third", TS + 180, "m4")))
    assert [m.text for m in other.recent("Anna", limit=1)] == ["third"]  # picks up appended lines


@pytest.mark.integration
def test_recent_and_reply_to_a_sender_known_from_the_inbox(wa: WhatsAppServer) -> None:
    inbox = WhatsAppInbox()
    inbox.ingest(parse_webhook(message_webhook(wa, "4930123456789", "Lena Vogel", "Kommst du?", TS, "m9")))
    with client(wa, inbox=inbox) as c:
        [msg] = c.recent("lena")
        assert (msg.sender, msg.text) == ("Lena Vogel", "Kommst du?")
        c.send_message("Lena", "Ja, gleich!")
    assert wa.requests[-1].json()["to"] == "4930123456789"


# --- account record ---------------------------------------------------------------------------------
@pytest.mark.integration
def test_build_from_account_record_and_keyring(wa: WhatsAppServer) -> None:
    from app.accounts import AccountIn
    from app.services import build_services

    services = build_services()
    assert build_whatsapp(services) is None  # no account: not connected
    services.accounts.add(AccountIn(name="aaa", kind="whatsapp", options={}), None)
    assert build_whatsapp(services) is None  # incomplete (no phone_number_id): not connected
    services.accounts.add(AccountIn(name="biz", kind="whatsapp", options={
        "phone_number_id": wa.phone_number_id, "base_url": wa.base_url, "api_version": "v20.0", "default": "true",
        "contacts": "Anna Schmidt=+49 170 1234 5678; Tom=+4915112345678"}), wa.token)
    messaging = services.messaging
    assert isinstance(messaging, WhatsAppClient) and isinstance(messaging, MessagingService)
    try:
        assert messaging.send_message("Tom", "hello").ok
    finally:
        messaging.close()
    assert wa.requests[-1].path == f"/v20.0/{wa.phone_number_id}/messages"
    assert messaging.inbox.path is not None and messaging.inbox.path.parent == services.paths.data_dir / "whatsapp"
    audit = [(e.action, e.outcome) for e in services.audit.recent(5)]
    assert ("whatsapp.send", "ok") in audit


# --- asked for by voice: the local chat intents ---------------------------------------------------
@pytest.mark.integration
def test_chat_messages_are_read_out_locally(wa: WhatsAppServer, tmp_path: Path) -> None:
    """"Hat Anna mir auf WhatsApp geschrieben?" went to the mail intent (the eval's w-anna-de); now the chat
    intents read the inbox the webhook fills, and "was hat Tom mir geschrieben" (no channel named) reads his
    chat messages too."""
    from zoneinfo import ZoneInfo

    from agents.approvals import ApprovalStore
    from agents.assistant import Assistant
    from agents.deps import ServiceDeps
    from agents.domains import migration_folders
    from agents.memory import Memory
    from storage.audit import AuditLog
    from storage.db.engine import Database

    inbox = WhatsAppInbox(tmp_path / "inbox.jsonl")
    now = int(time.time())
    inbox.ingest(parse_webhook(message_webhook(wa, ANNA, "Anna Schmidt", "I'm running 10 minutes late", now - 3600)))
    inbox.ingest(parse_webhook(message_webhook(wa, "4915112345678", "Tom", "Kommst du heute zum Training?", now - 60)))
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}", migration_folders())
    db.migrate()
    with client(wa, inbox=inbox) as c:
        audit = AuditLog(db)
        assistant = Assistant(memory=Memory(db), approvals=ApprovalStore(db, audit), services=ServiceDeps(messaging=c),
                              tz=ZoneInfo("Europe/Berlin"))
        anna = assistant.ask("Hat Anna mir auf WhatsApp geschrieben?")
        assert anna.source == "local" and anna.intent == "ChatsFrom", anna
        assert "10 minutes late" in anna.spoken and "Training" not in anna.spoken and anna.language == "de"
        news = assistant.ask("any new WhatsApp messages?")
        assert news.intent == "NewChats" and news.spoken.index("Training") < news.spoken.index("10 minutes"), news
        tom = assistant.ask("was hat Tom mir geschrieben")  # no mail account: his chat messages
        assert tom.intent == "MailFrom" and "Training" in tom.spoken, tom
        nobody = assistant.ask("any whatsapp messages from Lena")
        assert nobody.spoken == "No WhatsApp messages from Lena.", nobody
    assert not wa.requests  # reading the inbox sends nothing
    db.dispose()
