"""Builds the MeetingService from the app's Services (settings, paths, database, storage)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.meetings.service import MeetingConfig, MeetingService
from app.settings import meeting_language
from audio.meeting.capture import MeetingSource, MicSource

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from app.services import Services
    from audio.stt import Recognizer
    from storage.base import Backend


def build_meeting_service(services: Services) -> MeetingService:
    settings = services.settings

    def backend() -> Backend:
        return services.storage  # the one store of the app (its spool replay runs in the background)

    def recognizer() -> Recognizer:
        return services.speech.recognizer()  # the process's one recognizer, shared with speech input

    def model() -> Model | None:
        from agents.llm import build_model
        from app import secrets

        return build_model(settings.llm, secrets.get_secret)

    def mic() -> MeetingSource:
        return MicSource(settings.audio.input_device)

    st = settings.storage
    paths: list[Path] = [services.paths.data_dir]
    if st.backend == "local":
        paths.append(st.local_root or services.paths.recordings_dir)
    else:
        paths.append(st.spool_dir or services.paths.data_dir / "spool")
    return MeetingService(
        db=services.db, backend_factory=backend, data_dir=services.paths.data_dir, recognizer_factory=recognizer,
        model_factory=model, space_paths=paths, config=MeetingConfig(language=meeting_language(settings)),
        source_factory=mic, storage_kind=st.backend,
    )
