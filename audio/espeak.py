"""espeak-ng as the fallback voice: a language without an installed Piper voice is spoken by
espeak-ng (Debian package ``espeak-ng``, run as a subprocess that writes WAV to stdout) rather than not
at all. Robotic but clear; the app says it is a fallback and offers a Piper voice."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import numpy.typing as npt

from audio.wav import read_wav

VOICES = {"de": "de", "en": "en-us"}
RATE = 22_050  # espeak-ng's output rate


class EspeakError(Exception):
    """espeak-ng is missing or failed."""


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_voice(language: str) -> str:
    return VOICES.get(language, language)


def synthesize(
    text: str, language: str, length_scale: float = 1.0, timeout_s: float = 30.0
) -> tuple[npt.NDArray[np.float32], int]:
    """(float32 mono samples, sample rate) of ``text`` in ``language``'s espeak-ng voice."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise EspeakError("the fallback voice espeak-ng is not installed")
    words_per_minute = str(max(80, min(400, round(165 / length_scale))))
    try:
        out = subprocess.run(
            [exe, "-v", espeak_voice(language), "-s", words_per_minute, "--stdout", "--", text],
            capture_output=True, timeout=timeout_s, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EspeakError(f"espeak-ng failed: {exc}") from None
    if out.returncode != 0 or not out.stdout:
        raise EspeakError(f"espeak-ng failed: {out.stderr.decode(errors='replace').strip()[:120]}")
    samples, rate = read_wav(out.stdout)
    return samples, rate
