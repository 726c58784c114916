"""The SQL database: typed models, engine/session helpers and Alembic migrations."""

from storage.db.engine import Database, default_database_url
from storage.db.models import Account, AuditEntry, Base

__all__ = ["Account", "AuditEntry", "Base", "Database", "default_database_url"]
