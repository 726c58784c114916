"""The Social screen: the connected Mastodon / Bluesky accounts (added in Settings → Accounts), compose with
a live preview per network (the grapheme count against 500 / 300 and the numbered thread where the text is
over the limit), visibility, content warning and language; Post parks the draft as an approval and opens the
same approval card as every other action (nothing is published without the yes). Below: mentions and the
timeline digest (other people's words: shown, never acted on; a content warning hides the text until asked).
The data comes from ``app.social.source`` (the local hub, or the home server's API on a phone); the preview
is ``app.social.compose`` (tested without a browser)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import flet as ft

from agents.i18n import resolve_language
from agents.local.phrases import fmt_when
from agents.social.models import NETWORK_NAMES, NETWORKS, Network, Notice, Post, Visibility
from agents.social.scheduled import ScheduledPost
from agents.turn import ApprovalRequested
from app.engine import EngineError
from app.gui.panels import DomainPanel
from app.gui.strings import language, t
from app.gui.widgets import bind, button, heading, icon_button, tagged
from app.social import compose
from app.social.source import SocialSource, social_source

if TYPE_CHECKING:
    from app.gui.shell import AssistantApp

log = logging.getLogger(__name__)
VISIBILITIES: tuple[Visibility, ...] = ("public", "unlisted", "followers", "direct")
LANGUAGES = ("en", "de")
MAX_TEXT = 5000  # as the home server's draft route takes (a thread of 10+ posts)
MAX_CW = 500


class SocialScreen:
    def __init__(self, app: AssistantApp) -> None:
        self.app = app
        self.source: SocialSource | None = social_source(app.engine)
        self.connected: list[Network] = []
        self.pending: int | None = None  # the approval of the last Post, while it waits
        self.unavailable = ft.Text("", color=ft.Colors.ERROR, visible=False)
        self.accounts_line = ft.Text("")
        self.text = ft.TextField(label=t("social.text"), hint_text=t("social.text_hint"), multiline=True, min_lines=3,
                                 max_lines=10, on_change=self._changed)
        self.checks: dict[Network, ft.Checkbox] = {
            n: ft.Checkbox(label=NETWORK_NAMES[n], value=False, disabled=True, on_change=self._changed)
            for n in NETWORKS}
        self.visibility = ft.Dropdown(label=t("social.visibility"), width=200, value="public",
                                      options=[ft.DropdownOption(key=v, text=t(f"social.visibility_{v}"))
                                               for v in VISIBILITIES])
        self.cw = ft.TextField(label=t("social.cw"), hint_text=t("social.cw_hint"), expand=True)
        self.lang = ft.Dropdown(label=t("social.language"), width=160, value=language() if language() in LANGUAGES
                                else "en", options=[ft.DropdownOption(key=code, text=t(f"social.language_{code}"))
                                                    for code in LANGUAGES])
        self.when = ft.TextField(label=t("social.when"), hint_text=t("social.when_hint"), expand=True,
                                 on_change=self._changed)
        self.when_line = ft.Text("", size=12)
        self.preview = ft.Column(spacing=8)
        self.scheduled = ft.Column(spacing=8)
        # Mastodon's sign-in (shown while no Mastodon account is connected)
        self.server = ft.TextField(label=t("social.mastodon_server"), hint_text=t("social.mastodon_server_hint"),
                                   expand=True, on_submit=self._sign_in)
        self.auth_url = ft.Text("", selectable=True, size=12)
        self.code = ft.TextField(label=t("social.code"), password=True, expand=True, on_submit=self._finish)
        self.code_step = ft.Column([
            ft.Text(t("social.sign_in_open")),
            ft.Semantics(content=self.auth_url, identifier="social-mastodon-url"),
            button(t("social.open_page"), self._open_page, "social-mastodon-open", ft.Icons.OPEN_IN_BROWSER),
            ft.Row([tagged(self.code, "social-mastodon-code"),
                    button(t("social.finish_sign_in"), self._finish, "social-mastodon-finish", ft.Icons.CHECK,
                           filled=True)])], spacing=6, visible=False)
        self.sign_in_box = ft.Column([
            _section(t("social.sign_in_title")),
            ft.Row([tagged(self.server, "social-mastodon-server"),
                    button(t("social.sign_in"), self._sign_in, "social-mastodon-sign-in", ft.Icons.LOGIN)]),
            self.code_step], spacing=6, visible=False)
        self.post_btn = button(t("social.post"), self._post, "social-post", ft.Icons.SEND, filled=True, disabled=True)
        self.status = ft.Text("", italic=True)
        self.mentions = ft.Column(spacing=8)
        self.digest = ft.Column(spacing=8)

    # ------------------------------------------------------------------ layout

    def build(self) -> ft.Control:
        return ft.Column([
            ft.Row([heading(t("social.title")),
                    icon_button(ft.Icons.REFRESH, t("social.reload"), self._reload, "social-reload")],
                   wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
            self.unavailable,
            ft.Semantics(content=self.accounts_line, identifier="social-accounts"),
            button(t("social.manage_accounts"), self._accounts, "social-manage-accounts", ft.Icons.MANAGE_ACCOUNTS),
            self.sign_in_box,
            ft.Divider(),
            _section(t("social.compose")),
            tagged(self.text, "social-text"),
            ft.Row([tagged(c, f"social-net-{n}") for n, c in self.checks.items()], wrap=True),
            ft.Row([tagged(self.visibility, "social-visibility"), tagged(self.lang, "social-language")], wrap=True),
            ft.Row([tagged(self.cw, "social-cw")]),
            ft.Row([tagged(self.when, "social-when")]),
            ft.Semantics(content=self.when_line, identifier="social-when-line", live_region=True),
            ft.Semantics(content=self.preview, identifier="social-preview", container=True),
            self.post_btn,
            ft.Semantics(content=self.status, identifier="social-status", live_region=True),
            ft.Divider(),
            _section(t("social.scheduled")),
            self.scheduled,
            ft.Divider(),
            _section(t("social.mentions")),
            self.mentions,
            ft.Divider(),
            _section(t("social.digest")),
            self.digest,
        ], scroll=ft.ScrollMode.AUTO, expand=True, spacing=8)

    def refresh(self) -> None:
        """On every engine event: once the Post's approval is decided, its outcome shows here."""
        if self.pending is not None and all(a.id != self.pending for a in self.app.model.approvals):
            self.pending = None
            self.status.value = self.app.model.last_outcome
            if self.app.model.last_status == "done":  # published or scheduled: the form is empty for the next post
                self.text.value = ""
                self.cw.value = ""
                self.when.value = ""
            self._show_preview()
            self.app.page.run_task(self._load_scheduled)

    @property
    def language(self) -> str:
        info = self.app.model.info
        return resolve_language(info.language) if info else "en"

    # ------------------------------------------------------------------ loading

    async def load(self) -> None:
        if self.source is None:
            self._unavailable(t("social.unavailable"))
            return
        try:
            self.connected = await self.source.networks()
        except EngineError as exc:
            self._unavailable(str(exc))
            return
        self.unavailable.visible = False
        self._show_accounts()
        self._show_preview()
        self._update()
        await self._load_posts()

    async def _load_posts(self) -> None:
        if self.source is None:
            return
        await self._load_scheduled()
        if not self.connected:
            self.mentions.controls = [ft.Text(t("social.no_mentions"))]
            self.digest.controls = [ft.Text(t("social.no_posts"))]
            self._update()
            return
        try:
            mentions = await self.source.mentions()
            posts = await self.source.digest()
        except EngineError as exc:
            self._unavailable(str(exc))
            return
        self.mentions.controls = [self._notice(m) for m in mentions] or [ft.Text(t("social.no_mentions"))]
        self.digest.controls = [self._post_card(p, "social-digest-post") for p in posts] or [
            ft.Text(t("social.no_posts"))]
        self._update()

    async def _load_scheduled(self) -> None:
        if self.source is None:
            return
        try:
            waiting = await self.source.scheduled()
        except EngineError as exc:
            self._unavailable(str(exc))
            return
        self.scheduled.controls = [self._scheduled_card(p) for p in waiting] or [ft.Text(t("social.no_scheduled"))]
        self._update()

    def _unavailable(self, text: str) -> None:
        self.unavailable.value = text
        self.unavailable.visible = True
        self._update()

    def _update(self) -> None:
        try:
            self.app.page.update()
        except Exception as exc:  # the session closed
            log.debug("update: %s", exc)

    # ------------------------------------------------------------------ parts

    def _show_accounts(self) -> None:
        if self.connected:
            self.accounts_line.value = t("social.connected", networks=", ".join(NETWORK_NAMES[n]
                                                                                for n in self.connected))
        else:
            self.accounts_line.value = t("social.no_accounts")
        self.sign_in_box.visible = "mastodon" not in self.connected
        for n, c in self.checks.items():
            usable = n in self.connected
            if c.disabled == usable:  # first load, or an account came or went: checked when usable
                c.value = usable
            c.disabled = not usable

    def chosen(self) -> list[Network]:
        return [n for n, c in self.checks.items() if c.value and not c.disabled]

    def _show_preview(self) -> None:
        previews = compose.preview(self.text.value or "", self.chosen())
        lang = self.language
        cards: list[ft.Control] = []
        for p in previews:
            rows: list[ft.Control] = [ft.Semantics(
                content=ft.Text(compose.count_line(p, lang), weight=ft.FontWeight.BOLD,
                                color=ft.Colors.ERROR if p.over and len(p.parts) > 1 else None),
                identifier=f"social-count-{p.network}", live_region=True)]
            for i, part in enumerate(p.parts):
                rows.append(ft.Text(compose.part_label(p, i, lang), size=12, italic=True))
                rows.append(ft.Semantics(identifier=f"social-part-{p.network}", content=ft.Text(part.text)))
            cards.append(ft.Card(content=ft.Container(padding=10, content=ft.Column(rows, spacing=6))))
        self.preview.controls = cards
        understood, at = self._due()
        if not understood:
            self.when_line.value = t("social.when_unknown")
        elif at is not None:
            now = datetime.now(at.tzinfo)
            self.when_line.value = t("social.goes_out", when=fmt_when(at, now, lang))
        else:
            self.when_line.value = ""
        btn = self.post_btn.content
        if isinstance(btn, ft.FilledButton):
            btn.disabled = (not (self.text.value or "").strip() or not previews or self.pending is not None
                            or not understood)

    def _scheduled_card(self, p: ScheduledPost) -> ft.Control:
        now = datetime.now().astimezone()
        when = fmt_when(p.due_at.astimezone(now.tzinfo), now, self.language)
        nets = ", ".join(NETWORK_NAMES.get(n, n) for n in p.networks)  # type: ignore[call-overload]
        rows: list[ft.Control] = [
            ft.Text(t("social.scheduled_at", when=when, networks=nets), weight=ft.FontWeight.BOLD),
            ft.Text(p.text, selectable=True, max_lines=4, overflow=ft.TextOverflow.ELLIPSIS),
            button(t("social.cancel_scheduled"), bind(self._cancel, p.id), f"social-cancel-{p.id}", ft.Icons.DELETE)]
        return ft.Semantics(identifier="social-scheduled-post", container=True,
                            content=ft.Card(content=ft.Container(padding=10, content=ft.Column(rows, spacing=4))))

    def _due(self) -> tuple[bool, datetime | None]:
        """(understood, time): the "post later" field; empty is (True, None): post now."""
        said = (self.when.value or "").strip()
        if not said or self.source is None:
            return True, None
        at = self.source.due(said)
        return at is not None, at

    def _notice(self, m: Notice) -> ft.Control:
        if m.post is not None:
            return self._post_card(m.post, "social-mention")
        return ft.Semantics(identifier="social-mention", content=ft.Text(
            t("social.by", who=m.author or m.handle, network=NETWORK_NAMES[m.network])))

    def _post_card(self, p: Post, ident: str) -> ft.Control:
        who = f"{p.author} (@{p.handle})" if p.author and p.author != p.handle else f"@{p.handle}"
        head = t("social.by", who=who, network=NETWORK_NAMES[p.network])
        counts = t("social.counts", replies=p.replies, boosts=p.boosts, likes=p.likes)
        body = ft.Text(p.text, selectable=True, visible=not p.cw)
        rows: list[ft.Control] = [ft.Text(head, weight=ft.FontWeight.BOLD, max_lines=2,
                                          overflow=ft.TextOverflow.ELLIPSIS)]
        if p.cw:
            rows.append(ft.Text(t("social.cw_shown", cw=p.cw), italic=True))
            rows.append(ft.TextButton(content=t("social.show_text"), on_click=bind(self._reveal, body)))
        rows += [body, ft.Text(counts, size=12)]
        return ft.Semantics(identifier=ident, container=True,
                            content=ft.Card(content=ft.Container(padding=10, content=ft.Column(rows, spacing=4))))

    # ------------------------------------------------------------------ actions

    async def _changed(self, e: Any = None) -> None:
        """Each keystroke: the counts and the thread split again (no network is asked)."""
        self._show_preview()
        self._update()

    async def _reveal(self, body: ft.Text) -> None:
        body.visible = True
        self._update()

    async def _reload(self, e: Any = None) -> None:
        await self.load()

    async def _accounts(self, e: Any = None) -> None:
        self.app.go("settings")

    async def _sign_in(self, e: Any = None) -> None:
        """Mastodon's sign-in, step 1: the app registered on the server, the page where the user allows it."""
        server = (self.server.value or "").strip()
        if self.source is None or not server:
            return
        try:
            url = await self.source.mastodon_start(server, self.language)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        self.auth_url.value = url
        self.code_step.visible = True
        self._update()
        await self._open_page()

    async def _open_page(self, e: Any = None) -> None:
        if self.auth_url.value:
            try:
                await ft.UrlLauncher().launch_url(self.auth_url.value)
            except Exception as exc:  # no browser here: the address is shown to copy
                log.info("could not open the sign-in page: %s", exc)

    async def _finish(self, e: Any = None) -> None:
        """Step 2: the code the server showed; the token goes to the keyring, the account is connected."""
        code = (self.code.value or "").strip()
        if self.source is None or not code:
            return
        try:
            name = await self.source.mastodon_finish(code, self.language)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        self.code.value = ""
        self.auth_url.value = ""
        self.code_step.visible = False
        self.app.toast(t("social.signed_in", name=name))
        await self.load()

    async def _post(self, e: Any = None) -> None:
        text = (self.text.value or "").strip()
        networks = self.chosen()
        if self.source is None or not text or not networks or self.pending is not None:
            return
        cw = (self.cw.value or "").strip()
        if len(text) > MAX_TEXT or len(cw) > MAX_CW:
            self.app.toast(t("social.too_long", limit=MAX_TEXT, cw_limit=MAX_CW))
            return
        understood, at = self._due()
        if not understood:
            self.app.toast(t("social.when_unknown"))
            return
        visibility: Visibility = self.visibility.value or "public"  # type: ignore[assignment]
        try:
            if at is None:
                view = await self.source.draft(text, networks, visibility, cw, self.lang.value or "en")
            else:
                view = await self.source.schedule(text, networks, visibility, cw, self.lang.value or "en", at)
        except EngineError as exc:
            self.app.toast(str(exc))
            return
        self.pending = view.id
        self.status.value = t("social.waiting")
        self._show_preview()  # Post is off while the approval waits
        # the same card as every action: the approvals list, and the dialog over this screen
        self.app.model.apply(ApprovalRequested(approval=view))
        self.app.approvals.open_dialog(view)
        self.app.refresh()
        self._update()


    async def _cancel(self, post_id: int) -> None:
        """Cancel a waiting post: the user pressed Cancel on it, which is the request and the yes (nothing is
        sent by cancelling)."""
        if self.source is None:
            return
        try:
            await self.source.cancel_scheduled(post_id, self.language)
        except EngineError as exc:
            self.app.toast(str(exc))
        else:
            self.app.toast(t("social.scheduled_cancelled"))
        await self._load_scheduled()


def _section(text: str) -> ft.Control:
    return ft.Semantics(content=ft.Text(text, size=16, weight=ft.FontWeight.BOLD), header=True)


async def _show(screen: SocialScreen) -> None:
    await screen.load()


PANEL = DomainPanel(label="nav.social", icon=ft.Icons.FORUM, screen=SocialScreen, on_show=_show)
