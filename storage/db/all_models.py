"""Imports every module that defines tables, so Alembic and ``create_all`` see the whole schema.
A feature that adds tables adds its import here (a domain's tables live in its folder, with its
own migrations: agents/<domain>/)."""

from storage.db import agents as _agents  # noqa: F401
from storage.db import server as _server  # noqa: F401
from storage.db.models import Base

__all__ = ["Base"]
