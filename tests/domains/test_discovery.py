"""The app finds a domain's optional GUI panel (app/gui/<domain>.py: PANEL) and API router
(app/server/routes/<domain>.py: router) from the registry; a domain without them needs none."""

from __future__ import annotations

import pytest

from agents import domains
from app.gui.panels import domain_panels
from app.server.routes.domains import domain_routers

pytestmark = pytest.mark.unit


def test_meetings_and_finance_bring_their_panels_and_routers() -> None:
    assert [name for name, _ in domain_panels()] == ["meetings", "finance", "social"]
    paths = {getattr(r, "path", "") for router in domain_routers() for r in router.routes}
    assert "/api/v1/meetings" in paths and "/api/v1/finance/transactions" in paths
    assert "/api/v1/social/drafts" in paths


def test_a_domain_without_app_files_adds_no_tab_and_no_route(monkeypatch: pytest.MonkeyPatch) -> None:
    before = len(domain_routers())
    monkeypatch.setattr(domains, "DOMAINS", [*domains.DOMAINS, "tests.domains.weather_stub"])
    assert [name for name, _ in domain_panels()] == ["meetings", "finance", "social"] \
        and len(domain_routers()) == before
