"""Optional: the agents against a real OpenAI-compatible server (Ollama, llama.cpp server, vLLM).

Runs only when AGENTS_TEST_LLM_URL is set, e.g.
    AGENTS_TEST_LLM_URL=http://127.0.0.1:11434/v1 AGENTS_TEST_LLM_MODEL=qwen2.5:3b \\
        .venv/bin/pytest tests/agents/test_openai_compatible_live.py
(optional key: AGENTS_TEST_LLM_KEY). Model requests are allowed in this test only."""

from __future__ import annotations

import os

import pytest
from pydantic_ai.models import override_allow_model_requests

from agents.assistant import Assistant
from agents.llm import build_model
from agents.llm_settings import LlmSettings

URL = os.environ.get("AGENTS_TEST_LLM_URL")
MODEL = os.environ.get("AGENTS_TEST_LLM_MODEL", "")
KEY = os.environ.get("AGENTS_TEST_LLM_KEY")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(not URL, reason="set AGENTS_TEST_LLM_URL to an OpenAI-compatible /v1 URL to run"),
]


def test_assistant_answers_through_the_server(assistant: Assistant) -> None:
    settings = LlmSettings(provider="openai-compatible", base_url=URL, model=MODEL or "default", timeout_s=120)
    assistant.model_factory = lambda: build_model(settings, lambda kind, name: KEY)
    assistant.model_timeout_s = 120
    with override_allow_model_requests(True):
        reply = assistant.ask("Using your tools, find out which weekday it is for me and tell me in one sentence.")
    assert reply.source == "llm", reply.error
    assert reply.text.strip()
    assert "wednesday" in reply.text.lower()  # the clock in the fixtures says Wednesday, 4 March 2026
