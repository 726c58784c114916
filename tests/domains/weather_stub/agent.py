"""The weather domain's delegate: one read-only tool."""

from __future__ import annotations

from pydantic_ai import RunContext

from agents.deps import AssistantDeps
from agents.toolkit import log_call, new_delegate
from tests.domains.weather_stub.settings import WeatherSettings
from tests.domains.weather_stub.store import forecast, shown

weather_agent = new_delegate("weather", "You tell the stored weather forecast for a city with the tool.")


@weather_agent.tool
def city_forecast(ctx: RunContext[AssistantDeps], city: str) -> str:
    """The stored forecast for a city: temperature and a few words."""
    log_call(ctx, "city_forecast", city=city)
    found = forecast(ctx.deps.memory.db, city)
    if found is None:
        return f"no forecast for {city}"
    units = ctx.deps.domain_settings("weather", WeatherSettings).units
    return f"{city}: {shown(found[0], units)}, {found[1]}"
