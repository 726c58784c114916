"""`personal-agent meeting record|import|list|show|export|search|play|recover|system-sources`."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from app.cli.common import echo, fail, line, said_line, services

cli = typer.Typer(help="Meeting recording: crash-safe audio, live transcript with speakers, notes, search.")


def register(root: typer.Typer) -> None:
    root.add_typer(cli, name="meeting")


@contextmanager
def _errors() -> Iterator[None]:
    from agents.meetings.store import MeetingNotFound
    from audio.meeting.segments import MeetingError
    from audio.models import ModelError
    from audio.sources import AudioInputError
    from storage.errors import StorageError

    try:
        yield
    except (MeetingError, MeetingNotFound, AudioInputError, StorageError, ModelError, ValueError) as exc:
        fail(line("meetings.error", detail=said_line(exc)))


def _service(recover: bool = True) -> Any:
    svc = services().meeting_service
    if recover:
        with _errors():
            for info in svc.recover_unfinished():
                echo(line("meetings.recovered_unfinished", id=info.id, title=info.title,
                          seconds=f"{info.duration_s:.1f}", state=info.state), err=True)
    return svc


def _speakers(speakers: list[str]) -> str:
    from agents.meetings.models import speaker_label

    return ", ".join(speaker_label(x) for x in speakers) or "-"


def _clock(t: float) -> str:
    from agents.meetings.notes import fmt_clock

    return fmt_clock(t)


def _print_event(event: Any) -> None:
    kind = getattr(event, "kind", "")
    if kind == "meeting_transcript":
        s = event.segment
        echo(f"[{_clock(s.start)}] {s.speaker}: {s.text}")
    elif kind == "meeting_state":
        echo(line("meetings.state_event", state=event.state, detail=event.detail).rstrip(), err=True)
    elif kind in ("meeting_space_warning", "meeting_storage", "meeting_error"):
        echo(line("meetings.warning_event", event=event.model_dump_json(exclude={"at"})), err=True)
    sys.stdout.flush()


@cli.command("record")
def record(
    title: str | None = typer.Option(None, "--title", "-t", help="meeting title"),
    input_file: Path | None = typer.Option(None, "--input", help="record from an audio file instead of the microphone"),
    speed: float = typer.Option(1.0, help="with --input: 1.0 = real time (as if live), 0 = as fast as possible"),
    speakers: int | None = typer.Option(None, min=1, max=8, help="number of participants, if known"),
    duration: float | None = typer.Option(None, min=1, help="stop after this many seconds"),
    system_audio: str | None = typer.Option(
        None, "--system-audio", help="an online call: also record the computer's sound output as a second channel "
        "(the far side its own speaker): 'auto' or a source from 'meeting system-sources'"),
) -> None:
    """Record a meeting until Ctrl+C (or the end of --input): audio, live transcript, then notes."""
    from audio.meeting.capture import FileSource, MeetingSource

    if system_audio is not None and input_file is not None:
        fail(line("meetings.system_audio_with_input"), code=2)
    svc = _service()
    stop = threading.Event()
    with _errors():
        source: MeetingSource | None = FileSource(input_file, speed=speed or None) if input_file else None
        if system_audio is not None:
            from audio.meeting.call_capture import CallSource, resolve_system_audio

            source = CallSource(services().settings.audio.input_device, resolve_system_audio(system_audio))
        svc.subscribe(_print_event)
        info = svc.start(title, source=source, speakers=speakers, origin="file" if input_file else "mic")
        echo(line("meetings.started", id=info.id, title=info.title), err=True)
        sys.stderr.flush()

        def _stop(*_: object) -> None:
            stop.set()

        old = signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop.is_set() and svc.capturing():
                active = svc.active
                if duration is not None and active is not None and active.duration_s >= duration:
                    break
                stop.wait(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, old)
        info = svc.stop() if svc.active is not None else svc.get(info.id)
    _show(_after_final_pass(svc, info), svc, transcript=False)


def _after_final_pass(svc: Any, info: Any) -> Any:
    """Wait for the final transcription with the larger speech model, if one runs (Ctrl+C stops it and
    keeps the live transcript); the meeting as it is then."""
    if svc.wait_final_pass(0.5):
        return svc.get(info.id)
    echo(line("meetings.final_pass"), err=True)
    try:
        svc.wait_final_pass()
    except KeyboardInterrupt:
        svc.stop_final_pass(timeout=60)
        echo(line("meetings.final_pass_stopped"), err=True)
    return svc.get(info.id)


def _show(info: Any, svc: Any, transcript: bool = True) -> None:
    echo(line("meetings.head", id=info.id, title=info.title))
    echo(line("meetings.facts", state=info.state, length=_clock(info.duration_s), speakers=_speakers(info.speakers),
              started=info.started_at.astimezone().isoformat(timespec="seconds")))
    if info.error:
        echo(line("meetings.failed_with", detail=info.error))
    if info.notes:
        echo(line("meetings.summary", method=info.notes.method, summary=info.notes.summary))
        for d in info.notes.decisions:
            echo(line("meetings.decision", text=d))
        for a in info.notes.action_items:
            extra = " ".join(x for x in (line("meetings.owner", name=a.owner) if a.owner else "",
                                         line("meetings.due", due=a.due) if a.due else "") if x)
            echo(line("meetings.action", text=a.text, extra=extra).rstrip())
    if transcript:
        echo("")
        from agents.meetings.models import speaker_label

        for s in svc.transcript(info.id):
            echo(f"[{_clock(s.start)}] {speaker_label(s.speaker)}: {s.text}")


@cli.command("import")
def import_(
    file: Path = typer.Argument(..., help="an audio file (wav, flac, mp3, m4a, ogg, ...)"),
    title: str | None = typer.Option(None, "--title", "-t"),
    speakers: int | None = typer.Option(None, min=1, max=8, help="number of participants, if known"),
) -> None:
    """Turn an existing recording into a meeting (transcript, speakers, notes, search)."""
    svc = _service()
    with _errors(), _quiet_recorder():
        info = svc.import_file(file, title, speakers=speakers)
    _show(_after_final_pass(svc, info), svc, transcript=False)


@contextmanager
def _quiet_recorder() -> Iterator[None]:
    """The command says in one line how an import ended (and why it stopped early); the recorder's
    own error lines would repeat it, so they show only at log level DEBUG."""
    names = ("audio.meeting", "app.meetings")
    if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
        yield
        return
    saved = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


@cli.command("system-sources")
def system_sources() -> None:
    """Where the computer's sound output can be recorded from for online calls (PulseAudio/PipeWire monitors,
    loopback devices)."""
    from agents.local.phrases import tr
    from app.cli.common import cli_language
    from audio.meeting.call_capture import system_audio_sources

    found = system_audio_sources()
    if not found:
        echo(tr(cli_language(), "no recording source for the computer's sound output found (see the README, "
                "Online calls)", "keine Aufnahmequelle für die Tonausgabe des Computers gefunden (siehe README, "
                "Online calls)"))
        return
    for s in found:
        echo(f"{s.name}  ({s.label})")


@cli.command("list")
def list_(limit: int = typer.Option(50, min=1, max=1000)) -> None:
    """Recorded meetings, newest first."""
    svc = _service()
    rows = svc.list_meetings(limit)
    if not rows:
        echo(line("meetings.none"))
    for m in rows:
        echo(f"{m.id}  {m.started_at.astimezone().strftime('%Y-%m-%d %H:%M')}  {_clock(m.duration_s):>8}  "
                   f"{m.state:<9}  {m.title}")


@cli.command("show")
def show(meeting_id: str = typer.Argument(..., help="id or unique id prefix")) -> None:
    """A meeting's notes and transcript."""
    svc = _service()
    with _errors():
        _show(svc.get(meeting_id), svc)


