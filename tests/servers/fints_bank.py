"""A fake German bank speaking FinTS 3.0 PIN/TAN over HTTP, on a free loopback port.

Written from the protocol (FinTS 3.0 Formals, Sicherheitsverfahren PIN/TAN, Messages -- Multibankfähige
Geschäftsvorfälle, Verification of Payee); it uses the ``fints`` library's segment classes to render and
parse segments, and raw segment text for the parameter segments the library has no class for. Like a
real bank it:

- takes base64-encoded FinTS messages by HTTP POST and answers in kind: HNHBK, HNVSK (998), HNVSD (999)
  holding the segments, HNHBS; HIRMG for the message, HIRMS per segment with the bank's return codes;
- opens dialogs (HKIDN + HKVVB, with HKSYN: a new customer system id, HISYN), sends the BPD (HIBPA,
  HIPINS with the GVs needing a TAN, HITANS 7 with four TAN methods: 912 chipTAN manual, 921 pushTAN
  decoupled, 911 chipTAN optical (an HHD 1.4 flicker code) and 902 photoTAN (an image), HISPAS, HIKAZS, HISALS, HICAZS, HICCSS, HIVPPS) and the UPD (HIUPA, HIUPD per account),
  3920 with the user's TAN methods, 3076 when the dialog needs no SCA; ends them (HKEND);
- answers HKSPA (HISPA), HKSAL (HISAL 7), HKKAZ (HIKAZ 7, MT940 with German :86: fields) and HKCAZ
  (HICAZ, camt.052.001.08) across pages with a touchdown (3040 + Aufsetzpunkt);
- takes a SEPA transfer (HKCCS + pain.001, with HKTAN process 4): a challenge (0030) or a decoupled
  approval (3955); the TAN (HKTAN process 2, TAN in HNSHA) or status polls (HKTAN process S: 3956
  "pending" until approved) execute it once; a payee check (HKVPP -> HIVPP: RCVC/RVMC/RVNM/RVNA; a
  mismatch needs HKVPA before the TAN);
- refuses a wrong PIN (9942, dialog aborted 9800), locks the access after ``lock_after`` wrong PINs
  (3938), refuses a wrong TAN (9941, the order stays open for ``tan_tries`` attempts), and can fail on
  purpose: ``fail_on("HKTAN", "drop_after")`` executes the order then drops the connection without an
  answer (the ambiguous case), ``"drop_before"`` drops without doing anything, ``"unavailable"`` answers
  HTTP 503; ``down = True`` makes every request 503.

State (inspect in tests): ``accounts`` (balances and deterministic generated transactions, 2,000+ on the
main account), ``transfers`` (executed transfers with their fields), ``tasks`` (orders awaiting a TAN),
``requests`` (segment types per message), ``tan_for(task_reference)``.

Run by hand: ``python -m tests.servers.fints_bank [--port 3000] [--transactions 2400]`` prints the URL,
bank code, user id and PIN, and each TAN as it is issued."""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
import re
import secrets
import socket
import threading
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from xml.sax.saxutils import escape

import pytest
from fints.formals import (
    KTI1,
    KTZ1,
    AccountInformation,
    AllowedFormat,
    AllowedTransaction,
    Amount1,
    Balance2,
    BankIdentifier,
    BookedCamtStatements1,
    CompressionFunction,
    CreditDebit2,
    DateTimeType,
    DescriptionRequired,
    EncryptionAlgorithm,
    GetSEPAAccountParameter1,
    IdentifiedRole,
    InitializationMode,
    KeyName,
    KeyType,
    Language2,
    ParameterPinTan,
    ParameterTwostepTAN7,
    PrincipalAccountRequired,
    ReferenceMessage,
    Response,
    SecurityDateTime,
    SecurityIdentificationDetails,
    SecurityProfile,
    SecurityRole,
    SMSChargeAccountRequired,
    SupportedHBCIVersions2,
    SupportedLanguages2,
    TANTimeDialogAssociation,
    TaskHashAlgorithm,
    Timestamp1,
    TransactionsTimeParameter1,
    TransactionTanRequired,
    TwoStepParameters7,
    UPDUsage,
)
from fints.segments.accounts import HISPA1, HISPAS1
from fints.segments.auth import EVPE, HIPINS1, HITAN7, HITANS7, HIVPP1, HIVPPS1, ParameterVoP
from fints.segments.bank import HIBPA3, HIUPA4, HIUPD6
from fints.segments.dialog import HIRMG2, HIRMS2, HISYN4
from fints.segments.message import HNHBK3, HNHBS1, HNVSD1, HNVSK3
from fints.segments.saldo import HISAL7
from fints.segments.statement import HICAZ1, HICAZS1, HIKAZ7
from fints.types import SegmentSequence
from lxml import etree
from schwifty import IBAN

from tests.servers.base import announce, free_port

FailMode = Literal["drop_before", "drop_after", "unavailable"]
CAMT_052 = "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"
PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
PAIN_001_03 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
VOP_FORMAT = "sepade.pain.002.001.10.xsd"
CHIPTAN, PUSHTAN = "912", "921"
OPTICAL, PHOTOTAN = "911", "902"  # chipTAN optical (flicker code, HHD 1.4) and photoTAN (an image)
TAN_METHOD_NAMES = {CHIPTAN: "chipTAN manuell", PUSHTAN: "pushTAN 2.0", OPTICAL: "chipTAN optisch",
                    PHOTOTAN: "photoTAN"}
TAN_REQUIRED = {"HKSPA": False, "HKSAL": False, "HKKAZ": False, "HKCAZ": False, "HKCCS": True, "HKTAB": False,
                "HKIDN": False, "HKVPP": False, "HKVPA": False}


# --- state ------------------------------------------------------------------------------------------
@dataclass
class FakeTransaction:
    booking_date: date
    value_date: date
    amount: Decimal  # negative = debit
    counterparty: str
    counterparty_iban: str
    counterparty_bic: str
    purpose: str
    gvc: str  # Geschäftsvorfallcode (German :86: field), e.g. 166 credit transfer in, 177 out, 105 direct debit
    booking_text: str
    bank_reference: str
    end_to_end_id: str = "NOTPROVIDED"
    mandate_id: str | None = None
    creditor_id: str | None = None


@dataclass
class FakeAccount:
    iban: str
    bic: str
    number: str
    product: str
    owner: str
    kind: int  # HIUPD account type: 1 current account, 10 savings
    opening_balance: Decimal
    currency: str = "EUR"
    transactions: list[FakeTransaction] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.opening_balance + sum((t.amount for t in self.transactions), Decimal("0"))

    def balance_before(self, index: int) -> Decimal:
        return self.opening_balance + sum((t.amount for t in self.transactions[:index]), Decimal("0"))


