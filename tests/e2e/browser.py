"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for tests of the web UI.

Never `playwright install`: the system Chromium is used. Flet renders to a canvas; its semantics tree
(buttons, texts) appears after a click on `flt-semantics-placeholder`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from tests.servers.base import free_port, unavailable, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        unavailable("Debian chromium not installed (apt-get install chromium)")
    return path


@contextmanager
def ui_process(args: Callable[[int], list[str]], env: dict[str, str] | None = None,
               timeout: float = 60.0) -> Iterator[str]:
    """Start `personal-agent ARGS(port)` serving a UI on a free port; yield its URL; stop it afterwards."""
    port = free_port()
    exe = str(Path(sys.executable).parent / "personal-agent")
    # this checkout's code first (an editable install may point at another checkout of the project)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    # its output goes to a file: a pipe nobody reads fills up (64 KiB; one late-emptying test of test_typing
    # writes ~10 KB to it) and the app then blocks at its next write (after five such tests in one app, the
    # next page never loaded)
    with tempfile.TemporaryFile() as output:
        proc = subprocess.Popen([exe, *args(port)],
                                env={**os.environ, "PA_NO_BROWSER": "1", "PYTHONPATH": path, **(env or {})},
                                stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=timeout, proc=proc)  # type: ignore[arg-type]
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def web_app(extra_args: list[str] | None = None, env: dict[str, str] | None = None) -> AbstractContextManager[str]:
    """Start `personal-agent --web` on a free port; yield its URL; stop it afterwards."""
    return ui_process(lambda port: ["--web", "--port", str(port), *(extra_args or [])], env)


@contextmanager
def browser_page(url: str, width: int = 1100, height: int = 800, extra_args: list[str] | None = None,
                 init_script: str | None = None, display: str | None = None) -> Iterator[Any]:
    """A page of the web UI with semantics on; ``init_script`` runs in it before the page's own scripts.
    ``display``: a headed browser on that X display (Xvfb), with the real screen-share flow: headless
    Chromium gives a shared tab's sound as silence, and the fake media UI shares a fake screen instead."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.hang_watch import watched

    args = [*CHROMIUM_ARGS, *(extra_args or [])]
    if display is not None:
        args.remove("--use-fake-ui-for-media-stream")
    with watched(), sync_playwright() as pw:  # a page that stops answering fails the test (hang_watch.py)
        browser = pw.chromium.launch(executable_path=chromium_path(), args=args, headless=display is None,
                                     env={**os.environ, "DISPLAY": display} if display else None)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})  # a test may open more tabs
            if display is not None:  # no fake media UI: the microphone is allowed as a user allows it
                context.grant_permissions(["microphone"])
            page = context.new_page()
            if init_script:
                page.add_init_script(init_script)
            page.goto(url)
            page.wait_for_selector("flt-semantics-placeholder, flt-glass-pane", state="attached", timeout=60_000)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if page.locator("flt-semantics-placeholder").count():
                    page.locator("flt-semantics-placeholder").dispatch_event("click")
                    break
                time.sleep(0.2)
            yield page
        finally:
            browser.close()
