"""The FinTS bank connection against the fake bank (tests/servers/fints_bank.py), through the
unmodified python-fints client: dialog init, accounts, balances, statements (MT940 and camt across
pages), transfers with TAN, app approval and payee check, PIN/TAN errors and dropped connections."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.finance.bank_config import FintsConfig
from agents.finance.fingerprint import transaction_fingerprint
from agents.finance.fints_client import (
    PRODUCT_ID_MISSING,
    FileStateStore,
    FintsBankService,
    FintsError,
    MemoryStateStore,
    StateStore,
)
from agents.finance.models import TransferDraft
from agents.finance.sync import MemoryLedger, sync_bank
from tests.servers.fints_bank import FintsBank

pytestmark = pytest.mark.integration
PRODUCT = "9FA6681DEC0CF3046BFC2F8A6"  # any non-empty id: the fake bank records, real banks check it


def service(bank: FintsBank, store: StateStore | None = None, pin: str | None = None, **config: str) -> FintsBankService:
    cfg = FintsConfig(bank_code=bank.blz, url=bank.url, user_id=bank.user_id, product_id=PRODUCT, **config)
    return FintsBankService(cfg, pin or bank.pin, store if store is not None else MemoryStateStore(), account="test")


def anna(bank: FintsBank) -> str:
    return next(iban for iban, name in bank.payees.items() if name == "Anna Schmidt")


def draft(bank: FintsBank, payee: str = "Anna Schmidt", amount: str = "50.00") -> TransferDraft:
    return TransferDraft(from_iban=bank.accounts[0].iban, payee=payee, iban=anna(bank), amount=Decimal(amount),
                         purpose="Konzertkarten")


def test_dialog_init_accounts_and_saved_system_id(fints_bank: FintsBank) -> None:
    store = MemoryStateStore()
    accounts = service(fints_bank, store).accounts()
    assert [a.iban for a in accounts] == [a.iban for a in fints_bank.accounts]
    assert accounts[0].name == "Girokonto Plus" and accounts[0].owner == "Max Mustermann"
    assert fints_bank.requests[0] == ["HKIDN", "HKVVB", "HKSYN"]  # first contact: a new system id
    assert fints_bank.products[0] == PRODUCT
    before = len(fints_bank.requests)
    service(fints_bank, store).accounts()  # the saved client data: no new system id, no BPD/UPD again
    assert ["HKIDN", "HKVVB", "HKSYN"] not in fints_bank.requests[before:]
    assert fints_bank.requests[before] == ["HKIDN", "HKVVB", "HKTAN"]


def test_balances(fints_bank: FintsBank) -> None:
    balances = service(fints_bank).balances()
    assert [(b.iban, b.amount) for b in balances] == [(a.iban, a.balance) for a in fints_bank.accounts]
    assert balances[0].on == date.today()


@pytest.mark.parametrize("fmt", ["mt940", "camt"])
def test_statements_across_pages(fints_bank: FintsBank, fmt: str) -> None:
    fints_bank.page_size = 40
    start, end = date.today() - timedelta(days=120), date.today()
    got = service(fints_bank, statement_format=fmt).transactions(start, end, fints_bank.accounts[0].iban)
    expected = [t for t in fints_bank.accounts[0].transactions if start <= t.booking_date <= end]
    assert len(expected) > 3 * 40  # several pages
    assert fints_bank.segment_count("HKKAZ" if fmt == "mt940" else "HKCAZ") == -(-len(expected) // 40)
    assert len(got) == len(expected)
    assert sum(t.amount for t in got) == sum(t.amount for t in expected)
    for g, e in zip(got, expected, strict=True):
        assert (g.booking_date, g.amount, g.counterparty_iban, g.bank_reference) == \
               (e.booking_date, e.amount, e.counterparty_iban, e.bank_reference)
        assert g.counterparty == (e.counterparty if fmt == "camt" else g.counterparty)
        assert g.end_to_end_id == (None if e.end_to_end_id == "NOTPROVIDED" else e.end_to_end_id)
        assert g.mandate_id == e.mandate_id
    direct_debit = next(g for g, e in zip(got, expected, strict=True) if e.mandate_id)
    assert direct_debit.creditor_id and direct_debit.amount < 0 and direct_debit.booking_text
    assert len({transaction_fingerprint(t) for t in got}) == len(got)


def test_default_prefers_camt_and_falls_back_to_mt940(fints_bank: FintsBank) -> None:
    start = date.today() - timedelta(days=30)
    service(fints_bank).transactions(start, date.today())
    assert fints_bank.segment_count("HKCAZ") >= 1 and fints_bank.segment_count("HKKAZ") == 0
    fints_bank.reset()
    fints_bank.offer_camt = False
    got = service(fints_bank).transactions(start, date.today())
    assert got and fints_bank.segment_count("HKKAZ") >= 1 and fints_bank.segment_count("HKCAZ") == 0


def _pickles(store: StateStore, key: str) -> bytes:
    """The saved dialog, decompressed down to python-fints' pickle (where a PIN would hide)."""
    raw = store.load(key)
    assert raw is not None
    dialog = base64.b64decode(json.loads(raw)["dialog"])
    data = json.loads(zlib.decompress(dialog.split(b";", 3)[3]))
    return base64.b64decode(data["data_bin"])


