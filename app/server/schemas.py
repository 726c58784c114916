"""Request and response bodies of the REST API that are not engine data (``app.engine`` models
are reused as they are: TurnReply, ApprovalView, ApprovalOutcome, EngineInfo, SettingsView ...)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.engine import MeetingSegment, TurnReply


class Problem(BaseModel):
    """Every error: a one-line message for the user."""

    detail: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class WebhookAck(BaseModel):
    """What a webhook delivery contained (the sender only needs the 200)."""

    messages: int = Field(ge=0)
    statuses: int = Field(ge=0)
    errors: list[str] = Field(default_factory=list)


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, repr=False)
    device_name: str = Field("unnamed device", min_length=1, max_length=100)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096, repr=False)


class PairingClaim(BaseModel):
    code: str = Field(min_length=4, max_length=20, description="the code shown in the desktop app, e.g. 1234-5678")
    device_name: str = Field("phone", min_length=1, max_length=100)


class UserView(BaseModel):
    id: int
    username: str
    is_admin: bool


class TokenResponse(BaseModel):
    token_type: Literal["bearer"] = "bearer"
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    device_id: int
    user: UserView


class DeviceView(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked: bool
    current: bool = Field(False, description="the device making this request")


class PairingCodeView(BaseModel):
    code: str = Field(description="one-time code to type on the new device")
    expires_at: datetime


class TextTurn(BaseModel):
    text: str = Field(min_length=1, max_length=100_000)


class SpeakerRename(BaseModel):
    """Give a speaker of a meeting a name ("Speaker 1" -> "Anna")."""

    old: str = Field(min_length=1, max_length=60, description="the speaker as the transcript shows it now")
    new: str = Field(min_length=1, max_length=60, description="the name to show instead")


class SpeakRequest(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    language: Literal["en", "de"] = "en"


class AudioRef(BaseModel):
    """A WAV the server made; download it (HTTP range requests supported) with the same token."""

    id: str
    url: str
    media_type: Literal["audio/wav"] = "audio/wav"
    duration_s: float = Field(ge=0)


class AudioTurnReply(BaseModel):
    transcript: str = Field(description="what the server heard (empty: nothing was said)")
    language: str | None = None
    audio_seconds: float = Field(ge=0, description="length of the uploaded audio")
    reply: TurnReply
    audio: AudioRef | None = Field(None, description="the spoken reply; None if no voice speaks the language")
    audio_error: str | None = None


MeetingState = Literal["recording", "paused", "processing", "done", "recovered", "interrupted", "failed"]


class MeetingOut(BaseModel):
    """A meeting as listed: ``state`` "processing" while an upload is transcribed; poll until "done"."""

    id: str
    title: str
    state: MeetingState
    started_at: datetime
    duration_s: float = Field(ge=0)
    speakers: list[str] = Field(default_factory=list)
    summary: str = ""
    error: str | None = None


class MeetingDetail(MeetingOut):
    decisions: list[str] = Field(default_factory=list)
    action_items: list[str] = Field(default_factory=list)
    segments: list[MeetingSegment] = Field(default_factory=list)
    recording_url: str = Field(description="the audio as one WAV (HTTP range requests supported)")
