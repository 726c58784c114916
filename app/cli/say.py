"""`personal-agent say "text" [-o out.wav]`: speak text with the offline Piper voice."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import typer

from app.cli.common import fail, services
from app.finance.fmt import locale_of

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
    from agents.i18n import resolve_language
    from agents.phrasebook import phrase
    from audio.playback import PlaybackError
    from audio.speakable import make_speakable
    from audio.speaker import Speaker, render
    from audio.tts import TtsError, check_wav_path, write_wav

    if text == "-":
        text = sys.stdin.read()
    svc = services()
    settings = svc.settings
    lang_raw = language or settings.language
    said = resolve_language(lang_raw)  # the lines below in the language spoken (else the app's)
    if not text.strip():
        fail(phrase("say.empty", said), code=2)
    if len(text) > MAX_SAY_CHARS:
        fail(phrase("say.too_long", said, limit=_count(MAX_SAY_CHARS, said), length=_count(len(text), said)), code=2)
    if lang_raw not in ("en", "de"):
        fail(phrase("say.unsupported", resolve_language(settings.language), language=lang_raw), code=2)
    lang: Literal["en", "de"] = "de" if lang_raw == "de" else "en"
    if not make_speakable(text, lang):
        fail(phrase("say.no_words", lang), code=2)
    if rate is not None and not 0.2 < rate <= 3.0:
        fail(phrase("say.rate", lang), code=2)
    tts = svc.speech.voice()
    if rate is not None:
        tts = tts.with_length_scale(rate)
    if tts.is_fallback(lang):
        from audio.tts import SUGGESTED_VOICES

        typer.echo(phrase("say.fallback", lang, language=phrase(f"language.{lang}", lang),
                          voice=SUGGESTED_VOICES[lang]), err=True)
    try:
        if output is not None:
            check_wav_path(output)
            audio = render(tts, text, lang)
            path = write_wav(output, audio)
            typer.echo(phrase("say.wrote", lang, path=path, seconds=_decimal(audio.duration_s, lang),
                              rate=audio.sample_rate))
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
        fail(phrase("say.failed", lang, detail=exc))
    if report.error:
        fail(phrase("say.failed", lang, detail=report.error))
    played = sum(s.frames_played for s in report.segments) / report.sample_rate
    if report.interrupted:
        typer.echo(phrase("say.stopped", lang, seconds=_decimal(played, lang), text=report.spoken_text))
    else:
        typer.echo(phrase("say.spoke", lang, count=len(report.segments), seconds=_decimal(played, lang),
                          device=report.device))


def _decimal(value: float, lang: str) -> str:
    """1.5 / 1,5 (Babel)."""
    from babel.numbers import format_decimal

    return str(format_decimal(round(value, 1), format="0.0", locale=locale_of(lang)))


def _count(value: int, lang: str) -> str:
    """10,000 / 10.000 (Babel)."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=locale_of(lang)))


def register(cli: typer.Typer) -> None:
    cli.command("say")(say)
