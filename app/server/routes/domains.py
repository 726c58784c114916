"""Domains' API routers: a domain with one has ``app/server/routes/<domain>.py`` exposing ``router``
(registered domains only, in registry order: agents/domains.py)."""

from __future__ import annotations

from fastapi import APIRouter

from app.domain_parts import domain_parts


def domain_routers() -> list[APIRouter]:
    return [router for _, router in domain_parts(__package__ or "app.server.routes", "router", APIRouter)]
