"""``RemoteEngine``: the ``app.engine.Engine`` interface over the home server's REST API (``app.server``),
for the phone build and any client that should not run the models itself.

Imports only pydantic, httpx and the standard library (no numpy, no models; of ``audio.wav`` only its
standard-library part). Tokens: give an access and refresh token (e.g. from the keyring), or sign in
with ``RemoteEngine.sign_in`` / pair with ``RemoteEngine.pair``; an expired access token is refreshed
once automatically and ``on_tokens`` is called with every new pair so the app can store it. Microphone
audio pushed while listening is sent as one WAV when push-to-talk is released; the server transcribes,
answers and speaks. Timers and reminders (``TimersPort``): the server does not push, so what started,
rang or was cancelled is found and emitted as ``TimerChanged`` each time ``timers()`` is asked (the GUI's
timers panel asks every few seconds and when a countdown runs out).

Not offered remotely (``NotAvailable``): hands-free listening, recording a meeting live (upload a
recording instead: ``upload_meeting``), changing settings (managed on the server). Accounts are the
household's, on the server: listed for everyone, added, tested and removed by an admin; the server's
keyring holds the passwords (``keyring()`` says so; a phone never handles a master password). Sign-in
with Google or Microsoft (``SignInPort``): the server starts it, the phone's browser shows the provider's
page (``open_url``), the provider returns to the server (``app.server.routes.oauth``)."""

from __future__ import annotations

import asyncio
import json
import threading
import webbrowser
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from agents.phrasebook import phrase
from app.engine import (
    EXPORT_MEDIA_TYPES,
    AccountDraft,
    AccountView,
    ApprovalDecided,
    ApprovalOutcome,
    ApprovalRequested,
    ApprovalView,
    AudioChunk,
    AudioClip,
    CheckOutcome,
    EngineError,
    EngineEventAdapter,
    EngineInfo,
    ExportedFile,
    ExportFormat,
    HistoryTurn,
    KeyringView,
    Listener,
    MeetingHit,
    MeetingSegment,
    MeetingSummary,
    MeetingView,
    NotAvailable,
    ReplyDone,
    SettingsPatch,
    SettingsView,
    SpeechAudioReady,
    StateChanged,
    TimerChanged,
    TimerView,
    TranscriptFinal,
    TurnError,
    TurnReply,
    Unsubscribe,
)
from app.engine.bus import EventBus
from app.engine.timer_events import timer_changes
from audio.wav import pcm16_wav_bytes

API = "/api/v1"
MAX_TEXT_CHARS = 4000
MAX_UTTERANCE_BYTES = 60 * 48_000 * 2 * 2  # one minute of 48 kHz stereo PCM16
class Tokens(BaseModel):
    access_token: str
    refresh_token: str


TokenCallback = Callable[[Tokens], None]


def _detail(resp: httpx.Response) -> str:
    try:
        d = resp.json().get("detail")
    except (ValueError, AttributeError):
        d = None
    if isinstance(d, list) and d:  # validation errors
        first = d[0]
        return f"invalid input: {first.get('msg', 'bad value')}" if isinstance(first, dict) else "invalid input"
    return str(d) if d else f"server answered {resp.status_code}"


