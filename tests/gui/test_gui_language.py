"""The GUI in English and German: the catalogue is complete (every key has a German text that is not the
English one, unless listed as the same on purpose, with the same placeholders); no screen has a
user-visible string of its own (a static look at app/gui/*.py); and every screen, built with content
(turns, timers, an approval, accounts, a meeting, a past meeting), shows in German only texts of the
German catalogue or the content itself, and no English catalogue text (Settings -> Voices & models
included). What the engine says (a refused setting's or account field's reason, its errors) is in the app's
language too (agents/phrasebook.py). Dates and numbers per locale."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from agents.i18n import placeholders, resolve_language
from app.engine import (
    AccountView,
    ApprovalView,
    CheckOutcome,
    EngineInfo,
    Feature,
    KeyringView,
    MeetingHit,
    MeetingSegment,
    MeetingSummary,
    MeetingView,
    ModelView,
    ProgressEvent,
    SettingsView,
    TimerView,
)
from app.engine.account_rules import FORM_PRESETS
from app.gui import strings
from app.gui.state import Turn
from app.gui.strings import GUI, set_language

pytestmark = pytest.mark.unit
GUI_DIR = Path(__file__).resolve().parents[2] / "app" / "gui"
NOT_SHOWN = {"fonts.py", "panels.py", "widgets.py"}  # no texts of their own (widgets shows what it is given)

# the content the screens show (names, what was said, what the engine reports): not the GUI's words
DATA = ["Zorbex", "zorbex@example.org", "imap.example.org", "Quarterly numbers", "Ann Quill", "Bo Quill",
        "remind zorbex of the numbers", "The numbers are fine.", "Check the figures", "Ship the report",
        "We looked at the quarter.", "the numbers were discussed", "Pasta is ready", "call mum",
        "Send an e-mail to zorbex@example.org", "communication.send_mail", "Recipient", "Body",
        "tell me a joke about zorbex", "I cannot do that offline.", "Timers, reminders, notes.",
        "did anyone see the zorbex", "hey zorbex", "base", "small", "none", "openai", "joe", "local", "s3",
        "llama3", "http://127.0.0.1:1", "Space", "login works", "no meeting recorder in this test",
        "Mic One", "Speaker One", "Communication: send mail", "Action", "Kitchen timer", "Bluesky",
        "Quarterly numbers recording", "de_DE-thorsten-medium", "en_US-joe-medium", "whisper-small",
        "thorsten-medium.onnx"]
DATA += [p.label for p in FORM_PRESETS.values()]  # the mail providers' own names (GMX, web.de …)


# ------------------------------------------------------------------------------ the catalogue


def test_every_key_has_a_german_text_that_is_not_the_english_one() -> None:
    assert GUI.problems() == []
    assert len(GUI) > 200


def test_the_language_setting_picks_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_language("de") == "de" and resolve_language("en") == "en" and resolve_language("fr") == "en"
    monkeypatch.setenv("LANGUAGE", "de_DE")
    assert resolve_language("auto") == "de" and resolve_language(None) == "de"
    monkeypatch.setenv("LANGUAGE", "en_US")
    assert resolve_language("auto") == "en"
    set_language("de")
    assert strings.t("nav.settings") == "Einstellungen" and strings.t("nav.approvals_waiting", count=2) == "Freigaben (2)"
    set_language("en")
    assert strings.t("nav.settings") == "Settings"


def test_auto_is_the_system_language_and_a_new_language_builds_the_screens_again(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from app.gui.settings_screen import option_text
    from app.gui.shell import AssistantApp
    from app.settings import Settings

    monkeypatch.setenv("LANGUAGE", "de_DE")
    assert Settings(language="auto").language == "de"  # type: ignore[arg-type]
    monkeypatch.setenv("LANGUAGE", "en_GB")
    assert Settings(language="auto").language == "en"  # type: ignore[arg-type]
    set_language("en")
    app = AssistantApp(_Page(), _Engine(), tmp_path)  # type: ignore[arg-type]
    talk, old_settings = app.conversation, app.settings
    assert [d.label for d in app.rail.destinations][-1] == "Settings"
    assert app._use_language("de") is True
    assert app.conversation is not talk and app.settings is not old_settings  # built again
    assert app.rail.destinations[0].label == "Sprechen"
    assert [d.label for d in app.bar.destinations][-1] == "Einstellungen"
    assert app._use_language("de") is False  # the same language: nothing is built again
    assert option_text("language", "auto") == "Wie das System" and option_text("theme", "dark") == "Dunkel"


# ------------------------------------------------------------------------------ no strings in the screens

# calls whose (first or named) string argument is shown to the user
SHOWN_CALLS = {"Text": 0, "button": 0, "heading": 0, "_section": 0, "toast": 0, "_say": 0, "icon_button": 1,
               "_unavailable": 0, "start_progress": 1, "SnackBar": 0}
SHOWN_KEYWORDS = {"label", "hint_text", "title", "content", "semantics_label", "tooltip", "text", "error",
                  "error_text", "helper_text", "value"}


def _letters(node: ast.expr) -> str:
    """The letters a string or f-string argument shows of its own (not from its placeholders)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "".join(c for c in node.value if c.isalpha())
    if isinstance(node, ast.JoinedStr):
        return "".join(_letters(v) for v in node.values if isinstance(v, ast.Constant))
    return ""


