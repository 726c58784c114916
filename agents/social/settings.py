"""The ``[domains.social]`` table of config.toml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SocialSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visibility: Literal["public", "unlisted", "followers", "direct"] = "public"  # of a post when none is said
    digest_size: int = Field(5, ge=1, le=20)  # posts read from the timeline digest
    mentions_read: int = Field(5, ge=1, le=20)  # mentions read aloud at most
    # people (names or handles) whose new mentions the running app announces; empty: none announced
    announce_mentions_from: list[str] = Field(default_factory=list, max_length=200)
