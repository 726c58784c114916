"""A bank connection over FinTS 3.0 PIN/TAN (python-fints, used unmodified as a library).

- Reads accounts (``BankAccount``), balances (``Balance``) and transactions (``BankTransaction``: camt
  when the bank offers it, else MT940; ``statement_format`` forces one) in one dialog (``fetch``).
- A SEPA transfer (``start_transfer(TransferDraft)``) returns a typed ``TransferStep``: the bank's payee
  check (Verification of Payee) when the name does not match (``confirm_payee`` to go on), then the TAN
  challenge (``send_tan``) or an app approval (``poll_decoupled``). Between the steps the dialog is paused
  and saved (``pause_dialog`` + ``deconstruct`` + the TAN request's data) in the ``StateStore``, with
  the PIN and the sent messages scrubbed out, so a TAN entered later, even in another process, resumes it.
- Never twice: a step that may have reached the bank (the order, the TAN, an approval poll) is marked
  ``in_flight`` before it is sent; a dropped connection (or a crash) leaves it ``unknown`` ("check your
  bank"), and an unknown transfer is never sent again.
- Errors become one line (``FintsError``, a ``ServiceError``): wrong PIN, locked access, bank down,
  missing product ID. The PIN is never logged nor put into a message or a saved state."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

import requests
from fints.client import (
    FinTS3PinTanClient,
    NeedRetryResponse,
    NeedTANResponse,
    NeedVOPResponse,
    ResponseStatus,
    TransactionResponse,
)
from fints.exceptions import (
    FinTSClientError,
    FinTSClientPINError,
    FinTSClientTemporaryAuthError,
    FinTSConnectionError,
    FinTSDialogInitError,
    FinTSError,
    FinTSSCARequiredError,
    FinTSUnsupportedOperation,
)
from fints.models import SEPAAccount
from fints.types import SegmentSequence
from pydantic import BaseModel

from agents.deps import ServiceError
from agents.finance.bank_config import BankConfigError, FintsConfig, normalize_bic, normalize_iban
from agents.finance.fints_parse import StatementError, from_camt, from_mt940
from agents.finance.models import Balance, BankAccount, BankTransaction, TransferDraft
from storage.audit import AuditLog, record_quietly

log = logging.getLogger(__name__)

PRODUCT_ID_MISSING = ("a FinTS product ID registered with the Deutsche Kreditwirtschaft is needed to talk to a bank: "
                      "set fints_product_id in [domains.finance] (docs/finance-fints.md)")
UNKNOWN = ("the transfer's outcome is unknown (the connection dropped after it was sent): check your bank "
           "before trying again; it will not be sent again from here")

StepStatus = Literal["payee_check", "tan_needed", "decoupled_pending", "done", "failed", "unknown", "cancelled"]
PayeeResult = Literal["match", "close_match", "no_match", "not_available", "pending"]
_WAITING = ("payee_check", "tan_needed", "decoupled_pending")
_OPEN = "open-transfer"
_VOP = {"RCVC": "match", "RVMC": "close_match", "RVNM": "no_match", "RVNA": "not_available", "PDNG": "pending"}


class FintsError(ServiceError):
    """The bank connection failed; the message is one line for the user."""


class StateStore(Protocol):
    """Where the connection keeps its state between calls: the client's data (system id, bank and user
    parameters, the chosen TAN method) and pending transfers. Never holds the PIN."""

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, data: bytes) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryStateStore:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def load(self, key: str) -> bytes | None:
        return self.data.get(key)

    def save(self, key: str, data: bytes) -> None:
        self.data[key] = data

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


class FileStateStore:
    """One file per key in a private directory (0700, files 0600), written atomically."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def _path(self, key: str) -> Path:
        return self.dir / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".bin")

    def load(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def save(self, key: str, data: bytes) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(key)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()


class PayeeCheck(BaseModel):
    """The bank's Verification of Payee answer, shown before the TAN."""

    result: PayeeResult
    code: str
    iban: str | None = None
    name_at_bank: str | None = None  # the holder's name the bank has, for a close match
    notice: str | None = None  # the bank's own explanation

    def line(self) -> str:
        if self.result == "match":
            return "payee check: the name matches the account holder"
        if self.result == "close_match":
            return (f"payee check: the name is close but not exact: the account holder is '{self.name_at_bank}'"
                    if self.name_at_bank else "payee check: the name is close to the account holder's but not exact")
        if self.result == "no_match":
            return "payee check: the name does NOT match the account holder: the money may go to someone else"
        if self.result == "not_available":
            return "payee check: the payee's bank could not check the name"
        return "payee check: the result is still pending"


class TransferStep(BaseModel):
    """Where a transfer stands; ``message`` is one line for the user."""

    transfer_id: str
    status: StepStatus
    message: str
    challenge: str | None = None  # text to show (chipTAN/photoTAN) or the app hint (decoupled)
    challenge_hhduc: str | None = None  # flicker code data for a chipTAN reader
    challenge_image: bytes | None = None  # photoTAN/QR image
    challenge_image_type: str | None = None
    decoupled: bool = False
    payee_check: PayeeCheck | None = None
    bank_codes: list[str] = []


class BankSnapshot(BaseModel):
    """One complete read of a bank connection (all or nothing)."""

    accounts: list[BankAccount]
    balances: list[Balance]
    transactions: list[BankTransaction]


@dataclass
class _Pending:
    id: str
    draft: TransferDraft
    end_to_end_id: str
    status: StepStatus | Literal["in_flight"]
    decoupled: bool = False
    payee_check: PayeeCheck | None = None
    client: bytes = b""
    dialog: bytes = b""
    retry: bytes = b""
    vop: bytes = b""  # the bank's payee-check segment (python-fints' saved TAN request forgets it)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def dump(self) -> bytes:
        return json.dumps({
            "id": self.id, "draft": self.draft.model_dump(mode="json"), "end_to_end_id": self.end_to_end_id,
            "status": self.status, "decoupled": self.decoupled, "created": self.created,
            "payee_check": self.payee_check.model_dump() if self.payee_check else None,
            "client": base64.b64encode(self.client).decode(), "dialog": base64.b64encode(self.dialog).decode(),
            "retry": base64.b64encode(self.retry).decode(), "vop": base64.b64encode(self.vop).decode()}).encode()

    @classmethod
    def load(cls, raw: bytes) -> _Pending:
        d = json.loads(raw)
        return cls(id=d["id"], draft=TransferDraft.model_validate(d["draft"]), end_to_end_id=d["end_to_end_id"],
                   status=d["status"], decoupled=d["decoupled"], created=d["created"],
                   payee_check=PayeeCheck.model_validate(d["payee_check"]) if d["payee_check"] else None,
                   client=base64.b64decode(d["client"]), dialog=base64.b64decode(d["dialog"]),
                   retry=base64.b64decode(d["retry"]), vop=base64.b64decode(d.get("vop", "")))


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """python-fints posts without a time-out; every request to the bank gets one."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def _codes(resp: TransactionResponse) -> list[str]:
    return [f"{r.code} {r.text}" for r in resp.responses]


class FintsBankService:
    """One online-banking login (user id at one bank). Not thread-safe: one call at a time."""

    def __init__(self, config: FintsConfig, pin: str | Callable[[], str | None], store: StateStore,
                 audit: AuditLog | None = None, account: str = "bank") -> None:
        if not config.product_id.strip():
            raise FintsError(PRODUCT_ID_MISSING)
        self.config = config
        self._pin = pin
        self.store = store
        self.audit = audit
        self.account = account
        self._owner: str = ""

    # --- connection ------------------------------------------------------------------------------
    def _pin_value(self) -> str:
        pin = self._pin() if callable(self._pin) else self._pin
        if not pin:
            raise FintsError(f"no PIN is stored for bank account '{self.account}': add the bank account "
                             "again with its PIN")
        return pin

    def _client(self, from_data: bytes | None = None) -> FinTS3PinTanClient:
        cfg = self.config
        data = from_data if from_data is not None else self.store.load("client")
        client = FinTS3PinTanClient(cfg.bank_code, cfg.user_id, self._pin_value(), cfg.url,
                                    customer_id=cfg.customer_id or None, tan_medium=cfg.tan_medium,
                                    product_id=cfg.product_id.strip(), product_version=cfg.product_version,
                                    from_data=data or None)
        adapter = _TimeoutAdapter(cfg.timeout_s)
        client.connection.session.mount("https://", adapter)
        client.connection.session.mount("http://", adapter)
        if from_data is None:
            self._choose_tan_method(client)
        return client

    def _choose_tan_method(self, client: FinTS3PinTanClient) -> None:
        if not client.get_current_tan_mechanism():
            client.fetch_tan_mechanisms()  # the first contact: system id, bank and user parameters
        mechanisms = client.get_tan_mechanisms()
        wanted = self.config.tan_method.strip().lower()
        if not wanted:
            return
        for function, params in mechanisms.items():
            if wanted == str(function) or wanted in str(getattr(params, "name", "")).lower():
                if function != client.get_current_tan_mechanism():
                    client.set_tan_mechanism(function)
                return
        names = ", ".join(f"{f} ({getattr(p, 'name', '')})" for f, p in mechanisms.items())
        raise FintsError(f"the bank does not offer the TAN method '{self.config.tan_method}' to this user: "
                         f"it offers {names or 'none'}")

    def _save_client(self, client: FinTS3PinTanClient) -> None:
        self.store.save("client", client.deconstruct(including_private=True))

    def _error(self, exc: BaseException, doing: str) -> FintsError:
        bank = f"the bank at {self.config.url}"
        if isinstance(exc, FinTSClientPINError):
            text = (f"{bank} refused the PIN of '{self.config.user_id}': wrong PIN (several wrong PINs lock the "
                    "access; nothing was tried again)")
        elif isinstance(exc, FinTSClientTemporaryAuthError):
            text = f"{bank} has locked the online-banking access of '{self.config.user_id}': unlock it with your bank"
        elif isinstance(exc, FinTSConnectionError):
            text = f"{bank} is not reachable or not answering ({_first_line(exc)}): try again later"
        elif isinstance(exc, FinTSSCARequiredError):
            text = f"{bank} asks for a TAN (strong customer authentication) to {doing}"
        elif isinstance(exc, FinTSUnsupportedOperation):
            text = f"{bank} does not offer this over FinTS ({_first_line(exc)})"
        elif isinstance(exc, FinTSDialogInitError):
            text = f"{bank} refused to open a session: check the user id and the bank code {self.config.bank_code}"
        elif isinstance(exc, FinTSClientError) and "BPD" in str(exc):
            text = f"{bank} does not know the bank code {self.config.bank_code}: check the bank code and the URL"
        elif isinstance(exc, StatementError | BankConfigError):
            text = str(exc)
        else:
            text = f"{bank} failed to {doing}: {_first_line(exc)}"
        pin = self._pin() if callable(self._pin) else self._pin
        return FintsError(text.replace(pin, "***") if pin else text)

    @contextlib.contextmanager
    def _dialog(self, doing: str) -> Iterator[FinTS3PinTanClient]:
        """An open dialog; FinTS/HTTP errors become one-line FintsErrors; the client data is saved after."""
        try:
            client = self._client()
            with client:
                if isinstance(client.init_tan_response, NeedTANResponse):
                    raise FintsError(f"the bank at {self.config.url} asks for a TAN to log in; confirming a login "
                                     "TAN is not supported yet: log in once with your banking app, then try again")
                yield client
            self._save_client(client)
        except FintsError:
            raise
        except (FinTSError, requests.RequestException, StatementError, BankConfigError) as exc:
            raise self._error(exc, doing) from None
        except Exception as exc:  # python-fints raises bare Exceptions for some bank error answers
            if isinstance(exc, ServiceError):
                raise
            raise self._error(exc, doing) from None

    # --- reading ---------------------------------------------------------------------------------
    def check_login(self) -> str:
        with self._dialog("log in") as client:
            accounts = client.get_sepa_accounts()
            mechanism = client.get_tan_mechanisms().get(client.get_current_tan_mechanism())
        name = getattr(mechanism, "name", client.get_current_tan_mechanism())
        return f"FinTS login ok: {len(accounts)} account(s), TAN method {name}"

    def _bank_accounts(self, client: FinTS3PinTanClient) -> tuple[list[SEPAAccount], list[BankAccount]]:
        sepa = client.get_sepa_accounts()
        info = {a["iban"]: a for a in client.get_information().get("accounts", [])}
        out: list[BankAccount] = []
        for a in sepa:
            upd = info.get(a.iban, {})
            owner = " ".join(upd.get("owner_name") or [])
            self._owner = self._owner or owner
            out.append(BankAccount(iban=normalize_iban(a.iban), bic=normalize_bic(a.bic) if a.bic else None,
                                   name=upd.get("product_name") or "", owner=owner,
                                   currency=upd.get("currency") or "EUR"))
        return sepa, out

    def accounts(self) -> list[BankAccount]:
        with self._dialog("list the accounts") as client:
            return self._bank_accounts(client)[1]

    def _balance(self, client: FinTS3PinTanClient, account: SEPAAccount, currency: str) -> Balance | None:
        got = client.get_balance(account)
        if got is None or isinstance(got, NeedRetryResponse):
            return None
        return Balance(iban=normalize_iban(account.iban), amount=Decimal(got.amount.amount),
                       currency=str(got.amount.currency or currency), on=got.date)

    def balances(self) -> list[Balance]:
        with self._dialog("read the balances") as client:
            sepa, accounts = self._bank_accounts(client)
            return [b for s, a in zip(sepa, accounts, strict=True) if (b := self._balance(client, s, a.currency))]

    def _transactions(self, client: FinTS3PinTanClient, account: SEPAAccount, start: date,
                      end: date) -> list[BankTransaction]:
        fmt = self.config.statement_format
        camt = client.bpd.find_segment_first("HICAZS") is not None
        mt940 = client.bpd.find_segment_first("HIKAZS") is not None
        iban = normalize_iban(account.iban)
        if fmt == "camt" or (fmt == "auto" and camt):
            got = client.get_transactions_xml(account, start, end)
            if isinstance(got, NeedRetryResponse):
                raise FintsError(f"the bank asks for a TAN to read the transactions of {iban} from {start}: "
                                 "ask for a shorter period (banks allow 90 days without a TAN)")
            booked, pending = got
            out = [t for xml in booked for t in from_camt(xml, iban=iban)]
            return out + [t for xml in pending if xml for t in from_camt(xml, pending=True, iban=iban)]
        if fmt == "mt940" and not mt940:
            raise FintsError("the bank does not offer MT940 statements over FinTS: use statement_format=camt")
        got = client.get_transactions(account, start, end)
        if isinstance(got, NeedRetryResponse):
            raise FintsError(f"the bank asks for a TAN to read the transactions of {iban} from {start}: "
                             "ask for a shorter period (banks allow 90 days without a TAN)")
        return from_mt940(iban, list(got))

    def transactions(self, start: date, end: date, iban: str | None = None) -> list[BankTransaction]:
        with self._dialog("read the transactions") as client:
            sepa, _ = self._bank_accounts(client)
            return [t for s in sepa if iban is None or normalize_iban(s.iban) == normalize_iban(iban)
                    for t in self._transactions(client, s, start, end)]

    def fetch(self, start: date, end: date, iban: str | None = None) -> BankSnapshot:
        """Accounts, balances and transactions in one dialog: everything or a FintsError."""
        with self._dialog("read the accounts") as client:
            sepa, accounts = self._bank_accounts(client)
            pairs = [(s, a) for s, a in zip(sepa, accounts, strict=True) if iban is None or a.iban == normalize_iban(iban)]
            balances = [b for s, a in pairs if (b := self._balance(client, s, a.currency))]
            transactions = [t for s, _ in pairs for t in self._transactions(client, s, start, end)]
        return BankSnapshot(accounts=[a for _, a in pairs], balances=balances, transactions=transactions)

    # --- transfers ---------------------------------------------------------------------------------
    def _save_pending(self, p: _Pending) -> None:
        self.store.save(f"transfer-{p.id}", p.dump())
        if p.status in _WAITING:  # the one a TAN or "done" said later continues (``open_transfer``)
            self.store.save(_OPEN, p.id.encode())
        elif (self.store.load(_OPEN) or b"").decode() == p.id:
            self.store.delete(_OPEN)

    def default_iban(self) -> str | None:
        """The account transfers go out from (the bank account record's ``iban``)."""
        return self.config.iban

    def open_transfer(self) -> TransferStep | None:
        """The newest transfer still waiting for the user (payee check, TAN, app approval), if any."""
        ref = (self.store.load(_OPEN) or b"").decode()
        if not ref:
            return None
        try:
            step = self.transfer(ref)
        except FintsError:
            self.store.delete(_OPEN)
            return None
        return step if step.status in _WAITING else None

    def _load_pending(self, transfer_id: str) -> _Pending:
        raw = self.store.load(f"transfer-{transfer_id}") if re.fullmatch(r"[0-9a-f]{12}", transfer_id) else None
        if raw is None:
            raise FintsError(f"no pending transfer {transfer_id!r}")
        p = _Pending.load(raw)
        if p.status == "in_flight":  # a step was being sent when the process stopped: never resend it
            p.status = "unknown"
            self._finish(p, "unknown", "the process stopped while the step was at the bank")
        return p

    def _finish(self, p: _Pending, status: StepStatus, detail: str = "") -> None:
        p.status = status
        p.client = p.dialog = p.retry = p.vop = b""
        self._save_pending(p)
        outcome = "ok" if status == "done" else "failed"
        record_quietly(self.audit, f"bank.transfer.{status}", f"bank:{self.account}:{p.id}", outcome,  # type: ignore[arg-type]
                       f"{p.draft.amount} {p.draft.currency} to {p.draft.iban} {detail}".strip())

    def _step(self, p: _Pending, message: str, retry: NeedRetryResponse | None = None,
              codes: list[str] | None = None) -> TransferStep:
        step = TransferStep(transfer_id=p.id, status=p.status if p.status != "in_flight" else "unknown",
                            message=message, decoupled=p.decoupled, payee_check=p.payee_check, bank_codes=codes or [])
        if isinstance(retry, NeedTANResponse):
            step.challenge = retry.challenge or None
            step.challenge_hhduc = retry.challenge_hhduc or None
            if retry.challenge_matrix:
                step.challenge_image_type, step.challenge_image = retry.challenge_matrix
        return step

    def _state_step(self, p: _Pending) -> TransferStep:
        messages = {"unknown": UNKNOWN, "done": "the bank has executed the transfer",
                    "failed": "the transfer failed; nothing was sent", "cancelled": "the transfer was cancelled"}
        return self._step(p, messages.get(p.status, f"the transfer is waiting: {p.status}"))

    def _pause(self, client: FinTS3PinTanClient, p: _Pending, retry: NeedRetryResponse) -> None:
        """Freeze the dialog without the PIN: the saved state must never hold it (nor the sent messages, which do)."""
        dialog = client._standing_dialog
        for mechanism in dialog.auth_mechanisms:
            mechanism.pin = None
        dialog.messages = {direction: {} for direction in dialog.messages}
        p.dialog = client.pause_dialog()
        p.retry = retry.get_data()

    @contextlib.contextmanager
    def _resumed(self, p: _Pending) -> Iterator[tuple[FinTS3PinTanClient, NeedRetryResponse]]:
        client = self._client(from_data=p.client)
        retry = NeedRetryResponse.from_data(p.retry)
        if isinstance(retry, NeedTANResponse):
            retry.decoupled = p.decoupled  # python-fints' saved data forgets these two
            retry.vop_result = SegmentSequence(p.vop).segments[0] if p.vop else None
        with client.resume_dialog(p.dialog):
            for mechanism in client._standing_dialog.auth_mechanisms:
                mechanism.pin = client.pin
            yield client, retry

    def _after(self, p: _Pending, client: FinTS3PinTanClient, result: Any) -> TransferStep:
        """Turn the bank's answer into a step; pause the dialog if the bank waits for the user."""
        if isinstance(result, NeedVOPResponse):
            p.payee_check = _payee_check(result.vop_result)
            p.status = "payee_check"
            self._pause(client, p, result)
            return self._step(p, p.payee_check.line() + ": confirm to go on, or cancel")
        if isinstance(result, NeedTANResponse):
            if result.vop_result is not None:
                p.vop = SegmentSequence([result.vop_result]).render_bytes()
                p.payee_check = p.payee_check or _payee_check(result.vop_result)
            p.decoupled = bool(result.decoupled)
            p.status = "decoupled_pending" if p.decoupled else "tan_needed"
            self._pause(client, p, result)
            head = f"{p.payee_check.line()}; " if p.payee_check else ""
            what = ("approve the transfer in your banking app" if p.decoupled
                    else "enter the TAN for the transfer")
            return self._step(p, head + what, result)
        if isinstance(result, TransactionResponse):
            codes = _codes(result)
            if result.status in (ResponseStatus.SUCCESS, ResponseStatus.WARNING):
                self._finish(p, "done", "; ".join(codes))
                return self._step(p, f"the bank has executed the transfer of {_eur(p.draft.amount)} to "
                                     f"{p.draft.payee}", codes=codes)
            errors = {c[:4] for c in codes if c.startswith("9")} - {"9050", "9800"}
            if errors == {"9941"} and p.retry:  # only a wrong TAN: the order stays open for another try
                p.status = "tan_needed"
                self._pause(client, p, NeedRetryResponse.from_data(p.retry))
                return self._step(p, "wrong TAN: the bank refused it; enter the TAN again (too many wrong TANs "
                                     "cancel the order)", NeedRetryResponse.from_data(p.retry), codes)
            self._finish(p, "failed", "; ".join(codes))
            return self._step(p, "the bank refused the transfer: " + ("; ".join(codes) or "no reason given"),
                              codes=codes)
        self._finish(p, "failed", f"unexpected answer {type(result).__name__}")
        return self._step(p, "the bank's answer was not understood; check your bank before trying again")

    def _send_step(self, p: _Pending, doing: str, action: Callable[[FinTS3PinTanClient, NeedRetryResponse], Any]
                   ) -> TransferStep:
        """Resume the paused dialog and send one step; a dropped connection makes the transfer unknown."""
        p.status = "in_flight"
        self._save_pending(p)
        step: TransferStep | None = None
        try:
            with self._resumed(p) as (client, retry):
                step = self._after(p, client, action(client, retry))
                p.client = client.deconstruct(including_private=True)
        except Exception as exc:
            if step is not None:  # the step is decided; only ending the dialog afterwards failed
                log.warning("bank %s: ending the dialog failed: %s", self.account, _first_line(exc))
                return step
            if isinstance(exc, FinTSConnectionError | requests.RequestException):
                self._finish(p, "unknown", _first_line(exc))
                return self._step(p, UNKNOWN)
            error = self._error(exc, doing)  # the bank answered with an error: nothing more will happen
            self._finish(p, "failed", str(error))
            return self._step(p, str(error))
        if p.status not in ("done", "failed", "unknown"):
            self._save_pending(p)
        return step

    def start_transfer(self, draft: TransferDraft) -> TransferStep:
        """Send the order to the bank; returns the payee-check or TAN step (or done/failed/unknown)."""
        draft = _checked(draft)
        p = _Pending(id=uuid.uuid4().hex[:12], draft=draft, end_to_end_id="", status="in_flight")
        p.end_to_end_id = f"PA-{p.id}"
        sent = False
        step: TransferStep | None = None
        try:
            client = self._client()
            with client:
                if isinstance(client.init_tan_response, NeedTANResponse):
                    raise FintsError("the bank asks for a TAN to log in; confirming a login TAN is not supported yet")
                sepa, accounts = self._bank_accounts(client)
                account = next((s for s, a in zip(sepa, accounts, strict=True) if a.iban == draft.from_iban), None)
                if account is None:
                    raise FintsError(f"the account {draft.from_iban} is not among this login's accounts")
                self._save_pending(p)  # in flight from here: a crash or a drop never leads to a second send
                record_quietly(self.audit, "bank.transfer.sent", f"bank:{self.account}:{p.id}", "ok",
                               f"{draft.amount} {draft.currency} to {draft.iban}")
                sent = True
                result = client.simple_sepa_transfer(
                    account, draft.iban, draft.bic, draft.payee, draft.amount, self._owner or self.config.user_id,
                    draft.purpose, endtoend_id=p.end_to_end_id)
                step = self._after(p, client, result)
            p.client = client.deconstruct(including_private=True)
            self._save_client(client)
        except Exception as exc:
            if step is not None:  # decided; only ending the dialog afterwards failed
                log.warning("bank %s: ending the dialog failed: %s", self.account, _first_line(exc))
                return step
            error = exc if isinstance(exc, FintsError) else self._error(exc, "send the transfer")
            if not sent:
                raise error from None
            if isinstance(exc, FinTSConnectionError | requests.RequestException):
                self._finish(p, "unknown", _first_line(exc))
                return self._step(p, UNKNOWN)
            self._finish(p, "failed", str(error))
            return self._step(p, str(error))
        if p.status not in ("done", "failed", "unknown"):
            self._save_pending(p)
        return step

    def confirm_payee(self, transfer_id: str) -> TransferStep:
        """The user accepts a payee-check mismatch: the order goes on to the TAN."""
        p = self._load_pending(transfer_id)
        if p.status != "payee_check":
            return self._state_step(p)
        return self._send_step(p, "confirm the payee", lambda c, r: c.approve_vop_response(r))

    def send_tan(self, transfer_id: str, tan: str) -> TransferStep:
        p = self._load_pending(transfer_id)
        if p.status == "decoupled_pending":
            return self._step(p, "this transfer is approved in the banking app, not with a TAN: approve it there")
        if p.status != "tan_needed":
            return self._state_step(p)
        tan = tan.strip()
        if not tan or len(tan) > 99 or not tan.isprintable():
            return self._step(p, "that is not a TAN: enter the code the bank showed or sent")
        return self._send_step(p, "send the TAN", lambda c, r: c.send_tan(r, tan))

    def poll_decoupled(self, transfer_id: str) -> TransferStep:
        """Ask the bank once whether the app approval arrived (pending -> the same step again)."""
        p = self._load_pending(transfer_id)
        if p.status != "decoupled_pending":
            return self._state_step(p)
        step = self._send_step(p, "ask for the approval", lambda c, r: c.send_tan(r, ""))
        if step.status == "decoupled_pending":
            step.message = "not approved yet: approve the transfer in your banking app"
        return step

    def cancel_transfer(self, transfer_id: str) -> TransferStep:
        """Forget a transfer waiting for the user (the bank drops the unconfirmed order by itself)."""
        p = self._load_pending(transfer_id)
        if p.status in ("payee_check", "tan_needed", "decoupled_pending"):
            self._finish(p, "cancelled")
            return self._step(p, "the transfer was cancelled; nothing was executed")
        return self._state_step(p)

    def transfer(self, transfer_id: str) -> TransferStep:
        return self._state_step(self._load_pending(transfer_id))


def _payee_check(hivpp: Any) -> PayeeCheck:
    single = getattr(hivpp, "vop_single_result", None)
    code = str(getattr(single, "result", "") or "")
    return PayeeCheck(result=_VOP.get(code, "not_available"), code=code,  # type: ignore[arg-type]
                      iban=getattr(single, "recipient_IBAN", None),
                      name_at_bank=getattr(single, "close_match_name", None),
                      notice=getattr(hivpp, "manual_authorization_notice", None))


def _checked(draft: TransferDraft) -> TransferDraft:
    try:
        update: dict[str, Any] = {"iban": normalize_iban(draft.iban), "from_iban": normalize_iban(draft.from_iban)}
        if draft.bic:
            update["bic"] = normalize_bic(draft.bic)
    except BankConfigError as exc:
        raise FintsError(str(exc)) from None
    if draft.currency != "EUR":
        raise FintsError("SEPA transfers are in euros only")
    if draft.amount != draft.amount.quantize(Decimal("0.01")):
        raise FintsError(f"the amount {draft.amount} has more than two decimals")
    if not draft.payee.strip() or len(draft.payee) > 70:
        raise FintsError("the payee's name must have 1 to 70 characters")
    if len(draft.purpose) > 140:
        raise FintsError("the purpose (Verwendungszweck) may have at most 140 characters")
    if draft.execute_on is not None and draft.execute_on > date.today():
        raise FintsError("scheduled transfers (a future execution date) are not supported yet: leave the date empty")
    return draft.model_copy(update=update)


def _eur(amount: Decimal) -> str:
    return f"{amount:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
