"""Fixtures of the speech-input tests: one warmed-up recognizer per session, the clip manifest, WER."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import jiwer
import pytest

from audio.stt import Recognizer, RecognizerConfig


def normalize(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    return " ".join(re.findall(r"[\w']+", t))


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp or "<empty>"))


@pytest.fixture(scope="session")
def manifest(shared_audio: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((shared_audio / "manifest.json").read_text())
    return {c["file"]: c for c in data["clips"]}


@pytest.fixture(scope="session")
def recognizer(models_dir: Path) -> Recognizer:
    return Recognizer(RecognizerConfig(models_dir=models_dir))


@pytest.fixture(scope="session")
def hotword_recognizer(models_dir: Path) -> Recognizer:
    return Recognizer(RecognizerConfig(models_dir=models_dir, hotwords=["ComfyUI"], warm_up=False))
