"""The phone app's entry (``flet build apk|ipa``): a phone cannot run Whisper or Piper, so it pairs
with the home server and shows the same UI on a RemoteEngine. The UI code is the same as on the
desktop; only the engine differs."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.engine import EngineError


async def main(page: ft.Page) -> None:
    from app.gui.shell import AssistantApp
    from app.gui.widgets import button, tagged

    page.title = "Personal Agent"
    url = ft.TextField(label="Home server address", hint_text="https://home.example:8765", width=320)
    code = ft.TextField(label="Pairing code", hint_text="the code your home server shows", width=320)
    message = ft.Text("")

    async def connect(e: Any) -> None:
        from app.engine.remote import RemoteEngine

        try:
            engine = await RemoteEngine.pair((url.value or "").strip(), (code.value or "").strip())
        except (EngineError, ValueError, OSError) as exc:
            message.value = f"Could not connect: {exc}"
            page.update()
            return
        page.controls.clear()
        await AssistantApp(page, engine, export_dir=_export_dir()).start()

    page.add(ft.Column([
        ft.Text("Connect to your home server", size=20, weight=ft.FontWeight.BOLD),
        ft.Text("Speech recognition and the voice run on the home server; this phone records and plays."),
        tagged(url, "server-url"), tagged(code, "pairing-code"),
        button("Connect", connect, "connect", ft.Icons.LINK, filled=True), message,
    ], spacing=12))


def _export_dir() -> Any:
    import tempfile
    from pathlib import Path

    return Path(tempfile.gettempdir()) / "personal-agent-exports"


if __name__ == "__main__":
    ft.run(main)