class RemoteEngine:
    """See the module docstring. ``speech_output``: "client" = fetch spoken replies as WAV clips
    (SpeechAudioReady events) for the UI to play; "off" = text only. ``language``: the UI's language until the
server's info gives its own; sent as ``Accept-Language``, so the server's error details come in it."""

    def __init__(self, base_url: str, access_token: str | None = None, refresh_token: str | None = None, *,
                 speech_output: Literal["client", "off"] = "client", on_tokens: TokenCallback | None = None,
                 timeout_s: float = 120.0, verify: bool | str = True,
                 transport: httpx.AsyncBaseTransport | None = None, language: str = "en") -> None:
        self.base_url = base_url.rstrip("/")
        self._tokens = Tokens(access_token=access_token or "", refresh_token=refresh_token or "")
        self.speech_output = speech_output
        self.on_tokens = on_tokens
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s, verify=verify, transport=transport,
                                       headers={"Accept-Language": language})
        self._bus = EventBus()
        self._pcm = bytearray()
        self._format: tuple[int, int] | None = None
        self._listen_origin = ""  # the window/tab that pressed to talk
        self._listening = False
        self._lock = threading.Lock()
        self._timers: dict[str, TimerView] = {}  # the last list seen: what changed is reported as events
        self._timers_lock = asyncio.Lock()
        self._language = language  # the UI's until the server's info says its own: what this engine says is in it
        # SignInPort: where the provider's sign-in page opens (the GUI sets the page's own launcher)
        self.open_url: Callable[[str], Any] = webbrowser.open
        self.sign_in_poll_s = 1.0

    @property
    def language(self) -> str:
        """The language of this engine's words and of the server's error details (sent as Accept-Language):
        the server's language from its info, or the one the UI set."""
        return self._language

    @language.setter
    def language(self, lang: str) -> None:
        self._language = lang
        self._http.headers["Accept-Language"] = lang

    def _say(self, key: str, /, **values: object) -> str:
        return phrase(key, self.language, **values)

    # ------------------------------------------------------------------ sign-in

    @classmethod
    async def sign_in(cls, base_url: str, username: str, password: str, device_name: str = "phone",
                      **kw: Any) -> RemoteEngine:
        eng = cls(base_url, **kw)
        body = {"username": username, "password": password, "device_name": device_name}
        await eng._take_tokens(await eng._send("POST", "/auth/login", json=body, auth=False))
        return eng

    @classmethod
    async def pair(cls, base_url: str, code: str, device_name: str = "phone", **kw: Any) -> RemoteEngine:
        """Sign in with the one-time code shown in the desktop app."""
        eng = cls(base_url, **kw)
        await eng._take_tokens(await eng._send("POST", "/pairing/claim", json={"code": code, "device_name": device_name},
                                               auth=False))
        return eng

    @property
    def tokens(self) -> Tokens:
        return self._tokens

    async def _take_tokens(self, resp: httpx.Response) -> None:
        data = resp.json()
        self._tokens = Tokens(access_token=data["access_token"], refresh_token=data["refresh_token"])
        if self.on_tokens is not None:
            self.on_tokens(self._tokens)

    # ------------------------------------------------------------------ HTTP

    async def _send(self, method: str, path: str, *, auth: bool = True, ok: tuple[int, ...] = (200, 201, 202, 204, 206),
                    **kw: Any) -> httpx.Response:
        url = path if path.startswith("/api/") else API + path
        for attempt in (0, 1):
            headers = dict(kw.pop("headers", {}) or {})
            if auth:
                headers["Authorization"] = f"Bearer {self._tokens.access_token}"
            try:
                resp = await self._http.request(method, url, headers=headers, **kw)
            except httpx.TimeoutException:
                raise EngineError(self._say("remote.timeout", url=self.base_url)) from None
            except httpx.HTTPError as exc:
                raise EngineError(self._say("remote.unreachable", url=self.base_url, error=type(exc).__name__)) from None
            if resp.status_code == 401 and auth and attempt == 0 and self._tokens.refresh_token:
                await self._refresh()
                kw["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                continue
            if resp.status_code in ok:
                return resp
            if resp.status_code == 401:
                raise EngineError(self._say("remote.signed_out") if auth else _detail(resp))
            if resp.status_code >= 500:
                raise EngineError(self._say("remote.server_failed", status=resp.status_code))
            raise EngineError(_detail(resp))
        raise EngineError(self._say("remote.signed_out"))

    async def _refresh(self) -> None:
        try:
            resp = await self._http.post(API + "/auth/refresh", json={"refresh_token": self._tokens.refresh_token})
        except httpx.HTTPError as exc:
            raise EngineError(self._say("remote.unreachable", url=self.base_url, error=type(exc).__name__)) from None
        if resp.status_code != 200:
            raise EngineError(self._say("remote.signed_out"))
        await self._take_tokens(resp)

    async def _get_model(self, path: str, model: type[Any], **kw: Any) -> Any:
        return model.model_validate((await self._send("GET", path, **kw)).json())

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET an API path (e.g. ``/finance/accounts``) as the signed-in user: its JSON body (a domain
        screen's read routes; EngineError with one line on failure)."""
        return (await self._send("GET", path, params=params or {})).json()

    async def post_json(self, path: str, body: dict[str, Any]) -> Any:
        """POST a JSON body to an API path (e.g. ``/social/drafts``) as the signed-in user: its JSON answer."""
        return (await self._send("POST", path, json=body)).json()

    async def delete_path(self, path: str) -> None:
        """DELETE an API path (e.g. ``/social/scheduled/3``) as the signed-in user (EngineError on a refusal)."""
        await self._send("DELETE", path)

    # ------------------------------------------------------------------ lifecycle and events

    async def info(self) -> EngineInfo:
        info: EngineInfo = await self._get_model("/info", EngineInfo)
        self.language = info.language
        if self.speech_output == "off":
            for f in info.features:
                if f.name == "speech_out":
                    f.available, f.detail = False, self._say("feature.speech_off")
        return info

    def subscribe(self, listener: Listener) -> Unsubscribe:
        return self._bus.subscribe(listener)

    async def close(self) -> None:
        self._listening = False
        await self._http.aclose()

    def _state(self, state: Literal["idle", "listening", "thinking", "speaking"]) -> None:
        self._bus.emit(StateChanged(state=state))

    # ------------------------------------------------------------------ conversation

    async def ask(self, text: str, origin: str = "") -> TurnReply:
        text = text.strip()
        if not text:
            raise EngineError(self._say("remote.ask_empty"))
        if len(text) > MAX_TEXT_CHARS:
            raise EngineError(self._say("remote.too_long", limit=MAX_TEXT_CHARS))
        self._state("thinking")
        try:
            reply = await self._stream_turn(text)
            await self._after_reply(reply, origin)
            return reply
        finally:
            self._state("idle")

    async def _stream_turn(self, text: str) -> TurnReply:
        for attempt in (0, 1):
            headers = {"Authorization": f"Bearer {self._tokens.access_token}"}
            try:
                async with self._http.stream("POST", API + "/turns/text/stream", json={"text": text},
                                             headers=headers) as resp:
                    if resp.status_code == 401 and attempt == 0 and self._tokens.refresh_token:
                        await self._refresh()
                        continue
                    if resp.status_code != 200:
                        await resp.aread()
                        if resp.status_code == 401:
                            raise EngineError(self._say("remote.signed_out"))
                        raise EngineError(_detail(resp))
                    done: TurnReply | None = None
                    async for line in resp.aiter_lines():
                        if not line.strip():
                            continue
                        event = EngineEventAdapter.validate_python(json.loads(line))
                        if isinstance(event, TurnError):
                            raise EngineError(event.message)
                        self._bus.emit(event)
                        if isinstance(event, ReplyDone):
                            done = event.reply
            except httpx.HTTPError as exc:
                raise EngineError(self._say("remote.unreachable", url=self.base_url, error=type(exc).__name__)) from None
            if done is None:
                raise EngineError(self._say("remote.cut_off"))
            return done
        raise EngineError(self._say("remote.signed_out"))

    async def _after_reply(self, reply: TurnReply, origin: str = "") -> None:
        if self.speech_output == "client" and reply.spoken:
            await self._speak(reply.spoken, reply.turn_id, reply.language, origin)

    async def _speak(self, text: str, turn_id: str, language: str, origin: str = "") -> None:
        lang = language if language in ("en", "de") else "en"
        try:
            ref = (await self._send("POST", "/speech", json={"text": text[:4000], "language": lang})).json()
            wav = (await self._send("GET", ref["url"])).content
        except EngineError as exc:  # no voice for the language etc.: the text reply still stands
            from app.engine import Notice

            self._bus.emit(Notice(level="warning", message=f"no speech output: {exc}"))
            return
        self._bus.emit(SpeechAudioReady(turn_id=turn_id, clip=AudioClip(wav=wav, duration_s=float(ref["duration_s"]),
                                                                        text=text), origin=origin))

    async def start_listening(self, origin: str = "") -> None:
        self._listen_origin = origin
        with self._lock:
            self._pcm = bytearray()
            self._format = None
            self._listening = True
        self._state("listening")

    async def push_audio(self, chunk: AudioChunk) -> None:
        with self._lock:
            if not self._listening:
                return
            fmt = (chunk.sample_rate, chunk.channels)
            if self._format is None:
                self._format = fmt
            elif fmt != self._format:
                raise EngineError(self._say("remote.format_changed"))
            if len(chunk.pcm16) % (2 * chunk.channels):
                raise EngineError(self._say("remote.not_pcm16"))
            if len(self._pcm) + len(chunk.pcm16) <= MAX_UTTERANCE_BYTES:
                self._pcm += chunk.pcm16

    async def stop_listening(self) -> TurnReply | None:
        with self._lock:
            self._listening = False
            pcm, fmt = bytes(self._pcm), self._format
            self._pcm = bytearray()
        if fmt is None or len(pcm) < fmt[0] * fmt[1] * 2 // 5:  # under 0.2 s: nothing was said
            self._state("idle")
            return None
        self._state("thinking")
        try:
            resp = await self._send("POST", "/turns/audio", files={"file": ("speech.wav", pcm16_wav_bytes(pcm, *fmt), "audio/wav")})
            body = resp.json()
            reply = TurnReply.model_validate(body["reply"])
            if not body["transcript"].strip():
                return None
            self._bus.emit(TranscriptFinal(turn_id=reply.turn_id, text=body["transcript"], language=body.get("language")))
            self._bus.emit(ReplyDone(reply=reply))
            if reply.approval is not None:
                self._bus.emit(ApprovalRequested(approval=reply.approval))
            audio = body.get("audio")
            if self.speech_output == "client" and audio:
                wav = (await self._send("GET", audio["url"])).content
                self._bus.emit(SpeechAudioReady(turn_id=reply.turn_id, clip=AudioClip(
                    wav=wav, duration_s=float(audio["duration_s"]), text=reply.spoken),
                    origin=self._listen_origin))
            return reply
        finally:
            self._state("idle")

    async def set_hands_free(self, on: bool, origin: str = "") -> None:
        if on:
            raise NotAvailable(self._say("remote.hands_free"))

    async def speak(self, text: str, origin: str = "") -> None:
        if not text.strip():
            return
        if self.speech_output == "off":
            raise NotAvailable(self._say("remote.speech_off"))
        await self._speak(text, "say-again", "en", origin)

    async def stop_speaking(self) -> None:
        self._state("idle")  # the client plays the clips; it stops its own player on this event

    # ------------------------------------------------------------------ approvals

    async def history(self, limit: int = 50) -> list[HistoryTurn]:
        data = (await self._send("GET", "/turns", params={"limit": max(1, min(limit, 200))})).json()
        return [HistoryTurn.model_validate(t) for t in data]

    async def approvals(self) -> list[ApprovalView]:
        data = (await self._send("GET", "/approvals")).json()
        return [ApprovalView.model_validate(a) for a in data]

    async def decide(self, approval_id: int, approve: bool, origin: str = "") -> ApprovalOutcome:
        verb = "approve" if approve else "deny"
        outcome = ApprovalOutcome.model_validate(
            (await self._send("POST", f"/approvals/{int(approval_id)}/{verb}")).json())
        self._bus.emit(ApprovalDecided(outcome=outcome))
        return outcome

    # ------------------------------------------------------------------ meetings

    async def _no_live_meeting(self) -> MeetingView:
        raise NotAvailable(self._say("remote.live_meeting"))

    async def meeting_start(self, title: str = "", call_audio: bool = False) -> MeetingView:
        return await self._no_live_meeting()

    async def meeting_pause(self) -> MeetingView:
        return await self._no_live_meeting()

    async def meeting_resume(self) -> MeetingView:
        return await self._no_live_meeting()

    async def meeting_stop(self) -> MeetingView:
        return await self._no_live_meeting()

    async def upload_meeting(self, filename: str, data: bytes, title: str = "") -> MeetingSummary:
        """Send a recording; the server transcribes and summarises it (poll ``meetings()``)."""
        form = {"title": title} if title else {}
        m = (await self._send("POST", "/meetings", files={"file": (filename, data)}, data=form)).json()
        return MeetingSummary(id=m["id"], title=m["title"], started_at=m["started_at"], duration_s=m["duration_s"],
                              summary=m["summary"])

    async def meetings(self, query: str = "") -> list[MeetingSummary]:
        data = (await self._send("GET", "/meetings", params={"q": query} if query else None)).json()
        return [MeetingSummary(id=m["id"], title=m["title"], started_at=m["started_at"], duration_s=m["duration_s"],
                               summary=m["summary"]) for m in data]

    async def meeting(self, meeting_id: str) -> MeetingView:
        return _detail_view((await self._send("GET", f"/meetings/{meeting_id}")).json())

    async def rename_speaker(self, meeting_id: str, old: str, new: str) -> MeetingView:
        data = (await self._send("POST", f"/meetings/{meeting_id}/speakers", json={"old": old, "new": new})).json()
        return _detail_view(data)

    async def meeting_search(self, query: str) -> list[MeetingHit]:
        if not query.strip():
            return []
        data = (await self._send("GET", "/meetings/search", params={"q": query})).json()
        return [MeetingHit.model_validate(h) for h in data]

    async def meeting_audio(self, meeting_id: str, start_s: float = 0.0, duration_s: float = 30.0) -> AudioClip:
        """A stretch of the recording, fetched with an HTTP range request (not the whole file)."""
        path = f"/meetings/{meeting_id}/recording"
        head = (await self._send("GET", path, headers={"Range": "bytes=0-43"})).content
        if len(head) < 44 or head[:4] != b"RIFF":
            raise EngineError(self._say("remote.not_wav"))
        channels = int.from_bytes(head[22:24], "little")
        rate = int.from_bytes(head[24:28], "little")
        frame = 2 * channels
        first = 44 + int(max(0.0, start_s) * rate) * frame
        last = first + int(max(0.1, duration_s) * rate) * frame - 1
        resp = await self._send("GET", path, headers={"Range": f"bytes={first}-{last}"}, ok=(200, 206, 416))
        pcm = b"" if resp.status_code == 416 else resp.content
        if resp.status_code == 200:  # server ignored the range
            pcm = pcm[first:last + 1]
        pcm = pcm[: len(pcm) - len(pcm) % frame]
        return AudioClip(wav=pcm16_wav_bytes(pcm, rate, channels), duration_s=len(pcm) / frame / rate)

    async def meeting_export(self, meeting_id: str, fmt: ExportFormat = "md") -> ExportedFile:
        real = "md" if fmt == "txt" else fmt  # the Markdown transcript is plain readable text
        resp = await self._send("GET", f"/meetings/{meeting_id}/export", params={"format": real})
        return ExportedFile(filename=f"meeting-{meeting_id}.{fmt}", media_type=EXPORT_MEDIA_TYPES[fmt], content=resp.content)

    # ------------------------------------------------------------------ timers and reminders

    async def timers(self) -> list[TimerView]:
        """The list from the server; what started, rang or was cancelled since the last look is emitted
        (the server does not push: a timers panel asks every few seconds)."""
        async with self._timers_lock:  # one look at a time: an older answer never follows a newer one
            views = [TimerView.model_validate(v) for v in (await self._send("GET", "/timers")).json()]
            old, self._timers = self._timers, {v.id: v for v in views}
        for ev in timer_changes(old, views):
            self._bus.emit(ev)
        return views

    async def cancel_timer(self, timer_id: str) -> None:
        view = self._timers.get(timer_id)
        await self._send("POST", f"/timers/{_timer_path(timer_id, self.language)}/cancel")
        self._timers.pop(timer_id, None)
        if view is not None:
            self._bus.emit(TimerChanged(change="stopped" if view.ringing else "cancelled",
                                        timer=view.model_copy(update={"ringing": False})))

    async def snooze_timer(self, timer_id: str, minutes: int = 5) -> TimerView:
        view = TimerView.model_validate((await self._send("POST", f"/timers/{_timer_path(timer_id, self.language)}/snooze",
                                                          params={"minutes": minutes})).json())
        self._timers[view.id] = view
        self._bus.emit(TimerChanged(change="snoozed", timer=view))
        return view

    # ------------------------------------------------------------------ settings and accounts

    async def settings(self) -> SettingsView:
        view: SettingsView = await self._get_model("/settings", SettingsView)
        return view

    async def update_settings(self, patch: SettingsPatch) -> SettingsView:
        raise NotAvailable(self._say("remote.settings"))

    async def accounts(self) -> list[AccountView]:
        """The household's accounts on the home server (never a secret)."""
        data = (await self._send("GET", "/connected-accounts")).json()
        return [AccountView.model_validate(a) for a in data]

    async def add_account(self, draft: AccountDraft) -> AccountView:
        """Add one to the server (an admin only); the password goes into the server's keyring."""
        resp = await self._send("POST", "/connected-accounts", json=draft.model_dump(mode="json"))
        return AccountView.model_validate(resp.json())

    async def test_account(self, kind: str, name: str) -> CheckOutcome:
        resp = await self._send("POST", f"/connected-accounts/{quote(kind, safe='')}/{quote(name, safe='')}/test")
        return CheckOutcome.model_validate(resp.json())

    async def remove_account(self, kind: str, name: str) -> None:
        await self._send("DELETE", f"/connected-accounts/{quote(kind, safe='')}/{quote(name, safe='')}")

    # ------------------------------------------------------------------ sign-in with Google or Microsoft (SignInPort)

    async def sign_in_account(self, draft: AccountDraft, provider: str) -> AccountView:
        """Sign a new account in through the home server (an admin only): the server starts the
        sign-in, the provider's page opens with ``open_url`` (the phone's browser), the provider sends the
        browser back to the server, which keeps the refresh token in its keyring; this waits for that."""
        body = {"provider": provider, "draft": draft.model_dump(mode="json", exclude={"secret"})}
        return await self._finish_sign_in((await self._send("POST", "/oauth/sign-ins", json=body)).json())

    async def sign_in_again(self, kind: str, name: str) -> AccountView:
        started = await self._send("POST", "/oauth/sign-ins/again", json={"kind": kind, "name": name})
        return await self._finish_sign_in(started.json())

    async def _finish_sign_in(self, started: dict[str, Any]) -> AccountView:
        opened = self.open_url(str(started["authorize_url"]))
        if asyncio.iscoroutine(opened):
            await opened
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(started.get("expires_in_s", 600))
        path = f"/oauth/sign-ins/{quote(str(started['id']), safe='')}"
        while loop.time() < deadline:
            await asyncio.sleep(self.sign_in_poll_s)
            out = (await self._send("GET", path)).json()
            if out.get("status") == "done" and out.get("account"):
                return AccountView.model_validate(out["account"])
            if out.get("status") == "failed":
                raise EngineError(str(out.get("message") or self._say("remote.sign_in_failed")))
        raise EngineError(self._say("remote.sign_in_late"))

    async def keyring(self) -> KeyringView:
        """The passwords are on the home server, whose keyring is open while it runs (it holds the
        server's own sign-in key too): a phone never sees, sends or stores a master password."""
        return KeyringView(state="ready", where="server")

    async def open_keyring(self, password: str, create: bool = False) -> KeyringView:
        raise NotAvailable(self._say("remote.keyring"))


def _timer_path(timer_id: str, language: str) -> str:
    """A timer id as a path segment; anything else is refused here (it would address another route)."""
    import re

    from app.engine import TIMER_ID_PATTERN

    if not re.match(TIMER_ID_PATTERN, timer_id):
        raise EngineError(phrase("remote.no_timer", language, id=repr(timer_id)))
    return timer_id


def _detail_view(d: dict[str, Any]) -> MeetingView:
    """The server's meeting detail as the screens show a meeting."""
    state = d.get("state") if d.get("state") in ("recording", "paused", "processing") else "done"
    return MeetingView(id=d["id"], title=d["title"], state=state, started_at=d["started_at"],
                       elapsed_s=d.get("duration_s", 0.0), speakers=d.get("speakers", []),
                       segments=[MeetingSegment.model_validate(x) for x in d.get("segments", [])],
                       summary=d.get("summary", ""), decisions=d.get("decisions", []),
                       action_items=d.get("action_items", []))
