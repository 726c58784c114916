"""Money as the ledger keeps it: integers in the currency's minor units (cents), ``Decimal`` at the API,
never float. Also the parser of amounts as German and English bank exports write them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ISO 4217 exponents that are not 2 (the few a bank statement may carry)
_EXPONENT = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3,
             "LYD": 3, "OMR": 3, "TND": 3}


class AmountError(ValueError):
    """A text is not an amount, or has more decimals than its currency."""


def exponent(currency: str) -> int:
    return _EXPONENT.get(currency.upper(), 2)


def to_minor(amount: Decimal, currency: str = "EUR") -> int:
    """Decimal -> minor units, exactly (an amount with more decimals than the currency is refused)."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{amount} has more decimals than {currency} allows")
    return int(scaled)


def from_minor(minor: int, currency: str = "EUR") -> Decimal:
    e = exponent(currency)
    return Decimal(minor).scaleb(-e).quantize(Decimal(1).scaleb(-e))


_CLEAN = re.compile(r"[\s\u00a0\u202f'€$£]|EUR|USD|CHF|GBP", re.IGNORECASE)


def parse_amount(text: str, decimal_comma: bool = True) -> Decimal:
    """``-1.234,56`` / ``1234,5`` / ``+12,50 €`` (German) or ``-1,234.56`` (``decimal_comma=False``)."""
    s = _CLEAN.sub("", text.strip())
    negative = s.startswith("-") or s.endswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s.strip("+-()")
    s = s.replace(".", "").replace(",", ".") if decimal_comma else s.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", s):
        raise AmountError(f"not an amount: {text!r}")
    try:
        value = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex above guards it
        raise AmountError(f"not an amount: {text!r}") from exc
    return -value if negative else value
