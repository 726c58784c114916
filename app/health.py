"""Liveness and readiness of the home server, and what ``doctor --json`` prints.

Ready means the server can answer a turn now: the database answers, the storage backend is reachable
(local: writable) and the speech models are installed (found and complete on disk). Whether the
recognizer is already in memory is reported too (``loaded``), but it loads on the first audio turn, so
it does not make the server unready. The probe says ok/fail per part and nothing private (no paths,
addresses or error text: those are in ``personal-agent doctor`` on the machine)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from app.doctor import Check, database_check, storage_check
from app.services import Services

Part = Literal["ok", "fail"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    database: Part
    storage: Part
    models: Part
    loaded: bool  # the recognizer is in memory (else it loads on the first audio turn)


def models_check(sv: Services) -> Check:
    """The speech models are on disk (without loading them): Whisper's model files and the voice."""
    from audio.models import ModelError, piper_voice_files, resolve_whisper_model

    try:
        path = resolve_whisper_model(sv.settings.stt.model, sv.paths.models_dir)
        import ctranslate2

        if not ctranslate2.contains_model(path):
            return Check(name="speech models", status="fail", detail="the speech model is incomplete",
                         hint="run: personal-agent setup-models")
        piper_voice_files(sv.settings.tts.voice, sv.paths.models_dir)
    except (ModelError, ImportError) as exc:
        return Check(name="speech models", status="fail", detail=str(exc), hint="run: personal-agent setup-models")
    return Check(name="speech models", status="ok", detail="installed")


def _part(checks: list[Check]) -> Part:
    return "fail" if any(c.status == "fail" for c in checks) else "ok"


def readiness(sv: Services) -> Readiness:
    db = _part(database_check(sv))
    st = _part(storage_check(sv))
    models = _part([models_check(sv)])
    ready = db == st == models == "ok"
    return Readiness(status="ready" if ready else "not ready", database=db, storage=st, models=models,
                     loaded=sv.speech.recognizer_ready())
