"""Small building blocks shared by the screens. Every interactive control gets an accessible
label; ``tagged`` also gives it a stable semantics identifier (used by the browser tests).

No control here has a tooltip: with a mouse, the tooltip of the button just pressed stays up while
the pointer rests on it, and when it goes away (the pointer moves to a text field) Flutter web
re-parents the page's semantics tree; the field's <input> leaves the DOM and the keys typed right
after the click go nowhere. An icon button's name is its semantics label (announced once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

Handler = Callable[[Any], Awaitable[None] | None]


def tagged(control: ft.Control, ident: str, label: str | None = None, button: bool = False) -> ft.Semantics:
    """Wrap a control in Semantics with an identifier (flt-semantics-identifier in the web DOM)."""
    return ft.Semantics(content=control, identifier=ident, label=label, button=button or None,
                        expand=control.expand)


def button(text: str, on_click: Handler, ident: str, icon: ft.IconData | None = None, filled: bool = False,
           disabled: bool = False) -> ft.Semantics:
    cls = ft.FilledButton if filled else ft.OutlinedButton
    b = cls(content=text, icon=icon, on_click=on_click, disabled=disabled)
    return tagged(b, ident)


def icon_button(icon: ft.IconData, label: str, on_click: Handler, ident: str) -> ft.Semantics:
    return tagged(ft.IconButton(icon=icon, on_click=on_click), ident, label, button=True)


def heading(text: str) -> ft.Semantics:
    return ft.Semantics(content=ft.Text(text, size=20, weight=ft.FontWeight.BOLD), header=True)


def field_row(label: str, value: str) -> ft.Row:
    return ft.Row([ft.Text(label + ":", weight=ft.FontWeight.BOLD, width=90), ft.Text(value,
                                                                                        expand=True)],
                  vertical_alignment=ft.CrossAxisAlignment.START, wrap=False)


def bind(fn: Callable[..., Awaitable[None]], *args: Any) -> Callable[[Any], Awaitable[None]]:
    """An event handler that calls ``fn(*args)`` (instead of default-argument lambdas)."""

    async def handler(e: Any) -> None:
        await fn(*args)

    return handler
