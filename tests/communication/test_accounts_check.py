"""`personal-agent accounts test` / ``check_account``: a real login on the real Dovecot (IMAP), SMTP
(aiosmtpd) and Radicale servers, and on the local WhatsApp Cloud API server. A mail check covers
IMAP *and* SMTP; failures are one clear line without the secret."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.accounts import AccountIn, check_account
from tests.servers.base import free_port
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.radicale import RadicaleServer
from tests.servers.smtp import SmtpServer
from tests.servers.whatsapp import WhatsAppServer

pytestmark = pytest.mark.integration


def mail_account(dovecot: DovecotServer, smtp: SmtpServer, user: MailUser, *, imap_port: int | None = None,
                 smtp_port: int | None = None, smtp_security: str = "starttls") -> AccountIn:
    return AccountIn(name="mail", kind="mail", username=user.name, host="127.0.0.1",
                     port=imap_port or dovecot.imaps_port, options={
                         "security": "ssl", "smtp_host": "127.0.0.1", "smtp_security": smtp_security,
                         "smtp_port": smtp_port or (smtp.port if smtp_security == "starttls" else smtp.ssl_port),
                         "address": user.address, "ca_file": str(dovecot.cert.cert)})


@pytest.mark.parametrize("smtp_security", ["starttls", "ssl"])
def test_mail_check_logs_in_to_imap_and_smtp(dovecot_server: DovecotServer, smtp_server: SmtpServer,
                                             smtp_security: str) -> None:
    user = dovecot_server.add_user("chk")
    res = check_account(mail_account(dovecot_server, smtp_server, user, smtp_security=smtp_security), user.password)
    assert res.ok, res.message
    assert "IMAP" in res.message and "SMTP" in res.message and "login ok" in res.message


def test_mail_check_wrong_password(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    user = dovecot_server.add_user("chk")
    wrong = "not-the-password-42"
    res = check_account(mail_account(dovecot_server, smtp_server, user), wrong)
    assert not res.ok and "refused the login" in res.message and wrong not in res.message
    assert "\n" not in res.message


def test_mail_check_fails_when_only_smtp_is_down(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    """The old IMAP-only check said ok here; sending mail would then fail."""
    user = dovecot_server.add_user("chk")
    res = check_account(mail_account(dovecot_server, smtp_server, user, smtp_port=free_port()), user.password,
                        timeout=5)
    assert not res.ok and "SMTP" in res.message


def test_mail_check_server_down(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    user = dovecot_server.add_user("chk")
    res = check_account(mail_account(dovecot_server, smtp_server, user, imap_port=free_port()), user.password,
                        timeout=5)
    assert not res.ok and "cannot reach the mail server" in res.message


def test_mail_check_incomplete_record() -> None:
    res = check_account(AccountIn(name="m", kind="mail", username="me", host="imap.example.org"), "pw")
    assert not res.ok and "smtp_host" in res.message


def test_caldav_check(radicale_server: RadicaleServer) -> None:
    user = radicale_server.add_user()
    radicale_server.seed_calendar(user, "personal", [], display_name="Personal")
    radicale_server.seed_calendar(user, "work", [], display_name="Work")
    acc = AccountIn(name="cal", kind="caldav", username=user.name, options={"url": radicale_server.url})
    ok = check_account(acc, user.password)
    assert ok.ok and ok.message == "CalDAV login ok, 2 calendar(s)"
    bad = check_account(acc, "wrong-pw-77")
    assert not bad.ok and "refused the login" in bad.message and "wrong-pw-77" not in bad.message
    down = check_account(acc.model_copy(update={"options": {"url": f"http://127.0.0.1:{free_port()}/"}}),
                         user.password, timeout=5)
    assert not down.ok and "cannot reach the calendar server" in down.message


def test_whatsapp_check(whatsapp_server: WhatsAppServer) -> None:
    acc = AccountIn(name="wa", kind="whatsapp", options={"phone_number_id": whatsapp_server.phone_number_id,
                                                         "base_url": whatsapp_server.base_url})
    ok = check_account(acc, whatsapp_server.token)
    assert ok.ok and whatsapp_server.verified_name in ok.message
    bad = check_account(acc, "EAAG-bad")
    assert not bad.ok and "access token" in bad.message and "EAAG-bad" not in bad.message
    assert not check_account(acc, None).ok
    incomplete = check_account(AccountIn(name="wa", kind="whatsapp"), whatsapp_server.token)
    assert not incomplete.ok and "phone_number_id" in incomplete.message


def test_accounts_test_command(dovecot_server: DovecotServer, smtp_server: SmtpServer) -> None:
    from app.cli.main import cli

    user = dovecot_server.add_user("cli")
    runner = CliRunner()
    for name, password in (("good", user.password), ("bad", "wrong-password-9")):
        args = ["accounts", "add", name, "--kind", "mail", "--username", user.name, "--host", "127.0.0.1",
                "--port", str(dovecot_server.imaps_port), "-o", "security=ssl", "-o", "smtp_host=127.0.0.1",
                "-o", f"smtp_port={smtp_server.port}", "-o", "smtp_security=starttls", "-o",
                f"address={user.address}", "-o", f"ca_file={dovecot_server.cert.cert}", "--password-stdin"]
        added = runner.invoke(cli, args, input=password + "\n")
        assert added.exit_code == 0, added.output
    good = runner.invoke(cli, ["accounts", "test", "good"])
    assert good.exit_code == 0 and good.output.startswith("ok: IMAP") and "SMTP" in good.output, good.output
    bad = runner.invoke(cli, ["accounts", "test", "bad"])
    assert bad.exit_code == 1 and bad.output.startswith("fail: ") and "wrong-password-9" not in bad.output
