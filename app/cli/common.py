"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from app.services import Services, build_services
from app.settings import ConfigError

_services: Services | None = None


def services() -> Services:
    global _services
    if _services is None:
        try:
            _services = build_services()
        except ConfigError as exc:
            fail(str(exc), code=2)
    return _services


def reset() -> None:
    global _services
    _services = None


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    sys.stdout.flush()
    raise typer.Exit(code)
