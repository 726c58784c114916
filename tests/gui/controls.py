"""Reading a Flet control tree in tests without a browser."""

from __future__ import annotations

import flet as ft


def texts(c: object) -> list[str]:
    """Every non-empty ``ft.Text`` value under ``c``, in order (through ``content`` and ``controls``)."""
    out: list[str] = []
    if isinstance(c, ft.Text) and c.value:
        out.append(str(c.value))
    for attr in ("content", "controls"):
        v = getattr(c, attr, None)
        for child in v if isinstance(v, list) else [v] if v is not None else []:
            out += texts(child)
    return out


def by_id(c: object, ident: str) -> ft.Semantics | None:
    """The first ``ft.Semantics`` with this identifier under ``c`` (through ``content`` and ``controls``)."""
    if isinstance(c, ft.Semantics) and c.identifier == ident:
        return c
    for attr in ("content", "controls"):
        v = getattr(c, attr, None)
        for child in v if isinstance(v, list) else [v] if v is not None else []:
            found = by_id(child, ident)
            if found is not None:
                return found
    return None
