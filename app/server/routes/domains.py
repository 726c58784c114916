"""Domains' API routers: a domain with one has ``app/server/routes/<domain>.py`` exposing ``router``
(registered domains only, in registry order: agents/domains.py)."""

from __future__ import annotations

import importlib
import importlib.util

from fastapi import APIRouter


def domain_routers() -> list[APIRouter]:
    from agents.domains import domains

    out: list[APIRouter] = []
    for d in domains():
        name = f"{__package__}.{d.name}"
        if importlib.util.find_spec(name) is None:
            continue
        router = getattr(importlib.import_module(name), "router", None)
        if isinstance(router, APIRouter):
            out.append(router)
    return out