@cli.command("export")
def export_(
    meeting_id: str = typer.Argument(...),
    fmt: str = typer.Option("md", "--format", "-f", help="md | srt | vtt | json"),
    output: Path | None = typer.Option(None, "--output", "-o", help="file to write (default: stdout)"),
) -> None:
    """Export a transcript (Markdown with notes, SRT, WebVTT or JSON)."""
    _writable(output)
    svc = _service()
    with _errors():
        text = svc.export(meeting_id, fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        echo(line("meetings.wrote", path=output), err=True)
    else:
        echo(text, nl=False)


@cli.command("search")
def search(text: str = typer.Argument(...), limit: int = typer.Option(20, min=1, max=200)) -> None:
    """Full-text search over all transcripts: meeting, time stamp and snippet."""
    svc = _service()
    hits = svc.search(text, limit)
    if not hits:
        echo(line("meetings.no_hit", text=repr(text)))
    for h in hits:
        echo(f"{h.meeting_id}  {_clock(h.start)}  {h.speaker}: {h.snippet}   ({h.title})")  # a name or "Speaker 2"
        echo(line("meetings.play_hint", id=h.meeting_id, at=f"{h.start:.1f}"))


@cli.command("play")
def play(
    meeting_id: str = typer.Argument(...),
    at: float = typer.Option(0.0, "--at", min=0, help="seconds into the meeting (a search hit's time stamp)"),
    seconds: float = typer.Option(30.0, min=0.5, help="how much to play"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write a WAV file instead of playing"),
) -> None:
    """Play (or save) the meeting's audio from a moment on."""
    from audio.meeting.playback import read_audio
    from audio.wav import write_wav

    _writable(output)
    svc = _service()
    with _errors():
        info = svc.get(meeting_id)
        audio = read_audio(svc.backend, svc.manifest(info.id), at, seconds)
    if not len(audio):
        fail(line("meetings.no_audio_at", id=info.id, at=f"{at:.1f}", length=f"{info.duration_s:.1f}"))
    if output:
        write_wav(output, audio, 16_000)
        echo(line("meetings.wrote_clip", path=output, seconds=f"{len(audio) / 16_000:.1f}"), err=True)
        return
    _play(audio)


def _writable(output: Path | None) -> None:
    """Refuse an output file in a folder that does not exist before any work is done."""
    if output is not None and not output.parent.is_dir():
        fail(line("meetings.no_folder", path=output, folder=output.parent), code=2)


def _play(audio: Any) -> None:
    try:
        import sounddevice as sd

        sd.play(audio, 16_000)
        sd.wait()
    except Exception as exc:
        fail(line("meetings.cannot_play", detail=said_line(exc)))


@cli.command("actions")
def actions(meeting_id: str = typer.Argument(...)) -> None:
    """Offer the meeting's dated action items as calendar events; each waits for your approval."""
    from datetime import datetime

    from agents.approvals import ApprovalStore
    from agents.meetings.actions import propose_action_items
    from app.wiring.assistant import user_tz

    svc = _service()
    with _errors():
        info = svc.get(meeting_id)
    s = services()
    tz = user_tz(s.settings.timezone)
    recs = propose_action_items(info, ApprovalStore(s.db, s.audit), datetime.now(tz), tz)
    if not recs:
        echo(line("meetings.no_due_items"))
    for r in recs:
        echo(line("meetings.approval", id=r.id, summary=r.summary))


@cli.command("name")
def name_speaker(
    meeting_id: str = typer.Argument(...),
    speaker: str = typer.Argument(..., help='the speaker as shown ("Speaker 2") or their number (2)'),
    name: str = typer.Argument(..., help="who it is; their voice is kept and recognised in later meetings"),
) -> None:
    """Name a speaker everywhere in a meeting; the voice becomes a voice profile."""
    from agents.meetings.models import speaker_label

    svc = _service()
    with _errors():
        info = svc.get(meeting_id)
        wanted = f"Speaker {speaker}" if speaker.strip().isdigit() else speaker.strip()
        old = next((x for x in info.speakers if speaker_label(x) == wanted or x == wanted), None)
        if old is None:
            shown = ", ".join(speaker_label(x) for x in info.speakers) or line("meetings.no_speakers")
            fail(line("meetings.no_speaker", id=info.id, speaker=repr(speaker), shown=shown), code=2)
        done = svc.rename_speaker(info.id, old, name)
    echo(line("meetings.renamed", old=speaker_label(old), new=" ".join(name.split()),
              speakers=", ".join(speaker_label(x) for x in done.speakers)))


@cli.command("voices")
def voices() -> None:
    """The voice profiles: people whose voice is recognised in new meetings."""
    names = _service(recover=False).voice_profiles()
    echo("\n".join(names) if names else line("meetings.no_voices"))


@cli.command("forget-voice")
def forget_voice(name: str = typer.Argument(...)) -> None:
    """Delete someone's voice profile (meetings keep the names they show)."""
    gone = _service(recover=False).forget_voice(name)
    if gone is None:
        fail(line("meetings.no_voice", name=repr(name)), code=2)
    echo(line("meetings.voice_deleted", name=gone))


@cli.command("recover")
def recover() -> None:
    """Finalize meetings cut off by a crash or power loss (also runs before every meeting command)."""
    svc = _service(recover=False)
    with _errors():
        done = svc.recover_unfinished()
    if not done:
        echo(line("meetings.nothing_to_recover"))
    for info in done:
        echo(line("meetings.recovered", id=info.id, title=info.title, seconds=f"{info.duration_s:.1f}", state=info.state))

