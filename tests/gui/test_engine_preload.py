"""The engine's preload prepares the offline understanding: the first offline miss of a session no longer
compiles every template and builds the fuzzy matcher's index while the window waits (#18's late Send)."""

from __future__ import annotations

from agents.local import fuzzy
from app.engine.local import _warm_understanding


def test_the_preload_builds_the_fuzzy_index_and_compiles_the_templates() -> None:
    fuzzy._index.cache_clear()
    _warm_understanding()
    assert fuzzy._index.cache_info().currsize == 1
    hits = fuzzy._index.cache_info().hits
    assert fuzzy.warm_up() > 1000 and fuzzy._index.cache_info().hits == hits + 1  # built once, then reused
