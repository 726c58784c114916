"""All settings of the app in one pydantic-settings model.

Sources, strongest first: environment variables with the prefix ``PA_`` (nested keys joined by
``__``, e.g. ``PA_STT__LANGUAGE=de``), then ``config.toml`` in the user config dir, then the
embedded defaults below. Secrets are never settings: they live in the keyring (``app.secrets``).
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agents.llm_settings import LlmSettings
from app.paths import app_paths
from storage.bilingual import Bilingual

ENV_PREFIX = "PA_"
log = logging.getLogger(__name__)


class ConfigError(Bilingual):
    """A setting has a bad value. The message is one line that names the key."""


class AudioSettings(BaseModel):
    input_device: str | int | None = Field(None, description="microphone: name (substring) or index")
    output_device: str | int | None = Field(None, description="speaker: name (substring) or index")
    meeting_system_audio: str = Field(
        "", description="online calls: meetings also record the computer's sound output as a second channel (the"
        " far side its own speaker): '' = off, 'auto' = the default output's monitor, or a source's name")


class SttSettings(BaseModel):
    model: str = Field("base", description="offline model name (base, tiny.en, small) or a model folder")
    compute_type: Literal["int8", "int8_float32", "int8_float16", "float16", "float32", "default"] = "int8"
    language: str | None = Field(
        None, description="ISO code like en or de pins recognition to it; 'auto' = detect per utterance; "
        "empty = the app's language", pattern=r"^(auto|[a-z]{2,3})?$")
    beam_size: int = Field(1, ge=1, le=10)
    hotwords: list[str] = Field(default_factory=list, description="names the recognizer should expect")
    mode: Literal["push_to_talk", "hands_free", "mute"] = "push_to_talk"
    wake_phrase: str = "hey assistant"
    trailing_silence_ms: int = Field(500, ge=100, le=5000)
    early_end_ms: int = Field(
        320,
        ge=0,
        le=5000,
        description="hands-free: end a turn after this much silence when its words so far end a sentence"
        " (else after trailing_silence_ms); 0 = off",
    )
    follow_up_window_s: float = Field(8.0, ge=0, le=120)
    meeting_final_model: str = Field(
        "auto",
        description="after a meeting's Stop, transcribe it again with this larger model and replace the live"
        " text when done: 'auto' = small when installed, else off; 'off'; or a model name or folder",
    )

    @field_validator("early_end_ms")
    @classmethod
    def _early_end(cls, v: int) -> int:
        if 0 < v < 64:
            raise ValueError("0 (off) or at least 64 (two 32 ms frames)")
        return v


class TtsSettings(BaseModel):
    voice: str = Field("en_US-joe-medium", description="default Piper voice name or .onnx path")
    voices: dict[str, str] = Field(default_factory=dict, description="language code -> voice")
    length_scale: float = Field(1.0, gt=0.2, le=3.0, description="speaking rate; >1 is slower")
    fallback: bool = Field(True, description="speak a language without a Piper voice with espeak-ng")


class ModelsSettings(BaseModel):
    """The model manager (Settings -> Voices & models, `personal-agent models`)."""

    source_url: str | None = Field(
        None, description="base address of a mirror or NAS share laid out as <base>/<repo>/<path>; "
        "empty = the public model hosts", pattern=r"^https?://")
    catalogue: Path | None = Field(None, description="another catalogue file; empty = the bundled one")


class StorageSettings(BaseModel):
    backend: Literal["local", "smb", "s3"] = "local"
    local_root: Path | None = Field(None, description="defaults to the data dir's recordings folder")
    smb_server: str | None = None
    smb_port: int = Field(445, ge=1, le=65535)
    smb_share: str | None = None
    smb_username: str | None = None
    smb_prefix: str = ""
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_prefix: str = ""
    smb_account: str = Field("default", description="keyring entry smb:<name> holding the SMB password")
    s3_account: str = Field("default", description="keyring entry s3:<name> holding the S3 secret access key")
    s3_part_size_mb: int = Field(8, ge=5, le=512, description="multipart part size for large uploads")
    timeout_s: float = Field(10.0, gt=0, le=300, description="connect timeout of the NAS/cloud backends")
    spool_dir: Path | None = Field(None, description="offline spool; defaults to the data dir's spool folder")


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    access_token_minutes: int = Field(15, ge=1, le=1440, description="lifetime of a JWT access token")
    refresh_token_days: int = Field(30, ge=1, le=365, description="lifetime of a refresh token")
    pairing_code_minutes: int = Field(5, ge=1, le=60, description="how long a device pairing code works")
    login_attempts: int = Field(5, ge=1, le=1000, description="failed logins per user and address before "
                                "each next attempt has to wait (1 s, 2 s, 4 s ...: docs/DEPLOYMENT.md)")
    login_window_s: int = Field(300, ge=1, le=86400, description="the longest of those waits, in seconds")
    max_upload_mb: int = Field(200, ge=1, le=4096, description="largest audio upload accepted")
    max_text_chars: int = Field(4000, ge=1, le=100_000, description="longest typed turn accepted")
    tls_certfile: Path | None = Field(None, description="serve HTTPS directly with this PEM certificate")
    tls_keyfile: Path | None = Field(None, description="private key of tls_certfile")
    api_docs: bool = Field(False, description="serve the browsable API page at /api/docs (it loads Swagger UI "
                           "from a CDN, so it is off in the offline default; /api/openapi.json is always served)")
    forwarded_allow_ips: str = Field("", description="addresses of the reverse proxies whose X-Forwarded-For "
                                     "and -Proto count (comma-separated; '*' any); empty: none")
    head_timeout_s: float = Field(10.0, ge=0.5, le=600, description="a request's line and headers must arrive "
                                  "within this many seconds, else 408 and the connection is closed (slow clients)")
    body_idle_s: float = Field(30.0, ge=0.5, le=3600, description="longest pause in a request body before the "
                               "connection is closed (slow clients)")
    metrics_port: int = Field(0, ge=0, le=65535, description="serve Prometheus metrics at /metrics on this port "
                              "(its own listener, no sign-in); 0: off (docs/DEPLOYMENT.md)")
    metrics_host: str = Field("127.0.0.1", description="address of the metrics listener: keep it local, or a "
                              "private address only the Prometheus server reaches")
    alarm_sweep_s: float = Field(5.0, ge=0, le=3600, description="seconds between the server's looks for "
                                 "reminders and timers that came due (each is delivered once, by one server "
                                 "process); 0: off")


class BackupSettings(BaseModel):
    """Where ``personal-agent backup create`` puts its sealed snapshots, and how many it keeps."""

    backend: Literal["local", "smb", "s3"] | None = Field(
        None, description="local, smb or s3 (the [storage] settings and account of that kind); empty: the "
        "recordings backend")
    prefix: str = Field("backups", description="folder (key prefix) of the backups in the S3 bucket or SMB share, in place of the recordings' prefix")
    local_dir: Path | None = Field(None, description="folder of the backups on the local backend; empty: "
                                   "'backups' in the data folder (put it on another disk)")
    keep: int = Field(7, ge=1, le=1000, description="how many backups to keep: older ones are deleted after a new "
                      "one is complete")


class OAuthSettings(BaseModel):
    """The apps registered with Google and Microsoft for the sign-in of mail and calendar accounts
    (docs/oauth.md says how to register one). Google's client secret goes to the keyring, not here."""

    google_client_id: str = Field("", max_length=300, description="the OAuth client id of your Google Cloud "
                                  "project's Desktop app client (….apps.googleusercontent.com)")
    microsoft_client_id: str = Field("", max_length=100, description="the Application (client) ID of your "
                                     "app registration in Microsoft Entra")
    microsoft_tenant: str = Field("common", pattern=r"^[A-Za-z0-9.\-]+$", max_length=100,
                                  description="common (work and personal accounts), organizations, consumers, "
                                  "or your directory's tenant id or domain")
    redirect_base: str = Field("", max_length=300, pattern=r"^(https?://[^\s/?#]+/?)?$",
                               description="the home server's address as a phone's browser reaches it (e.g. "
                               "https://home.example.org); a phone's sign-in returns to <it>/api/v1/oauth/callback, "
                               "the redirect URI registered with the provider; empty: the address the phone used")


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class LogSettings(BaseModel):
    """Where log lines go and how detailed they are (the root level is ``log_level``)."""

    levels: dict[str, LogLevel] = Field(
        default_factory=dict, description="level per module (logger name -> level), e.g. app.server = DEBUG, "
        "uvicorn.access = WARNING; the rest follows log_level")
    format: Literal["auto", "json", "text"] = Field(
        "auto", description="lines on stderr: auto = JSON lines when stderr is not a terminal (a service, a "
        "container), readable lines on one; json; text")
    file: bool = Field(True, description="also write JSON lines to logs/personal-agent.log in the data folder")
    file_max_mb: int = Field(10, ge=1, le=10_000, description="size at which the log file is rotated")
    file_backups: int = Field(5, ge=0, le=100, description="rotated log files kept (personal-agent.log.1 ...)")