@dataclass
class ReceivedTransfer:
    """A transfer the bank executed (after the TAN or the app approval)."""

    task_reference: str
    from_iban: str
    payee: str
    iban: str
    bic: str | None
    amount: Decimal
    currency: str
    purpose: str
    end_to_end_id: str
    execution_date: str
    approved_by: Literal["tan", "decoupled"]
    pain: bytes = field(repr=False)


@dataclass
class Task:
    """An order (HKCCS) waiting for its TAN or app approval."""

    reference: str
    account: FakeAccount
    transfer: dict[str, Any]
    pain: bytes = field(repr=False)
    tan: str = field(repr=False)
    decoupled: bool
    dialog_id: str
    polls: int = 0
    wrong_tans: int = 0
    approved: bool = False
    vop_id: bytes | None = None  # a matched payee check: the TAN message must confirm it (HKVPA)
    state: Literal["open", "done", "cancelled"] = "open"
    challenge_hhduc: bytes | None = field(default=None, repr=False)  # what was sent for chipTAN optical/photoTAN


@dataclass
class VopCheck:
    vop_id: bytes
    result: str
    iban: str
    close_match_name: str | None


@dataclass
class _Dialog:
    id: str
    user: str
    system_id: str
    next_message: int = 2  # the init message was number 1


