"""Provider presets (GMX, Gmail, web.de, iCloud, generic) and the mapping between account records and server configs.

A mail account record (``app.accounts``, kind ``mail``) keeps the IMAP server in host/port and the
rest in ``options``: ``security`` (ssl|starttls|plain), ``smtp_host``, ``smtp_port``,
``smtp_security``, ``address``, ``display_name``, ``ca_file``, ``preset``. A calendar record (kind
``caldav``) keeps ``options.url``. GMX needs an app password (2-factor accounts) and "IMAP/POP3 access"
switched on in the web settings; Gmail takes an app password or the Google sign-in (OAuth 2.0,
``options.auth = "oauth2"``), Microsoft 365 and Outlook.com only the Microsoft sign-in (docs/oauth.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agents.communication.models import CalendarServerConfig, MailServerConfig, Security, ServerEndpoint


class ProviderPreset(BaseModel):
    name: str
    imap: ServerEndpoint
    smtp: ServerEndpoint
    caldav_url: str | None = None
    file_sent_copy: bool = True
    oauth_only: bool = False  # the provider refuses passwords: only its sign-in (docs/oauth.md) works
    note: str = ""


PRESETS: dict[str, ProviderPreset] = {
    "gmx": ProviderPreset(
        name="GMX",
        imap=ServerEndpoint(host="imap.gmx.net", port=993, security="ssl"),
        smtp=ServerEndpoint(host="mail.gmx.net", port=587, security="starttls"),
        caldav_url="https://caldav.gmx.net/begenda/dav/{username}/calendar",
        note="switch on IMAP/POP3 access in GMX settings; with 2-factor login use an app password",
    ),
    "gmail": ProviderPreset(
        name="Gmail",
        imap=ServerEndpoint(host="imap.gmail.com", port=993, security="ssl"),
        smtp=ServerEndpoint(host="smtp.gmail.com", port=465, security="ssl"),
        caldav_url="https://apidata.googleusercontent.com/caldav/v2/{username}/events",
        file_sent_copy=False,  # Gmail files messages sent over SMTP into "Sent Mail" itself
        note="sign in with Google (--oauth --provider google) or use an app password (Google account > "
             "Security > App passwords); Google CalDAV needs the sign-in",
    ),
    "microsoft": ProviderPreset(
        name="Microsoft 365",
        imap=ServerEndpoint(host="outlook.office365.com", port=993, security="ssl"),
        smtp=ServerEndpoint(host="smtp.office365.com", port=587, security="starttls"),
        file_sent_copy=False,  # Exchange Online files mail sent over SMTP into Sent Items itself
        oauth_only=True,
        note="sign in with Microsoft (--oauth --provider microsoft): passwords are refused for IMAP/SMTP; "
             "the organisation's admin must allow IMAP and authenticated SMTP for the mailbox",
    ),
    "outlook": ProviderPreset(
        name="Outlook.com",
        imap=ServerEndpoint(host="outlook.office365.com", port=993, security="ssl"),
        smtp=ServerEndpoint(host="smtp-mail.outlook.com", port=587, security="starttls"),
        file_sent_copy=False,
        oauth_only=True,
        note="sign in with Microsoft (--oauth --provider microsoft): passwords are refused for IMAP/SMTP",
    ),
    "webde": ProviderPreset(
        name="web.de",
        imap=ServerEndpoint(host="imap.web.de", port=993, security="ssl"),
        smtp=ServerEndpoint(host="smtp.web.de", port=587, security="starttls"),
        caldav_url="https://caldav.web.de/begenda/dav/{username}/calendar",
        note="switch on IMAP/POP3 access in WEB.DE settings; with 2-factor login use an app password",
    ),
    "icloud": ProviderPreset(
        name="iCloud",
        imap=ServerEndpoint(host="imap.mail.me.com", port=993, security="ssl"),
        smtp=ServerEndpoint(host="smtp.mail.me.com", port=587, security="starttls"),
        caldav_url="https://caldav.icloud.com/",
        note="needs an app-specific password (Apple ID > Sign-In and Security)",
    ),
    "generic": ProviderPreset(
        name="Generic IMAP/SMTP",
        imap=ServerEndpoint(host="imap.example.com", port=993, security="ssl"),
        smtp=ServerEndpoint(host="smtp.example.com", port=587, security="starttls"),
        note="give --host and -o smtp_host=... for your provider",
    ),
}

_DEFAULT_PORTS: dict[Security, tuple[int, int]] = {"ssl": (993, 465), "starttls": (143, 587), "plain": (143, 25)}


class PresetError(ValueError):
    pass


def preset(name: str) -> ProviderPreset:
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise PresetError(f"unknown provider preset '{name}': choose one of {', '.join(PRESETS)}") from None


def account_options(preset_name: str, address: str, **overrides: Any) -> dict[str, Any]:
    """The ``options`` of a mail account record for a preset (host/port of IMAP go to the record)."""
    p = preset(preset_name)
    opts: dict[str, Any] = {"preset": preset_name.lower(), "security": p.imap.security, "smtp_host": p.smtp.host,
                            "smtp_port": p.smtp.port, "smtp_security": p.smtp.security, "address": address,
                            "file_sent_copy": p.file_sent_copy}
    opts.update({k: v for k, v in overrides.items() if v is not None})
    return opts


def _as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def mail_config(username: str, host: str | None, port: int | None, options: dict[str, Any]) -> MailServerConfig:
    """Server config of a mail account record; the preset fills what the record leaves out."""
    p = PRESETS.get(str(options.get("preset", "")).lower())
    imap_sec: Security = options.get("security") or (p.imap.security if p else "ssl")
    smtp_sec: Security = options.get("smtp_security") or (p.smtp.security if p else "starttls")
    imap_host = host or (p.imap.host if p and options.get("preset") != "generic" else None)
    smtp_host = options.get("smtp_host") or (p.smtp.host if p and options.get("preset") != "generic" else None)
    if not imap_host or not smtp_host:
        raise PresetError("mail account needs an IMAP host (--host) and an SMTP host (-o smtp_host=...)")
    imap_port = port or (p.imap.port if p and p.imap.security == imap_sec else _DEFAULT_PORTS[imap_sec][0])
    smtp_port = int(options.get("smtp_port") or (p.smtp.port if p and p.smtp.security == smtp_sec
                                                 else _DEFAULT_PORTS[smtp_sec][1]))
    address = options.get("address") or (username if "@" in username else None)
    if not address:
        raise PresetError("mail account needs a From address: -o address=you@example.com")
    return MailServerConfig(
        imap=ServerEndpoint(host=imap_host, port=imap_port, security=imap_sec),
        smtp=ServerEndpoint(host=smtp_host, port=smtp_port, security=smtp_sec),
        username=username, address=address, display_name=options.get("display_name"),
        ca_file=options.get("ca_file"), timeout_s=float(options.get("timeout_s", 20.0)),
        sent_folder=options.get("sent_folder"), archive_folder=options.get("archive_folder"),
        file_sent_copy=_as_bool(options.get("file_sent_copy"), p.file_sent_copy if p else True),
    )


def calendar_config(username: str, host: str | None, port: int | None,
                    options: dict[str, Any]) -> CalendarServerConfig:
    url = options.get("url")
    if not url:
        p = PRESETS.get(str(options.get("preset", "")).lower())
        if p and p.caldav_url:
            url = p.caldav_url.format(username=username)
        elif host:
            url = f"https://{host}:{port or 443}/"
    if not url:
        raise PresetError("calendar account needs a CalDAV URL: -o url=https://...")
    return CalendarServerConfig(url=url, username=username, ca_file=options.get("ca_file"),
                                timeout_s=float(options.get("timeout_s", 20.0)),
                                default_calendar=options.get("calendar"))
