"""End to end through `personal-agent ask` with a scripted model (pydantic-ai FunctionModel) in place of
the LLM: the orchestrator delegates to the real communication agent, whose tools talk to the real
Dovecot/SMTP servers and the local WhatsApp Cloud API server. Nothing is sent before the "yes"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pydantic_ai.models
import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model
from pydantic_ai.models.function import AgentInfo
from typer.testing import CliRunner

from agents.communication.mail import ImapMailService
from agents.models import MailQuery
from tests.agents.scripted import Script, call, final, tool_returns
from tests.communication.conftest import mail_config
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.smtp import SmtpServer
from tests.servers.whatsapp import WhatsAppServer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(autouse=True)
def no_real_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(pydantic_ai.models, "ALLOW_MODEL_REQUESTS", False)
    yield


def use_model(monkeypatch: pytest.MonkeyPatch, model: Model) -> None:
    """The app's model factory (app.wiring.assistant) returns the scripted model instead of a configured LLM."""
    import app.wiring.assistant

    monkeypatch.setattr(app.wiring.assistant, "build_model", lambda settings, get_secret: model)


def ask(*words: str, stdin: str | None = None) -> str:
    from app.cli.main import cli

    res = CliRunner().invoke(cli, list(words), input=stdin)
    assert res.exit_code == 0, res.output
    return res.output


def reply_to_anna(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """The communication delegate in one call: reply to the newest mail from Anna (the check finds it)."""
    assert "reply_mail" not in tool_returns(messages)  # nothing runs before the yes
    return call("reply_mail", sender="Anna", body="Sorry, I'll be late - see you soon.")


def test_reply_to_anna_that_ill_be_late(monkeypatch: pytest.MonkeyPatch, dovecot_server: DovecotServer,
                                        smtp_server: SmtpServer) -> None:
    me, anna = dovecot_server.add_user("me"), dovecot_server.add_user("anna")
    dovecot_server.deliver(me, (f"From: Anna Schmidt <{anna.address}>\r\nTo: {me.address}\r\n"
                                "Subject: Dinner tonight\r\nMessage-ID: <dinner-1@example.test>\r\n"
                                "Date: Thu, 01 Jan 2026 10:00:00 +0100\r\n\r\nStill on for 8?\r\n").encode())
    ask("accounts", "add", "mail", "--kind", "mail", "--username", me.name, "--host", "127.0.0.1", "--port",
        str(dovecot_server.imaps_port), "-o", "security=ssl", "-o", "smtp_host=127.0.0.1", "-o",
        f"smtp_port={smtp_server.port}", "-o", "smtp_security=starttls", "-o", f"address={me.address}", "-o",
        f"ca_file={dovecot_server.cert.cert}", "--password-stdin", stdin=me.password + "\n")
    use_model(monkeypatch, Script(delegate=reply_to_anna).model())

    def mailbox(user: MailUser) -> ImapMailService:  # a fresh session sees what arrived meanwhile
        return ImapMailService(mail_config(dovecot_server, smtp_server, user), user.password)

    out = ask("ask", "reply to Anna that I'll be late")
    assert "[approval #" in out and "I'll be late" in out and f"Anna Schmidt <{anna.address}>, “Dinner tonight”" in out, out
    assert smtp_server.messages_to(anna.address) == []  # nothing before the yes
    with closing(mailbox(me)) as mine, closing(mailbox(anna)) as annas:
        assert mine.search(MailQuery(folder="Sent")) == [] and annas.search(MailQuery()) == []

    out = ask("ask", "yes")
    assert f"Your reply to Anna Schmidt <{anna.address}> is sent." in out, out  # said by code from what ran
    [envelope] = smtp_server.messages_to(anna.address)  # delivered exactly once
    assert envelope.login == me.name
    with closing(mailbox(me)) as mine, closing(mailbox(anna)) as annas:
        [received] = annas.search(MailQuery())
        got = annas.get(received.id)
        assert got.subject == "Re: Dinner tonight" and "I'll be late" in got.body
        raw = annas.get_raw(received.id).decode(errors="replace")
        assert "In-Reply-To: <dinner-1@example.test>" in raw
        [sent] = mine.search(MailQuery(folder="Sent"))
        assert sent.subject == "Re: Dinner tonight"


def whatsapp_anna(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    done = tool_returns(messages)
    if "send_message" in done:
        result = done["send_message"]
        return final(info, "Sent." if result == "sent" else f"I could not send it. {result.removeprefix('error: ')}")
    return call("send_message", to="Anna", text="I'll be 10 minutes late")


def test_whatsapp_anna_that_ill_be_late(monkeypatch: pytest.MonkeyPatch, whatsapp_server: WhatsAppServer) -> None:
    whatsapp_server.reset()
    ask("accounts", "add", "wa", "--kind", "whatsapp", "-o", f"phone_number_id={whatsapp_server.phone_number_id}",
        "-o", f"base_url={whatsapp_server.base_url}", "-o", "contacts=Anna Schmidt=+49 170 1234 5678",
        "--password-stdin", stdin=whatsapp_server.token + "\n")
    use_model(monkeypatch, Script(delegate=whatsapp_anna).model())
    out = ask("ask", "send Anna a WhatsApp that I'll be 10 minutes late")
    assert "[approval #" in out and "Send a message to Anna" in out, out
    assert whatsapp_server.requests == []
    whatsapp_server.fail_next.append("rate_limit")  # the first attempt after the yes hits the rate limit
    out = ask("ask", "yes")
    assert out.startswith("That did not work: WhatsApp rate limit hit") and "nothing was sent" in out, out
    assert whatsapp_server.accepted == []
    out = ask("ask", "send Anna a WhatsApp that I'll be 10 minutes late")
    assert "[approval #" in out
    out = ask("ask", "yes")
    assert out.startswith("The message to Anna is sent."), out
    [msg] = whatsapp_server.accepted
    assert msg["to"] == "4917012345678" and msg["text"]["body"] == "I'll be 10 minutes late"