@dataclass
class FintsBank:
    host: str
    port: int
    blz: str = "10020030"
    bic: str = "FAKEDEFFXXX"
    name: str = "Fake Testbank"
    user_id: str = "test-user"
    pin: str = "58203"
    tan_methods: tuple[str, ...] = (CHIPTAN, PUSHTAN, OPTICAL, PHOTOTAN)  # the first is the user's default
    page_size: int = 200
    offer_mt940: bool = True
    offer_camt: bool = True
    vop_enabled: bool = True
    decoupled_polls: int = 2  # pending answers before the app "approves" (None-like 0 = at once)
    auto_approve: bool = True  # False: only approve_decoupled() approves
    lock_after: int = 3
    tan_tries: int = 3
    payees: dict[str, str] = field(default_factory=dict)  # IBAN -> registered account holder (VoP)
    accounts: list[FakeAccount] = field(default_factory=list)
    transfers: list[ReceivedTransfer] = field(default_factory=list)
    tasks: dict[str, Task] = field(default_factory=dict)
    requests: list[list[str]] = field(default_factory=list)
    products: list[str] = field(default_factory=list)  # product ids seen in HKVVB
    wrong_pins: int = 0
    locked: bool = False
    down: bool = False
    bpd_version: int = 17
    upd_version: int = 4
    transactions: int = 2400
    seed: int = 19
    lock: threading.RLock = field(default_factory=threading.RLock)
    _fail: list[tuple[str, FailMode, int]] = field(default_factory=list)
    _dialogs: dict[str, _Dialog] = field(default_factory=dict)
    _system_ids: set[str] = field(default_factory=set)
    _vop: dict[bytes, VopCheck] = field(default_factory=dict)
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/fints"

    def __post_init__(self) -> None:
        if not self.accounts:
            self.accounts, self.payees = generate_accounts(self.blz, self.bic, self.transactions, self.seed)

    # --- test controls ---
    def reset(self) -> None:
        """Back to the generated state with the default switches (the session fixture's bank is shared)."""
        with self.lock:
            fresh = FintsBank(self.host, self.port, transactions=self.transactions, seed=self.seed)
            for name in ("pin", "tan_methods", "page_size", "offer_mt940", "offer_camt", "vop_enabled",
                         "decoupled_polls", "auto_approve", "lock_after", "tan_tries", "bpd_version",
                         "upd_version"):
                setattr(self, name, getattr(fresh, name))
            self.accounts, self.payees = fresh.accounts, fresh.payees
            self.transfers.clear()
            self.tasks.clear()
            self.requests.clear()
            self.products.clear()
            self._fail.clear()
            self._dialogs.clear()
            self._vop.clear()
            self.wrong_pins, self.locked, self.down = 0, False, False

    def fail_on(self, segment: str, mode: FailMode, after: int = 0) -> None:
        """Fail the next message that carries ``segment`` (e.g. "HKTAN", "HKCCS", "HKKAZ", "*" = any),
        after letting ``after`` such messages through (e.g. the third page of a statement)."""
        with self.lock:
            self._fail.append((segment, mode, after))

    def tan_for(self, task_reference: str) -> str:
        return self.tasks[task_reference].tan

    @property
    def last_task(self) -> Task:
        return list(self.tasks.values())[-1]

    def approve_decoupled(self, task_reference: str | None = None) -> None:
        with self.lock:
            (self.tasks[task_reference] if task_reference else self.last_task).approved = True

    def account(self, iban: str) -> FakeAccount:
        return next(a for a in self.accounts if a.iban == iban)

    def segment_count(self, seg_type: str) -> int:
        with self.lock:
            return sum(r.count(seg_type) for r in self.requests)

    # --- the protocol ---
    def handle(self, raw: bytes) -> bytes | FailMode:
        msg = SegmentSequence(raw)
        head = msg.find_segment_first("HNHBK")
        signature_head = msg.find_segment_first("HNSHK")
        signature = msg.find_segment_first("HNSHA")
        inner = _inner_segments(msg)
        types = [s.header.type for s in inner]
        with self.lock:
            self.requests.append(types)
            failure = None
            for i, (seg, mode, after) in enumerate(self._fail):
                if seg == "*" or seg in types:
                    if after > 0:
                        self._fail[i] = (seg, mode, after - 1)
                        break
                    failure = self._fail.pop(i)
                    break
            if failure is not None and failure[1] != "drop_after":
                return failure[1]
            reply = _Reply()
            dialog_id = str(head.dialog_id) if head is not None else "0"
            pin = tan = None
            if signature is not None and signature.user_defined_signature is not None:
                pin = str(signature.user_defined_signature.pin) if signature.user_defined_signature.pin else None
                tan = signature.user_defined_signature.tan
            security_function = str(signature_head.security_function) if signature_head is not None else "999"
            number = int(head.message_number) if head is not None else 1
            if dialog_id == "0":
                out_id = self._init_dialog(inner, pin, reply)
            else:
                out_id = dialog_id
                self._in_dialog(dialog_id, number, inner, pin, tan, security_function, reply)
            rendered = reply.render(out_id, number, dialog_id)
            return "drop_after" if failure is not None else rendered

    def _check_pin(self, pin: str | None, reply: _Reply, ref: Any) -> bool:
        if self.locked:
            reply.segment(ref, "3938", "Ihr Zugang ist gesperrt - bitte wenden Sie sich an Ihre Bank")
            reply.message("9800", "Dialog abgebrochen")
            return False
        if pin != self.pin:
            self.wrong_pins += 1
            if self.wrong_pins >= self.lock_after:
                self.locked = True
            reply.segment(ref, "9942", "PIN falsch")
            reply.message("9800", "Dialog abgebrochen")
            return False
        self.wrong_pins = 0
        return True

    def _init_dialog(self, inner: list[Any], pin: str | None, reply: _Reply) -> str:
        idn = next((s for s in inner if s.header.type == "HKIDN"), None)
        vvb = next((s for s in inner if s.header.type == "HKVVB"), None)
        if idn is None or vvb is None:
            reply.message("9010", "Dialoginitialisierung fehlt (HKIDN/HKVVB)")
            return "0"
        if str(idn.bank_identifier.bank_code) != self.blz:
            reply.message("9010", "Kreditinstitut unbekannt")
            return "0"
        self.products.append(str(vvb.product_name or ""))
        if str(idn.customer_id) != self.user_id:
            reply.segment(idn, "9931", "Benutzerkennung unbekannt")
            reply.message("9800", "Dialog abgebrochen")
            return "0"
        if not self._check_pin(pin, reply, idn):
            return "0"
        dialog = _Dialog(id=f"D{secrets.token_hex(8)}", user=self.user_id, system_id=str(idn.system_id))
        self._dialogs[dialog.id] = dialog
        reply.message("0010", "Nachricht entgegengenommen")
        reply.segment(idn, "0020", "Information fehlerfrei entgegengenommen")
        if int(vvb.bpd_version or 0) < self.bpd_version:
            reply.data.extend(self._bpd())
        if int(vvb.upd_version or 0) != self.upd_version:
            reply.segment(vvb, "3050", "UPD nicht mehr aktuell, aktuelle Version enthalten")
            reply.data.extend(self._upd())
        reply.segment(vvb, "3920", "Zugelassene Zwei-Schritt-Verfahren für den Benutzer", list(self.tan_methods))
        reply.segment(vvb, "0901", "*PIN gültig")
        for seg in inner:
            if seg.header.type == "HKSYN":
                system_id = f"SYS{secrets.token_hex(6).upper()}"
                self._system_ids.add(system_id)
                dialog.system_id = system_id
                reply.segment(seg, "0020", "Auftrag ausgeführt")
                reply.data.append(_ref(HISYN4(system_id=system_id), seg))
            elif seg.header.type == "HKTAN":
                reply.segment(seg, "3076", "Starke Kundenauthentifizierung nicht notwendig")
                reply.data.append(_ref(HITAN7(tan_process="4", task_reference="noref", challenge="nochallenge"), seg))
        return dialog.id

    def _in_dialog(self, dialog_id: str, number: int, inner: list[Any], pin: str | None, tan: str | None,
                   security_function: str, reply: _Reply) -> None:
        dialog = self._dialogs.get(dialog_id)
        if dialog is None:
            reply.message("9800", "Dialog abgebrochen: Dialog-ID unbekannt oder abgelaufen")
            return
        if number != dialog.next_message:
            reply.message("9800", f"Dialog abgebrochen: Nachrichtennummer {number} statt {dialog.next_message}")
            self._dialogs.pop(dialog_id, None)
            return
        dialog.next_message += 1
        if not self._check_pin(pin, reply, inner[0] if inner else None):
            self._dialogs.pop(dialog_id, None)
            return
        reply.message("0010", "Nachricht entgegengenommen")
        business = [s for s in inner if s.header.type not in ("HKTAN", "HKVPP", "HKVPA")]
        hktan = next((s for s in inner if s.header.type == "HKTAN"), None)
        hkvpp = next((s for s in inner if s.header.type == "HKVPP"), None)
        hkvpa = next((s for s in inner if s.header.type == "HKVPA"), None)
        if hkvpa is not None:
            reply.segment(hkvpa, "0020", "Ausführungsbestätigung nach Namensabgleich erhalten")
        for seg in business:
            kind = seg.header.type
            if kind == "HKEND":
                reply.segment(seg, "0100", "Dialog beendet")
                self._dialogs.pop(dialog_id, None)
            elif kind == "HKSPA":
                self._accounts_reply(seg, reply)
            elif kind == "HKSAL":
                self._balance(seg, reply)
            elif kind == "HKKAZ" and self.offer_mt940:
                self._statement(seg, reply, camt=False)
            elif kind == "HKCAZ" and self.offer_camt:
                self._statement(seg, reply, camt=True)
            elif kind == "HKCCS":
                self._transfer(seg, hktan, hkvpp, hkvpa, dialog, security_function, reply)
                hktan = None  # answered with the order
            else:
                reply.segment(seg, "9120", f"Geschäftsvorfall {kind} wird nicht unterstützt")
        if hktan is not None:
            self._tan(hktan, hkvpa, tan, reply)

    # --- business transactions ---
    def _find_account(self, seg: Any, reply: _Reply) -> FakeAccount | None:
        acc = seg.account
        iban = getattr(acc, "iban", None)
        number = getattr(acc, "account_number", None)
        for a in self.accounts:
            if (iban and a.iban == iban) or (number and a.number == number):
                return a
        reply.segment(seg, "9210", "Konto unbekannt oder nicht freigegeben")
        return None

    def _accounts_reply(self, seg: Any, reply: _Reply) -> None:
        reply.segment(seg, "0020", "Auftrag ausgeführt")
        reply.data.append(_ref(HISPA1(accounts=[
            KTZ1(is_sepa=True, iban=a.iban, bic=a.bic, account_number=a.number, subaccount_number=None,
                 bank_identifier=BankIdentifier(BankIdentifier.COUNTRY_ALPHA_TO_NUMERIC["DE"], self.blz))
            for a in self.accounts]), seg))

    def _balance(self, seg: Any, reply: _Reply) -> None:
        account = self._find_account(seg, reply)
        if account is None:
            return
        bal = account.balance
        today = date.today()
        reply.segment(seg, "0020", "Auftrag ausgeführt")
        reply.data.append(_ref(HISAL7(
            account=KTI1(iban=account.iban, bic=account.bic), account_product=account.product,
            currency=account.currency,
            balance_booked=Balance2(credit_debit=CreditDebit2.CREDIT if bal >= 0 else CreditDebit2.DEBIT,
                                    amount=Amount1(amount=abs(bal), currency=account.currency), date=today),
            available_amount=Amount1(amount=max(bal, Decimal(0)) + Decimal(2000), currency=account.currency),
            booking_timestamp=Timestamp1(date=today)), seg))

    def _statement(self, seg: Any, reply: _Reply, camt: bool) -> None:
        account = self._find_account(seg, reply)
        if account is None:
            return
        start = seg.date_start or date.min
        end = seg.date_end or date.max
        picked = [i for i, t in enumerate(account.transactions) if start <= t.booking_date <= end]
        query = hashlib.sha1(f"{account.iban}{start}{end}{camt}".encode()).hexdigest()[:8]
        offset = 0
        if seg.touchdown_point:
            m = re.fullmatch(r"P(\d+)-([0-9a-f]{8})", str(seg.touchdown_point))
            if m is None or m.group(2) != query:
                reply.segment(seg, "9110", "Aufsetzpunkt ungültig")
                return
            offset = int(m.group(1))
        page = picked[offset:offset + self.page_size]
        more = offset + self.page_size < len(picked)
        if not picked:
            reply.segment(seg, "3010", "Keine Umsätze im angegebenen Zeitraum vorhanden")
        else:
            reply.segment(seg, "0020", "Auftrag ausgeführt")
        if more:
            reply.segment(seg, "3040", "Es liegen weitere Informationen vor", [f"P{offset + self.page_size}-{query}"])
        number = offset // self.page_size + 1
        if camt:
            xml = render_camt052(account, page, number, start, end)
            reply.data.append(_ref(HICAZ1(account=KTI1(iban=account.iban, bic=account.bic), camt_descriptor=CAMT_052,
                                          statement_booked=BookedCamtStatements1(camt_statements=[xml])), seg))
        elif picked:
            reply.data.append(_ref(HIKAZ7(statement_booked=render_mt940(account, page, number, self.blz)), seg))

    def _transfer(self, seg: Any, hktan: Any, hkvpp: Any, hkvpa: Any, dialog: _Dialog, security_function: str,
                  reply: _Reply) -> None:
        account = self._find_account(seg, reply)
        if account is None:
            return
        if hktan is None or security_function == "999":
            reply.segment(seg, "9075", "Starke Kundenauthentifizierung notwendig (HKTAN fehlt)")
            return
        try:
            transfer = parse_pain001(bytes(seg.sepa_pain_message))
        except ValueError as exc:
            reply.segment(seg, "9130", f"SEPA-Auftrag fehlerhaft: {exc}"[:80])
            return
        if transfer["debtor_iban"] != account.iban:
            reply.segment(seg, "9210", "Auftraggeberkonto stimmt nicht mit der Kontoverbindung überein")
            return
        check: VopCheck | None = None
        if self.vop_enabled and hkvpa is None:
            if hkvpp is None:
                reply.segment(seg, "9075", "Namensabgleich (HKVPP) erforderlich")
                return
            check = self._payee_check(transfer)
            reply.data.append(_vop_segment(check, hkvpp))
            reply.segment(hkvpp, "0020", "Namensabgleich ausgeführt")
            if check.result != "RCVC":
                reply.segment(hktan, "3945", "Freigabe ohne VOP-Bestätigung nicht möglich")
                return
        ref = f"T{next(self._seq):06d}{secrets.token_hex(3).upper()}"
        decoupled = security_function == PUSHTAN
        task = Task(reference=ref, account=account, transfer=transfer, pain=bytes(seg.sepa_pain_message),
                    tan=f"{random.SystemRandom().randint(0, 999999):06d}", decoupled=decoupled, dialog_id=dialog.id,
                    vop_id=check.vop_id if check is not None else None)
        self.tasks[ref] = task
        if decoupled:
            challenge = (f"Bitte bestätigen Sie die Überweisung über {_de_amount(transfer['amount'])} EUR an "
                         f"{transfer['payee']} in Ihrer Banking-App.")
            reply.segment(hktan, "3955", "Sicherheitsfreigabe erfolgt über anderen Kanal")
        else:
            challenge = (f"Überweisung {_de_amount(transfer['amount'])} EUR an IBAN {transfer['iban']}: bitte "
                         f"geben Sie die TAN ein (Startcode {int(ref[1:7]):08d}).")
            reply.segment(hktan, "0030", "Auftrag empfangen - Sicherheitsfreigabe erforderlich")
        hhduc: bytes | None = None
        if security_function == OPTICAL:  # the start code, the payee's account and the amount, as HHD 1.4
            hhduc = hhd_code(f"{int(ref[1:7]):08d}", transfer["iban"][-10:], _de_amount(transfer["amount"])).encode()
        elif security_function == PHOTOTAN:  # the bank's image: two-byte length, media type, length, PNG
            png = mosaic_png(f"{ref}:{task.tan}".encode())
            hhduc = len(b"image/png").to_bytes(2, "big") + b"image/png" + len(png).to_bytes(2, "big") + png
        task.challenge_hhduc = hhduc
        reply.data.append(_ref(HITAN7(tan_process="4", task_reference=ref, challenge=challenge,
                                      challenge_hhduc=hhduc), hktan))

    def _payee_check(self, transfer: dict[str, Any]) -> VopCheck:
        vop_id = secrets.token_bytes(8)
        registered = self.payees.get(transfer["iban"])
        name = transfer["payee"]
        if registered is None:
            check = VopCheck(vop_id, "RVNA", transfer["iban"], None)
        elif _norm(registered) == _norm(name):
            check = VopCheck(vop_id, "RCVC", transfer["iban"], None)
        elif _close(registered, name):
            check = VopCheck(vop_id, "RVMC", transfer["iban"], registered)
        else:
            check = VopCheck(vop_id, "RVNM", transfer["iban"], None)
        self._vop[vop_id] = check
        return check

    def _tan(self, hktan: Any, hkvpa: Any, tan: str | None, reply: _Reply) -> None:
        task = self.tasks.get(str(hktan.task_reference or ""))
        if task is None or task.state != "open":
            reply.segment(hktan, "9210", "Auftragsreferenz unbekannt oder Auftrag bereits bearbeitet")
            return
        if task.vop_id is not None and (hkvpa is None or bytes(hkvpa.vop_id or b"") != task.vop_id):
            reply.segment(hktan, "9210", "Ausführungsbestätigung zum Namensabgleich (HKVPA) fehlt")
            return
        if hktan.tan_process == "S":
            task.polls += 1
            if not task.approved and self.auto_approve and task.polls > self.decoupled_polls:
                task.approved = True
            reply.data.append(_ref(HITAN7(tan_process="S", task_reference=task.reference), hktan))
            if not task.approved:
                reply.segment(hktan, "3956", "Starke Kundenauthentifizierung noch ausstehend")
                return
            self._execute(task, "decoupled")
            reply.segment(hktan, "0020", "Auftrag ausgeführt")
            return
        if hktan.tan_process != "2":
            reply.segment(hktan, "9210", f"TAN-Prozess {hktan.tan_process} hier nicht zulässig")
            return
        if task.decoupled:
            reply.segment(hktan, "9210", "Auftrag wird in der App freigegeben, keine TAN-Eingabe möglich")
            return
        if tan != task.tan:
            task.wrong_tans += 1
            if task.wrong_tans >= self.tan_tries:
                task.state = "cancelled"
                reply.segment(hktan, "9941", "TAN ungültig")
                reply.segment(hktan, "9955", "Auftrag nach zu vielen falschen TANs storniert")
            else:
                reply.segment(hktan, "9941", "TAN ungültig")
            return
        self._execute(task, "tan")
        reply.data.append(_ref(HITAN7(tan_process="2", task_reference=task.reference), hktan))
        reply.segment(hktan, "0020", "Auftrag ausgeführt")

    def _execute(self, task: Task, by: Literal["tan", "decoupled"]) -> None:
        t = task.transfer
        task.state = "done"
        self.transfers.append(ReceivedTransfer(
            task_reference=task.reference, from_iban=task.account.iban, payee=t["payee"], iban=t["iban"], bic=t["bic"],
            amount=t["amount"], currency=t["currency"], purpose=t["purpose"], end_to_end_id=t["end_to_end_id"],
            execution_date=t["execution_date"], approved_by=by, pain=task.pain))
        today = date.today()
        task.account.transactions.append(FakeTransaction(
            booking_date=today, value_date=today, amount=-t["amount"], counterparty=t["payee"],
            counterparty_iban=t["iban"], counterparty_bic=t["bic"] or "", purpose=t["purpose"], gvc="177",
            booking_text="SEPA-UEBERWEISUNG", bank_reference=task.reference, end_to_end_id=t["end_to_end_id"]))

    # --- parameter data ---
    def _bpd(self) -> list[Any]:
        def method(function: str) -> TwoStepParameters7:
            decoupled = function == PUSHTAN
            tech = {PUSHTAN: "Decoupled", PHOTOTAN: "MS1.0", OPTICAL: "HHD1.4OPT"}.get(function, "HHD1.4")
            return TwoStepParameters7(
                security_function=function, tan_process="2", tech_id=tech,
                zka_id="Decoupled" if decoupled else "HHD", zka_version="1.4",
                name=TAN_METHOD_NAMES[function], max_length_input=6,
                allowed_format=AllowedFormat.NUMERIC, text_return_value="TAN", max_length_return_value=2048,
                multiple_tans_allowed=False, tan_time_dialog_association=TANTimeDialogAssociation.ALLOWED,
                cancel_allowed=False, sms_charge_account_required=SMSChargeAccountRequired.MUST_NOT,
                principal_account_required=PrincipalAccountRequired.MUST_NOT, challenge_class_required=False,
                challenge_structured=False, initialization_mode=InitializationMode.CLEARTEXT_PIN_NO_TAN,
                description_required=DescriptionRequired.MAY, response_hhd_uc_required=False,
                supported_media_number=1,
                decoupled_max_poll_number=60 if decoupled else None,
                wait_before_first_poll=1 if decoupled else None, wait_before_next_poll=1 if decoupled else None,
                manual_confirmation_allowed=True if decoupled else None,
                automated_polling_allowed=True if decoupled else None)

        segs: list[Any] = [
            HIBPA3(bpd_version=self.bpd_version, bank_identifier=BankIdentifier("280", self.blz), bank_name=self.name,
                   number_tasks=3, supported_languages=SupportedLanguages2([Language2.DE]),
                   supported_hbci_version=SupportedHBCIVersions2(["300"]), max_message_length=0),
            HIPINS1(max_number_tasks=1, min_number_signatures=1, security_class=0, parameter=ParameterPinTan(
                min_pin_length=5, max_pin_length=20, max_tan_length=6, user_id_field_text="Anmeldename",
                customer_id_field_text="Kunden-ID", transaction_tans_required=[
                    TransactionTanRequired(transaction=k, tan_required=v) for k, v in TAN_REQUIRED.items()])),
            HITANS7(max_number_tasks=1, min_number_signatures=1, security_class=0, parameter=ParameterTwostepTAN7(
                onestep_method_allowed=True, multiple_tasks_allowed=False,
                task_hash_algorithm=TaskHashAlgorithm.NONE, twostep_parameters=[method(f) for f in TAN_METHOD_NAMES])),
            HISPAS1(max_number_tasks=1, min_number_signatures=1, security_class=0, parameter=GetSEPAAccountParameter1(
                single_account_query_allowed=True, national_account_allowed=False, structured_purpose_allowed=False,
                supported_sepa_formats=[PAIN_001, PAIN_001_03])),
        ]
        raw = b"HISALS:1:7:4+1+1+0'HICCSS:1:1:4+1+1+2'"
        if self.offer_mt940:
            raw += b"HIKAZS:1:7:4+1+1+0+730:N:N'"
        segs.extend(SegmentSequence(raw).segments)
        if self.offer_camt:
            segs.append(HICAZS1(max_number_tasks=1, min_number_signatures=1, security_class=0,
                                parameter=TransactionsTimeParameter1(storage_duration=730,
                                                                     entry_number_entries_allowed=False,
                                                                     all_accounts_allowed=False,
                                                                     supported_camt_formats=[CAMT_052])))
        if self.vop_enabled:
            segs.append(HIVPPS1(max_number_tasks=1, min_number_signatures=1, security_class=0, parameter=ParameterVoP(
                max_trans=1, notice_is_structured=False, report_complete="V", batch_payment_allowed=False,
                multiple_allowed=False, supported_report_formats=VOP_FORMAT, payment_order_segment=["HKCCS"])))
        return segs

    def _upd(self) -> list[Any]:
        out: list[Any] = [HIUPA4(user_identifier=self.user_id, upd_version=self.upd_version,
                                 upd_usage=UPDUsage.UPD_CONCLUSIVE)]
        for a in self.accounts:
            out.append(HIUPD6(
                account_information=AccountInformation(a.number, None, BankIdentifier("280", self.blz)), iban=a.iban,
                customer_id=self.user_id, account_type=a.kind, account_currency=a.currency,
                name_account_owner_1=a.owner[:27], account_product_name=a.product,
                allowed_transactions=[AllowedTransaction(transaction=t, required_signatures=1)
                                      for t in ("HKSPA", "HKSAL", "HKKAZ", "HKCAZ", "HKCCS", "HKTAN")]))
        return out


