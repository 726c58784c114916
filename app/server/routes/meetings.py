"""Meetings: create from an upload, list, show, export, search, and the recording (HTTP ranges)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Header, HTTPException, Path, Query, UploadFile
from fastapi.responses import FileResponse, PlainTextResponse, Response

from app.engine import EXPORT_MEDIA_TYPES, MeetingHit
from app.server.api_language import api_error
from app.server.auth import Me, State, problems
from app.server.meetings import MeetingBusy, NotYours
from app.server.ranged import file_response
from app.server.schemas import MeetingDetail, MeetingOut, SpeakerRename
from app.server.uploads import save_upload
from audio.meeting.segments import MeetingError
from audio.sources import AudioInputError
from storage.bilingual import said

router = APIRouter(prefix="/api/v1", tags=["meetings"])
MeetingId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post("/meetings", response_model=MeetingOut, status_code=202, responses=problems(400, 401, 409, 413))
def create_meeting(
    me: Me,
    st: State,
    file: Annotated[UploadFile, File(description="the meeting recording")],
    title: Annotated[str | None, Form(max_length=300)] = None,
    speakers: Annotated[int | None, Form(ge=1, le=8, description="number of speakers, if known")] = None,
) -> MeetingOut:
    """Upload a recording; it is transcribed with speakers and summarised. Poll ``GET /meetings/{id}``
    until ``state`` is "done" (or "failed")."""
    upload = save_upload(file, st.max_upload_bytes, "pa-meeting-", "a recording")
    try:  # the meetings take the upload over: they close it once it is processed or refused
        return st.meetings.create_from_upload(me.user.id, upload, title, speakers)
    except AudioInputError as exc:
        msg = str(exc).replace(str(upload.path), file.filename or "upload")
        raise api_error(400, f"not usable audio: {msg}", f"unbrauchbares Audio: {msg}") from None
    except MeetingBusy as exc:
        raise api_error(409, f"{exc}; try again when it is done",
                        f"{said(exc, 'de')}; versuch es noch einmal, wenn es fertig ist") from None


@router.get("/meetings", response_model=list[MeetingOut], responses=problems(401))
def list_meetings(me: Me, st: State, q: Annotated[str, Query(max_length=200)] = "") -> list[MeetingOut]:
    """Your meetings, newest first; ``q`` filters by words in title or summary."""
    return st.meetings.list_for(me.user.id, q)


@router.get("/meetings/search", response_model=list[MeetingHit], responses=problems(401))
def search_meetings(me: Me, st: State, q: Annotated[str, Query(min_length=1, max_length=200)],
                    limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[MeetingHit]:
    """Transcript passages of your meetings that match the words."""
    return st.meetings.search(me.user.id, q, limit)


@router.get("/meetings/{meeting_id}", response_model=MeetingDetail, responses=problems(401, 404))
def show_meeting(meeting_id: MeetingId, me: Me, st: State) -> MeetingDetail:
    try:
        return st.meetings.detail(me.user.id, meeting_id)
    except NotYours:
        raise api_error(404, "no such meeting", "kein solches Meeting") from None


@router.post("/meetings/{meeting_id}/speakers", response_model=MeetingDetail, responses=problems(400, 401, 404))
def rename_speaker(meeting_id: MeetingId, body: SpeakerRename, me: Me, st: State) -> MeetingDetail:
    """Name a speaker everywhere in the meeting (transcript, speaker list, notes)."""
    try:
        st.meetings.rename_speaker(me.user.id, meeting_id, body.old, body.new)
        return st.meetings.detail(me.user.id, meeting_id)
    except NotYours:
        raise api_error(404, "no such meeting", "kein solches Meeting") from None
    except ValueError as exc:
        raise HTTPException(400, exc) from None


@router.get("/meetings/{meeting_id}/export", response_model=None, responses={
    **problems(401, 404), 200: {"description": "the transcript file",
                                "content": {t: {"schema": {"type": "string"}} for t in EXPORT_MEDIA_TYPES.values()}}})
def export_meeting(meeting_id: MeetingId, me: Me, st: State,
                   format: Literal["md", "json", "srt", "vtt"] = "md") -> PlainTextResponse:
    """The transcript (and notes) as Markdown, JSON, SRT or WebVTT."""
    try:
        text = st.meetings.export(me.user.id, meeting_id, format)
    except NotYours:
        raise api_error(404, "no such meeting", "kein solches Meeting") from None
    return PlainTextResponse(text, media_type=EXPORT_MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{meeting_id}.{format}"'})


@router.get("/meetings/{meeting_id}/recording", response_class=FileResponse, responses={
    **problems(401, 404, 409, 416), 200: {"content": {"audio/wav": {}}, "description": "the recording as WAV"},
    206: {"content": {"audio/wav": {}}, "description": "the requested byte range"}})
def meeting_recording(meeting_id: MeetingId, me: Me, st: State,
                      range_: Annotated[str | None, Header(alias="Range", include_in_schema=False)] = None) -> Response:
    """The recording as one WAV. Supports ``Range: bytes=...`` (206 Partial Content) for seeking."""
    try:
        path = st.meetings.recording(me.user.id, meeting_id)
    except NotYours:
        raise api_error(404, "no such meeting", "kein solches Meeting") from None
    except MeetingBusy as exc:
        raise HTTPException(409, exc) from None
    except MeetingError as exc:
        raise api_error(404, f"no recording: {exc}", f"keine Aufnahme: {said(exc, 'de')}") from None
    return file_response(path, st.meetings.keys, range_, "audio/wav", f"{meeting_id}.wav")
