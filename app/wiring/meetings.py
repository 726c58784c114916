"""Builds the MeetingService from the app's Services (settings, paths, database, storage)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.meetings.service import MeetingConfig, MeetingService
from app.settings import Settings, meeting_language
from audio.meeting.capture import MeetingSource, MicSource

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from app.services import Services
    from audio.stt import Recognizer
    from storage.base import Backend

log = logging.getLogger(__name__)


def build_meeting_service(services: Services) -> MeetingService:
    settings = services.settings

    def backend() -> Backend:
        return services.storage  # the one store of the app (its spool replay runs in the background)

    def recognizer() -> Recognizer:
        return services.speech.recognizer()  # the process's one recognizer, shared with speech input

    def final_recognizer() -> Recognizer | None:
        return final_pass_recognizer(settings, services.paths.models_dir)

    def model() -> Model | None:
        from agents.llm import build_model
        from app import secrets

        return build_model(settings.llm, secrets.get_secret)

    def mic() -> MeetingSource:
        if settings.audio.meeting_system_audio.strip():  # online calls: the computer's output as channel 2
            from audio.meeting.call_capture import CallSource, resolve_system_audio

            return CallSource(settings.audio.input_device, resolve_system_audio(settings.audio.meeting_system_audio))
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
        source_factory=mic, storage_kind=st.backend, final_recognizer_factory=final_recognizer,
    )


def final_pass_model(settings: Settings, models_dir: Path) -> str | None:
    """The folder of the meeting final pass's model: ``stt.meeting_final_model`` ('auto' = small when
    installed), None when off, not installed, or the same model as the live transcript's."""
    from audio.models import ModelError, resolve_whisper_model

    name = settings.stt.meeting_final_model.strip()
    if name.lower() in ("", "off", "none"):
        return None
    wanted = "small" if name.lower() == "auto" else name
    try:
        path = resolve_whisper_model(wanted, models_dir)
        live = resolve_whisper_model(settings.stt.model, models_dir)
    except ModelError as exc:
        if name.lower() != "auto":
            log.warning("no final meeting transcription: %s", exc)
        return None
    return None if Path(path).resolve() == Path(live).resolve() else path


def final_pass_recognizer(settings: Settings, models_dir: Path) -> Recognizer | None:
    """The larger recognizer of the meeting final pass (None: no final pass)."""
    from audio.stt import Recognizer, RecognizerConfig

    path = final_pass_model(settings, models_dir)
    if path is None:
        return None
    stt = settings.stt
    return Recognizer(RecognizerConfig(model=path, compute_type=stt.compute_type, language=meeting_language(settings),
                                       beam_size=stt.beam_size, hotwords=list(stt.hotwords), models_dir=models_dir,
                                       warm_up=False))
