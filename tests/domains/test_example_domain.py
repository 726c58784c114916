"""A domain is its folder plus one line: the example weather domain (tests/domains/weather_stub) is
registered by adding its module to ``agents.domains.DOMAINS`` and nothing else, and then has local
intents (EN+DE), an LLM delegate tool, a validated setting and a migration of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo

from agents import domains
from agents.approvals import ApprovalStore
from agents.assistant import Assistant
from agents.memory import Memory
from agents.turn import IntentRecognized, ReplyDone, ToolCalled
from app.settings import ConfigError, Settings, domain_settings
from storage.audit import AuditLog
from storage.db.engine import Database
from tests.agents.scripted import Script, call, final, tool_returns
from tests.domains.weather_stub.store import forecasts

pytestmark = pytest.mark.unit
WEATHER = "tests.domains.weather_stub"


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domains, "DOMAINS", [*domains.DOMAINS, WEATHER])  # the one line


@pytest.fixture
def db(tmp_path: Path, registered: None) -> Iterator[Database]:
    d = Database(f"sqlite:///{tmp_path / 'w.sqlite3'}", domains.migration_folders())
    d.migrate()
    with d.session() as s:
        s.execute(sa.insert(forecasts).values(city="Hamburg", celsius=20.0, summary="sunny"))
    yield d
    d.dispose()


def assistant(db: Database, units: str = "metric") -> Assistant:
    settings = Settings(domains={"weather": {"units": units}})
    return Assistant(memory=Memory(db), approvals=ApprovalStore(db, AuditLog(db)),
                     domain_settings=domain_settings(settings))


def test_not_there_until_its_line_is_added() -> None:
    assert WEATHER not in domains.DOMAINS
    assert all(d.name != "weather" for d in domains.domains())
    with pytest.raises(ConfigError, match=r"unknown key 'domains\.weather'"):
        domain_settings(Settings(domains={"weather": {"units": "metric"}}))


def test_its_migration_runs_as_a_branch_of_its_own(db: Database) -> None:
    from storage.db.migrate import current_heads

    assert "w001_weather" in current_heads(db.engine)
    assert "weather_forecasts" in sa.inspect(db.engine).get_table_names()


def test_local_intents_in_english_and_german_use_its_setting(db: Database) -> None:
    r = assistant(db, units="imperial").ask("what's the weather in Hamburg")
    assert r.source == "local" and r.intent == "WeatherForecast" and r.spoken == "Hamburg: 68 °F, sunny."
    de = assistant(db).ask("wie ist das Wetter in Hamburg")
    assert de.language == "de" and de.spoken == "Hamburg: 20 °C, sunny."
    assert assistant(db).ask("what's the weather").spoken == "I have no forecast for Berlin."  # default_city


def test_a_bad_setting_is_one_line_naming_the_key(registered: None) -> None:
    with pytest.raises(ConfigError) as exc:
        domain_settings(Settings(domains={"weather": {"units": "kelvin"}}))
    assert str(exc.value).startswith("config error: domains.weather.units = 'kelvin'")
    assert "\n" not in str(exc.value)


def test_the_orchestrator_gets_its_delegate_as_a_tool(db: Database) -> None:
    def delegate(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if "city_forecast" not in tool_returns(messages):
            return call("city_forecast", city="Hamburg")
        return final(info, tool_returns(messages)["city_forecast"])

    script = Script(delegate, route="ask_weather")
    asst = assistant(db)
    asst.model_factory = script.model
    events = list(asst.run("should I take an umbrella to Hamburg", stream=False))
    intent = next(e for e in events if isinstance(e, IntentRecognized))
    assert intent.source == "llm" and intent.name == "weather"
    assert [e.name for e in events if isinstance(e, ToolCalled)] == ["city_forecast"]
    done = events[-1]
    assert isinstance(done, ReplyDone) and done.reply.source == "llm" and "20 °C" in done.reply.text


def test_its_account_kind_is_one_accounts_take(db: Database) -> None:
    """Domain.account_kinds is what `accounts add --kind` (and the GUI's list) accept: the stub's own kind
    is refused until its line is added, then stored like any other."""
    from app.accounts import AccountIn, AccountService, account_kinds

    assert "weather-station" in account_kinds() and {"mail", "caldav", "bank", "smb", "s3", "llm"} <= set(account_kinds())
    out = AccountService(db).add(AccountIn(name="roof", kind="weather-station"), None)
    assert (out.kind, out.name) == ("weather-station", "roof")


def test_an_unknown_account_kind_is_refused_naming_the_kinds() -> None:
    from pydantic import ValidationError

    from app.accounts import AccountIn

    with pytest.raises(ValidationError, match="must be one of mail, caldav, whatsapp"):
        AccountIn(name="roof", kind="weather-station")
