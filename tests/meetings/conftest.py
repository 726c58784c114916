"""Fixtures of the meeting tests: one Whisper base model per session, services on temp storage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agents.domains import migration_folders
from app.meetings.service import MeetingConfig, MeetingService
from storage.base import Backend
from storage.db.engine import Database
from storage.local import LocalBackend

MEETING = "meeting_two_speakers.wav"


@pytest.fixture(scope="session")
def recognizer(models_dir: Path):  # type: ignore[no-untyped-def]
    from audio.stt import Recognizer, RecognizerConfig

    return Recognizer(RecognizerConfig(models_dir=models_dir, language="en"))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(f"sqlite:///{tmp_path / 'meetings.sqlite3'}", migration_folders())
    d.migrate()
    yield d
    d.dispose()


ServiceFactory = Callable[..., MeetingService]


@pytest.fixture
def make_service(tmp_path: Path, db: Database) -> Iterator[ServiceFactory]:
    made: list[MeetingService] = []

    def make(backend: Backend | None = None, recognizer: object | None = None, **config: object) -> MeetingService:
        store = backend or LocalBackend(tmp_path / "recordings")
        cfg = MeetingConfig(**config)  # type: ignore[arg-type]
        svc = MeetingService(
            db=db, backend_factory=lambda: store, data_dir=tmp_path / "data",
            recognizer_factory=(lambda: recognizer) if recognizer is not None else None,  # type: ignore[arg-type,return-value]
            space_paths=[tmp_path], config=cfg,
        )
        made.append(svc)
        return svc

    yield make
    for s in made:
        s.close()