# --- rendering ----------------------------------------------------------------------------------------
class _Reply:
    def __init__(self) -> None:
        self.msg: list[Any] = []
        self.seg: dict[int, list[Any]] = {}
        self.data: list[Any] = []

    def message(self, code: str, text: str) -> None:
        self.msg.append(Response(code=code, reference_element=None, text=text))

    def segment(self, ref: Any, code: str, text: str, params: list[str] | None = None) -> None:
        number = int(ref.header.number) if ref is not None else 0
        self.seg.setdefault(number, []).append(Response(code=code, reference_element=None, text=text,
                                                        parameters=params))

    def render(self, dialog_id: str, number: int, ref_dialog: str) -> bytes:
        inner: list[Any] = []
        if self.msg:
            inner.append(HIRMG2(responses=self.msg))
        for ref, responses in self.seg.items():
            seg = HIRMS2(responses=responses)
            seg.header.reference = ref or None
            inner.append(seg)
        inner.extend(self.data)
        for i, seg in enumerate(inner, start=2):
            seg.header.number = i
        now = datetime.now()
        head = HNHBK3(message_size=0, hbci_version=300, dialog_id=dialog_id, message_number=number,
                      reference_message=ReferenceMessage(dialog_id=ref_dialog, message_number=number))
        head.header.number = 1
        vsk = HNVSK3(security_profile=SecurityProfile("PIN", 2), security_function="998", security_role=SecurityRole.ISS,
                     security_identification_details=SecurityIdentificationDetails(IdentifiedRole.MS, identifier="0"),
                     security_datetime=SecurityDateTime(DateTimeType.STS, now.date(), now.time()),
                     encryption_algorithm=EncryptionAlgorithm("2", "2", "13", b"\x00" * 8, "5", "1"),
                     key_name=KeyName(BankIdentifier("280", "0"), "0", KeyType.V, 0, 0),
                     compression_function=CompressionFunction.NULL)
        vsk.header.number = 998
        vsd = HNVSD1(data=SegmentSequence(inner))
        vsd.header.number = 999
        tail = HNHBS1(message_number=number)
        tail.header.number = len(inner) + 2
        msg = SegmentSequence([head, vsk, vsd, tail])
        head.message_size = len(msg.render_bytes())
        return msg.render_bytes()


