"""Add a receipt: check the file (a JPEG, PNG or PDF of sensible size, not added before), read it offline,
take amount, date and vendor from the text, store the original through the storage adapter (key and
SHA-256 in the database) and match it to a bank booking, in one database transaction. Whatever goes
wrong, nothing is left half-added: a stored file is deleted again when the database write fails."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.finance.money import from_minor, to_minor
from agents.finance.receipts.db import FinReceipt
from agents.finance.receipts.extract import ReceiptFields, extract
from agents.finance.receipts.match import find_booking
from agents.finance.receipts.ocr import OcrError, media_type, read_text
from storage.base import Backend

MAX_BYTES = 20 << 20  # a phone photo is a few MB; a bigger file is refused, not read
KEY_PREFIX = "finance/receipts"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ReceiptError(Exception):
    """The receipt was not added (one line says why)."""


@dataclass(frozen=True)
class AddedReceipt:
    id: int
    fields: ReceiptFields
    key: str
    sha256: str
    transaction_id: int | None
    booking: str  # the matched booking in a few words, or ""

    def line(self) -> str:
        f = self.fields
        amount = f"{f.amount:.2f} {f.currency}" if f.amount is not None else "no amount found"
        day = f.day.isoformat() if f.day else "no date found"
        match = f"; matched to booking #{self.transaction_id} ({self.booking})" if self.transaction_id else \
            "; no matching bank booking yet"
        return f"receipt #{self.id}: {f.vendor or 'vendor not found'}, {amount}, {day}{match}"


def add_receipt(s: Session, backend: Backend, path: Path, max_bytes: int = MAX_BYTES, today: date | None = None,
                labour: Decimal | None = None) -> AddedReceipt:
    """One file -> one receipt row (committed), or ``ReceiptError`` and nothing stored."""
    size = path.stat().st_size
    if size == 0:
        raise ReceiptError("the file is empty")
    if size > max_bytes:
        raise ReceiptError(f"the file is {size / (1 << 20):.0f} MB; a receipt may be at most {max_bytes >> 20} MB")
    data = path.read_bytes()
    kind = media_type(data)
    if not kind:
        raise ReceiptError("not a JPEG, PNG or PDF file: only photos and PDFs of receipts are read")
    sha = hashlib.sha256(data).hexdigest()
    known = s.scalar(select(FinReceipt).where(FinReceipt.file_sha256 == sha))
    if known is not None:
        raise ReceiptError(f"this file is already receipt #{known.id} ({known.file_name}): not added again")
    try:
        text = read_text(path, kind)
    except OcrError as exc:
        raise ReceiptError(str(exc)) from exc
    fields = extract(text, today)
    if labour is not None:
        fields = ReceiptFields(fields.amount, fields.currency, fields.day, fields.vendor, labour)
    if fields.amount is None and not fields.vendor:
        raise ReceiptError("no text of a receipt was found in the file (no amount, no shop name): not added")
    safe = _SAFE.sub("_", path.name).strip("._")[:80] or "receipt"
    key = f"{KEY_PREFIX}/{(fields.day or today or date.today()).year}/{sha[:16]}-{safe}"
    existed = backend.exists(key)
    stored = backend.save(key, data)
    try:
        if stored.sha256 != sha:
            raise ReceiptError("the stored copy of the file differs from the file: not added")
        row = FinReceipt(vendor=fields.vendor, currency=fields.currency, receipt_date=fields.day, media=kind,
                         amount_minor=None if fields.amount is None else to_minor(fields.amount, fields.currency),
                         labour_minor=None if fields.labour is None else to_minor(fields.labour, fields.currency),
                         text=text[:20000], file_name=path.name[:300], file_key=key, file_sha256=sha)
        s.add(row)
        s.flush()
        booking = find_booking(s, row)
        said = ""
        if booking is not None:
            row.transaction_id = booking.id
            said = (f"{booking.booking_date.isoformat()}, {booking.counterparty or 'no payee'}, "
                    f"{from_minor(booking.amount_minor, booking.currency):.2f} {booking.currency}")
        s.commit()
    except BaseException:
        s.rollback()
        if not existed:
            backend.delete(key)
        raise
    return AddedReceipt(row.id, fields, key, sha, row.transaction_id, said)


@dataclass(frozen=True)
class ReceiptRow:
    id: int
    vendor: str
    amount: Decimal | None
    currency: str
    day: date | None
    transaction_id: int | None
    file_name: str


def receipts(s: Session, year: int | None = None) -> list[ReceiptRow]:
    """The receipts, the latest first (those without a date last)."""
    q = select(FinReceipt)
    if year is not None:
        q = q.where(FinReceipt.receipt_date >= date(year, 1, 1), FinReceipt.receipt_date <= date(year, 12, 31))
    q = q.order_by(FinReceipt.receipt_date.is_(None), FinReceipt.receipt_date.desc(), FinReceipt.id.desc())
    return [ReceiptRow(r.id, r.vendor, None if r.amount_minor is None else from_minor(r.amount_minor, r.currency),
                       r.currency, r.receipt_date, r.transaction_id, r.file_name) for r in s.scalars(q).all()]
