"""`personal-agent listen`: the assistant on the desktop without a window (docs/listen.md).

- ``hotkey.py``: the global push-to-talk key (pynput), held in any program
- ``instance.py``: one listener per user (a lock file); a second one is refused
- ``cues.py``: the short tones when the microphone opens and closes
- ``service.py``: the listener itself, the local engine's voice port driven by the key; its states
- ``tray.py``: the tray icon and its menu (pystray): state, mute, meeting, open the app, quit
- ``notify.py``: desktop notifications (freedesktop) for timers, reminders and approvals that wait
- ``autostart.py``: start on login (XDG autostart, systemd user unit, LaunchAgent, Windows Startup)
"""
