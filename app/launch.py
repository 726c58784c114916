"""Start the GUI: a desktop window when a display and the desktop client are present, else the web
UI on 127.0.0.1 (its URL printed). Offline: the web client ships in flet-web, CanvasKit included."""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

from app.services import Services


def desktop_available() -> bool:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    return importlib.util.find_spec("flet_desktop") is not None


def launch(sv: Services, web: bool = False, port: int | None = None) -> None:
    os.environ.setdefault("FLET_WEB_NO_CDN", "1")

    from app.gui.page import build_page

    main = build_page(sv)
    try:
        _run(sv, main, web, port)
    finally:
        sv.close()  # background work (spool replay) stops, connections close


def _run(sv: Services, main: Any, web: bool, port: int | None) -> None:
    import flet as ft

    if not web and desktop_available():
        try:
            ft.run(main)  # type: ignore[arg-type]
            return
        except Exception as exc:  # desktop client missing/unfetchable: fall back to the browser UI
            print(f"desktop window unavailable ({exc}); starting the web UI instead", flush=True)
    from app.gui.web import web_assets_dir

    p = port or sv.settings.ui_port
    assets = web_assets_dir(sv.paths.cache_dir / "web")  # Flet's page with our typing, click and clear guards
    print(f"Personal Agent web UI: http://127.0.0.1:{p}/", flush=True)
    ft.run(main, view=ft.AppView.WEB_BROWSER if not os.environ.get("PA_NO_BROWSER") else None,  # type: ignore[arg-type]
           host="127.0.0.1", port=p, no_cdn=True, assets_dir=str(assets))
