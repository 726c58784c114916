"""The weather domain's local intents: templates (EN+DE) and the handler."""

from __future__ import annotations

from agents.deps import AssistantDeps
from agents.domains import Handler
from agents.local.handlers import reply
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import WHAT_IS, Intents
from agents.replies import AgentReply, ToolCallInfo
from tests.domains.weather_stub.settings import WeatherSettings
from tests.domains.weather_stub.store import forecast, shown

INTENTS: Intents = {
    "WeatherForecast": {
        "en": [f"{WHAT_IS} the weather [like] [(in|for) {{city}}]", "weather (in|for) {city}"],
        "de": ["wie ist das wetter [in {city}]", "wetter (in|für) {city}"],
    },
}


def _forecast(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    cfg = d.domain_settings("weather", WeatherSettings)
    city = str(m.values.get("city") or cfg.default_city).title()
    found = forecast(d.memory.db, city)
    call = ToolCallInfo(name="weather.forecast", args={"city": city})
    if found is None:
        return reply(m, tr(m.language, f"I have no forecast for {city}.", f"Für {city} habe ich keine Vorhersage."),
                     tool_calls=[call])
    celsius, summary = found
    return reply(m, f"{city}: {shown(celsius, cfg.units)}, {summary}.", tool_calls=[call])


HANDLERS: dict[str, Handler] = {"WeatherForecast": _forecast}