class TraceSettings(BaseModel):
    """OpenTelemetry traces: off unless an OTLP endpoint is given."""

    otlp_endpoint: str | None = Field(
        None, description="OTLP/HTTP traces address of a collector, e.g. http://127.0.0.1:4318/v1/traces; "
        "empty: no traces", pattern=r"^https?://")
    service_name: str = Field("personal-agent", min_length=1, max_length=100,
                              description="service.name of the spans (tell several servers apart)")
    sample_ratio: float = Field(1.0, ge=0.0, le=1.0, description="share of traces kept (1.0: every turn)")


class GuiSettings(BaseModel):
    """The app window / web UI (issue 9)."""

    theme: Literal["system", "light", "dark"] = "system"
    ptt_key: str = Field(" ", max_length=20, description="hold-to-talk key as Flet names it (' ' = space)")
    speech_output: Literal["client", "device", "off"] = Field(
        "client", description="client: the window/browser plays replies; device: this machine's speaker")
    onboarded: bool = Field(False, description="the first-run onboarding was completed")
    show_overheard: bool = Field(False, description="hands-free: show the last speech not addressed to the "
                                                    "assistant as one dim line (off: not shown at all)")


class ListenSettings(BaseModel):
    """The background desktop listener (`personal-agent listen`, docs/listen.md)."""

    hotkey: str = Field("ctrl_r", min_length=1, max_length=20,
                        description="push-to-talk key held in any program: a key name like ctrl_r, alt_r, f13, "
                        "scroll_lock, pause, or one character")
    sounds: bool = Field(True, description="a short tone when the microphone opens and closes")
    hands_free: bool = Field(False, description="keep the microphone open and answer requests that start with "
                             "the wake phrase, without the key (off: the microphone is open only while the key "
                             "is held or a meeting records)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str | None = Field(None, description="SQLAlchemy URL; empty = SQLite in the data dir")
    timezone: str | None = Field(None, description="IANA zone like Europe/Berlin; empty = system zone")
    language: Literal["en", "de"] = Field(
        "en", description='the app\'s language: "en", "de", or "auto" (the system locale\'s: German or else English)')
    log_level: LogLevel = "INFO"
    ui_port: int = Field(8550, ge=1, le=65535)
    audio: AudioSettings = Field(default_factory=AudioSettings)
    stt: SttSettings = Field(default_factory=SttSettings)
    tts: TtsSettings = Field(default_factory=TtsSettings)
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    gui: GuiSettings = Field(default_factory=GuiSettings)
    oauth: OAuthSettings = Field(default_factory=OAuthSettings)
    logs: LogSettings = Field(default_factory=LogSettings)
    traces: TraceSettings = Field(default_factory=TraceSettings)
    listen: ListenSettings = Field(default_factory=ListenSettings)
    domains: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="one table per domain, [domains.<name>], checked by the domain's model")

    @field_validator("language", mode="before")
    @classmethod
    def _auto_language(cls, v: Any) -> Any:
        """ "auto" (or empty) is the system locale's language, resolved when the settings are loaded."""
        if v in ("auto", "", None):
            from agents.i18n import system_language

            return system_language()
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(v)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError("must be an IANA time zone like Europe/Berlin") from exc
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=app_paths().config_file)
        return (init_settings, env_settings, toml)


