"""Health (no sign-in) and what this server offers (signed in)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app import __version__
from app.engine import EngineInfo, Feature, SettingsView
from app.health import Readiness, readiness
from app.server.auth import Me, State, problems
from app.server.schemas import Health

router = APIRouter(prefix="/api/v1", tags=["system"])


@router.get("/health", response_model=Health)
def health() -> Health:
    """Liveness for load balancers and the Docker health check (no sign-in; says nothing private)."""
    return Health(version=__version__)


@router.get("/health/live", response_model=Health)
def live() -> Health:
    """Liveness: the process answers (no sign-in). A failing probe means: restart it."""
    return Health(version=__version__)


@router.get("/health/ready", response_model=Readiness, responses={
    503: {"model": Readiness, "description": "a part is not ready: the body says which"}})
def ready(st: State, response: Response) -> Readiness:
    """Readiness: database, storage backend and speech models (no sign-in; ok/fail per part, nothing
    private). 503 while a part fails: send no traffic, but do not restart for it."""
    out = readiness(st.services)
    if out.status != "ready":
        response.status_code = 503
    return out


@router.get("/info", response_model=EngineInfo, responses=problems(401))
def info(me: Me, st: State) -> EngineInfo:
    """Which features this server offers (the remote engine's ``info()``)."""
    s = st.services.settings
    llm = s.llm.provider != "none"
    feats = [
        Feature(name="text", available=True, detail="typed turns, streamed replies"),
        Feature(name="speech_in", available=True, detail=f"upload; whisper {s.stt.model} on the server"),
        Feature(name="speech_out", available=True, detail=f"piper {s.tts.voice} on the server"),
        Feature(name="hands_free", available=False, detail="wake phrase listening runs on the desktop app only"),
        Feature(name="llm", available=llm, detail=s.llm.provider if llm else "no language model configured"),
        Feature(name="approvals", available=True),
        Feature(name="meetings", available=True, detail="upload recordings; list, search, export, play"),
        Feature(name="accounts", available=True, detail="the household's, kept on the server (an admin changes them)"),
        Feature(name="settings", available=False, detail="managed on the server"),
    ]
    return EngineInfo(kind="remote", version=__version__, features=feats, wake_phrase=s.stt.wake_phrase,
                      language=s.language)


@router.get("/settings", response_model=SettingsView, responses=problems(401))
def settings_view(me: Me, st: State) -> SettingsView:
    """The server's settings, read-only (change them on the server)."""
    s = st.services.settings
    return SettingsView(language=s.language, stt_model=s.stt.model, llm_provider=s.llm.provider,
                        llm_model=s.llm.model or "", voice=s.tts.voice, storage_backend=s.storage.backend,
                        wake_phrase=s.stt.wake_phrase, onboarded=True)
