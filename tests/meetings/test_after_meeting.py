"""After a meeting, by voice, through the assistant's offline intents: "send the notes to everyone" drafts
a mail with the notes to the named speakers whose address is known from the mailbox (Dovecot), names the
ones without one, and sends it over SMTP (the test server) only after the yes; "vergiss Annas Stimme"
deletes the voice profile after the yes (the memory's "forget …" does not take it)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from agents.meetings.models import ActionItem, MeetingNotes
from app.meetings.control import MeetingControlAdapter
from storage.db.engine import Database
from tests.communication.conftest import mail_config
from tests.meetings.conftest import ServiceFactory
from tests.servers.dovecot import DovecotServer
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration


def assistant_for(db: Database, **services: Any) -> Any:
    from agents.approvals import ApprovalStore
    from agents.assistant import Assistant
    from agents.deps import ServiceDeps
    from agents.memory import Memory
    from storage.audit import AuditLog

    return Assistant(memory=Memory(db), approvals=ApprovalStore(db, AuditLog(db)), services=ServiceDeps(**services),
                     tz=UTC, language="en", model_factory=lambda: None, model_timeout_s=5,
                     clock=lambda: datetime.now(UTC))


def finished_meeting(svc: Any, speakers: list[str], notes: MeetingNotes | None) -> None:
    started = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    svc.store.create("m-budget", "Budget review", "file", 1, "local", "m-budget", "test", started_at=started)
    svc.store.update("m-budget", state="done", speakers=speakers, notes=notes, ended_at=started + timedelta(minutes=30),
                     duration_s=1800.0)


def body_of(envelope: Any) -> str:
    msg = email.message_from_bytes(envelope.data, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def test_send_the_notes_to_everyone(make_service: ServiceFactory, db: Database, dovecot_server: DovecotServer,
                                    smtp_server: SmtpServer) -> None:
    from agents.communication.mail import ImapMailService

    svc = make_service(transcribe=False)
    me, anna = dovecot_server.add_user("notes"), dovecot_server.add_user("anna")
    mail = ImapMailService(mail_config(dovecot_server, smtp_server, me), me.password)
    assistant: Callable[[], Any] = lambda: assistant_for(db, meetings=MeetingControlAdapter(svc), mail=mail)  # noqa: E731
    a = assistant()

    r = a.ask("send the notes to everyone")
    assert r.approval is None and "no finished meeting" in r.spoken
    finished_meeting(svc, ["S1", "S2"], MeetingNotes(summary="We went through the budget."))
    r = a.ask("schick die Notizen an alle")
    assert r.approval is None and "Sprecher 2 ist Anna" in r.spoken  # nobody named: whom to send it to?
    svc.store.rename_speaker("m-budget", "S1", "Anna")
    svc.store.rename_speaker("m-budget", "S2", "Ben")
    # nobody's address is known: each is asked for; skipping both sends nothing
    r = a.ask("send the notes to everyone")
    assert r.approval is None and r.spoken == "I don't have Anna's address. What is it? You can also say skip."
    r = a.ask("skip")
    assert r.approval is None and r.spoken.startswith("I don't have Ben's address. What is it?")
    r = a.ask("skip him")
    assert r.approval is None and "no address of Anna and Ben" in r.spoken and "Nothing was sent" in r.spoken

    # Anna wrote before: her address is known; Ben's is asked for, and the answer (said, as speech
    # recognition writes it) completes the mail; the approval names both recipients
    ben = dovecot_server.add_user("ben")
    dovecot_server.deliver(me, f"From: Anna Schmidt <{anna.address}>\r\nSubject: the budget\r\n\r\nsee you\r\n".encode())
    notes = MeetingNotes(summary="We went through the budget.", decisions=["The budget stays at 40,000 euros."],
                         action_items=[ActionItem(text="Send the offer to the client", owner="Anna",
                                                  due=date(2026, 12, 11))])
    svc.store.update("m-budget", notes=notes)
    r = a.ask("send the notes to everyone")
    assert r.approval is None and r.spoken.startswith("I don't have Ben's address."), r.spoken
    user, domain = ben.address.split("@")
    r = a.ask(f"it's {user} at {domain.replace('.', ' dot ')}")
    assert r.approval is not None and f"to {anna.address}, {ben.address}." in r.spoken, r.spoken
    assert r.spoken.endswith("Shall I?") and not smtp_server.messages_to(anna.address)  # nothing before the yes
    done = a.decide(r.approval.id, True)
    assert done.error is None and anna.address in done.spoken and ben.address in done.spoken
    [sent] = smtp_server.messages_to(anna.address)
    assert len(smtp_server.messages_to(ben.address)) == 1
    text = body_of(sent)
    assert "Budget review" in text and "We went through the budget." in text
    assert "The budget stays at 40,000 euros." in text and "Send the offer to the client (Anna, due" in text

    # in German: asked for Ben's address, skipped; the approval says who is left out; a no sends nothing
    r = a.ask("schicke das Protokoll an alle Teilnehmer")
    assert r.approval is None and r.spoken.startswith("Ich habe die Adresse von Ben nicht. Wie lautet sie?"), r.spoken
    r = a.ask("überspringen")
    assert r.approval is not None and "Soll ich?" in r.spoken and "Ohne Adresse, nicht dabei: Ben" in r.spoken
    assert f"an {anna.address} senden" in r.spoken
    a.decide(r.approval.id, False)
    assert len(smtp_server.messages_to(anna.address)) == 1

    # in German with the address: the mail goes to both after the yes
    r = a.ask("schick die Notizen an alle")
    r = a.ask(f"die Adresse ist {ben.address}")
    assert r.approval is not None and f"an {anna.address}, {ben.address} senden" in r.spoken, r.spoken
    assert a.decide(r.approval.id, True).error is None
    assert len(smtp_server.messages_to(ben.address)) == 2

    # an answer not right after the question answers nothing
    r = a.ask("send the notes to everyone")
    a.ask("what time is it")
    r = a.ask(ben.address)
    assert r.approval is None and r.spoken == "I haven't asked for an address."
    mail.close()


def test_forget_a_voice_by_voice(make_service: ServiceFactory, db: Database) -> None:
    svc = make_service(transcribe=False)
    rng = np.random.default_rng(3)
    for name in ("Anna", "Ben"):
        v = rng.normal(size=256).astype(np.float32)
        svc.voices.enrol(name, v / np.linalg.norm(v), 10)
    a = assistant_for(db, meetings=MeetingControlAdapter(svc))

    r = a.ask("vergiss Annas Stimme")
    assert r.approval is not None and "Stimmprofil von Anna" in r.spoken and r.spoken.endswith("Soll ich?")
    assert svc.voice_profiles() == ["Anna", "Ben"]  # nothing before the yes
    done = a.decide(r.approval.id, True)
    assert done.error is None and svc.voice_profiles() == ["Ben"]
    r = a.ask("forget Anna's voice")
    assert r.approval is None and "no voice profile of Anna" in r.spoken
    r = a.ask("delete the voice profile of Ben")
    assert r.approval is not None
    a.decide(r.approval.id, False)
    assert svc.voice_profiles() == ["Ben"]
    # the memory's "forget …" still takes a note's topic
    assert a.ask("forget the wifi password").approval is None and svc.voice_profiles() == ["Ben"]
