"""Domains' screens in the GUI: a domain with a panel has ``app/gui/<domain>.py`` exposing ``PANEL``.
The shell shows one tab per registered domain that has one (agents/domains.py), between "Talk" and
"Approvals", in registry order: adding a domain's screen touches only that file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from app.domain_parts import domain_parts

if TYPE_CHECKING:
    import flet as ft

    from app.gui.shell import AssistantApp


class PanelScreen(Protocol):
    def build(self) -> ft.Control: ...

    def refresh(self) -> None: ...


@dataclass(frozen=True)
class DomainPanel:
    label: str  # the tab's label
    icon: Any  # a flet icon
    screen: Callable[[AssistantApp], PanelScreen]
    on_show: Callable[[Any], Awaitable[None]] | None = None  # called with the screen when its tab opens


def domain_panels() -> list[tuple[str, DomainPanel]]:
    """(domain name, panel) for each registered domain that has a GUI panel."""
    return domain_parts("app.gui", "PANEL", DomainPanel)
