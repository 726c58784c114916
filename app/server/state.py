"""Everything the routes share, built once per server process from the app's Services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agents.alarms import Alarm
from app.finance.scheduler import BankSyncScheduler
from app.server.alarms import ServerAlarms, UserSource, server_alarms
from app.server.finance_sync import server_sync
from app.server.hashgate import HashGate
from app.server.meetings import ServerMeetings
from app.server.ratelimit import FailureLimiter, PairingLimiter
from app.server.spaces import UserSpaces
from app.server.speech import AudioStore, SpeechStages
from app.server.tokens import TokenIssuer, signing_key
from app.server.users import UserStore
from app.services import Services
from storage.db.engine import Database


def social_posts(services: Services) -> UserSource:
    """Each user's scheduled social posts that came due, sent once through the household's accounts."""

    def source(db: Database, now: datetime) -> list[Alarm]:
        from agents.social.scheduled import publish_due

        return publish_due(db, services.current_social(), now)

    return source


@dataclass
class ServerState:
    services: Services
    users: UserStore
    limiter: FailureLimiter
    pairing_limiter: PairingLimiter
    spaces: UserSpaces
    speech: SpeechStages
    audio: AudioStore
    max_upload_bytes: int
    max_text_chars: int
    meetings: ServerMeetings
    hash_gate: HashGate
    finance_sync: BankSyncScheduler
    alarms: ServerAlarms

    @classmethod
    def build(cls, services: Services) -> ServerState:
        cfg = services.settings.server
        tokens = TokenIssuer(signing_key(), timedelta(minutes=cfg.access_token_minutes),
                             timedelta(days=cfg.refresh_token_days))
        users = UserStore(services.db, services.audit, tokens, timedelta(minutes=cfg.pairing_code_minutes))
        spaces = UserSpaces(services)
        return cls(
            services=services,
            users=users,
            limiter=FailureLimiter(cfg.login_attempts, cfg.login_window_s),
            pairing_limiter=PairingLimiter(cfg.login_attempts, cfg.login_window_s),
            spaces=spaces,
            speech=SpeechStages(services),
            audio=AudioStore(services.paths.data_dir / "server" / "audio", keys=services.data_keys),
            max_upload_bytes=cfg.max_upload_mb * 1024 * 1024,
            max_text_chars=cfg.max_text_chars,
            meetings=ServerMeetings(services, users),
            hash_gate=HashGate(slots=2),
            finance_sync=server_sync(services, users, spaces),
            alarms=server_alarms(users, spaces, services.audit, cfg.alarm_sweep_s, services.settings.timezone,
                                 user_sources=[social_posts(services)]),
        )
