"""Settings -> Voices & models as Python view logic over a real LocalEngine and the loopback model host:
the list, Install with its progress bar fed by the engine's progress events, Remove; cancel through the port."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.engine import EngineError, ModelsPort, ProgressEvent
from tests.models.conftest import VOICE, VOICE_ONNX, write_catalogue
from tests.servers.model_host import Fault, ModelHost

pytestmark = pytest.mark.integration


class _App:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.refreshes = 0

    def refresh(self) -> None:
        self.refreshes += 1


@pytest.fixture()
def engine(tmp_path: Path, host: ModelHost, voice_sha: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PA_MODELS__CATALOGUE", str(write_catalogue(tmp_path / "c.json", host.url, voice_sha)))
    from app.engine.local import LocalEngine
    from app.services import build_services

    return LocalEngine(build_services(), speech_output="off", preload=False, alarms=False)


def _texts(c: Any) -> list[str]:
    import flet as ft

    out = [str(c.value)] if isinstance(c, ft.Text) and c.value else []
    for attr in ("content", "controls"):
        v = getattr(c, attr, None)
        for child in v if isinstance(v, list) else [v] if v is not None else []:
            out += _texts(child)
    return out


def test_screen_lists_installs_with_progress_and_removes(engine: Any) -> None:
    from app.gui.models_screen import ModelsScreen

    assert isinstance(engine, ModelsPort)
    app = _App(engine)
    screen = ModelsScreen(app)  # type: ignore[arg-type]
    events: list[Any] = []
    engine.subscribe(events.append)

    async def run() -> None:
        await screen.load()
        shown = " ".join(_texts(screen.build()))
        assert VOICE in shown and "de, 63 MB" in shown and "built in" in shown  # joe comes with the app
        assert VOICE in screen.installs and "en_US-joe-medium" not in screen.installs
        await screen.focus(VOICE)  # a notice's offer: no page here, so nothing to focus, and no error
        await screen._install(VOICE)
        assert screen.message.value == f"{VOICE} installed."
        assert screen.shown()[VOICE][0] == "installed"
        fractions = [e.fraction for e in events if isinstance(e, ProgressEvent) and e.task == f"model:{VOICE}"]
        assert len(fractions) > 10 and fractions == sorted(fractions) and fractions[-1] == 1.0
        assert VOICE in (await engine.settings()).voices  # offered as a voice at once
        await screen._remove(VOICE)
        assert screen.message.value == f"{VOICE} removed." and not (await engine.models())[0].installed

    asyncio.run(run())


def test_cancel_through_the_port(engine: Any, host: ModelHost) -> None:
    host.faults[f"piper-voices/{VOICE_ONNX}"] = Fault(pace_s=0.01)

    async def run() -> None:
        task = asyncio.create_task(engine.install_model(VOICE))
        await asyncio.sleep(0.5)
        await engine.cancel_model_install(VOICE)
        with pytest.raises(EngineError, match="cancelled; install it again to resume"):
            await task
        assert not (await engine.models())[0].installed
        with pytest.raises(EngineError, match="unknown voice or model"):
            await engine.install_model("nope")

    asyncio.run(run())
