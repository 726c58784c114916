"""Every text of the tray icon, its menu and the desktop notifications, in English and German."""

from __future__ import annotations

from agents.i18n import Catalogue
from app.listen.hotkey import key_name

TRAY = Catalogue({
    "title": ("Personal assistant: {state}", "Persönlicher Assistent: {state}"),
    "shortcut": ("Personal assistant: hold to talk", "Persönlicher Assistent: gedrückt halten zum Sprechen"),
    "state.idle": ("ready (hold {key} to talk)", "bereit ({key} gedrückt halten zum Sprechen)"),
    "state.listening": ("listening: the microphone is on", "hört zu: das Mikrofon ist an"),
    "state.thinking": ("thinking", "denkt nach"),
    "state.speaking": ("speaking", "spricht"),
    "state.muted": ("muted: the key does nothing", "stumm: die Taste tut nichts"),
    "state.recording": ("recording a meeting: the microphone is on", "nimmt ein Meeting auf: das Mikrofon ist an"),
    "state.hands_free": ("hands-free: the microphone is on, start with the wake phrase",
                         "freihändig: das Mikrofon ist an, beginne mit dem Aktivierungswort"),
    "mute": ("Mute", "Stumm"),
    "meeting.start": ("Start meeting recording", "Meeting-Aufnahme starten"),
    "meeting.stop": ("Stop meeting recording", "Meeting-Aufnahme beenden"),
    "open": ("Open the app", "App öffnen"),
    "quit": ("Quit", "Beenden"),
    "approve": ("Approve", "Zustimmen"),
    "deny": ("Deny", "Ablehnen"),
    "autostart.name": ("Personal assistant (listener)", "Persönlicher Assistent (Zuhörer)"),
    "autostart.comment": ("Hold the push-to-talk key in any program to talk to the assistant",
                          "In jedem Programm die Sprechtaste halten und mit dem Assistenten sprechen"),
    "approval.title": ("Waiting for your yes: {summary}", "Wartet auf dein Ja: {summary}"),
    "audio_lost": ("The microphone or speaker went away: the listener starts again to find it.",
                   "Mikrofon oder Lautsprecher sind weg: der Zuhörer startet neu, um sie wiederzufinden."),
})

# the control channel (channel.py, link.py): what a program talking to the listener is told
CHANNEL = Catalogue({
    "bad_request": ("The listener did not understand this request.", "Der Zuhörer hat diese Anfrage nicht verstanden."),
    "too_long": ("The request is too long for the listener.", "Die Anfrage ist zu lang für den Zuhörer."),
    "foreign": ("The listener takes requests only from the user it runs for.",
                "Der Zuhörer nimmt Anfragen nur von dem Benutzer an, für den er läuft."),
    "muted": ("The background listener is muted: turn mute off in its tray icon to talk.",
              "Der Zuhörer im Hintergrund ist stumm: schalte „Stumm“ in seinem Symbol im Infobereich aus, um zu sprechen."),
    "busy": ("The background listener is already listening.", "Der Zuhörer im Hintergrund hört schon zu."),
    "gone": ("The background listener stopped answering; nothing was recorded here. Try again.",
             "Der Zuhörer im Hintergrund antwortet nicht mehr; hier wurde nichts aufgenommen. Versuch es noch einmal."),
})


_SIDES = {"_r": ("Right", "rechts"), "_l": ("Left", "links")}
_KEYS = {"ctrl": ("Ctrl", "Strg"), "alt": ("Alt", "Alt"), "shift": ("Shift", "Umschalt"), "cmd": ("Cmd", "Cmd"),
         "scroll_lock": ("Scroll Lock", "Rollen"), "caps_lock": ("Caps Lock", "Feststelltaste"),
         "pause": ("Pause", "Pause"), "menu": ("Menu", "Menü"), "insert": ("Insert", "Einfg")}


def key_label(name: str, language: str) -> str:
    """A push-to-talk key's setting name as a keyboard shows it: ctrl_r -> "Right Ctrl" / "Strg rechts",
    f13 -> "F13" (the tray and the ready line named the setting's value, "hold ctrl_r to talk")."""
    n = key_name(name)
    if len(n) == 1 or (n[:1] == "f" and n[1:].isdigit()):
        return n.upper()
    base, side = (n[:-2], n[-2:]) if n[-2:] in _SIDES else (n, "")
    de = language == "de"
    label = _KEYS[base][de] if base in _KEYS else base.replace("_", " ").title()
    if not side:
        return label
    return f"{label} {_SIDES[side][1]}" if de else f"{_SIDES[side][0]} {label}"
