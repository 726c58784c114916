"""The language model's settings (``[llm]`` in config.toml, ``PA_LLM__*``): a light module with no
pydantic-ai import, so that ``app.settings`` can include it without loading the model libraries.
The agents layer owns this model; the app only reads it from its sources and passes it down."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator


class LlmSettings(BaseModel):
    provider: Literal["none", "openai", "anthropic", "openai-compatible"] = "none"
    model: str | None = None
    base_url: str | None = Field(None, description="for openai-compatible servers, e.g. http://127.0.0.1:8080/v1")
    timeout_s: float = Field(30.0, gt=0, le=600)
    answers: Literal["tools", "model"] = Field(
        "tools", description="who words what the tools found: the tools (one model call a turn; right for small "
                             "local models) or the model (better prose from a large model, one more call)")

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v
