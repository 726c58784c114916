"""`personal-agent transcribe FILE [--json]`: speech to text with the offline recognizer."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.cli.common import fail, line, said_line, services


def transcribe(
    file: Path = typer.Argument(..., help="audio file: wav, flac, mp3, ogg/opus, m4a, ..."),
    as_json: bool = typer.Option(False, "--json", help="language, segments with start/end seconds, words"),
    language: str | None = typer.Option(None, "--language", "-l", help="ISO code (en, de); default: the language setting"),
    channels: bool = typer.Option(False, "--channels", help="transcribe left and right channel separately"),
) -> None:
    """Print the text of FILE (one line per utterance)."""
    from audio.models import ModelError
    from audio.sources import AudioInputError, channel_count

    svc = services()
    lang = language or None  # None: the configured language (stt.language, else the app's; auto: detect)
    try:
        channel_count(file)  # a missing, empty or non-audio file fails here, before the model loads
        rec = svc.speech.recognizer(warm_up=False)  # one file: the warm-up would only cost time
        rec.check_language(lang)
        transcripts = rec.transcribe_channels(file, lang) if channels else [rec.transcribe(file, lang)]
    except (AudioInputError, ModelError, ValueError) as exc:
        fail(line("transcribe.failed", detail=said_line(exc)))
    if as_json:
        data = [t.model_dump(mode="json") for t in transcripts]
        typer.echo(json.dumps(data if channels else data[0], ensure_ascii=False, indent=1))
        return
    for t in transcripts:
        prefix = line("transcribe.channel", channel=t.channel) if t.channel is not None else ""
        if not t.segments:
            typer.echo(line("transcribe.no_speech", prefix=prefix))
        for s in t.segments:
            typer.echo(f"{prefix}{s.text}")


def register(cli: typer.Typer) -> None:
    cli.command("transcribe")(transcribe)
