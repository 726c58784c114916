"""What a new account needs, in plain words next to the field (the Settings screen marks the field; the
engine refuses the same draft for every client), in the app's language (agents/phrasebook.py), and the
form's provider presets.

The form's fields: ``name``, ``user``, ``secret``, ``host`` + ``port`` (IMAP, or the server of the
other kinds), ``smtp_host`` + ``smtp_port``, ``address`` (mail), ``url`` (CalDAV; the API address of
WhatsApp, optional), ``phone_number_id`` (WhatsApp). A port other than the usual STARTTLS ones (IMAP
143, SMTP 587 or 25) means TLS from the first byte: nothing is ever sent unencrypted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.communication.presets import PRESETS
from agents.phrasebook import phrase
from app.engine import AccountDraft

GUI_KINDS = ("mail", "caldav", "whatsapp", "mastodon", "bluesky", "llm", "smb", "s3")  # a bank account is added on the Finance side
NAME_RE = re.compile(r"^[A-Za-z0-9_.@\-]+$")
STARTTLS_PORTS = {"imap": (143,), "smtp": (587, 25)}
# the form's fields of each kind, in the order shown (name, user and password are always shown)
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "mail": ("preset", "address", "host", "port", "smtp_host", "smtp_port"),
    "caldav": ("preset", "url"),
    "whatsapp": ("phone_number_id", "url"),
    "mastodon": ("url",),
    "bluesky": ("url",),
    "llm": (),
    "smb": ("host", "port"),
    "s3": ("url",),
}
LLM_PROVIDERS = ("openai", "anthropic", "openai-compatible")


@dataclass(frozen=True)
class FormPreset:
    key: str
    label: str
    host: str
    port: int
    smtp_host: str
    smtp_port: int
    url: str


# the presets the form offers: the communication domain's (GMX, Gmail, web.de, iCloud); not the ones that
# take only a sign-in (Microsoft: the form has no sign-in yet, the command line has)
FORM_PRESETS: dict[str, FormPreset] = {
    key: FormPreset(key, p.name, p.imap.host, p.imap.port, p.smtp.host, p.smtp.port, p.caldav_url or "")
    for key, p in PRESETS.items() if key != "generic" and not p.oauth_only
}


def preset_values(key: str, kind: str, user: str = "") -> dict[str, str]:
    """The fields a preset fills for this kind ({} for an unknown preset: the user types them)."""
    p = FORM_PRESETS.get(key)
    if p is None:
        return {}
    if kind == "caldav":
        return {"url": p.url.replace("{username}", user) if user else p.url}
    if kind == "mail":
        return {"host": p.host, "port": str(p.port), "smtp_host": p.smtp_host, "smtp_port": str(p.smtp_port)}
    return {}


def _security(port: int | None, service: str) -> str:
    return "starttls" if port in STARTTLS_PORTS[service] else "ssl"


def _port(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValueError
    return int(value)


def draft_from_form(kind: str, form: dict[str, str], lang: str = "en") -> tuple[AccountDraft | None, dict[str, str]]:
    """The account the form describes, or the problems to show next to its fields (field -> words)."""
    f = {k: (v or "").strip() for k, v in form.items()}
    f["secret"] = form.get("secret") or ""  # a password keeps its spaces
    problems: dict[str, str] = {}
    ports: dict[str, int | None] = {}
    for key in ("port", "smtp_port"):
        try:
            ports[key] = _port(f.get(key, ""))
        except ValueError:
            problems[key] = phrase("account.port", lang)
    user = f.get("user", "")
    options: dict[str, str | int | bool] = {}
    host: str | None = f.get("host") or None
    if kind == "mail":
        options = {"security": _security(ports.get("port"), "imap"), "smtp_host": f.get("smtp_host", ""),
                   "smtp_security": _security(ports.get("smtp_port"), "smtp"),
                   "address": f.get("address") or (user if "@" in user else "")}
        if ports.get("smtp_port"):
            options["smtp_port"] = ports["smtp_port"] or 0
    elif kind == "caldav":
        options = {"url": f.get("url", "").replace("{username}", user)}
        host = None
    elif kind == "whatsapp":
        options = {"phone_number_id": f.get("phone_number_id", "")}
        if f.get("url"):
            options["base_url"] = f["url"]
    elif kind in ("mastodon", "bluesky") and f.get("url"):
        options = {"base_url": f["url"]}
    elif kind == "s3" and f.get("url"):
        options = {"endpoint_url": f["url"]}
    if f.get("preset") in FORM_PRESETS and kind in ("mail", "caldav"):
        options["preset"] = f["preset"]
    draft = AccountDraft.model_construct(kind=kind, name=f.get("name", ""), username=user, host=host,
                                         port=ports.get("port"), secret=f["secret"] or None,
                                         options={k: v for k, v in options.items() if v != ""})
    problems = {**draft_problems(draft, lang), **problems}
    if problems:
        return None, problems
    return AccountDraft.model_validate(draft.model_dump()), {}


def sign_in_draft(kind: str, form: dict[str, str], lang: str = "en") -> tuple[AccountDraft | None, dict[str, str]]:
    """An account that signs in with a provider: only its name and address are typed (the provider's
    preset gives the servers; no password)."""
    f = {k: (v or "").strip() for k, v in form.items()}
    draft = AccountDraft.model_construct(kind=kind, name=f.get("name", ""), username=f.get("user", ""),
                                         host=None, port=None, secret=None, options={})
    problems = {k: v for k, v in draft_problems(draft, lang).items() if k in ("name", "user", "kind")}
    if problems:
        return None, problems
    return AccountDraft.model_validate(draft.model_dump()), {}


def draft_problems(d: AccountDraft, lang: str = "en") -> dict[str, str]:
    """What is missing or wrong in a new account, by the form's field names, in plain words (in ``lang``)."""
    p: dict[str, str] = {}
    o = d.options
    if not d.name:
        p["name"] = phrase("account.name_missing", lang)
    elif not NAME_RE.match(d.name) or len(d.name) > 100:
        p["name"] = phrase("account.name_chars", lang)
    if d.kind not in GUI_KINDS:
        p["kind"] = phrase("account.kind", lang)
        return p
    if d.kind == "llm" and d.name and d.name not in LLM_PROVIDERS:
        p["name"] = phrase("account.llm_name", lang, providers=", ".join(LLM_PROVIDERS))
    if d.kind in ("mail", "caldav", "smb", "s3") and not d.username:
        p["user"] = phrase("account.user", lang)
    if d.kind in ("mail", "smb") and not d.host:
        p["host"] = phrase("account.host_mail", lang) if d.kind == "mail" \
            else phrase("account.host_server", lang)
    if d.kind == "mail":
        if not o.get("smtp_host"):
            p["smtp_host"] = phrase("account.smtp_host", lang)
        if "@" not in str(o.get("address") or d.username):
            p["address"] = phrase("account.address", lang)
    if d.kind == "caldav":
        url = str(o.get("url") or "")
        if not url:
            p["url"] = phrase("account.caldav_url", lang)
        elif not re.match(r"^https?://[^\s/]+", url):
            p["url"] = phrase("account.caldav_scheme", lang)
    if d.kind == "whatsapp" and not o.get("phone_number_id"):
        p["phone_number_id"] = phrase("account.phone_number_id", lang)
    if d.kind == "whatsapp" and o.get("base_url") and not re.match(r"^https?://\S+$", str(o["base_url"])):
        p["url"] = phrase("account.url_scheme", lang)
    if d.kind == "mastodon" and not o.get("base_url"):
        p["url"] = phrase("account.mastodon_url", lang)
    if d.kind == "bluesky" and not d.username:
        p["user"] = phrase("account.bluesky_handle", lang)
    if d.kind in ("mastodon", "bluesky") and o.get("base_url") and not re.match(r"^https?://\S+$", str(o["base_url"])):
        p["url"] = phrase("account.url_scheme", lang)
    if not d.secret:
        key = {"llm": "account.secret_llm", "whatsapp": "account.secret_token", "mastodon": "account.secret_mastodon",
               "bluesky": "account.secret_bluesky"}.get(d.kind, "account.secret_password")
        p["secret"] = phrase(key, lang)
    return p
