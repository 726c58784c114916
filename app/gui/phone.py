"""The phone app's entry (``flet build apk|ipa``): a phone cannot run Whisper or Piper, so it pairs
with the home server and shows the same UI on a RemoteEngine. The UI code is the same as on the
desktop; only the engine differs."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.engine import EngineError


async def main(page: ft.Page) -> None:
    from app.gui.shell import AssistantApp
    from app.gui.strings import language, set_language, t
    from app.gui.widgets import button, tagged

    set_language("auto")  # the phone's own language until the home server's setting is known
    page.title = t("app.title")
    url = ft.TextField(label=t("phone.server"), hint_text=t("phone.server_hint"), width=320)
    code = ft.TextField(label=t("phone.code"), hint_text=t("phone.code_hint"), width=320)
    message = ft.Text("")

    async def connect(e: Any) -> None:
        from app.engine.remote import RemoteEngine

        try:
            engine = await RemoteEngine.pair((url.value or "").strip(), (code.value or "").strip(),
                                           language=language())  # the server's errors in the phone's language
        except (EngineError, ValueError, OSError) as exc:
            message.value = t("phone.failed", reason=exc)
            page.update()
            return
        page.controls.clear()
        await AssistantApp(page, engine, export_dir=_export_dir()).start()

    page.add(ft.Column([
        ft.Text(t("phone.title"), size=20, weight=ft.FontWeight.BOLD),
        ft.Text(t("phone.intro")),
        tagged(url, "server-url"), tagged(code, "pairing-code"),
        button(t("phone.connect"), connect, "connect", ft.Icons.LINK, filled=True), message,
    ], spacing=12))


def _export_dir() -> Any:
    import tempfile
    from pathlib import Path

    return Path(tempfile.gettempdir()) / "personal-agent-exports"


if __name__ == "__main__":
    ft.run(main)