def bad_setting(err: Any) -> ConfigError:
    """The error for one of pydantic's validation errors: one line, in English and German."""
    en, de = _describe(err)
    return ConfigError(en, de=de)


def _describe(err: Any) -> tuple[str, str]:
    key = ".".join(str(p) for p in err.get("loc", ()))
    env = ENV_PREFIX + "__".join(str(p) for p in err.get("loc", ())).upper()
    msg = str(err.get("msg", "invalid value"))
    if err.get("type") == "extra_forbidden":
        log.info("config error: unknown key %s (config.toml or %s)", key, env)
        return (f"config error: unknown key '{key}' (check its spelling in the settings file or the environment)",
                f"Einstellungsfehler: unbekannter Schlüssel '{key}' (prüf die Schreibweise in der Einstellungsdatei "
                "oder der Umgebung)")
    value = err.get("input")
    shown = f" = {value!r}" if not isinstance(value, dict | list) else ""
    log.info("config error: %s (config.toml or %s)", key, env)
    return (f"config error: {key}{shown}: {msg} (in the settings file or the environment)",
            f"Einstellungsfehler: {key}{shown}: {msg} (in der Einstellungsdatei oder der Umgebung)")


def domain_settings(settings: Settings) -> dict[str, BaseModel]:
    """Each registered domain's settings, validated by its own model from ``[domains.<name>]``
    (defaults where the table is missing). ConfigError with one line on a bad or unknown key."""
    from agents.domains import domains

    out: dict[str, BaseModel] = {}
    known = {d.name for d in domains()}
    for name in settings.domains:
        if name not in known:
            raise bad_setting({"loc": ("domains", name), "type": "extra_forbidden"})
    for d in domains():
        raw = settings.domains.get(d.name, {})
        if d.settings is None:
            if raw:
                raise bad_setting({"loc": ("domains", d.name), "type": "extra_forbidden"})
            continue
        try:
            out[d.name] = d.settings.model_validate(raw)
        except ValidationError as exc:
            err: dict[str, Any] = dict(exc.errors()[0])
            err["loc"] = ("domains", d.name, *tuple(err.get("loc") or ()))
            raise bad_setting(err) from None
    return out


