"""Turns: typed (whole reply or streamed as NDJSON engine events), spoken (upload), speech output,
and downloads of the server's WAV files with HTTP range requests."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Header, HTTPException, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response, StreamingResponse

from agents.local.normalize import guess_language
from agents.phrasebook import phrase
from agents.turn import TurnError, new_turn_id
from app.engine import HistoryTurn, TurnReply
from app.metrics import STAGE_SECONDS
from app.server.api_language import api_error
from app.server.auth import Me, State, problems
from app.server.ranged import file_response
from app.server.schemas import AudioRef, AudioTurnReply, SpeakRequest, TextTurn
from app.server.state import ServerState
from app.server.uploads import save_upload
from app.tracing import stage_span
from audio.sources import AudioInputError
from audio.tts import TtsError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["conversation"])
NDJSON = "application/x-ndjson"


def _text(body: TextTurn, st: ServerState) -> str:
    text = body.text.strip()
    if not text:
        raise api_error(400, "empty text: type something to ask", "leerer Text: schreib etwas, um zu fragen")
    if len(text) > st.max_text_chars:
        raise api_error(400, f"text too long: at most {st.max_text_chars} characters",
                        f"Text zu lang: höchstens {st.max_text_chars} Zeichen")
    return text


def answer(st: ServerState, user_id: int, text: str) -> TurnReply:
    """One typed or transcribed turn through the user's assistant."""
    return st.spaces.assistant(user_id).ask(text)


@router.get("/turns", response_model=list[HistoryTurn], responses=problems(401))
def history(me: Me, st: State, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[HistoryTurn]:
    """The user's conversation, its last ``limit`` turns, oldest first (what a window shows when it opens)."""
    turns = st.spaces.assistant(me.user.id).memory.recent_turns(limit)
    return [HistoryTurn(role="user" if t.role == "user" else "assistant", text=t.text, at=t.at) for t in turns]


@router.post("/turns/text", response_model=TurnReply, responses=problems(400, 401))
def text_turn(body: TextTurn, me: Me, st: State) -> TurnReply:
    """Ask in writing; the whole reply at once."""
    return answer(st, me.user.id, _text(body, st))


@router.post("/turns/text/stream", responses={**problems(400, 401), 200: {
    "description": "one JSON turn event per line (turn_started, intent, tool_call, approval_requested, "
                   "reply_delta ...), the last one reply_done with the whole reply, or turn_error",
    "content": {NDJSON: {"schema": {"type": "string"}}}}})
def text_turn_stream(body: TextTurn, me: Me, st: State) -> StreamingResponse:
    """Ask in writing; the turn's events stream as they happen (NDJSON), the reply sentence by
    sentence (``reply_delta``), then ``reply_done`` with the whole reply."""
    text = _text(body, st)
    asst = st.spaces.assistant(me.user.id)
    turn_id = new_turn_id()

    def events() -> Iterator[bytes]:
        try:
            for ev in asst.run(text, turn_id):
                yield (ev.model_dump_json() + "\n").encode()
        except Exception as exc:  # the status line is sent already: report it in the stream
            log.exception("streamed turn failed")
            said = guess_language(text) or st.services.settings.language  # the language of the request
            failed = TurnError(turn_id=turn_id, message=phrase("error.turn_failed", said, detail=type(exc).__name__))
            yield (failed.model_dump_json() + "\n").encode()

    return StreamingResponse(events(), media_type=NDJSON)


def _speak(st: ServerState, user_id: int, text: str, language: str) -> AudioRef:
    started = time.monotonic()
    with stage_span("tts"):
        audio = st.speech.synthesize(text, language)
    STAGE_SECONDS.labels("tts").observe(time.monotonic() - started)
    audio_id, _path = st.audio.save(audio)
    st.users.own("audio", audio_id, user_id)
    return AudioRef(id=audio_id, url=f"/api/v1/audio/{audio_id}", duration_s=round(audio.duration_s, 3))


@router.post("/turns/audio", response_model=AudioTurnReply, responses=problems(400, 401, 413))
def audio_turn(
    me: Me,
    st: State,
    file: Annotated[UploadFile, File(description="speech: wav, flac, mp3, ogg, m4a or webm")],
    language: Annotated[Literal["en", "de"] | None, Form(description="skip language detection")] = None,
) -> AudioTurnReply:
    """Say something: the upload is transcribed, answered, and the reply is spoken into a WAV."""
    upload = save_upload(file, st.max_upload_bytes, "pa-upload-", "an audio file")
    try:
        try:
            started = time.monotonic()
            with stage_span("stt"):
                heard = st.speech.transcribe(upload.path, language)
            STAGE_SECONDS.labels("stt").observe(time.monotonic() - started)
        except AudioInputError as exc:
            msg = str(exc).replace(str(upload.path), file.filename or "upload")
            raise api_error(400, f"not usable audio: {msg}", f"unbrauchbares Audio: {msg}") from None
    finally:
        upload.close()
    reply = answer(st, me.user.id, heard.text) if heard.text.strip() else _nothing_heard(st, me.user.id)
    audio: AudioRef | None = None
    audio_error: str | None = None
    try:
        audio = _speak(st, me.user.id, reply.spoken, reply.language)
    except (TtsError, ValueError) as exc:
        audio_error = str(exc)
    return AudioTurnReply(transcript=heard.text, language=heard.language, audio_seconds=round(heard.duration, 3),
                          reply=reply, audio=audio, audio_error=audio_error)


def _nothing_heard(st: ServerState, user_id: int) -> TurnReply:
    return st.spaces.assistant(user_id).ask("")


@router.post("/speech", response_model=AudioRef, status_code=201, responses=problems(400, 401))
def speak(body: SpeakRequest, me: Me, st: State) -> AudioRef:
    """Speak a text (e.g. say a reply again) into a WAV to download."""
    if not body.text.strip():
        raise api_error(400, "empty text", "leerer Text")
    try:
        return _speak(st, me.user.id, body.text, body.language)
    except TtsError as exc:  # e.g. no voice installed for the language
        raise HTTPException(400, str(exc)) from None


@router.get("/audio/{audio_id}", response_class=FileResponse, responses={
    **problems(401, 404, 416), 200: {"content": {"audio/wav": {}}, "description": "the WAV file"},
    206: {"content": {"audio/wav": {}}, "description": "the requested byte range"}})
def audio_file(audio_id: Annotated[str, PathParam(max_length=64)], me: Me, st: State,
               range_: Annotated[str | None, Header(alias="Range", include_in_schema=False)] = None) -> Response:
    """A WAV the server made for you. Supports ``Range: bytes=...`` (206 Partial Content)."""
    path = st.audio.path(audio_id)
    if path is None or st.users.owner("audio", audio_id) != me.user.id:
        raise api_error(404, "no such audio", "keine solche Audiodatei")
    return file_response(path, st.audio.keys, range_, "audio/wav", f"{audio_id}.wav",
                         {"Cache-Control": "private, max-age=3600"})