def _ref(seg: Any, to: Any) -> Any:
    seg.header.reference = int(to.header.number)
    return seg


def _inner_segments(msg: Any) -> list[Any]:
    vsd = msg.find_segment_first("HNVSD")
    segs = vsd.data.segments if vsd is not None else msg.segments
    return [s for s in segs if s.header.type not in ("HNHBK", "HNHBS", "HNSHK", "HNSHA", "HNVSK", "HNVSD")]


def _vop_segment(check: VopCheck, hkvpp: Any) -> Any:
    notice = None
    if check.result != "RCVC":
        notice = ("Der Name des Zahlungsempfängers stimmt nicht mit dem Kontoinhaber überein. Wenn Sie den "
                  "Auftrag trotzdem freigeben, kann das Geld an einen falschen Empfänger gehen.")
    return _ref(HIVPP1(vop_id=check.vop_id, payment_status_report_descriptor=VOP_FORMAT,
                       vop_single_result=EVPE(recipient_IBAN=check.iban, result=check.result,
                                              close_match_name=check.close_match_name,
                                              na_reason="Empfängerbank nimmt nicht teil" if check.result == "RVNA"
                                              else None),
                       manual_authorization_notice=notice), hkvpp)


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", _ascii(name).lower()).split())


def _close(registered: str, given: str) -> bool:
    a, b = set(_norm(registered).split()), set(_norm(given).split())
    return bool(a & b)


