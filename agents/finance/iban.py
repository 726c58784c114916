"""IBANs (validated with ``schwifty``) and the account ids statements use instead: a German MT940
``:25:`` is often ``BLZ/Kontonummer`` (``50880050/0194787400888``), which becomes the IBAN."""

from __future__ import annotations

import re
from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

_BLZ_ACCOUNT = re.compile(r"^(\d{8})/(\d{1,10})(?:[A-Z]{3})?$")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")


class IbanError(ValueError):
    pass


@lru_cache(maxsize=4096)  # a statement names the same few IBANs again and again
def normalise_iban(text: str) -> str:
    """An IBAN as stored: upper case, no spaces; raises ``IbanError`` when it is not a valid IBAN."""
    compact = re.sub(r"\s+", "", text).upper()
    try:
        return str(IBAN(compact).compact)
    except (SchwiftyException, ValueError) as exc:
        raise IbanError(f"not a valid IBAN: {text.strip()}") from exc


def is_iban(text: str) -> bool:
    try:
        normalise_iban(text)
    except IbanError:
        return False
    return True


@lru_cache(maxsize=256)
def account_ref(identification: str) -> str | None:
    """The account a statement names, as the ledger keys it: the IBAN when it is one or can be made
    from a German BLZ/account number; otherwise the id itself (a foreign bank's number); ``None`` when
    the text cannot be an account id at all."""
    ident = re.sub(r"\s+", "", identification).upper()
    if not ident:
        return None
    if _IBAN_SHAPE.match(ident) and is_iban(ident):
        return normalise_iban(ident)
    m = _BLZ_ACCOUNT.match(ident)
    if m:
        try:
            return str(IBAN.generate("DE", bank_code=m.group(1), account_code=m.group(2)).compact)
        except (SchwiftyException, ValueError):
            return ident
    if not re.fullmatch(r"[A-Z0-9/.\-]{3,64}", ident):
        return None
    return ident


def split_iban_prefix(text: str) -> tuple[str | None, str]:
    """``DE14508800500194785000Karl Kaufmann`` (an MT940 :86: field run together) -> IBAN, name."""
    s = text.strip()
    m = re.match(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30})", s)
    if m:
        candidate = m.group(1)
        for n in range(len(candidate), 14, -1):
            if is_iban(candidate[:n]):
                return normalise_iban(candidate[:n]), s[n:].strip()
    return None, s
