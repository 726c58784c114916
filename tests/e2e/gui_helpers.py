"""Helpers for driving the Flet web UI in headless Chromium: find controls by their semantics
identifier, type into text fields, hold the push-to-talk button, save screenshots as artefacts."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = (1280, 800)
PHONE = (390, 844)


def artefacts_dir() -> Path:
    """Where screenshots go: $PA_ARTIFACTS_DIR/gui, else bench/results/gui-screenshots (git-ignored)."""
    base = os.environ.get("PA_ARTIFACTS_DIR")
    d = Path(base) / "gui" if base else ROOT / "bench" / "results" / "gui-screenshots"
    d.mkdir(parents=True, exist_ok=True)
    return d


def by_id(page: Any, ident: str) -> Any:
    return page.locator(f'[flt-semantics-identifier="{ident}"]')


def by_prefix(page: Any, prefix: str) -> Any:
    return page.locator(f'[flt-semantics-identifier^="{prefix}"]')


def texts(page: Any, ident: str) -> list[str]:
    return list(by_id(page, ident).all_inner_texts())  # one snapshot: the list may change meanwhile


def wait_text(page: Any, ident: str, contains: str, timeout: float = 60.0, exact: bool = False) -> str:
    """Wait until a control with this identifier shows text containing ``contains`` (case-insensitive;
    with ``exact``, text that is ``contains`` and nothing else: "Not recording" contains "recording")."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    want = contains.lower()
    while time.monotonic() < deadline:
        seen = texts(page, ident)
        for t in seen:
            if (t.strip().lower() == want) if exact else (want in t.lower()):
                return t
        time.sleep(0.2)
    shot = screenshot(page, f"failed-{ident}")
    raise AssertionError(f"no [{ident}] containing {contains!r} within {timeout:.0f} s; saw {seen!r}; "
                         f"on screen: {on_screen(page)!r}; screenshot {shot}")


def on_screen(page: Any) -> list[str]:
    """Every labelled control's identifier and text, for a failure message."""
    out = []
    for el in page.locator("[flt-semantics-identifier]").all():
        try:
            out.append(f"{el.get_attribute('flt-semantics-identifier')}={el.inner_text(timeout=1000)[:80]!r}")
        except Exception:  # a control may vanish while we list them
            continue
    return out


def field_value(page: Any, ident: str) -> str:
    """What a text field holds (its semantics <input> or <textarea>)."""
    inp = by_id(page, ident).first.locator("input, textarea").first
    return str(inp.input_value(timeout=5_000)) if inp.count() else ""


def has_focus(page: Any, ident: str) -> bool:
    """Whether the keyboard focus is in this control (the browser's active element lies inside it)."""
    return bool(page.evaluate(
        "id => { const e = document.querySelector(`[flt-semantics-identifier=\"${id}\"]`);"
        " return !!e && e.contains(document.activeElement); }", ident))


def type_into(page: Any, ident: str, text: str, submit: bool = False, attempts: int = 3) -> None:
    """Click a text field, type into it like a user, check the field holds the text, then press Enter.

    That no key is lost is tested on its own by tests/e2e/test_typing.py (issue 18, item 1); the tests
    that use this check other features, so a field that did not take the text (e.g. one clicked while a
    screen was still being replaced on a loaded machine) is cleared and typed into again, after a pause,
    up to ``attempts`` times."""
    held = None
    for attempt in range(attempts):
        field = by_id(page, ident).first
        field.wait_for(timeout=30_000)
        field.click()
        # cleared with keys, as a user does: a DOM fill("") can leave Flutter's own copy of the text
        # unchanged (the saved value was still the old one in 1 of ~3 CI runs)
        page.keyboard.press("Control+a")
        page.keyboard.press("Backspace")
        inp = field.locator("input, textarea").first
        if inp.count() and inp.input_value():
            inp.fill("")
        page.keyboard.type(text)
        time.sleep(0.1)
        held = field_value(page, ident)
        if held == text:
            break
        time.sleep(0.5 * (attempt + 1))
    assert held == text, f"[{ident}] holds {held!r} after typing {text!r} (the keyboard focus was lost)"
    if submit:
        page.keyboard.press("Enter")