def load_settings(**overrides: Any) -> Settings:
    """Read settings; raise ConfigError with a one-line message on any bad value."""
    cfg = app_paths().config_file
    if cfg.exists():
        try:
            tomllib.loads(cfg.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config error: {cfg} is not valid TOML: {exc}",
                              de=f"Einstellungsfehler: {cfg} ist kein gültiges TOML: {exc}") from None
        except OSError as exc:  # a folder where the file should be, no permission ...
            why = exc.strerror or exc
            raise ConfigError(f"config error: cannot read {cfg}: {why}",
                              de=f"Einstellungsfehler: {cfg} kann nicht gelesen werden: {why}") from None
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise bad_setting(exc.errors()[0]) from None
    except ValueError as exc:  # e.g. env var with JSON that does not parse
        first = str(exc).splitlines()[0]
        raise ConfigError(f"config error: {first}", de=f"Einstellungsfehler: {first}") from None
    domain_settings(settings)  # a bad [domains.<name>] value stops start-up like any other
    _check_database_folder(settings.database_url)
    return settings


def _check_database_folder(url: str | None) -> None:
    """A SQLite file named in the settings must be in a folder that exists: a typo in the address
    must not quietly create a tree of folders and an empty database there."""
    if not url or not url.startswith("sqlite"):
        return
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:" and not Path(path).parent.is_dir():
        folder = Path(path).parent
        raise ConfigError(f"config error: the database folder {folder} does not exist: "
                          "create it, or correct the database address",
                          de=f"Einstellungsfehler: der Datenbankordner {folder} existiert nicht: leg ihn an oder "
                             "korrigier die Datenbankadresse")


def recognition_language(settings: Settings) -> str | None:
    """The language Whisper is pinned to: ``stt.language`` when set, else the app's language; None
    (detect per utterance) only when ``stt.language`` is 'auto'."""
    stt = settings.stt.language
    if stt == "auto":
        return None
    return stt or settings.language


def meeting_language(settings: Settings) -> str | None:
    """A meeting's recognition language: ``stt.language`` when it names one; else detected (a meeting's
    language need not be the app's; short utterances take the meeting's language so far)."""
    stt = settings.stt.language
    return None if stt in (None, "auto") else stt