def test_transfer_with_tan_resumes_later_and_records_exactly_one(fints_bank: FintsBank, tmp_path: Path) -> None:
    fints_bank.pin = "pin-8Qx!z"
    store = FileStateStore(tmp_path / "fints")
    step = service(fints_bank, store).start_transfer(draft(fints_bank))
    assert step.status == "tan_needed" and step.challenge and "50,00 EUR" in step.challenge
    assert step.payee_check is not None and step.payee_check.result == "match"
    assert fints_bank.transfers == []
    pickled = _pickles(store, f"transfer-{step.transfer_id}")
    assert b"pin-8Qx!z" not in pickled and b"HNSHA" not in pickled  # no PIN, no sent messages
    assert all(b"pin-8Qx!z" not in p.read_bytes() for p in (tmp_path / "fints").iterdir())
    task = fints_bank.last_task
    later = service(fints_bank, FileStateStore(tmp_path / "fints"))  # another process, later
    done = later.send_tan(step.transfer_id, task.tan)
    assert done.status == "done", done.message
    assert ["HKVPA", "HKTAN"] in fints_bank.requests  # the matched payee check confirmed with the TAN
    assert len(fints_bank.transfers) == 1
    t = fints_bank.transfers[0]
    assert (t.from_iban, t.payee, t.iban, t.amount, t.currency, t.purpose, t.approved_by) == \
           (fints_bank.accounts[0].iban, "Anna Schmidt", anna(fints_bank), Decimal("50.00"), "EUR", "Konzertkarten", "tan")
    assert t.end_to_end_id == f"PA-{step.transfer_id}"
    again = later.send_tan(step.transfer_id, task.tan)  # a second "yes" does nothing
    assert again.status == "done" and len(fints_bank.transfers) == 1


def test_decoupled_polling(fints_bank: FintsBank) -> None:
    fints_bank.decoupled_polls = 2
    svc = service(fints_bank, tan_method="pushTAN")
    step = svc.start_transfer(draft(fints_bank))
    assert step.status == "decoupled_pending" and step.decoupled and "App" in (step.challenge or "")
    assert svc.send_tan(step.transfer_id, "123456").status == "decoupled_pending"  # no TAN for an app approval
    polls = [svc.poll_decoupled(step.transfer_id).status for _ in range(3)]
    assert polls == ["decoupled_pending", "decoupled_pending", "done"]
    assert len(fints_bank.transfers) == 1 and fints_bank.transfers[0].approved_by == "decoupled"
    assert svc.poll_decoupled(step.transfer_id).status == "done" and len(fints_bank.transfers) == 1


def test_payee_check_mismatch_is_shown_before_the_tan(fints_bank: FintsBank) -> None:
    svc = service(fints_bank)
    step = svc.start_transfer(draft(fints_bank, payee="Anna Schmitt"))
    assert step.status == "payee_check" and step.payee_check is not None
    assert step.payee_check.result == "close_match" and step.payee_check.name_at_bank == "Anna Schmidt"
    assert "Anna Schmidt" in step.message and fints_bank.tasks == {}
    tan_step = svc.confirm_payee(step.transfer_id)
    assert tan_step.status == "tan_needed"
    assert svc.send_tan(step.transfer_id, fints_bank.last_task.tan).status == "done"
    assert [t.payee for t in fints_bank.transfers] == ["Anna Schmitt"]
    other = svc.start_transfer(draft(fints_bank, payee="Somebody Else"))
    assert other.payee_check is not None and other.payee_check.result == "no_match"
    assert svc.cancel_transfer(other.transfer_id).status == "cancelled"
    assert svc.confirm_payee(other.transfer_id).status == "cancelled" and len(fints_bank.transfers) == 1


def test_wrong_pin_then_locked(fints_bank: FintsBank) -> None:
    with pytest.raises(FintsError, match="wrong PIN") as err:
        service(fints_bank, pin="00000").accounts()
    assert "00000" not in str(err.value) and "\n" not in str(err.value)
    assert fints_bank.wrong_pins == 1 and fints_bank.segment_count("HKSPA") == 0
    for _ in range(2):
        with pytest.raises(FintsError):
            service(fints_bank, pin="00000").accounts()
    assert fints_bank.locked
    with pytest.raises(FintsError, match="locked") as err:
        service(fints_bank).accounts()  # even the right PIN
    assert "\n" not in str(err.value)


