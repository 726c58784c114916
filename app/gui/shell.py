"""The app shell: navigation (a rail on desktop, a bottom bar on phones), the four screens, the
browser/phone audio glue (microphone via flet-audio-recorder, speech via flet-audio) and the
engine event loop. Engine events can arrive on any thread: they are handed to the page's event
loop with ``page.run_task`` and only applied there, so UI updates are thread-safe."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import flet as ft

from app.engine import (
    ApprovalRequested,
    AudioChunk,
    AudioClip,
    Engine,
    EngineError,
    EngineEvent,
    ProgressEvent,
    ReplyDone,
    SettingsView,
    SpeechAudioReady,
    SpeechStopped,
)
from app.gui.approvals import ApprovalsScreen
from app.gui.conversation import ConversationScreen
from app.gui.panels import PanelScreen, domain_panels
from app.gui.settings_screen import SettingsScreen
from app.gui.state import UiModel, is_phone
from app.gui.strings import label, language, set_language, t
from app.gui.timers import TimersPanel

log = logging.getLogger(__name__)
# the fixed tabs (their labels are catalogue keys: app/gui/strings.py); each registered domain with a GUI
# panel (app/gui/panels.py) comes between Talk and Approvals
FIRST_NAV = [("conversation", "nav.talk", ft.Icons.MIC)]
LAST_NAV = [("approvals", "nav.approvals", ft.Icons.TASK_ALT), ("settings", "nav.settings", ft.Icons.SETTINGS)]
# flet-audio-recorder on web delivers 44.1 kHz stereo whatever is asked: ask for exactly that
CAPTURE_RATE, CAPTURE_CHANNELS = 44_100, 2
CALL_AUDIO_DEVICE = "pa-call-tab-audio"  # app/gui/web/call_audio.js answers this "microphone" with mic + tab
STOP_CAPTURE_WAIT_S = 0.3


class AssistantApp:
    def __init__(self, page: ft.Page, engine: Engine, export_dir: Path) -> None:
        self.page = page
        self.engine = engine
        self.export_dir = export_dir
        self.origin = uuid.uuid4().hex[:12]  # this window/tab: replies to what was asked here are spoken here
        self.model = UiModel(origin=self.origin)
        self.screen = "conversation"
        self.ptt_key_name = " "
        self.spoken_turns: dict[str, float] = {}
        self.timers_panel = TimersPanel(self)  # on the Talk screen (built by it)
        self.body = ft.Container(expand=True, padding=12)
        self.rail = ft.NavigationRail(selected_index=0, label_type=ft.NavigationRailLabelType.ALL, on_change=self._nav)
        # no tooltips on the tabs (the label is under each icon): with a mouse, the tooltip of the tab
        # just clicked stayed up, and when it went away Flutter web re-parented the page's semantics
        # tree, so a text field clicked next lost the keyboard focus while typing
        self.bar = ft.NavigationBar(selected_index=0, on_change=self._nav)
        self._build_screens()
        self.recorder: Any = None
        self.player: Any = None
        self._recording = False
        self._playing_turn: str | None = None
        self._play_started = 0.0
        self._started_turn: str | None = None
        self._picker: ft.FilePicker | None = None
        self._clip_busy = False  # a clip is loading or playing: the next one of the reply waits its turn
        self._capture_ok = True

    def _build_screens(self) -> None:
        """The screens and the tabs, in the GUI's current language (built again when it changes)."""
        self.conversation = ConversationScreen(self)
        panels = domain_panels()
        self.panels: dict[str, PanelScreen] = {name: p.screen(self) for name, p in panels}
        self._on_show = {name: p.on_show for name, p in panels if p.on_show is not None}
        self.approvals = ApprovalsScreen(self)
        self.settings = SettingsScreen(self)
        nav = [*FIRST_NAV, *((name, p.label, p.icon) for name, p in panels), *LAST_NAV]
        self.screens = [name for name, _, _ in nav]
        self._views = {"conversation": self.conversation.build(),
                       **{name: screen.build() for name, screen in self.panels.items()},
                       "approvals": self.approvals.build(), "settings": self.settings.build()}
        self.rail.destinations = [ft.NavigationRailDestination(icon=i, label=label(k)) for _, k, i in nav]
        self.bar.destinations = [ft.NavigationBarDestination(icon=i, label=label(k), tooltip="") for _, k, i in nav]
        self.timers_panel.rebuild()
        self._views_language = language()

    def _use_language(self, setting: str | None) -> bool:
        """Show the GUI in this language setting's language ("auto": the system's); the screens are built
        again when that changed it (True)."""
        set_language(setting)
        if language() == self._views_language:
            return False
        self._build_screens()
        if self.page.appbar is not None:
            self.page.appbar = ft.AppBar(title=ft.Text(t("app.title"), weight=ft.FontWeight.BOLD), center_title=False)
        return True

    # ------------------------------------------------------------------------------ start

    async def start(self) -> None:
        page = self.page
        page.title = t("app.title")
        page.padding = 0
        page.appbar = ft.AppBar(title=ft.Text(t("app.title"), weight=ft.FontWeight.BOLD), center_title=False)
        page.on_resize = self._on_resize
        self._make_audio()
        keys = ft.KeyboardListener(content=self.body, autofocus=True, on_key_down=self._key_down,
                                   on_key_up=self._key_up)
        self.root = ft.Row([self.rail, ft.VerticalDivider(width=1), ft.Container(content=keys, expand=True)],
                           expand=True, spacing=0, vertical_alignment=ft.CrossAxisAlignment.STRETCH)
        page.add(ft.SafeArea(content=self.root, expand=True))
        self.model.info = await self.engine.info()
        self._use_language(self.model.info.language)
        try:
            view = await self.engine.settings()
        except EngineError:  # e.g. a remote engine whose settings live on the server
            view = SettingsView(onboarded=True)
        self._apply_settings(view)
        self.conversation.set_onboarding(not view.onboarded)
        self.engine.subscribe(self._listener)
        self.timers_panel.start()
        self._layout(page.width)
        self.go("conversation")
        for a in await self.engine.approvals():
            self.model.apply(ApprovalRequested(approval=a))
        try:
            self.model.load_history(await self.engine.history(50))
        except EngineError as exc:  # an older server without the history route: start empty
            log.info("no history: %s", exc)
        self.refresh()

    def _make_audio(self) -> None:
        try:
            import flet_audio as fa
            import flet_audio_recorder as far
        except ModuleNotFoundError as exc:
            log.warning("browser audio not available: %s", exc)
            return
        self.player = fa.Audio(on_state_change=self._on_player_state)
        self.recorder = far.AudioRecorder(on_stream=self._on_stream)

    # ------------------------------------------------------------------------------ layout

    def _on_resize(self, e: Any) -> None:
        self._layout(getattr(e, "width", None) or self.page.width)
        self.page.update()

    def _layout(self, width: float | None) -> None:
        phone = is_phone(width)
        self.rail.visible = not phone
        self.page.navigation_bar = self.bar if phone else None
        self.body.padding = 8 if phone else 16
        self.conversation.show_for_width(width)
        self.timers_panel.show_for_width(width)
        self.settings.show_for_width(width)

    def go(self, screen: str) -> None:
        self.screen = screen
        idx = self.screens.index(screen)
        self.rail.selected_index = idx
        self.bar.selected_index = idx
        self.body.content = self._views[screen]
        if screen == "settings":
            self.page.run_task(self._load_settings)
        show = self._on_show.get(screen)
        if show is not None:
            self.page.run_task(show, self.panels[screen])
        self.refresh()

    async def _load_settings(self) -> None:
        await self.settings.load()
        self.refresh()

    async def open_setting(self, key: str) -> None:
        """Go to Settings with the keyboard focus on one setting (e.g. the language model provider)."""
        self.go("settings")
        await self.settings.focus(key)

    def _nav(self, e: Any) -> None:
        self.go(self.screens[int(e.control.selected_index or 0)])

    def refresh(self) -> None:
        self.conversation.refresh()
        self.timers_panel.refresh()
        for screen in self.panels.values():
            screen.refresh()
        self.approvals.refresh()
        self._approvals_badge(len(self.model.approvals))
        try:
            self.page.update()
        except Exception as exc:  # the session closed (logged: a failed update may leave the page blank)
            log.info("page update failed: %r", exc)

    def _approvals_badge(self, count: int) -> None:
        """The number of waiting approvals on the Approvals tab (none when nothing waits)."""
        # in the label (a Badge set later on a destination was not drawn here), so it is read out too
        label = t("nav.approvals_waiting", count=count) if count else t("nav.approvals")
        i = self.screens.index("approvals")
        for dest in (self.rail.destinations[i], self.bar.destinations[i]):
            if dest.label != label:
                dest.label = label

    def toast(self, text: str) -> None:
        self.page.show_dialog(ft.SnackBar(content=ft.Text(text)))

    def start_progress(self, task: str, label: str) -> None:
        self.model.apply(ProgressEvent(task=task, label=label))
        self.refresh()

    def end_progress(self, task: str) -> None:
        self.model.apply(ProgressEvent(task=task, label="", done=True))
        self.refresh()

    async def download(self, filename: str, content: bytes) -> str:
        """Hand a file to the user: the browser (or phone) downloads it; a desktop window asks where to save
        it. Only when that is not possible is it kept in the app's exports folder. Returns what happened."""
        try:
            if self._picker is None:
                self._picker = ft.FilePicker()
            await self._picker.save_file(file_name=Path(filename).name, src_bytes=content)
            return t("shell.downloaded", name=Path(filename).name)
        except Exception as exc:  # no file dialog here (a desktop without one)
            log.warning("download of %s: %s", filename, exc)
            path = self.save_export(filename, content)
            return t("shell.saved_export", name=path.name)

    def save_export(self, filename: str, content: bytes) -> Path:
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / Path(filename).name
        path.write_bytes(content)
        return path

    # ------------------------------------------------------------------------------ engine events

    def _listener(self, ev: EngineEvent) -> None:
        try:
            self.page.run_task(self._on_event, ev)
        except Exception as exc:  # the page is gone
            log.debug("dropped %s: %s", ev.kind, exc)

    async def _on_event(self, ev: EngineEvent) -> None:
        self.model.apply(ev)
        if isinstance(ev, ApprovalRequested):
            self.approvals.open_dialog(ev.approval)
        self.refresh()
        if isinstance(ev, ReplyDone):
            await self.timers_panel.reload()  # the turn may have set or cancelled a timer
        if isinstance(ev, SpeechAudioReady):
            await self._next_clip()
        elif isinstance(ev, SpeechStopped) and self.player is not None and self.model.playing:
            await self._stop_clips()  # the user spoke over the reply (hands-free barge-in)
            self.refresh()

    async def play_chime(self) -> None:
        """A timer or reminder rings: the chime goes first in the queue of clips (the voice saying what
        rang comes after it)."""
        from audio.chime import chime_seconds, chime_wav

        clip = AudioClip(wav=chime_wav(), duration_s=chime_seconds(), text="")
        self.model.pending_clips.insert(0, SpeechAudioReady(turn_id="timer-chime", clip=clip))
        await self._next_clip()

    async def _next_clip(self) -> None:
        """Play the next waiting clip unless one is loading or playing (a reply comes in clips: its first
        clause first, then the rest)."""
        if self._clip_busy:
            return
        clip = self.model.take_clip()
        if clip is not None:
            await self.play_clip(clip.clip, clip.turn_id)

    async def _stop_clips(self) -> None:
        self.model.pending_clips.clear()
        self._clip_busy = False
        if self.player is not None and self.model.playing:
            await self.player.pause()
        self.model.playing = False

    # ------------------------------------------------------------------------------ actions

    async def ask(self, text: str) -> None:
        try:
            await self.engine.ask(text, self.origin)
        except EngineError as exc:
            self.toast(str(exc))

    async def decide(self, approval_id: int, approve: bool) -> None:
        try:
            await self.engine.decide(approval_id, approve, self.origin)
        except EngineError as exc:
            self.toast(str(exc))

    async def speak(self, text: str) -> None:
        try:
            await self.engine.speak(text, self.origin)
        except EngineError as exc:
            self.toast(str(exc))

    async def stop_speaking(self) -> None:
        await self.engine.stop_speaking()
        if self.player is not None and (self.model.playing or self._clip_busy):
            await self._stop_clips()
            self.refresh()

    async def set_hands_free(self, on: bool) -> None:
        try:
            await self.engine.set_hands_free(on, self.origin)
        except EngineError as exc:
            self.toast(str(exc))
            self.model.hands_free = False
            self.refresh()
            return
        if on:
            await self.start_capture()
        elif self._recording and self.model.state != "listening":
            await self.stop_capture()

    async def start_listening(self) -> None:
        await self.stop_speaking()
        # the recorder opens at the press, beside the engine's start: what is said at once is kept (the
        # engine holds it while speech recognition loads; the browser's start takes a round trip)
        capture = asyncio.ensure_future(self.start_capture())
        try:
            await self.engine.start_listening(self.origin)
        except EngineError as exc:
            await capture
            await self.stop_capture()
            self.conversation.ptt.cancel()
            self.toast(str(exc))
            return
        await capture
        if self._devices_elsewhere():  # the background listener took the turn: its microphone, not this one
            await self.stop_capture()

    async def stop_listening(self) -> None:
        if not self.model.hands_free:
            # the browser answers the stop only after the audio it still has queued (seconds when its
            # CPU is busy): the engine does not wait for that beyond STOP_CAPTURE_WAIT_S (a local
            # engine drains late chunks itself; a remote one gets what came in by then)
            stop = asyncio.ensure_future(self.stop_capture())
            await asyncio.wait({stop}, timeout=STOP_CAPTURE_WAIT_S)
        try:
            await self.engine.stop_listening()
        except EngineError as exc:
            self.toast(str(exc))

    def can_record_tab(self) -> bool:
        """A browser on a computer records a tab's sound (getDisplayMedia); phones' browsers do not."""
        platform = str(getattr(self.page.platform, "value", self.page.platform) or "").lower()
        return self.recorder is not None and bool(self.page.web) and platform not in ("android", "ios")

    async def start_capture(self, call: bool = False) -> None:
        """The browser's microphone; with ``call``, in two channels: the microphone and a tab the user
        shares (the browser asks which), see app/gui/web/call_audio.js."""
        if self.recorder is None or self._recording:
            return
        if not call and self._devices_elsewhere():
            return  # the background listener records this turn or meeting on its microphone
        import flet_audio_recorder as far

        # the device asked for is the page script's sign to add the shared tab (no such microphone exists)
        device = far.InputDevice(id=CALL_AUDIO_DEVICE, label=CALL_AUDIO_DEVICE) if call else None
        cfg = far.AudioRecorderConfiguration(encoder=far.AudioEncoder.PCM16BITS, sample_rate=CAPTURE_RATE,
                                             channels=CAPTURE_CHANNELS, device=device)
        try:
            self._recording = bool(await self.recorder.start_recording(configuration=cfg))
        except Exception as exc:
            log.warning("microphone: %s", exc)
            self._recording = False
        if not self._recording:
            self.toast(t("shell.no_microphone"))

    def _devices_elsewhere(self) -> bool:
        elsewhere = getattr(self.engine, "devices_elsewhere", None)
        return elsewhere is not None and bool(elsewhere())

    async def stop_capture(self) -> None:
        if self.recorder is None or not self._recording:
            return
        self._recording = False
        t0 = time.monotonic()
        try:
            await self.recorder.stop_recording()
            log.debug("microphone stopped in %.3f s", time.monotonic() - t0)
        except Exception as exc:
            log.warning("stop microphone: %s", exc)

    async def _on_stream(self, e: Any) -> None:
        chunk: bytes = e.chunk
        if not chunk:
            return
        if len(chunk) % (2 * CAPTURE_CHANNELS):
            chunk = chunk[: len(chunk) - len(chunk) % (2 * CAPTURE_CHANNELS)]
        try:
            await self.engine.push_audio(AudioChunk(pcm16=chunk, sample_rate=CAPTURE_RATE, channels=CAPTURE_CHANNELS))
        except EngineError as exc:
            log.warning("audio chunk dropped: %s", exc)

    async def play_clip(self, clip: AudioClip, turn_id: str | None) -> None:
        if self.player is None:
            return
        self._playing_turn = turn_id
        self._clip_busy = True
        import flet_audio as fa

        # a fresh player per clip, created with its source: it plays once the client has loaded it
        self.player = fa.Audio(src=clip.wav, on_loaded=self._on_player_loaded,
                               on_state_change=self._on_player_state)
        if turn_id != self._started_turn:  # the reply's first clip: its speaking time starts now
            self._started_turn, self._play_started = turn_id, time.monotonic()

    async def _on_player_loaded(self, e: Any) -> None:
        try:
            await e.control.play()
        except Exception as exc:
            log.warning("playback: %s", exc)
            if e.control is self.player:
                self._clip_busy = False
                await self._next_clip()

    async def _on_player_state(self, e: Any) -> None:
        if e.control is not self.player:
            return  # a player of an earlier clip
        state = str(getattr(e.state, "value", e.state))
        log.info("player state: %s", state)
        if state == "playing":
            self.model.playing = True
        elif state in ("completed", "stopped", "paused"):
            if self.model.playing and state == "completed" and self._playing_turn:
                self.spoken_turns[self._playing_turn] = time.monotonic() - self._play_started
            self.model.playing = False
            if state == "completed" and self._clip_busy:
                self._clip_busy = False
                await self._next_clip()
        self.refresh()

    # ------------------------------------------------------------------------------ keys, settings

    async def _key_down(self, e: Any) -> None:
        if self.screen == "conversation":
            await self.conversation.key_down(_key_name(e.key))

    async def _key_up(self, e: Any) -> None:
        if self.screen == "conversation":
            await self.conversation.key_up(_key_name(e.key))

    def _apply_settings(self, view: SettingsView) -> None:
        self.ptt_key_name = view.ptt_key
        self.model.show_overheard = view.show_overheard
        self.conversation.show_for_width(self.page.width)
        self.page.theme_mode = {"light": ft.ThemeMode.LIGHT, "dark": ft.ThemeMode.DARK}.get(view.theme,
                                                                                             ft.ThemeMode.SYSTEM)

    async def settings_changed(self, view: SettingsView) -> None:
        """Saved in Settings: applied; a new language builds the screens again (Settings stays open)."""
        self._apply_settings(view)
        self.model.info = await self.engine.info()
        if self._use_language(self.model.info.language):
            self._layout(self.page.width)
            self.go("settings")
            self.settings.message.value = t("settings.saved")
        self.refresh()

    async def mark_onboarded(self) -> None:
        from app.engine import SettingsPatch

        try:
            await self.engine.update_settings(SettingsPatch(onboarded=True))
        except EngineError as exc:
            self.toast(str(exc))
        self.conversation.set_onboarding(False)
        self.refresh()


def _key_name(key: str) -> str:
    """Flet names the space bar ' ' (web) or 'Space' (desktop)."""
    return " " if key in (" ", "Space") else key
