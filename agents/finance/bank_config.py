"""A bank connection's settings: the account record of kind ``bank`` (``app.accounts``) -> ``FintsConfig``.

The record keeps the user id (Anmeldename / Legitimations-ID) in ``username`` and the rest in
``options``: ``bank_code`` (BLZ) or ``bic`` (the BLZ is derived when the BIC names one bank), ``url``
(the bank's FinTS PIN/TAN address), ``tan_method`` (a security function like ``921`` or a part of the
method's name like ``pushTAN``; empty = the bank's first), ``tan_medium``, ``iban`` (the default account
for transfers), ``customer_id`` (if the bank gives one apart from the user id), ``statement_format``
(``auto`` | ``camt`` | ``mt940``). The PIN lives in the keyring only.

IBAN and BIC are checked with schwifty (check digits, country format, the bank registry); a bad value
raises ``BankConfigError`` (a ``ValueError``) with one line for the user."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from agents.finance.settings import FinanceSettings

StatementFormat = Literal["auto", "camt", "mt940"]


class BankConfigError(ValueError):
    pass


class FintsConfig(BaseModel):
    """Everything a FinTS connection needs except the PIN and the product ID's registration."""

    bank_code: str = Field(pattern=r"^\d{8}$")
    url: str
    user_id: str = Field(min_length=1, max_length=30)
    customer_id: str | None = None
    bic: str | None = None
    iban: str | None = None
    tan_method: str = ""
    tan_medium: str | None = None
    statement_format: StatementFormat = "auto"
    product_id: str = ""
    product_version: str = "0.1"
    timeout_s: float = 30.0


def normalize_iban(value: str) -> str:
    """The IBAN upper case without spaces; BankConfigError if its check digits, length or format are wrong."""
    try:
        return str(IBAN(value.strip())).replace(" ", "")
    except SchwiftyException as exc:
        raise BankConfigError(f"not a valid IBAN: {value.strip()!r} ({_reason(exc)})") from None


def normalize_bic(value: str) -> str:
    try:
        return str(BIC(value.strip()))
    except SchwiftyException as exc:
        raise BankConfigError(f"not a valid BIC: {value.strip()!r} ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0].rstrip(".").lower()


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BankConfigError(f"the FinTS URL must be an https:// address, got {url.strip()!r}")
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:  # PIN and TANs never go over plain HTTP, except to a local test bank
            raise BankConfigError("the FinTS URL must use https:// (plain http only for a bank on this machine)")
    return url.strip()


def bank_options(options: dict[str, Any]) -> dict[str, Any]:
    """Checked and normalized options of a ``bank`` account record (BankConfigError with one line)."""
    out = {k: v for k, v in options.items() if v not in (None, "")}
    if "iban" in out:
        out["iban"] = normalize_iban(str(out["iban"]))
    if "bic" in out:
        out["bic"] = normalize_bic(str(out["bic"]))
    code = str(out.get("bank_code") or out.pop("blz", "") or "").replace(" ", "")
    if code and (len(code) != 8 or not code.isdigit()):
        raise BankConfigError(f"a German bank code (BLZ) has 8 digits, got {code!r}")
    if not code and "bic" in out:
        codes = sorted(set(BIC(out["bic"]).domestic_bank_codes))
        if len(codes) != 1:
            found = "names no German bank code" if not codes else f"matches several bank codes ({', '.join(codes[:4])})"
            raise BankConfigError(f"the BIC {out['bic']} {found}: give the bank code with -o bank_code=BLZ")
        code = codes[0]
    if not code and "iban" in out and out["iban"].startswith("DE"):
        code = out["iban"][4:12]
    if not code:
        raise BankConfigError("a bank account needs the bank code (-o bank_code=BLZ) or the BIC (-o bic=...)")
    if "iban" in out and out["iban"].startswith("DE") and out["iban"][4:12] != code:
        raise BankConfigError(f"the IBAN {out['iban']} belongs to bank code {out['iban'][4:12]}, not {code}")
    out["bank_code"] = code
    if not out.get("url"):
        raise BankConfigError("a bank account needs the bank's FinTS address: -o url=https://... (your bank's "
                              "FinTS PIN/TAN URL, see docs/finance-fints.md)")
    out["url"] = _check_url(str(out["url"]))
    fmt = str(out.get("statement_format", "auto")).lower()
    if fmt not in ("auto", "camt", "mt940"):
        raise BankConfigError(f"statement_format must be auto, camt or mt940, got {fmt!r}")
    out["statement_format"] = fmt
    return out


def bank_config(username: str, options: dict[str, Any], settings: FinanceSettings | None = None) -> FintsConfig:
    """The connection config of a ``bank`` account record (BankConfigError if incomplete or invalid)."""
    if not username.strip():
        raise BankConfigError("a bank account needs the online-banking user id: --username")
    opts = bank_options(options)
    s = settings or FinanceSettings()
    return FintsConfig(bank_code=opts["bank_code"], url=opts["url"], user_id=username.strip(),
                       customer_id=opts.get("customer_id"), bic=opts.get("bic"), iban=opts.get("iban"),
                       tan_method=str(opts.get("tan_method", "")), tan_medium=opts.get("tan_medium"),
                       statement_format=opts["statement_format"], product_id=s.fints_product_id.strip(),
                       product_version=s.fints_product_version, timeout_s=s.timeout_s)
