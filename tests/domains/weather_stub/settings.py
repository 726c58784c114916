"""The weather domain's settings: the ``[domains.weather]`` table of config.toml."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WeatherSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: Literal["metric", "imperial"] = "metric"
    default_city: str = Field("Berlin", min_length=1, max_length=80)
