"""`personal-agent listen`: the assistant in the background on the desktop, a global push-to-talk key, a
tray icon; `--install-autostart` / `--remove-autostart` start it on login (docs/listen.md)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

import typer

from app.cli.common import fail, line, said_line, services
from app.listen.strings import key_label

if TYPE_CHECKING:
    from app.listen.hotkey import GlobalHotkey
    from app.listen.portal_keys import PortalHotkey
    from app.listen.service import DesktopListener
    from app.settings import ListenSettings


def _say(line: str) -> None:
    typer.echo(line)
    sys.stdout.flush()


def listen(
    key: str | None = typer.Option(None, "--key", help="the push-to-talk key (default: the listen setting, "
                                   "Right Ctrl); e.g. ctrl_r, f13, scroll_lock"),
    as_json: bool = typer.Option(False, "--json", help="print each event as one JSON object per line"),
    tray: bool = typer.Option(True, "--tray/--no-tray", help="show the tray icon"),
    install_autostart: bool = typer.Option(False, "--install-autostart", help="start the listener when you log in"),
    remove_autostart: bool = typer.Option(False, "--remove-autostart", help="do not start it on login any more"),
    systemd: bool = typer.Option(False, "--systemd", help="with --install/--remove-autostart on Linux: a systemd "
                                 "user unit instead of the desktop's autostart entry"),
    hands_free: bool | None = typer.Option(None, "--hands-free/--no-hands-free", help="keep the microphone open "
                                           "and answer requests that start with the wake phrase (default: the "
                                           "listen setting, off)"),
) -> None:
    """Listen in the background: hold the push-to-talk key in any program, speak, release, hear the answer."""
    if install_autostart or remove_autostart:
        from app.listen.autostart import AutostartError, install, remove

        try:
            lines = install(systemd=systemd) if install_autostart else remove(systemd=systemd)
        except AutostartError as exc:
            fail(str(exc))
        for line in lines:
            _say(line)
        return
    from app.listen.hotkey import GlobalHotkey, HotkeyError, session_kind
    from app.listen.instance import AlreadyRunning, SingleInstance
    from app.listen.portal_keys import portal_trigger

    sv = services()
    settings = sv.settings.listen
    if key:
        settings = settings.model_copy(update={"hotkey": key})
    if hands_free is not None:
        settings = settings.model_copy(update={"hands_free": hands_free})
    instance = SingleInstance(sv.paths.cache_dir)
    try:
        instance.acquire()
    except AlreadyRunning as exc:
        fail(str(exc))
    try:
        try:  # the key's name (and on X11 a keyboard to watch) before the models load
            if session_kind() == "wayland":  # the desktop portal first (app/listen/portal_keys.py)
                portal_trigger(settings.hotkey)
            else:
                GlobalHotkey(settings.hotkey, lambda: None, lambda: None)
        except HotkeyError as exc:
            fail(str(exc), code=2)
        restart = asyncio.run(_run(settings, as_json, tray))
    finally:
        instance.release()
    if restart:
        # the microphone or speaker went away: a new process (same command line) finds the devices again
        # (PortAudio lists them once per process and cannot reconnect to a sound server that restarted)
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    # everything is closed: leave without Python's exit handlers, in which PortAudio's JACK back-end
    # asserts on the ports of streams it already closed (an abort, exit code -6, on every quit)
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(0)


async def _run(settings: ListenSettings, as_json: bool, tray: bool) -> bool:
    """True: the listener must start again (its microphone or speaker went away)."""
    from app.engine import NotAvailable
    from app.engine.local import LocalEngine
    from app.listen.channel import ControlChannel
    from app.listen.hotkey import HotkeyError
    from app.listen.instance import channel_path
    from app.listen.notify import DesktopNotifier
    from app.listen.service import DesktopListener
    from app.listen.tray import Tray

    sv = services()
    engine = LocalEngine(sv, speech_output="device", preload=False)
    key = settings.hotkey
    listener = DesktopListener(engine, settings, _say, as_json=as_json)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C ends asyncio.run
            loop.add_signal_handler(sig, listener.quit)
    try:
        await listener.prepare()
        hotkey, where = await _hotkey(listener, key, sv.settings.language)
    except (NotAvailable, HotkeyError) as exc:
        await engine.close()
        fail(line("listen.cannot", detail=said_line(exc)), code=2 if isinstance(exc, HotkeyError) else 1)
    channel = ControlChannel(listener, channel_path(sv.paths.cache_dir))
    await channel.start()  # the desktop app asks for turns and meetings here (one owner of the devices)
    stop_tray = Tray(listener, sv.settings.language, key).start() if tray else None
    notifier = DesktopNotifier(sv.settings.language, listener.decide)
    if await asyncio.to_thread(notifier.connect):
        listener.alert = notifier.notify
    _ready(listener, line("listen.ready", key=key_label(key, sv.settings.language), where=where), as_json)
    try:
        await listener.wait()
    finally:
        hotkey.stop()
        await channel.close()
        notifier.close()
        if stop_tray is not None:
            stop_tray()
    return listener.restart


async def _hotkey(listener: DesktopListener, key: str, language: str) -> tuple[GlobalHotkey | PortalHotkey, str]:
    """The push-to-talk key, started, and what the ready line says of it: on Wayland the desktop portal's
    global shortcut (any window), else, or when the desktop has none, pynput (on Wayland only while an X11
    window has the focus)."""
    from app.listen.hotkey import GlobalHotkey, HotkeyError, session_kind
    from app.listen.portal_keys import PortalHotkey
    from app.listen.strings import TRAY

    wayland = session_kind() == "wayland"
    if wayland:
        portal = PortalHotkey(key, listener.key_down, listener.key_up, TRAY.text("shortcut", language))
        try:
            await asyncio.to_thread(portal.start)
            return portal, line("listen.portal")
        except HotkeyError as exc:
            logging.getLogger(__name__).info("no portal shortcut: %s", exc)
    keys = GlobalHotkey(key, listener.key_down, listener.key_up)
    await asyncio.to_thread(keys.start)  # HotkeyError: no keyboard to watch either
    return keys, line("listen.wayland") if wayland else ""


def _ready(listener: DesktopListener, line: str, as_json: bool) -> None:
    import json
    import time

    _say(json.dumps({"kind": "ready", "text": line, "t": time.monotonic()}) if as_json else line)


def register(cli: typer.Typer) -> None:
    cli.command("listen")(listen)
