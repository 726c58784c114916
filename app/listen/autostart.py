"""Start the listener on login, and stop doing so (`personal-agent listen --install-autostart` /
`--remove-autostart`):

- Linux: an XDG autostart entry, ``$XDG_CONFIG_HOME/autostart/personal-agent-listen.desktop`` (every
  desktop that follows the freedesktop autostart spec: GNOME, KDE, Xfce, Cinnamon, MATE, LXQt); or, with
  ``--systemd``, a systemd user unit bound to the graphical session, enabled through ``systemctl --user``
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/org.personal-agent.listen.plist`` (run at load)
- Windows: ``personal-agent-listen.cmd`` in the user's Startup folder, which starts the listener
  minimised (a .lnk shortcut needs the Windows COM API; a .cmd there is run the same way at logon)

Every function takes the platform and the home folder, so tests write into a temporary home.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

from app.listen.strings import TRAY

NAME = "personal-agent-listen"
LABEL = "org.personal-agent.listen"


class AutostartError(Exception):
    """The entry could not be written or removed; the message says why in plain words."""


def command() -> list[str]:
    """How the listener is started: the installed ``personal-agent`` command, else this Python."""
    exe = shutil.which("personal-agent")
    return [exe, "listen"] if exe else [sys.executable, "-m", "app.cli.main", "listen"]


def _platform(platform: str | None) -> str:
    p = platform or sys.platform
    return "macos" if p == "darwin" else "windows" if p.startswith("win") else "linux"


def _config_home(home: Path) -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return Path(xdg) if xdg and home == Path.home() else home / ".config"


def entry_path(platform: str | None = None, home: Path | None = None, systemd: bool = False) -> Path:
    home = home or Path.home()
    kind = _platform(platform)
    if kind == "macos":
        return home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    if kind == "windows":
        appdata = Path(os.environ["APPDATA"]) if "APPDATA" in os.environ and home == Path.home() \
            else home / "AppData" / "Roaming"
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / f"{NAME}.cmd"
    if systemd:
        return _config_home(home) / "systemd" / "user" / f"{NAME}.service"
    return _config_home(home) / "autostart" / f"{NAME}.desktop"


def _desktop_quote(arg: str) -> str:
    """An Exec argument quoted as the Desktop Entry spec asks (reserved characters inside double quotes)."""
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg.replace("%", "%%")
    inner = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return '"' + inner.replace("%", "%%") + '"'


def desktop_entry(cmd: list[str]) -> str:
    en, de = TRAY["autostart.name"]
    cen, cde = TRAY["autostart.comment"]
    return "\n".join([
        "[Desktop Entry]", "Type=Application", f"Name={en}", f"Name[de]={de}", f"Comment={cen}",
        f"Comment[de]={cde}", "Exec=" + " ".join(_desktop_quote(a) for a in cmd), "Icon=audio-input-microphone",
        "Terminal=false", "Categories=Utility;", "X-GNOME-Autostart-enabled=true", ""])


def systemd_unit(cmd: list[str]) -> str:
    def quote(arg: str) -> str:
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"' if any(c in arg for c in ' "\\') else arg

    return "\n".join([
        "[Unit]", f"Description={TRAY['autostart.name'][0]}", "PartOf=graphical-session.target",
        "After=graphical-session.target", "", "[Service]", "ExecStart=" + " ".join(quote(a) for a in cmd),
        "Restart=on-failure", "RestartSec=5", "", "[Install]", "WantedBy=graphical-session.target", ""])


def launch_agent(cmd: list[str]) -> bytes:
    return plistlib.dumps({"Label": LABEL, "ProgramArguments": cmd, "RunAtLoad": True,
                           "KeepAlive": {"SuccessfulExit": False}, "ProcessType": "Interactive"})


def startup_script(cmd: list[str]) -> str:
    exe = cmd[0]
    if exe.lower().endswith("python.exe"):
        exe = exe[: -len("python.exe")] + "pythonw.exe"  # no console window
    args = " ".join(f'"{a}"' if " " in a else a for a in [exe, *cmd[1:]])
    return f'@echo off\r\nstart "" /min {args}\r\n'


def install(platform: str | None = None, home: Path | None = None, systemd: bool = False,
            cmd: list[str] | None = None) -> list[str]:
    kind = _platform(platform)
    path = entry_path(platform, home, systemd)
    cmd = cmd or command()
    content: str | bytes
    if kind == "macos":
        content = launch_agent(cmd)
    elif kind == "windows":
        content = startup_script(cmd)
    else:
        content = systemd_unit(cmd) if systemd else desktop_entry(cmd)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    except OSError as exc:
        raise AutostartError(f"cannot write the autostart entry {path}: {exc.strerror or exc}") from None
    lines = [f"the listener starts when you log in: {path}"]
    if kind == "linux" and systemd:
        lines.append(_systemctl("enable", path.name))
    return lines


def remove(platform: str | None = None, home: Path | None = None, systemd: bool = False) -> list[str]:
    kind = _platform(platform)
    path = entry_path(platform, home, systemd)
    if not path.exists():
        return ["the listener was not set to start on login"]
    lines = [_systemctl("disable", path.name)] if kind == "linux" and systemd else []
    try:
        path.unlink()
    except OSError as exc:
        raise AutostartError(f"cannot remove the autostart entry {path}: {exc.strerror or exc}") from None
    return [*lines, f"the listener no longer starts on login (removed {path})"]


def _systemctl(action: str, unit: str) -> str:
    """Tell the user's service manager; a plain line either way (no session manager: a container, SSH)."""
    exe = shutil.which("systemctl")
    if exe is None:
        return "no systemd here: the unit is used where systemd manages your session"
    try:
        p = subprocess.run([exe, "--user", action, unit], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the session's service manager did not answer ({exc})"
    if p.returncode != 0:
        return f"the session's service manager did not {action} it: {(p.stderr.strip().splitlines() or ['?'])[0]}"
    return f"the session's service manager has {action}d it"
