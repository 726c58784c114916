"""What the app adds to Flet's web client: scripts that keep the keys typed into a text field
(typing_guard.js: keys typed before Flutter listens to a field just clicked; click_guard.js: a click
into a list the browser has just scrolled focuses the field clicked; clear_guard.js: the server's
emptying of a field after a send, reaching the browser late, leaves the keys typed since, a
press on Send empties the message field's <input> that Flutter leaves holding the sent text, and Enter
in the message field takes the sent text out at once; each explains why), notifications.js (a ringing timer or reminder as a browser notification when the page
is not in front), call_audio.js (an online call in another tab recorded with a meeting, as a second
channel), and the font that draws Japanese, Chinese and Korean offline (``app/gui/fonts.py``).
Flet serves ``index.html`` and the rest from the app's assets folder when one is there; this writes
Flet's own page with the scripts added, next to the scripts and the font."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from app.gui.fonts import cjk_font

SCRIPTS = ("typing_guard.js", "click_guard.js", "clear_guard.js", "notifications.js", "call_audio.js")
_HERE = Path(__file__).resolve().parent


def web_assets_dir(dest: Path) -> Path:
    """Fill ``dest`` with the web client's page (Flet's index.html, our scripts loaded before Flutter
    starts) and the scripts; return it, to be passed to ``ft.run(assets_dir=...)``."""
    from flet_web import get_package_web_dir

    dest.mkdir(parents=True, exist_ok=True)
    page = (Path(get_package_web_dir()) / "index.html").read_text(encoding="utf-8")
    tags = "".join(f'<script src="{name}"></script>\n  ' for name in SCRIPTS)
    page, found = re.subn(r'(<script src="flutter_bootstrap\.js")', lambda m: tags + m[1], page, count=1)
    if not found:  # a Flet whose page loads Flutter differently: the scripts go first in <head>
        page = page.replace("<head>", "<head>\n  " + tags, 1)
    (dest / "index.html").write_text(page, encoding="utf-8")
    for name in SCRIPTS:
        shutil.copyfile(_HERE / name, dest / name)
    font = cjk_font()
    if font is not None:  # copied once (a link out of the folder is not served); 19.5 MB
        served = dest / font.name
        if not served.is_file() or served.stat().st_size != font.stat().st_size:
            shutil.copyfile(font, served)
    return dest