def test_wrong_tan_can_be_retried_and_too_many_cancel(fints_bank: FintsBank) -> None:
    svc = service(fints_bank)
    step = svc.start_transfer(draft(fints_bank))
    wrong = svc.send_tan(step.transfer_id, "000000" if fints_bank.last_task.tan != "000000" else "111111")
    assert wrong.status == "tan_needed" and "wrong TAN" in wrong.message
    assert svc.send_tan(step.transfer_id, fints_bank.last_task.tan).status == "done"
    assert len(fints_bank.transfers) == 1
    step = svc.start_transfer(draft(fints_bank, amount="7.00"))
    bad = "000000" if fints_bank.last_task.tan != "000000" else "111111"
    states = [svc.send_tan(step.transfer_id, bad).status for _ in range(3)]
    assert states == ["tan_needed", "tan_needed", "failed"]
    assert svc.send_tan(step.transfer_id, fints_bank.last_task.tan).status == "failed"
    assert len(fints_bank.transfers) == 1


def test_dropped_connection_after_the_tan_is_unknown_and_never_resent(fints_bank: FintsBank) -> None:
    svc = service(fints_bank)
    step = svc.start_transfer(draft(fints_bank))
    fints_bank.fail_on("HKTAN", "drop_after")  # the bank executes, the answer never arrives
    lost = svc.send_tan(step.transfer_id, fints_bank.last_task.tan)
    assert lost.status == "unknown" and "check your bank" in lost.message
    assert len(fints_bank.transfers) == 1
    sent = fints_bank.segment_count("HKTAN")
    retry = svc.send_tan(step.transfer_id, fints_bank.last_task.tan)
    assert retry.status == "unknown" and fints_bank.segment_count("HKTAN") == sent
    assert len(fints_bank.transfers) == 1


def test_dropped_connection_with_the_order_is_unknown(fints_bank: FintsBank) -> None:
    svc = service(fints_bank)
    fints_bank.fail_on("HKCCS", "drop_before")
    step = svc.start_transfer(draft(fints_bank))
    assert step.status == "unknown" and fints_bank.transfers == []
    assert svc.send_tan(step.transfer_id, "123456").status == "unknown"
    assert svc.poll_decoupled(step.transfer_id).status == "unknown"
    assert fints_bank.segment_count("HKCCS") == 1 and fints_bank.transfers == []


def test_a_crash_while_in_flight_counts_as_unknown(fints_bank: FintsBank) -> None:
    store = MemoryStateStore()
    step = service(fints_bank, store).start_transfer(draft(fints_bank))
    key = f"transfer-{step.transfer_id}"
    raw = json.loads(store.data[key])
    raw["status"] = "in_flight"  # as if the process died while the TAN was at the bank
    store.data[key] = json.dumps(raw).encode()
    assert service(fints_bank, store).send_tan(step.transfer_id, fints_bank.last_task.tan).status == "unknown"
    assert fints_bank.transfers == []


def test_bank_down_and_sync_is_all_or_nothing(fints_bank: FintsBank) -> None:
    ledger = MemoryLedger()
    start, end = date.today() - timedelta(days=200), date.today()
    fints_bank.down = True
    with pytest.raises(FintsError, match="not reachable") as err:
        sync_bank(service(fints_bank), ledger, start, end)
    assert "\n" not in str(err.value)
    fints_bank.down = False
    fints_bank.page_size = 50
    fints_bank.fail_on("HKCAZ", "drop_before", after=2)  # the connection drops on the third page
    with pytest.raises(FintsError, match="not reachable"):
        sync_bank(service(fints_bank), ledger, start, end)
    assert ledger.accounts == {} and ledger.transactions == {}
    result = sync_bank(service(fints_bank), ledger, start, end)
    assert result.accounts == 2 and result.transactions == result.new_transactions == len(ledger.transactions) > 100
    assert sync_bank(service(fints_bank), ledger, start, end).new_transactions == 0  # idempotent


def test_unknown_bank_code_and_missing_product_id(fints_bank: FintsBank) -> None:
    cfg = FintsConfig(bank_code="99999999", url=fints_bank.url, user_id=fints_bank.user_id, product_id=PRODUCT)
    with pytest.raises(FintsError, match="bank code 99999999"):
        FintsBankService(cfg, fints_bank.pin, MemoryStateStore()).accounts()
    with pytest.raises(FintsError) as err:
        FintsBankService(cfg.model_copy(update={"product_id": " "}), fints_bank.pin, MemoryStateStore())
    assert str(err.value) == PRODUCT_ID_MISSING and fints_bank.products == []


def test_transfer_draft_checks(fints_bank: FintsBank) -> None:
    svc = service(fints_bank)
    bad = draft(fints_bank).model_copy(update={"iban": "DE00123456780000000000"})
    with pytest.raises(FintsError, match="not a valid IBAN"):
        svc.start_transfer(bad)
    with pytest.raises(FintsError, match="scheduled"):
        svc.start_transfer(draft(fints_bank).model_copy(update={"execute_on": date.today() + timedelta(days=3)}))
    assert fints_bank.segment_count("HKCCS") == 0
