"""Nothing typed is lost: every text field of the web UI, clicked and typed into at once at human
speed (no pause after the click), right after opening its screen or after pressing a button nearby,
10 runs per field, at 1280x800 and 390x844. One app for the module, one browser per size.

It failed before the fixes: a button's tooltip, shown while the pointer rested on it, went away when
the pointer moved to the field, Flutter web re-parented the semantics tree, the field's <input> left
the DOM and the rest of the typing went nowhere ("B" of "Budget review"). After that, about 1 run in
100 still lost keys on a loaded machine: the keys typed before Flutter took the clicked <input> over
as its editing element (select-all went to the still empty element: "Budget reviewBudget review"),
and Settings wrote the stored values into its fields again when it opened or saved, which reached the
browser while the next text was typed ("hey assistanttant"); and on the phone a field below the fold,
scrolled into view by the click, lost the focus to the control the canvas still showed under the
pointer. app/gui/web/typing_guard.js holds the first keys until Flutter listens; Settings writes a
field only when its setting changed; app/gui/web/click_guard.js keeps a press on a field in a list the
browser has just scrolled from Flutter's pointer handling; app/gui/web/clear_guard.js keeps the keys typed
after Send when the server's emptying of the message field comes after them (the measured numbers are
above the test)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, web_app
from tests.e2e.gui_helpers import (
    DESKTOP,
    PHONE,
    by_id,
    field_value,
    has_focus,
    nav,
    screenshot,
    texts,
    wait_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RUNS = 10
KEY_DELAY_MS = 80  # a fast human typist: ~12 keys a second
# (screen, field, a button on the same screen pressed before the field in every other run, what to type)
FIELDS = [
    ("Talk", "message", "send", "what time is it"),
    ("Meetings", "meeting-title", "meeting-search", "Budget review"),
    ("Meetings", "meeting-query", "meeting-search", "country"),
    ("Settings", "account-name", "account-add", "my mail"),
    ("Settings", "account-user", "account-add", "me@example.org"),
    ("Settings", "account-host", "account-add", "imap.example.org"),
    ("Settings", "account-port", "account-add", "993"),
    ("Settings", "account-secret", "account-add", "s3cret"),
    ("Settings", "setting-wake_phrase", "settings-save", "hey assistant"),
    ("Settings", "setting-llm_model", "settings-save", "llama3"),
]
SCREENSHOTS = {"Talk": "conversation", "Meetings": "meetings", "Settings": "settings"}


@pytest.fixture(scope="module")
def typing_app(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[str]:
    home = tmp_path_factory.mktemp("typing-home")
    env = {"PA_HOME": str(home), "PA_KEYRING_PASSWORD": "test-master-password",
           "PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin"}
    with web_app(env=env) as url:
        yield url


def _type_at_once(page: object, ident: str, text: str) -> str:
    """Click the field, select what it holds and type over it without waiting; what the field holds."""
    by_id(page, ident).first.click()
    page.keyboard.press("Control+a")  # type: ignore[attr-defined]
    page.keyboard.type(text, delay=KEY_DELAY_MS)  # type: ignore[attr-defined]
    time.sleep(0.3)  # the last key reaches the field
    return field_value(page, ident)


# Measured (three runs of this module at once, the machine's load average given with the numbers): before
# the guards 9 of 100 runs lost keys at 1280x800; with the typing guard and Settings writing a field only
# on a change, 1 of 100 still did at 1280x800 and 2, 12 and 24 of 100 at 390x844 (load 20-27). The phone's
# losses: Playwright scrolls a field below the fold into view by scrolling Flutter's semantics copy of the
# list; the click came before the canvas had followed, Flutter handed it to the framework at its screen
# position, where the Theme (earlier: Microphone) dropdown still was, and that took the focus and lost it
# to <body> (instrumented: 26 of 50 account-field runs at 390x844 lost every key). app/gui/web/click_guard.js
# keeps such a press from the framework. The 1280x800 ones ('93' for '993', 'hat time is it'): the first
# letter typed after Flutter started listening but before the held select-all was typed in, which then
# selected it ('3cret' for 's3cret' in an instrumented run); the typing guard now holds those keys too.
# After both, three runs of this module at once (load 23-26): 0 of 100 at 390x844 on the account fields;
# the message field after Send still lost keys (1280x800: 3 of 100 in one run; 390x844: 1 of 100 in two),
# the emptying after a send reaching the browser late. app/gui/web/clear_guard.js now drops an emptying that
# comes after the user typed again: one run of this module before it (load 1-21) lost 0 of 100 at each
# size; three runs at once with it (load 8-25, mostly 20+) lost 0 of 100 at each size in each run. The race is forced
# by the test below (every server message 1.5 s late): 5 of 6 runs lost keys without the guard, 0 with it.
# A server that handles Send after the next keys reached it sent those first keys ("wh") as the message
# (load 20+); app/gui/conversation.py now sends what the field held when pressed (the last test below).


def _press(page: object, ident: str) -> None:
    """Click a button; one that stays hidden (the fresh-clone CI: the phone's account-add, below the fold in a
    list under load 20+, was 'not visible' for 30 s) is activated as a screen reader does, on its node."""
    button = by_id(page, ident).first
    try:
        button.click(timeout=15_000)
    except Exception:
        button.dispatch_event("click")


# 100 runs with a screen change each: 5-8 minutes per size on a quiet machine, over 15 under load 24
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_every_text_field_keeps_every_keystroke(typing_app: str, size: tuple[int, int]) -> None:
    lost: list[str] = []
    with browser_page(typing_app, *size) as page:
        wait_text(page, "status", "", timeout=180)
        for screen, field, button, text in FIELDS:
            nav(page, screen)
            by_id(page, field).first.wait_for(timeout=120_000)  # a screen took over 30 s to come under load 24
            for run in range(RUNS):
                if run % 2:  # press the screen's button first (a tooltip under the pointer, a message)
                    _press(page, button)
                    time.sleep(0.5)
                else:  # open the screen and click the field at once
                    nav(page, "Approvals")
                    # the screen left first (seconds on a loaded machine): else the click found the field of
                    # the screen still shown, which went away when Approvals came, with the keys typed
                    by_id(page, field).first.wait_for(state="detached", timeout=60_000)
                    nav(page, screen)
                held = _type_at_once(page, field, text)
                if held != text:
                    lost.append(f"{field} run {run + 1}: {held!r}")
        kept = page.evaluate("() => window.__clickGuard && window.__clickGuard.kept")
        dropped = page.evaluate("() => window.__clearGuard && window.__clearGuard.kept")
        for screen, name in SCREENSHOTS.items():
            nav(page, screen)
            screenshot(page, f"typing-{name}-{size[0]}x{size[1]}")
    print(f"{size[0]}x{size[1]}: {len(lost)} of {len(FIELDS) * RUNS} runs lost keystrokes "
          f"({kept} presses kept from Flutter by the click guard, {dropped} late emptyings by the clear guard)")
    assert not lost, f"{len(lost)} of {len(FIELDS) * RUNS} runs lost keystrokes: " + "; ".join(lost)


BUSY_FRAME_MS = 250  # every frame of the page comes this late: Flutter takes a clicked field over late
BUSY_FIELDS = [f for f in FIELDS if f[1] in ("meeting-title", "account-name", "setting-wake_phrase")]


def test_keys_typed_before_flutter_takes_the_field_are_kept(typing_app: str) -> None:
    """A busy page, made so on purpose: the keys typed after the click but before Flutter listens to the
    field are held by the page's typing guard and typed in then. Without the guard 4 of 12 runs lost keys
    here (select-all went to the still empty element: "Budget reviewBudget review"); with it 1 of 12 until it
    also held the keys typed between Flutter listening and the release of the held ones."""
    lost: list[str] = []
    with browser_page(typing_app, *DESKTOP) as page:
        wait_text(page, "status", "", timeout=180)
        page.evaluate("ms => { const raf = window.requestAnimationFrame.bind(window);"
                      " window.requestAnimationFrame = (cb) => raf(() => setTimeout(() => cb(performance.now()), ms)); }",
                      BUSY_FRAME_MS)
        for screen, field, _, text in BUSY_FIELDS:
            for run in range(4):
                nav(page, "Approvals" if screen != "Approvals" else "Talk")
                by_id(page, field).first.wait_for(state="detached", timeout=60_000)
                nav(page, screen)
                held = _type_at_once(page, field, text)
                if held != text:
                    lost.append(f"{field} run {run + 1}: {held!r}")
        guard = page.evaluate("() => window.__typingGuard && window.__typingGuard.held")
    assert not lost, f"{len(lost)} of {len(BUSY_FIELDS) * 4} runs lost keystrokes: " + "; ".join(lost)
    assert guard, "the typing guard held no key: the page was not busy enough to test it"


SLOW_SERVER_MS = 1500  # every message from the server reaches the page this late while it is set
# in the page before its own scripts: the WebSocket's incoming messages wait window.__incomingDelayMs, in order
DELAY_INCOMING = """(() => {
  const queue = []; let timer = null; window.__incomingDelayMs = 0;
  const pump = () => {
    timer = null;
    while (queue.length && queue[0].due <= performance.now()) queue.shift().run();
    if (queue.length) timer = setTimeout(pump, queue[0].due - performance.now());
  };
  const later = (run) => {
    const ms = window.__incomingDelayMs;
    if (!ms && !queue.length) { run(); return; }
    queue.push({ due: performance.now() + ms, run });
    if (timer === null) timer = setTimeout(pump, ms);
  };
  const wrapped = new WeakMap();
  const wrap = (fn) => {
    if (typeof fn !== "function") return fn;
    if (!wrapped.has(fn)) wrapped.set(fn, function (ev) { later(() => fn.call(this, ev)); });
    return wrapped.get(fn);
  };
  const proto = WebSocket.prototype;
  const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
  proto.addEventListener = function (type, fn, opts) { return add.call(this, type, type === "message" ? wrap(fn) : fn, opts); };
  proto.removeEventListener = function (type, fn, opts) { return remove.call(this, type, type === "message" ? wrap(fn) : fn, opts); };
  const on = Object.getOwnPropertyDescriptor(proto, "onmessage");
  Object.defineProperty(proto, "onmessage", { ...on, set(fn) { on.set.call(this, wrap(fn)); } });
})();"""
LATE_TEXTS = ["what time is it", "what is the date today", "what time is it in Tokyo"]
LATE_RUNS = 6


def _newest_turn(page: object, want: str, timeout: float = 60.0) -> list[str]:
    """Wait until the newest request shown is ``want``; the last two shown."""
    deadline = time.monotonic() + timeout
    shown: list[str] = []
    while time.monotonic() < deadline:
        shown = texts(page, "you-text")
        if shown[-1:] == [want]:
            break
        time.sleep(0.3)
    return shown[-2:]


def _check_sent(page: object, sent: str, what: str, wrong: list[str]) -> None:
    """``sent`` was sent (LATE_TEXTS repeat every three sends, so the request before it differs from it): it
    is the newest request shown."""
    shown = _newest_turn(page, sent)
    if shown[-1:] != [sent]:
        wrong.append(f"{what}: {sent!r} sent, the newest shown are {shown!r}")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_keys_typed_before_a_late_emptying_after_send_are_kept(typing_app: str, size: tuple[int, int]) -> None:
    """A slow server, made so on purpose: after Send, the server empties the message field, and that
    reaches the page only after the next message was typed (on a loaded machine seconds late). Without
    app/gui/web/clear_guard.js that emptying wiped the keys typed since (every run here); with it they are
    kept, and Flutter and the server hold them too. Every Send sends the message typed before it, once,
    and after the last one the field is empty for a screen reader too: Flutter web wrote the server's
    emptying only into a field being edited, so the <input> of the field (no focus after the press on
    Send) held the sent text (every send; the clear guard now empties it). Before, this test therefore
    always waited for an empty field until its 60 s deadline and judged the list of requests as it was at
    that moment (the fresh-clone CI of 2026-12-06 saw "what is the date today" there, two sends before the
    last). Now each Send is checked as it comes: its text must be the newest request shown. That failed in
    2 of 14 runs at load 15-20 and at 390x844 (another request, or the one before, shown as the newest):
    every request reached the engine and the window's list of turns (logged), but the conversation's
    ListView no longer followed its end: Flet's auto_scroll stops for good once the list's offset goes down
    without the user scrolling (a lazy list's estimated end corrected; the first "... in Tokyo", a miss,
    is answered ~20 s late and grows a turn above the newest), so the newest turns stayed below the fold,
    outside the semantics tree the test (and a screen reader) reads. The list is now reversed (the newest
    at offset 0). Then, with two copies of the test at once and load 22, 1 of the first 2 desktop runs had
    two sends not shown within 60 s, the engine still "Thinking" on the first offline miss ("... in Tokyo"):
    that miss compiled every intent template and built the fuzzy index while the window waited (2.8 s quiet,
    20-60 s under load). The engine's preload now does that (app/engine/local: _warm_understanding); since,
    48 runs in a row passed (two copies at once beside other tests, load 7-13), so a Send not shown fails
    again. Found on the way: answers to an earlier page's requests came minutes late at that load and were
    put under the newest request; app/gui/state.py now puts them above the requests of the page."""
    lost: list[str] = []
    wrong: list[str] = []
    with browser_page(typing_app, *size, init_script=DELAY_INCOMING) as page:
        wait_text(page, "status", "", timeout=180)
        nav(page, "Talk")
        by_id(page, "message").first.wait_for(timeout=120_000)
        _type_at_once(page, "message", LATE_TEXTS[0])
        for run in range(LATE_RUNS):
            sent, text = LATE_TEXTS[run % len(LATE_TEXTS)], LATE_TEXTS[(run + 1) % len(LATE_TEXTS)]
            page.evaluate("ms => { window.__incomingDelayMs = ms; }", SLOW_SERVER_MS)
            by_id(page, "send").first.click()
            _type_at_once(page, "message", text)
            page.evaluate("() => { window.__incomingDelayMs = 0; }")
            time.sleep(SLOW_SERVER_MS / 1000 + 1.0)  # the emptying has come (the rest of the queue follows)
            held = field_value(page, "message")
            if held != text:
                lost.append(f"run {run + 1}: {held!r}")
            _check_sent(page, sent, f"run {run + 1}", wrong)
        kept = page.evaluate("() => window.__clearGuard && window.__clearGuard.kept")
        by_id(page, "send").first.click()  # no delay: what the field holds, as Flutter and the server have it
        _check_sent(page, LATE_TEXTS[LATE_RUNS % len(LATE_TEXTS)], "the last Send", wrong)
        deadline = time.monotonic() + 10
        while (held := field_value(page, "message")) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not lost, f"{len(lost)} of {LATE_RUNS} runs lost the keys typed after Send: " + "; ".join(lost)
    assert kept, "the clear guard kept no field: the emptying did not come late enough to test it"
    assert held == "", f"after the last Send the message field still holds {held!r}"
    assert not wrong, "the request just sent was not the newest shown within 60 s: " + "; ".join(wrong)


# in the page before its own scripts: while window.__holdOutgoing is set, what the page sends to the server
# waits; window.__flushOutgoing() sends it all at once, in order (a server busy for a moment gets a burst)
HOLD_OUTGOING = """(() => {
  const queue = []; window.__holdOutgoing = false;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (window.__holdOutgoing) { queue.push([this, data]); return; }
    return send.call(this, data);
  };
  window.__flushOutgoing = () => {
    window.__holdOutgoing = false;
    const n = queue.length;
    while (queue.length) { const [ws, data] = queue.shift(); send.call(ws, data); }
    return n;
  };
})();"""
BURST_TEXTS = [("what time is it", "what is the date today"), ("what is the date today", "what time is it in Tokyo")]


def test_send_sends_what_the_field_held_when_pressed(typing_app: str) -> None:
    """A busy server, made so on purpose: Send is pressed and the next message typed at once, and the server
    gets the press and the next keys in one burst. Flet applies the field's new value as it arrives and runs
    the press's handler after, so Send read the next message's keys ("what is the date today" was sent for
    "what time is it", every run here before the fix); now it sends the text the field held when pressed
    (app/gui/conversation.py: the change events, handled in arrival order, say what that was)."""
    with browser_page(typing_app, *DESKTOP, init_script=HOLD_OUTGOING) as page:
        wait_text(page, "status", "", timeout=180)
        nav(page, "Talk")
        by_id(page, "message").first.wait_for(timeout=120_000)
        sent: list[tuple[str, list[str]]] = []
        for first, following in BURST_TEXTS:
            if field_value(page, "message") != first:
                _type_at_once(page, "message", first)
            time.sleep(1.0)  # the server has the first text
            page.evaluate("() => { window.__holdOutgoing = true; }")
            by_id(page, "send").first.click()
            _type_at_once(page, "message", following)
            held = page.evaluate("() => window.__flushOutgoing()")
            assert held >= 2, f"the press and the keys were not held back ({held} messages): the race was not made"
            deadline = time.monotonic() + 60
            shown: list[str] = []
            while time.monotonic() < deadline and first not in (shown := texts(page, "you-text"))[-1:]:
                time.sleep(0.3)
            sent.append((first, shown[-1:]))
            assert field_value(page, "message") == following, "the keys typed after Send were not kept"
    wrong = [f"{want!r} sent as {got!r}" for want, got in sent if got != [want]]
    assert not wrong, "Send sent the field's later text: " + "; ".join(wrong)


ENTER_PAIRS = [("what time is it", "what is the date today"), ("what is the date today", "what time is it")] * 2


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_keys_typed_right_after_enter_are_kept(typing_app: str, size: tuple[int, int]) -> None:
    """A message sent with Enter and the next one typed at once, at human speed: the field keeps the keyboard
    focus and is empty for the next keys, and both messages are sent, in order. Before, the field was a
    single-line one whose Enter took the keyboard focus out of it: every key typed right after Enter went
    nowhere (app/gui/conversation.py: Enter sends and Shift+Enter breaks the line; clear_guard.js empties
    the field in the browser when Enter sent it)."""
    lost: list[str] = []
    wrong: list[str] = []
    with browser_page(typing_app, *size) as page:
        wait_text(page, "status", "", timeout=180)
        nav(page, "Talk")
        by_id(page, "message").first.wait_for(timeout=120_000)
        for run, (first, second) in enumerate(ENTER_PAIRS):
            _type_at_once(page, "message", first)
            page.keyboard.press("Enter")
            page.keyboard.type(second, delay=KEY_DELAY_MS)  # no pause after Enter
            time.sleep(0.3)  # the last key reaches the field
            held = field_value(page, "message")
            if held != second:
                lost.append(f"run {run + 1}: {held!r} after Enter, {second!r} typed")
            page.keyboard.press("Enter")
            shown = _newest_turn(page, second)
            if shown != [first, second]:
                wrong.append(f"run {run + 1}: {first!r} and {second!r} sent, the newest shown are {shown!r}")
        entered = page.evaluate("() => window.__clearGuard && window.__clearGuard.entered")
        deadline = time.monotonic() + 10
        while (held := field_value(page, "message")) and time.monotonic() < deadline:
            time.sleep(0.2)
        focused = has_focus(page, "message")
    assert not lost, f"{len(lost)} of {len(ENTER_PAIRS)} runs lost the keys typed after Enter: " + "; ".join(lost)
    assert not wrong, "the two messages sent with Enter were not the newest shown, in order: " + "; ".join(wrong)
    assert held == "", f"after the last Enter the message field still holds {held!r}"
    assert focused, "the message field lost the keyboard focus after Enter"
    assert entered, "the page emptied no field after Enter"