def _shown_strings(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        args = []
        if name in SHOWN_CALLS and len(node.args) > SHOWN_CALLS[name]:
            args.append(node.args[SHOWN_CALLS[name]])
        args += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS
                 and not (k.arg == "value" and name in ("TextField", "Dropdown"))]  # what the user typed
        for arg in args:
            if _letters(arg) and not (isinstance(arg, ast.Constant) and arg.value in GUI):  # a key is fine
                yield node.lineno, ast.unparse(arg)


def test_no_screen_has_a_string_of_its_own() -> None:
    """Every user-visible string comes from the catalogue (``t(key)``): none is written in a screen."""
    found = [f"{p.name}:{line}: {text}" for p in sorted(GUI_DIR.glob("*.py")) if p.name not in NOT_SHOWN
             for line, text in _shown_strings(p)]
    assert found == []


# ------------------------------------------------------------------------------ every screen, both languages


class _Page:
    width = 1200.0
    web = True
    platform = None
    appbar = None
    navigation_bar = None

    def __init__(self) -> None:
        self.dialogs: list[ft.Control] = []

    def run_task(self, fn: Any, *args: Any) -> None:
        pass

    def update(self) -> None:
        pass

    def show_dialog(self, dialog: ft.Control) -> None:
        self.dialogs.append(dialog)

    def pop_dialog(self) -> None:
        pass


class _Engine:
    """What the screens ask for while they are built (a view test: no speech, no agents)."""

    def subscribe(self, fn: Any) -> None:
        pass

    async def meetings(self, query: str) -> list[MeetingSummary]:
        return [MeetingSummary(id="m1", title="Quarterly numbers", started_at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
                               duration_s=754)]

    async def meeting_search(self, query: str) -> list[MeetingHit]:
        return [MeetingHit(meeting_id="m1", title="Quarterly numbers", at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
                           start_s=65, text="the numbers were discussed")]

    async def meeting(self, meeting_id: str) -> MeetingView:
        return MeetingView(id="m1", title="Quarterly numbers", state="done", elapsed_s=754,
                           started_at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC), summary="We looked at the quarter.",
                           decisions=["Ship the report"], action_items=["Check the figures"],
                           speakers=["Ann Quill", "Bo Quill"],
                           segments=[MeetingSegment(start_s=3, end_s=6, speaker="Ann Quill",
                                                    text="the numbers were discussed")])

    # Settings -> Voices & models (ModelsPort): a voice being installed, one built in, a speech model installed
    async def models(self) -> list[ModelView]:
        return [ModelView(id="de_DE-thorsten-medium", kind="voice", languages=["de"], size_mb=63, quality="medium",
                          rtf=0.25, speed="estimated", installed=False, builtin=False),
                ModelView(id="en_US-joe-medium", kind="voice", languages=["en"], size_mb=63, quality="medium",
                          rtf=0.2, speed="measured on 2 cores", installed=True, builtin=True),
                ModelView(id="whisper-small", kind="whisper", languages=["en", "de"], size_mb=1464.5,
                          quality="int8", rtf=0.9, speed="estimated", installed=True, builtin=False)]

    async def install_model(self, model_id: str) -> ModelView:
        raise AssertionError("not pressed in a view test")

    async def cancel_model_install(self, model_id: str) -> None:
        pass

    async def remove_model(self, model_id: str) -> ModelView:
        raise AssertionError("not pressed in a view test")


