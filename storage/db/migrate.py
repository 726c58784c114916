"""Run Alembic migrations programmatically (the scripts live in ``storage/db/migrations``).

Every feature adds its own revision branch off the foundation revision, so the app upgrades to
``heads`` and downgrades to ``base``. A domain keeps its revisions in its own folder: the app passes
those folders (``extra``) and Alembic reads them beside ``migrations/versions``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine, extra: Sequence[Path] = ()) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("version_path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in [MIGRATIONS / "versions", *extra]))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads", extra: Sequence[Path] = ()) -> None:
    command.upgrade(alembic_config(engine, extra), revision)


def downgrade(engine: Engine, revision: str = "base", extra: Sequence[Path] = ()) -> None:
    command.downgrade(alembic_config(engine, extra), revision)


def current_heads(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())
