"""The font the web UI serves itself, so that text in Japanese, Chinese or Korean (Whisper on "auto" may
write it) is drawn offline.

Flutter web draws a character its fonts lack by fetching a Noto font from Google's font CDN; offline
(and with ``no_cdn`` it asks this server, which has none) the character stays an empty box. So the app
serves Debian's Noto Sans CJK (``fonts-noto-cjk``, scripts/apt-runtime.txt) from the web server's assets
folder (``app/gui/web``) and makes it the theme's font: one file with Latin, Greek, Cyrillic, kana, Han and Hangul
(19.5 MB, fetched once per browser and then revalidated from its cache). A desktop window draws with
the system's fonts and needs none of this."""

from __future__ import annotations

from pathlib import Path

import flet as ft

FAMILY = "Noto Sans CJK"
# where Debian (fonts-noto-cjk) and Fedora/Arch (google-noto-sans-cjk, noto-fonts-cjk) put the regular weight
CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-sans-cjk-vf-fonts/NotoSansCJK-VF.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)


def cjk_font(candidates: tuple[Path, ...] = CANDIDATES) -> Path | None:
    """The installed Noto Sans CJK file, or None."""
    return next((p for p in candidates if p.is_file()), None)


def use_served_font(page: ft.Page, font: Path | None = None) -> bool:
    """In a browser: register the served font and draw every text with it. Returns whether it did."""
    font = font or cjk_font()
    if not page.web or font is None:
        return False
    page.fonts = {FAMILY: font.name}  # relative to the app's base URL, i.e. from the assets folder
    page.theme = ft.Theme(font_family=FAMILY)
    page.dark_theme = ft.Theme(font_family=FAMILY)
    return True