def _ascii(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae").replace("Ö", "Oe")
    text = text.replace("Ü", "Ue").replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _swift(text: str) -> str:
    """The SWIFT character set of MT940 (no umlauts, no '?' or ':' that would break the fields)."""
    return re.sub(r"[^A-Za-z0-9/\-().,'+ ]", " ", _ascii(text))


def hhd_code(start_code: str, *data: str) -> str:
    """A chipTAN HHD 1.4 challenge (HHD-UC, as a bank sends it for the optical method): LC, the start code
    with its length byte (bit 7: a control byte follows; 01 = HHD 1.4), then each data element with its
    two-digit length (ASCII)."""
    body = f"{0x80 + len(start_code):02X}01{start_code}" + "".join(f"{len(d):02d}{d}" for d in data)
    return f"{len(body):03d}{body}"


def mosaic_png(seed: bytes, modules: int = 33, scale: int = 6) -> bytes:
    """A photoTAN-like black-and-white mosaic as a grey PNG (written with zlib: no imaging library here).
    A real photoTAN image is encrypted for the user's app; this one only has to look and travel like it."""
    stream = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(modules * modules // 256 + 1))
    bits = [(stream[i // 8] >> (i % 8)) & 1 for i in range(modules * modules)]
    rows = b""
    for y in range(modules * scale):
        row = bytes(0 if bits[(y // scale) * modules + x // scale] else 255 for x in range(modules * scale))
        rows += b"\x00" + row
    size = modules * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = size.to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])  # 8-bit grey, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _de_amount(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _mt_amount(amount: Decimal) -> str:
    return f"{abs(amount):.2f}".replace(".", ",")


def _chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def render_mt940(account: FakeAccount, page: list[int], number: int, blz: str) -> bytes:
    """One MT940 statement (a page) with German structured :86: fields."""
    txs = [account.transactions[i] for i in page]
    opening = account.balance_before(page[0])
    closing = opening + sum((t.amount for t in txs), Decimal("0"))
    first, last = txs[0].booking_date, txs[-1].booking_date

    def bal(tag: str, amount: Decimal, on: date) -> str:
        return f":{tag}:{'C' if amount >= 0 else 'D'}{on:%y%m%d}{account.currency}{_mt_amount(amount)}"

    lines = ["", f":20:STARTUMSE{number:05d}", f":25:{blz}/{account.number}", f":28C:{number:05d}/001",
             bal("60F", opening, first)]
    for t in txs:
        sign = "C" if t.amount >= 0 else "D"
        kind = {"105": "NDDT", "166": "NTRF", "177": "NTRF", "835": "NMSC"}.get(t.gvc, "NMSC")
        lines.append(f":61:{t.value_date:%y%m%d}{t.booking_date:%m%d}{sign}{_mt_amount(t.amount)}{kind}"
                     f"{_swift(t.end_to_end_id)[:16] if t.end_to_end_id != 'NOTPROVIDED' else 'NONREF'}"
                     f"//{t.bank_reference}")
        purpose = f"EREF+{_swift(t.end_to_end_id)}"
        if t.mandate_id:
            purpose += f"MREF+{_swift(t.mandate_id)}CRED+{_swift(t.creditor_id or '')}"
        purpose += f"SVWZ+{_swift(t.purpose)}"
        fields = [t.gvc, f"?00{_swift(t.booking_text)[:27]}", "?109310"]
        fields += [f"?{20 + i}{part}" for i, part in enumerate(_chunks(purpose, 27)[:10])]
        name = _chunks(_swift(t.counterparty), 27)
        fields += [f"?30{t.counterparty_bic}", f"?31{t.counterparty_iban}", f"?32{name[0]}"]
        if len(name) > 1:
            fields.append(f"?33{name[1]}")
        out, line = [], ":86:"
        for f in fields:
            if len(line) + len(f) > 65:
                out.append(line)
                line = ""
            line += f
        out.append(line)
        lines.extend(out)
    lines += [bal("62F", closing, last), "-"]
    return "\r\n".join(lines).encode("iso-8859-1")


def render_camt052(account: FakeAccount, page: list[int], number: int, start: date, end: date) -> bytes:
    """One camt.052.001.08 account report (a page)."""
    txs = [account.transactions[i] for i in page]
    now = datetime.now().replace(microsecond=0).isoformat()
    e = escape
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{CAMT_052}"><BkToCstmrAcctRpt>'
             f"<GrpHdr><MsgId>CAMT052-{account.number}-{number}</MsgId><CreDtTm>{now}</CreDtTm>"
             f"<MsgPgntn><PgNb>{number}</PgNb><LastPgInd>false</LastPgInd></MsgPgntn></GrpHdr>"
             f"<Rpt><Id>{account.number}-{number}</Id><ElctrncSeqNb>{number}</ElctrncSeqNb><CreDtTm>{now}</CreDtTm>"
             f"<Acct><Id><IBAN>{account.iban}</IBAN></Id><Ccy>{account.currency}</Ccy>"
             f"<Ownr><Nm>{e(account.owner)}</Nm></Ownr><Svcr><FinInstnId><BICFI>{account.bic}</BICFI></FinInstnId>"
             f"</Svcr></Acct>"]
    if txs:
        opening = account.balance_before(page[0])
        closing = opening + sum((t.amount for t in txs), Decimal("0"))
        for code, amount, on in (("PRCD", opening, txs[0].booking_date), ("CLBD", closing, txs[-1].booking_date)):
            parts.append(f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
                         f'<Amt Ccy="{account.currency}">{abs(amount):.2f}</Amt>'
                         f"<CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{on}</Dt></Dt></Bal>")
    for t in txs:
        credit = t.amount >= 0
        party = "Dbtr" if credit else "Cdtr"
        family = ("RCDT", "ESCT") if credit else (("DD", "ESDD") if t.gvc == "105" else ("ICDT", "ESCT"))
        refs = f"<EndToEndId>{e(t.end_to_end_id)}</EndToEndId>"
        if t.mandate_id:
            refs += f"<MndtId>{e(t.mandate_id)}</MndtId>"
        creditor_id = ""
        if t.creditor_id:
            creditor_id = (f"<Id><PrvtId><Othr><Id>{e(t.creditor_id)}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm>"
                           f"</Othr></PrvtId></Id>")
        parts.append(
            f'<Ntry><Amt Ccy="{account.currency}">{abs(t.amount):.2f}</Amt>'
            f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>{t.booking_date}</Dt></BookgDt><ValDt><Dt>{t.value_date}</Dt></ValDt>"
            f"<AcctSvcrRef>{t.bank_reference}</AcctSvcrRef>"
            f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family[0]}</Cd><SubFmlyCd>{family[1]}</SubFmlyCd></Fmly></Domn>"
            f"<Prtry><Cd>NTRF+{t.gvc}+9310</Cd><Issr>DK</Issr></Prtry></BkTxCd>"
            f"<NtryDtls><TxDtls><Refs>{refs}</Refs>"
            f'<Amt Ccy="{account.currency}">{abs(t.amount):.2f}</Amt>'
            f"<RltdPties><{party}><Pty><Nm>{e(t.counterparty)}</Nm>{creditor_id}</Pty></{party}>"
            f"<{party}Acct><Id><IBAN>{t.counterparty_iban}</IBAN></Id></{party}Acct></RltdPties>"
            f"<RltdAgts><{party}Agt><FinInstnId><BICFI>{t.counterparty_bic}</BICFI></FinInstnId></{party}Agt>"
            f"</RltdAgts><RmtInf><Ustrd>{e(t.purpose[:140])}</Ustrd></RmtInf>"
            f"<AddtlTxInf>{e(t.booking_text)}</AddtlTxInf></TxDtls></NtryDtls></Ntry>")
    parts.append("</Rpt></BkToCstmrAcctRpt></Document>")
    return "".join(parts).encode()


def parse_pain001(xml: bytes) -> dict[str, Any]:
    """The one credit transfer of a pain.001 (any version: namespaces are ignored)."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"kein gültiges XML ({exc})") from None

    def one(path: str, node: Any = root) -> str | None:
        found = node.xpath(path)
        return str(found[0]).strip() if found else None

    tx = root.xpath("//*[local-name()='CdtTrfTxInf']")
    if len(tx) != 1:
        raise ValueError(f"{len(tx)} Überweisungen statt einer")
    t = tx[0]
    amount = one(".//*[local-name()='InstdAmt']/text()", t)
    currency = one(".//*[local-name()='InstdAmt']/@Ccy", t)
    iban = one(".//*[local-name()='CdtrAcct']//*[local-name()='IBAN']/text()", t)
    payee = one(".//*[local-name()='Cdtr']/*[local-name()='Nm']/text()", t)
    debtor = one("//*[local-name()='DbtrAcct']//*[local-name()='IBAN']/text()")
    if not amount or not iban or not payee or not debtor:
        raise ValueError("Betrag, Empfänger, Empfänger-IBAN oder Auftraggeber-IBAN fehlt")
    if Decimal(amount) <= 0:
        raise ValueError("Betrag muss positiv sein")
    return {
        "debtor_iban": debtor, "iban": iban, "payee": payee, "amount": Decimal(amount), "currency": currency or "EUR",
        "bic": one(".//*[local-name()='CdtrAgt']//*[local-name()='BIC' or local-name()='BICFI']/text()", t),
        "purpose": one(".//*[local-name()='RmtInf']/*[local-name()='Ustrd']/text()", t) or "",
        "end_to_end_id": one(".//*[local-name()='EndToEndId']/text()", t) or "NOTPROVIDED",
        "execution_date": one("//*[local-name()='ReqdExctnDt']//text()[normalize-space()]") or "",
    }


# --- deterministic data ---------------------------------------------------------------------------------
_PAYEES = [
    # name, bank code, BIC, purposes, gvc, booking text, amount range (cents, negative = out), mandate
    ("REWE Markt GmbH", "37040044", "COBADEFFXXX", ["REWE SAGT DANKE {n}", "Einkauf Filiale 4711 {d}"], "105",
     "LASTSCHRIFT", (-12000, -800), True),
    ("EDEKA Zentrale AG", "20050550", "HASPDEHHXXX", ["EDEKA Einkauf {d}"], "105", "LASTSCHRIFT", (-9000, -500), True),
    ("Hausverwaltung Müller & Söhne", "10050000", "BELADEBEXXX", ["Miete {m} Wohnung 3 OG links"], "177",
     "DAUERAUFTRAG", (-98000, -98000), False),
    ("Stadtwerke Musterstadt", "60050101", "SOLADEST600", ["Abschlag Strom/Gas {m} Kd-Nr 55123"], "105",
     "LASTSCHRIFT", (-8900, -8900), True),
    ("Netflix International B.V.", "50070010", "DEUTDEFFXXX", ["Netflix Abo {m}"], "105", "LASTSCHRIFT",
     (-1399, -1399), True),
    ("Deutsche Bahn Fernverkehr AG", "50070010", "DEUTDEFFXXX", ["Fahrkarte {n} Berlin-Hamburg"], "105",
     "LASTSCHRIFT", (-15000, -1990), True),
    ("Allianz Versicherungs-AG", "70080000", "DRESDEFF700", ["Beitrag Haftpflicht {m} Vertr 7781"], "105",
     "LASTSCHRIFT", (-6450, -6450), True),
    ("Restaurant Zur Linde", "76050101", "SSKNDE77XXX", ["Kartenzahlung {d}"], "106", "KARTENZAHLUNG",
     (-8500, -1500), False),
    ("Anna Schmidt", "12030000", "BYLADEM1001", ["Konzertkarten", "Danke fuers Essen", "Geschenk Paul"], "177",
     "SEPA-UEBERWEISUNG", (-12000, -1000), False),
    ("ACME Software GmbH", "20041111", "COBADEHDXXX", ["Gehalt {m}", "Lohn/Gehalt {m} Pers-Nr 0815"], "153",
     "LOHN/GEHALT", (345000, 345000), False),
    ("Finanzamt Musterstadt", "86000000", "MARKDEF1860", ["Erstattung ESt {y}"], "166", "GUTSCHRIFT",
     (10000, 90000), False),
]


_WEIGHTS = [30, 18, 2, 2, 2, 6, 1, 20, 8, 2, 0.3]


def _digits(text: str, n: int) -> str:
    return f"{int(hashlib.sha1(text.encode()).hexdigest(), 16) % 10**n:0{n}d}"


def generate_accounts(blz: str, bic: str, count: int, seed: int) -> tuple[list[FakeAccount], dict[str, str]]:
    """A current account with ``count`` transactions over the last ~2 years (ending yesterday) and a
    savings account with a few: deterministic for a seed and today's date."""
    rng = random.Random(seed)
    owner = "Max Mustermann"
    main = FakeAccount(iban=str(IBAN.generate("DE", bank_code=blz, account_code="1234567890")), bic=bic,
                       number="1234567890", product="Girokonto Plus", owner=owner, kind=1,
                       opening_balance=Decimal("2500.00"))
    savings = FakeAccount(iban=str(IBAN.generate("DE", bank_code=blz, account_code="1234567891")), bic=bic,
                          number="1234567891", product="Tagesgeld", owner=owner, kind=10,
                          opening_balance=Decimal("10000.00"))
    payees: dict[str, str] = {}
    ibans: dict[str, str] = {}
    for i, (name, code, *_rest) in enumerate(_PAYEES):
        iban = str(IBAN.generate("DE", bank_code=code, account_code=f"{900000 + i * 7919:010d}"))
        ibans[name] = iban
        payees[iban] = name
    end = date.today() - timedelta(days=1)
    start = end - timedelta(days=730)
    span = (end - start).days
    days = sorted(rng.randrange(span + 1) for _ in range(count))
    for n, offset in enumerate(days):
        day = start + timedelta(days=offset)
        name, _code, pbic, purposes, gvc, text, (lo, hi), mandate = rng.choices(_PAYEES, _WEIGHTS)[0]
        cents = rng.randint(lo, hi)
        purpose = rng.choice(purposes).format(n=f"{n:06d}", d=f"{day:%d.%m.%Y}", m=f"{day:%m/%Y}", y=day.year - 1)
        main.transactions.append(FakeTransaction(
            booking_date=day, value_date=day, amount=Decimal(cents) / 100, counterparty=name,
            counterparty_iban=ibans[name], counterparty_bic=pbic, purpose=purpose, gvc=gvc, booking_text=text,
            bank_reference=f"B{day:%y%m%d}{n:06d}", end_to_end_id=f"E2E{seed}{n:07d}" if gvc != "106" else "NOTPROVIDED",
            mandate_id=f"MNDT{_digits(name, 8)}" if mandate else None,
            creditor_id=f"DE98ZZZ0{_digits(name, 9)}" if mandate else None))
    for n in range(12):
        day = end - timedelta(days=30 * (12 - n))
        savings.transactions.append(FakeTransaction(
            booking_date=day, value_date=day, amount=Decimal("250.00"), counterparty=owner, counterparty_iban=main.iban,
            counterparty_bic=bic, purpose=f"Sparrate {day:%m/%Y}", gvc="166", booking_text="UMBUCHUNG",
            bank_reference=f"S{day:%y%m%d}{n:06d}"))
    payees[main.iban] = owner
    payees[savings.iban] = owner
    return [main, savings], payees


# --- HTTP ---------------------------------------------------------------------------------------------
def _handler(bank: FintsBank) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._send(200, f"{bank.name}: FinTS 3.0 PIN/TAN, POST base64 messages to {bank.url}\n".encode())

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if bank.down:
                self._send(503, b"Service Unavailable")
                return
            try:
                raw = base64.b64decode(body, validate=False)
                result = bank.handle(raw)
            except Exception as exc:  # a real bank answers a broken message with an HTTP error
                self._send(400, f"cannot parse FinTS message: {exc}".encode())
                return
            if result == "unavailable":
                self._send(503, b"Service Unavailable")
                return
            if result in ("drop_before", "drop_after"):
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            assert isinstance(result, bytes)
            self._send(200, base64.b64encode(result))

    return Handler


def start_bank(host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> tuple[FintsBank, ThreadingHTTPServer]:
    bank = FintsBank(host=host, port=port or free_port(), **kwargs)
    httpd = ThreadingHTTPServer((host, bank.port), _handler(bank))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="fints-bank", daemon=True).start()
    return bank, httpd


@pytest.fixture(scope="session")
def fints_bank_server() -> Iterator[FintsBank]:
    bank, httpd = start_bank()
    announce("FinTS bank (tests/servers/fints_bank.py)", f"{bank.url} BLZ {bank.blz}, "
                                                          f"{len(bank.accounts[0].transactions)} transactions")
    try:
        yield bank
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def fints_bank(fints_bank_server: FintsBank) -> Iterator[FintsBank]:
    """The session's fake bank, reset to its generated state for this test."""
    fints_bank_server.reset()
    yield fints_bank_server
    fints_bank_server.reset()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="A fake FinTS 3.0 PIN/TAN bank for manual tests")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--transactions", type=int, default=2400)
    args = parser.parse_args()
    bank, httpd = start_bank(port=args.port, transactions=args.transactions)
    original = bank._transfer

    def announce_tan(*a: Any, **kw: Any) -> None:
        before = set(bank.tasks)
        original(*a, **kw)
        for ref in set(bank.tasks) - before:
            task = bank.tasks[ref]
            print(f"task {ref}: " + ("approve in the app (auto after polls)" if task.decoupled else f"TAN {task.tan}"),
                  flush=True)

    bank._transfer = announce_tan  # type: ignore[method-assign]
    print(f"{bank.name} at {bank.url}\n  BLZ {bank.blz}  BIC {bank.bic}  user {bank.user_id}  PIN {bank.pin}\n"
          f"  accounts: " + ", ".join(f"{a.iban} ({len(a.transactions)} tx)" for a in bank.accounts), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        httpd.shutdown()


if __name__ == "__main__":
    main()
