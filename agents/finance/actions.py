"""The approval actions of the finance domain and what runs each after the user's yes (imported on first
use: recognising a request needs none of the bank code)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agents.approvals import ApprovalRecord
    from agents.deps import AssistantDeps
    from agents.domains import ActionRunner

TRANSFER = "finance.transfer"  # a local intent's draft
DRAFT_TRANSFER = "finance.draft_transfer"  # the delegate's draft_transfer tool
CONFIRM_PAYEE = "finance.confirm_payee"  # go on after the bank's payee check
SCHEDULED_TRANSFER = "finance.scheduled_transfer"  # an invoice paid on its due date (invoices/schedule.py)
INVOICE_REMINDER = "finance.invoice_reminder"  # the reminder the day before a scheduled payment
CREATE_INVOICE = "finance.create_invoice"  # an invoice the user creates (agents/finance/invoices/issue_actions.py)
SEND_INVOICE = "finance.send_invoice"  # mail it with its files to the customer


def run_transfer(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.finance.transfers import run_approved

    return run_approved(rec, d)


def run_confirm_payee(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.finance.transfers import run_confirm_payee as confirm

    return confirm(rec, d)


def run_scheduled_transfer(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.finance.invoices.schedule import run_scheduled

    return run_scheduled(rec, d)


def run_invoice_reminder(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.finance.invoices.schedule import run_reminder

    return run_reminder(rec, d)


def run_create_invoice(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.finance.invoices.issue_actions import run_create

    return run_create(rec, d)


def run_send_invoice(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.finance.invoices.issue_actions import run_send

    return run_send(rec, d)


ACTIONS: dict[str, ActionRunner] = {TRANSFER: run_transfer, DRAFT_TRANSFER: run_transfer, CONFIRM_PAYEE: run_confirm_payee,
                                    SCHEDULED_TRANSFER: run_scheduled_transfer, INVOICE_REMINDER: run_invoice_reminder,
                                    CREATE_INVOICE: run_create_invoice, SEND_INVOICE: run_send_invoice}
