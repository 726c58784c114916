"""`personal-agent say "text" [-o out.wav]`: speak text with the offline Piper voice."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import typer

from app.cli.common import fail, services

# the whole WAV is made in memory before it is written (and Piper's time grows with the text):
# 10,000 characters are about ten minutes of speech, ~60 MB of samples
MAX_SAY_CHARS = 10_000


def say(
    text: str = typer.Argument(..., help='text to speak; "-" reads it from standard input'),
    output: Path | None = typer.Option(None, "--output", "-o", help="write a WAV file instead of playing"),
    language: str | None = typer.Option(
        None, "--language", "-l", help="en or de; default: the app's language"
    ),
    rate: float | None = typer.Option(
        None, "--rate", help="length scale: 1.0 normal, 1.2 slower, 0.8 faster"
    ),
    device: str | None = typer.Option(None, "--device", help="output device name or index"),
) -> None:
    """Speak TEXT on the speaker (Ctrl+C stops), or write it to a WAV file with -o.
    At most 10,000 characters at once (about ten minutes of speech): split longer texts."""
    from audio.playback import PlaybackError
    from audio.speakable import make_speakable
    from audio.speaker import Speaker, render
    from audio.tts import TtsError, check_wav_path, write_wav

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        fail("say: nothing to say: the text is empty", code=2)
    if len(text) > MAX_SAY_CHARS:
        fail(f"say: the text is too long to speak at once: at most {MAX_SAY_CHARS:,} characters "
             f"(this one has {len(text):,}); split it into parts", code=2)
    svc = services()
    settings = svc.settings
    lang_raw = language or settings.language
    if lang_raw not in ("en", "de"):
        fail(f"say: language '{lang_raw}' is not supported (en, de)", code=2)
    lang: Literal["en", "de"] = "de" if lang_raw == "de" else "en"
    if not make_speakable(text, lang):
        fail("say: nothing to say: the text has no words to speak (only emoji or symbols)", code=2)
    if rate is not None and not 0.2 < rate <= 3.0:
        fail("say: --rate must be above 0.2 and at most 3.0", code=2)
    tts = svc.speech.voice()
    if rate is not None:
        tts = tts.with_length_scale(rate)
    if tts.is_fallback(lang):
        from audio.tts import LANGUAGE_NAMES, SUGGESTED_VOICES

        typer.echo(f"no {LANGUAGE_NAMES[lang]} Piper voice installed: spoken by the fallback voice espeak-ng "
                   f"(install {SUGGESTED_VOICES[lang]} in Voices & models for a natural voice)", err=True)
    try:
        if output is not None:
            check_wav_path(output)
            audio = render(tts, text, lang)
            path = write_wav(output, audio)
            typer.echo(f"wrote {path} ({audio.duration_s:.1f} s, {audio.sample_rate} Hz)")
            return
        out_device: str | int | None = settings.audio.output_device
        if device is not None:
            out_device = int(device) if device.isdigit() else device
        job = Speaker(tts, device=out_device, language=lang).start(lang)
        try:
            job.feed(text)
            job.finish()
            report = job.wait()
        except KeyboardInterrupt:
            job.stop("stop")
            report = job.wait(5)
    except (TtsError, PlaybackError) as exc:
        fail(f"say: {exc}")
    if report.error:
        fail(f"say: {report.error}")
    played = sum(s.frames_played for s in report.segments) / report.sample_rate
    if report.interrupted:
        typer.echo(f"stopped after {played:.1f} s; spoken: {report.spoken_text}")
    else:
        typer.echo(f"spoke {len(report.segments)} sentence(s), {played:.1f} s on {report.device}")


def register(cli: typer.Typer) -> None:
    cli.command("say")(say)
