"""A domain's optional parts in the app layer, found by name: ``<package>.<domain>`` exposing
``attr`` (its GUI panel in ``app.gui``, its API router in ``app.server.routes``)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import TypeVar

T = TypeVar("T")


def domain_parts(package: str, attr: str, kind: type[T]) -> list[tuple[str, T]]:
    """(domain name, part) for each registered domain whose ``<package>.<name>`` module exposes
    ``attr`` of type ``kind``, in registry order (agents/domains.py)."""
    from agents.domains import domains

    out: list[tuple[str, T]] = []
    for d in domains():
        name = f"{package}.{d.name}"
        if importlib.util.find_spec(name) is None:
            continue
        part = getattr(importlib.import_module(name), attr, None)
        if isinstance(part, kind):
            out.append((d.name, part))
    return out