def click(page: Any, ident: str) -> None:
    el = by_id(page, ident).first
    el.wait_for(timeout=30_000)
    el.click()


def hold(page: Any, ident: str, seconds: float) -> None:
    box = by_id(page, ident).first.bounding_box()
    assert box, f"[{ident}] not on screen"
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    time.sleep(seconds)
    page.mouse.up()


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot as an artefact. Flet's "Working..." overlay (the client waiting for the server)
    hides the screen for a moment on a loaded machine, and it is canvas, not DOM text: a capture that
    is nearly empty is taken again, for up to 60 s, before the test fails."""
    time.sleep(0.4)  # let the canvas paint the last change
    path = artefacts_dir() / f"{name}.png"
    deadline = time.monotonic() + 60
    while True:
        page.screenshot(path=str(path))
        if path.stat().st_size > 5000 or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    assert path.stat().st_size > 5000, f"screenshot {path} looks empty"
    return path


def fake_mic_file(src: Path, dest: Path, lead_s: float = 0.3, tail_s: float = 4.0) -> Path:
    """A 16-bit WAV for Chromium's --use-file-for-fake-audio-capture (it loops the file): the speech
    with a little silence before and enough after that a recording does not run into the repeat."""
    audio, rate = sf.read(str(src), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    out = np.concatenate([np.zeros(int(lead_s * rate), np.float32), mono, np.zeros(int(tail_s * rate), np.float32)])
    sf.write(str(dest), out, rate, subtype="PCM_16")
    return dest


def mic_args(wav: Path) -> list[str]:
    return [f"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required"]


def loading(page: Any) -> bool:
    """Whether a model is loading: the progress line says "Loading …" (Flutter puts a plain text's words
    in the aria-label of its semantics node, where get_by_text does not look)."""
    return bool(page.locator('flt-semantics[aria-label^="Loading"]').count()
                or page.get_by_text("Loading", exact=False).count())


def wait_idle_models(page: Any, timeout: float = 180.0) -> None:
    """Wait until no model is loading (the progress line is gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not loading(page):
            return
        time.sleep(0.5)
    raise AssertionError(f"models still loading after {timeout:.0f} s")


def nav(page: Any, name: str) -> None:
    """Go to a screen with the navigation bar (phone: tabs) or rail (desktop: buttons "Name Tab i of n")."""
    import re

    badge = r"(?:\s*\(\d+\))?"  # a tab may carry a count ("Approvals (2)")
    tab = page.get_by_role("tab", name=re.compile(rf"^{name}{badge}$"))
    if tab.count():
        try:
            tab.first.click(timeout=20_000)
        except Exception:  # covered, e.g. by an approval's dialog that opened with the page: set it aside
            later = page.locator('flt-semantics[flt-semantics-identifier^="later-"]')
            if later.count():
                later.first.click(timeout=10_000)
            tab.first.click(timeout=20_000)
        return
    try:
        page.locator('flt-semantics[role="button"]').filter(
            has_text=re.compile(rf"^{name}{badge}\s*Tab")).first.click(timeout=15_000)
    except Exception:
        page.screenshot(path=str(artefacts_dir() / f"nav-failure-{name}.png"))
        raise


def wait_visible(page: Any, text: str, timeout: float = 30.0, name: str = "wait") -> None:
    """Wait for a text on screen; on failure save a screenshot of what was there instead."""
    try:
        page.get_by_text(text, exact=False).first.wait_for(timeout=timeout * 1000)
    except Exception:
        page.screenshot(path=str(artefacts_dir() / f"failure-{name}.png"))
        raise
