from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pydantic_ai.models
import pytest

from agents.approvals import ApprovalStore
from agents.assistant import Assistant
from agents.deps import ServiceDeps
from agents.domains import migration_folders
from agents.memory import Memory
from storage.audit import AuditLog
from storage.db.engine import Database
from tests.agents.fakes import MemoryCalendar, MemoryMail, MemoryMeetings, MemoryMessaging

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 4, 11, 20, tzinfo=BERLIN)  # a Wednesday


@pytest.fixture(autouse=True)
def no_model_requests() -> Iterator[None]:
    """No test may reach a real model: only TestModel / FunctionModel run."""
    old = pydantic_ai.models.ALLOW_MODEL_REQUESTS
    pydantic_ai.models.ALLOW_MODEL_REQUESTS = False
    yield
    pydantic_ai.models.ALLOW_MODEL_REQUESTS = old


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now = self.now + timedelta(**kw)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agents-db") / "template.sqlite3"
    db = Database(f"sqlite:///{path}", migration_folders())  # every domain's tables, as the app has them
    db.migrate()
    db.dispose()
    return path


@pytest.fixture
def db(tmp_path: Path, migrated_template: Path) -> Iterator[Database]:
    path = tmp_path / "agents.sqlite3"
    path.write_bytes(migrated_template.read_bytes())
    d = Database(f"sqlite:///{path}")
    yield d
    d.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def audit(db: Database) -> AuditLog:
    return AuditLog(db)


@pytest.fixture
def services() -> ServiceDeps:
    return ServiceDeps(calendar=MemoryCalendar(), mail=MemoryMail(), messaging=MemoryMessaging(),
                       meetings=MemoryMeetings())


@pytest.fixture
def assistant(db: Database, audit: AuditLog, services: ServiceDeps, clock: Clock) -> Assistant:
    return Assistant(memory=Memory(db), approvals=ApprovalStore(db, audit), services=services, tz=BERLIN,
                     clock=clock)