def _texts(c: Any, skip: set[int]) -> Iterator[str]:
    """Every text a control tree shows: texts, labels, hints, titles, button captions, options."""
    if id(c) in skip:
        return
    if isinstance(c, list | tuple):
        for x in c:
            yield from _texts(x, skip)
        return
    if not dataclasses.is_dataclass(c) or isinstance(c, type):
        return
    for f in dataclasses.fields(c):
        if f.name.startswith("_") or f.name in ("data", "key"):
            continue
        v = getattr(c, f.name, None)
        if isinstance(v, str):
            typed = isinstance(c, ft.TextField | ft.Dropdown) and f.name == "value"  # what the user typed or chose
            if v and not typed and f.name in SHOWN_KEYWORDS | {"semantics_label"}:
                yield v
        elif v is not None:
            yield from _texts(v, skip)


def _pattern(text: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", text)
    return re.compile(".+?".join(re.escape(p) for p in parts), re.S)


def _explained(text: str, lang: str) -> bool:
    """A text is the GUI's words in this language (a catalogue text, placeholders filled) and content."""
    rest = text
    for d in sorted(DATA, key=len, reverse=True):
        rest = rest.replace(d, " ")
    if not any(c.isalpha() for c in rest):
        return True
    templates = [en if lang == "en" else de for en, de in GUI.values()]
    if any(_pattern(tpl).fullmatch(text) for tpl in templates):
        return True
    for tpl in sorted((x for x in templates if not placeholders(x)), key=len, reverse=True):
        rest = rest.replace(tpl, " ")
    return not any(c.isalpha() for c in rest)


async def _render(lang: str, tmp_path: Path) -> tuple[Any, list[str]]:
    from app.gui.shell import AssistantApp

    set_language(lang)
    page = _Page()
    app = AssistantApp(page, _Engine(), tmp_path)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    m = app.model
    m.info = EngineInfo(kind="local", language=lang, wake_phrase="hey zorbex",
                        features=[Feature(name="llm", available=False),
                                  Feature(name="meetings", available=False, detail="no meeting recorder in this test")])
    # Talk: a turn, a miss with "What I can do" open, hands-free, the onboarding card, timers
    m.turns = [Turn(id="t1", user="remind zorbex of the numbers", reply="The numbers are fine.", done=True,
                    source="local"),
               Turn(id="t2", user="tell me a joke about zorbex", spoken="I cannot do that offline.",
                    reply="I cannot do that offline. Timers, reminders, notes.", done=True, source="fallback")]
    app.spoken_turns["t1"] = 2.5
    app.conversation._expanded.add("t2")
    m.hands_free, m.show_overheard, m.overheard = True, True, "did anyone see the zorbex"
    app.conversation.set_onboarding(True)
    m.timers = [TimerView(id="timer-1", kind="timer", label="Kitchen timer", ends_at=now, ringing=True),
                TimerView(id="timer-2", kind="timer", label="Pasta is ready", ends_at=now + timedelta(minutes=3)),
                TimerView(id="reminder-3", kind="reminder", label="call mum", ends_at=now + timedelta(hours=2)),
                TimerView(id="timer-4", kind="timer", ends_at=now + timedelta(minutes=9))]
    # Approvals: one waiting, also as the dialog
    approval = ApprovalView(id=7, action="communication.send_mail", summary="Send an e-mail to zorbex@example.org",
                            details={"Action": "communication.send_mail", "Recipient": "zorbex@example.org"},
                            created_at=now, expires_at=now + timedelta(minutes=5))
    m.approvals = [approval]
    app.approvals.open_dialog(approval)
    # Settings: the form with its choices, the password store to create, an account tested
    app.settings._fill(SettingsView(language=lang, stt_models=["base", "small"], llm_providers=["none", "openai"],
                                    voices=["joe"], storage_backends=["local", "s3"], input_devices=["Mic One"],
                                    output_devices=["Speaker One"], llm_model="llama3",
                                    llm_base_url="http://127.0.0.1:1", wake_phrase="hey zorbex"))
    accounts = app.settings.accounts
    accounts._show_keyring(KeyringView(state="missing"))
    accounts._checks[("mail", "Zorbex")] = CheckOutcome(ok=True, message="login works")
    accounts._fill([AccountView(kind="mail", name="Zorbex", username="zorbex@example.org", host="imap.example.org",
                                has_secret=True)])
    app.settings._mark({"ptt_key": "x"})  # an error text is content: cleared again below
    app.settings._mark({})
    app.settings.message.value = strings.t("settings.saved")
    # Meetings: recording with a summary, the past list, a search hit, one meeting opened
    meetings = app.panels["meetings"]
    m.meeting = MeetingView(state="recording", elapsed_s=61, summary="We looked at the quarter.",
                            action_items=["Check the figures"], title="Quarterly numbers recording")
    await meetings.load_past()  # type: ignore[attr-defined]
    # (the search's handler scrolls the page: its rows are built here)
    meetings.results.controls = [meetings._hit(h) for h in await _Engine().meeting_search("")]  # type: ignore[attr-defined]
    await meetings.detail.open("m1")  # type: ignore[attr-defined]
    await meetings._export("m1")  # type: ignore[attr-defined]
    # Settings -> Voices & models: the list, one install under way with its progress, the screen's message
    models = app.settings.models
    await models.load()
    models.on_event(ProgressEvent(task="model:de_DE-thorsten-medium", label="de_DE-thorsten-medium: "
                                  "thorsten-medium.onnx", fraction=0.4))
    models._say(strings.t("models.installing", model="de_DE-thorsten-medium"))
    # Finance: no ledger with this engine: the screen says so
    await app.panels["finance"].load()  # type: ignore[attr-defined]
    # Social: no social media with this engine (the screen says so); a draft over the limits, a post with a CW
    from agents.social.models import Post

    social: Any = app.panels["social"]
    await social.load()
    social.connected = ["mastodon", "bluesky"]
    social._show_accounts()
    social.text.value = "Zorbex. " * 45
    social._show_preview()
    social.digest.controls = [social._post_card(Post(network="bluesky", id="p1", author="Zorbex", handle="zorbex",
                                                     text="Zorbex", cw="Zorbex", replies=2), "social-digest-post")]
    app.refresh()
    for name in app.screens:
        app.go(name)
    views = [app._views[name] for name in app.screens]
    texts = [*_texts(views, set()), *_texts(page.dialogs, set()),
             *(d.label for d in app.rail.destinations), *(d.label for d in app.bar.destinations)]
    return app, [str(x) for x in texts]


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    set_language("en")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_screen_shows_only_catalogue_texts_and_content(lang: str, tmp_path: Path) -> None:
    import asyncio

    _, texts = asyncio.run(_render(lang, tmp_path))
    assert len(texts) > 120
    unexplained = sorted({x for x in texts if not _explained(x, lang)})
    assert unexplained == []


def test_no_english_left_in_german(tmp_path: Path) -> None:
    """Each English catalogue text (of the keys whose German differs) is nowhere on the German screens:
    as a whole word, none of their own words (four letters or more, placeholders apart) is left."""
    import asyncio

    _, texts = asyncio.run(_render("de", tmp_path))
    shown = "\n".join(texts)
    for d in DATA:
        shown = shown.replace(d, " ")
    left = []
    for key, (en, de) in GUI.items():
        if key in GUI.same:
            continue
        for chunk in re.split(r"\{[a-z_]+\}", en):
            chunk = chunk.strip(" .,:;()“”…")
            if sum(c.isalpha() for c in chunk) >= 4 and chunk not in de and re.search(rf"\b{re.escape(chunk)}\b", shown):
                left.append(f"{key}: {chunk!r}")
    assert left == []
    assert "Einstellungen" in texts and "Freigaben (1)" in texts  # the tabs, with the waiting approval
    # Settings -> Voices & models in German: its words, numbers in German form (1.464 MB, 0,25×)
    assert {"Stimmen & Modelle", "Installieren", "Abbrechen", "eingebaut", "installiert"} <= set(texts)
    assert "Stimme, de, 63 MB, 0,25× Echtzeit (geschätzt)" in texts
    assert "Spracherkennung, en/de, 1.464 MB, 0,90× Echtzeit (geschätzt)" in texts


def test_dates_times_and_numbers_follow_the_language(tmp_path: Path) -> None:
    import asyncio

    from app.gui.formats import clock_time, date_time, decimal

    at = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    set_language("de")
    assert decimal(2.5) == "2,5" and "03.11.26" in date_time(at) and ":" in clock_time(at)
    set_language("en")
    assert decimal(1234.5) == "1,234.5" and "03/11/2026" in date_time(at)
    _, de = asyncio.run(_render("de", tmp_path))
    assert "Gesprochen (2,5 s)" in de
    assert any(x.startswith("Quarterly numbers — 03.11.26") for x in de)
    _, en = asyncio.run(_render("en", tmp_path))
    assert "Spoken (2.5 s)" in en
    assert any(x.startswith("Quarterly numbers — 03/11/2026") for x in en)
