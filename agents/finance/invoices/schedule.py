"""Paying an invoice on its due date. FinTS has a dated SEPA transfer (HKCSE), but the fake bank of the
tests, like many small banks, offers only the immediate one (HKCCS), and a dated order needs the TAN now;
so the date is kept here: a transfer the user approves for a due date still ahead is stored
(``fin_scheduled_transfers``) and sent to the bank once, on that date, by the finance scheduler
(``execute_due``; app/finance/scheduler.py). What the bank then asks (the payee check, a TAN, the app
approval) is waited for from the user: a reminder rings at that moment with the bank's question.

After the yes to a dated payment the assistant proposes a reminder the day before the due date (a second
approval). An invoice due today, overdue, or without a due date is paid right away (the Finance I
transfer after the yes)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from agents.approvals import ApprovalRecord
from agents.deps import AssistantDeps, ServiceError
from agents.finance.actions import INVOICE_REMINDER, SCHEDULED_TRANSFER
from agents.finance.invoices.db import FinScheduledTransfer
from agents.finance.invoices.store import OpenInvoice
from agents.finance.models import TransferDraft
from agents.finance.spoken import say_amount
from agents.local.phrases import tr
from agents.phrasebook import phrase
from storage.audit import record_quietly

REMIND_AT = time(9, 0)  # the reminder the day before the due date rings at this local time


def _audit(d: AssistantDeps, step: str, detail: str) -> None:
    record_quietly(d.approvals.audit, f"finance.scheduled.{step}", "bank", "ok", detail)


def request_invoice_payment(d: AssistantDeps, inv: OpenInvoice, draft: TransferDraft, lang: str) -> ApprovalRecord:
    """Park the invoice's payment for the user's yes: dated (the due date) when that is still ahead, else
    the immediate Finance I transfer."""
    from agents.finance import transfers

    today = d.now().date()
    if inv.due_date is None or inv.due_date <= today:
        return transfers.request_transfer(d, draft, lang)
    dated = draft.model_copy(update={"execute_on": inv.due_date})
    text = transfers.summary(dated, lang)
    provenance = list(d.origins)
    if provenance:
        text += tr(lang, f" Careful: I read {', '.join(provenance)} before this.",
                   f" Achtung: davor habe ich {', '.join(provenance)} gelesen.")
    rec = d.approvals.request(SCHEDULED_TRANSFER, text, {"transfer": dated.model_dump(mode="json"), "invoice": inv.id,
                                                          "provenance": provenance}, d.now())
    d.pending.append(rec)
    return rec


def run_scheduled(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    """After the yes to a dated payment: stored for its day (nothing goes to the bank now), and the reminder
    the day before proposed (a follow-up approval)."""
    lang = d.language
    draft = TransferDraft.model_validate(rec.payload["transfer"])
    assert draft.execute_on is not None
    invoice_id = rec.payload.get("invoice")
    with d.memory.db.session() as s:
        row = FinScheduledTransfer(approval_id=rec.id, invoice_id=invoice_id, draft=draft.model_dump_json(),
                                   execute_on=draft.execute_on, status="scheduled", result="")
        s.add(row)
        s.commit()
        row_id = row.id
    d.record_tool("finance.schedule_transfer", {"id": str(row_id), "execute_on": draft.execute_on.isoformat()})
    d.acted("schedule_transfer", {"payee": draft.payee, "execute_on": draft.execute_on.isoformat()}, f"scheduled {row_id}")
    _audit(d, "stored", f"{row_id}: {draft.execute_on.isoformat()}")
    amount = say_amount(draft.amount, draft.currency, lang)
    day = draft.execute_on.isoformat()
    said = tr(lang, f"Scheduled: I will send the transfer of {amount} to {draft.payee} to the bank on {day}.",
              f"Geplant: die Überweisung über {amount} an {draft.payee} gebe ich am {day} an die Bank.")
    reminder = _propose_reminder(d, draft, lang)
    return True, said + (" " + reminder if reminder else "")


def _propose_reminder(d: AssistantDeps, draft: TransferDraft, lang: str) -> str:
    assert draft.execute_on is not None
    at = datetime.combine(draft.execute_on - timedelta(days=1), REMIND_AT, tzinfo=d.tz)
    if at <= d.now():
        return ""
    amount = say_amount(draft.amount, draft.currency, lang)
    text = tr(lang, f"Tomorrow the transfer of {amount} to {draft.payee} goes to the bank; the bank may ask you for a "
                    "TAN.",
              f"Morgen geht die Überweisung über {amount} an {draft.payee} an die Bank; die Bank fragt dich "
              "vielleicht nach einer TAN.")
    summary = tr(lang, f"Remind you on {at.date().isoformat()} at {at:%H:%M}: {text}",
                 f"Dich am {at.date().isoformat()} um {at:%H:%M} erinnern: {text}")
    rec = d.approvals.request(INVOICE_REMINDER, summary, {"reminder": {"due_at": at.isoformat(), "text": text}},
                              d.now())
    d.pending.append(rec)
    return summary + phrase("approval.question", lang)


def run_reminder(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    """After the yes to the reminder: it is set."""
    lang = d.language
    args = rec.payload["reminder"]
    at = datetime.fromisoformat(str(args["due_at"]))
    d.record_tool("memory.add_reminder", {"due_at": at.isoformat(), "text": str(args["text"])})
    made = d.memory.add_reminder(at, str(args["text"]))
    d.acted("set_reminder", {"due_at": at.isoformat()}, f"reminder {made.id}")
    return True, tr(lang, f"Reminder set for {at.date().isoformat()} at {at:%H:%M}.",
                    f"Erinnerung gestellt für den {at.date().isoformat()} um {at:%H:%M}.")


def scheduled(d: AssistantDeps) -> list[FinScheduledTransfer]:
    """The transfers still waiting for their day, the earliest first."""
    with d.memory.db.session() as s:
        rows = list(s.scalars(select(FinScheduledTransfer).where(FinScheduledTransfer.status == "scheduled")
                              .order_by(FinScheduledTransfer.execute_on, FinScheduledTransfer.id)))
        s.expunge_all()
    return rows


def execute_due(d: AssistantDeps, today: date) -> list[str]:
    """Send each scheduled transfer whose day has come to the bank, once (claimed first: a second caller, or
    a crash after the claim, never sends it again); what the bank asks next rings as a reminder now.
    Returns what was said per transfer."""
    out: list[str] = []
    lang = d.language
    for row in scheduled(d):
        if row.execute_on > today:
            break
        with d.memory.db.session() as s:
            claimed = s.execute(update(FinScheduledTransfer).where(FinScheduledTransfer.id == row.id,
                                                                   FinScheduledTransfer.status == "scheduled")
                                .values(status="started"))
            s.commit()
        if not getattr(claimed, "rowcount", 0):
            continue
        draft = TransferDraft.model_validate(json.loads(row.draft)).model_copy(update={"execute_on": None})
        _audit(d, "due", f"{row.id}")
        try:
            ok, said = _start(d, draft, row.approval_id)
        except ServiceError as exc:
            ok, said = False, str(exc)
        status = "started" if ok else "failed"
        with d.memory.db.session() as s:
            s.execute(update(FinScheduledTransfer).where(FinScheduledTransfer.id == row.id)
                      .values(status=status, result=said[:2000]))
            s.commit()
        amount = say_amount(draft.amount, draft.currency, lang)
        head = tr(lang, f"The invoice payment of {amount} to {draft.payee} is due today. ",
                  f"Heute ist die Rechnungszahlung über {amount} an {draft.payee} fällig. ")
        d.memory.add_reminder(d.now(), (head + said.split("\n")[0])[:500])
        out.append(head + said)
    return out


def _start(d: AssistantDeps, draft: TransferDraft, approval_id: int | None) -> tuple[bool, str]:
    from agents.finance import transfers

    return transfers.start(d, draft, approval_id)
