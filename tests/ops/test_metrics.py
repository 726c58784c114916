"""Metrics: a real Prometheus scrapes a live home server's metrics listener on loopback and its HTTP
API returns the series the server counted (turns, failed sign-ins, process memory)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.server.live import LiveServer
from tests.servers.prometheus import PrometheusServer


def test_prometheus_scrapes_the_live_server(metrics_server: tuple[LiveServer, int],
                                            prometheus_factory: Callable[[list[str]], PrometheusServer]) -> None:
    server, port = metrics_server
    client = server.new_client("metrics")
    r = client.post("/api/v1/turns/text", json={"text": "what time is it"})
    assert r.status_code == 200, r.text
    source = r.json()["source"]
    bad = server.http().post("/api/v1/auth/login", json={"username": client.username, "password": "wrong one",
                                                          "device_name": "x"})
    assert bad.status_code == 401

    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text  # the text format, no sign-in
    assert "# TYPE pa_turns_total counter" in text and "process_resident_memory_bytes" in text

    prom = prometheus_factory([f"127.0.0.1:{port}"])
    turns = prom.wait_for(f'pa_turns_total{{source="{source}",outcome="ok"}}')
    assert turns and float(turns[0]["value"][1]) >= 1, prom.targets()
    assert turns[0]["metric"]["job"] == "personal-agent"
    assert float(prom.wait_for("pa_login_failures_total")[0]["value"][1]) >= 1
    total = prom.wait_for('pa_turn_stage_seconds_count{stage="total"}')
    assert total and float(total[0]["value"][1]) >= 1
    memory = prom.wait_for("process_resident_memory_bytes")
    assert float(memory[0]["value"][1]) > 10e6
    spool = prom.wait_for("pa_spool_pending")
    assert {s["metric"]["backend"] for s in spool} == {"smb", "s3"}
    assert prom.wait_for("pa_disk_free_bytes")


def test_the_listener_is_not_the_api(metrics_server: tuple[LiveServer, int]) -> None:
    """/metrics is on its own local port: the API port does not serve it."""
    server, _port = metrics_server
    assert server.http().get("/metrics").status_code == 404


def test_a_reply_and_the_audit_log_are_counted(pa_home: object) -> None:
    from agents.replies import ActionInfo, AgentReply, ToolCallInfo
    from app.metrics import REGISTRY, observe_reply, service_of
    from app.services import build_services

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    assert (service_of("calendar.events"), service_of("send_mail"), service_of("finance.pay_invoice"),
            service_of("social.draft"), service_of("set_timer")) == ("calendar", "mail", "bank", "social", None)
    before = (value("pa_turns_total", source="llm", outcome="error"), value("pa_service_calls_total", service="mail"),
              value("pa_service_errors_total", service="mail", kind="send_mail"),
              value("pa_turn_stage_seconds_count", stage="llm"))
    observe_reply(AgentReply(spoken="x", text="x", source="llm", error="the mail server refused",
                             tool_calls=[ToolCallInfo(name="mail.search")],
                             actions=[ActionInfo(name="send_mail", status="failed")], timings={"llm": 1.5}))
    after = (value("pa_turns_total", source="llm", outcome="error"), value("pa_service_calls_total", service="mail"),
             value("pa_service_errors_total", service="mail", kind="send_mail"),
             value("pa_turn_stage_seconds_count", stage="llm"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 2, 1, 1]

    sv = build_services()
    try:
        counts = {o: value("pa_approvals_total", outcome=o) for o in ("requested", "approved", "denied", "expired")}
        for outcome in ("requested", "approved", "requested", "denied", "expired"):
            sv.audit.record("approval.send_mail", "to anna", outcome)  # type: ignore[arg-type]
        fails = value("pa_login_failures_total")
        sv.audit.record("server.sign_in", "anna", "failed", actor="server")
        assert {o: value("pa_approvals_total", outcome=o) - n for o, n in counts.items()} == {
            "requested": 2, "approved": 1, "denied": 1, "expired": 1}
        assert value("pa_login_failures_total") == fails + 1
    finally:
        sv.close()
