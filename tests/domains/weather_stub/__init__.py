"""An example domain, registered by the tests only: the proof that a domain is one folder plus one
line in ``agents/domains.py`` (docs/ADDING_A_DOMAIN.md). Weather from a local table: local intents
(EN+DE), an LLM delegate with a tool, a setting and a migration of its own."""

from pathlib import Path

from agents.domains import Domain
from tests.domains.weather_stub.intents import HANDLERS, INTENTS
from tests.domains.weather_stub.settings import WeatherSettings

DOMAIN = Domain(
    name="weather",
    description="The weather forecast for a city (stored forecasts).",
    intents=INTENTS,
    handlers=HANDLERS,
    delegate="tests.domains.weather_stub.agent:weather_agent",
    settings=WeatherSettings,
    migrations=Path(__file__).parent / "migrations",
    account_kinds=("weather-station",),
)
