"""The registry of domains: what the assistant can do, one folder each.

A domain (communication, meetings, general, finance, social ...) is a package ``agents/<name>/``
whose ``__init__`` exposes ``DOMAIN = Domain(...)``: its local intents (EN+DE templates and their
handlers), its pydantic-ai delegate (the orchestrator gets one ``ask_<name>`` tool for it), its
settings model (the ``[domains.<name>]`` table of the config), its Alembic revisions (a branch of
its own off the foundation) and the account kinds it uses. Its optional GUI panel and API router live
in ``app/gui/<name>.py`` and ``app/server/routes/<name>.py`` (UI and web code stay in ``app``).

Adding a domain = its folder + one line in :data:`DOMAINS` (docs/ADDING_A_DOMAIN.md)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import BaseModel

if TYPE_CHECKING:
    from pydantic_ai import Agent

    from agents.approvals import ApprovalRecord
    from agents.deps import AssistantDeps
    from agents.local.recognizer import IntentMatch
    from agents.replies import AgentReply

Lang = Literal["en", "de"]
Handler = Callable[["IntentMatch", "AssistantDeps"], "AgentReply"]
# runs an approved request of the domain's own (a local intent's): (it worked, what to say)
ActionRunner = Callable[["ApprovalRecord", "AssistantDeps"], tuple[bool, str]]

# The one list: module paths of the domain packages, in the order their intents are tried.
DOMAINS: list[str] = [
    "agents.general",
    "agents.meetings",
    "agents.communication",
    "agents.finance",
    "agents.social",
]


@dataclass(frozen=True)
class Domain:
    name: str  # lower-case identifier: the config table [domains.<name>], the tool ask_<name>
    description: str = ""  # what the orchestrator's ask_<name> tool says the domain does
    intents: dict[str, dict[Lang, list[str]]] = field(default_factory=dict)  # intent -> language -> templates
    handlers: dict[str, Handler] = field(default_factory=dict)  # intent -> handler
    # intent -> language -> the request said back when the assistant asks "Did you mean …?" ({slot} filled in)
    say_back: dict[str, dict[Lang, str]] = field(default_factory=dict)
    delegate: str | None = None  # "module:attribute" of its pydantic-ai delegate, imported when first asked
    settings: type[BaseModel] | None = None  # validated from the config's [domains.<name>] table
    migrations: Path | None = None  # a folder of Alembic revisions (a branch off 0001_foundation)
    account_kinds: tuple[str, ...] = ()
    # words (regex, EN+DE, matched at word starts) that mark a request as this domain's: when exactly one
    # domain's cues are in a request no local intent answered, its delegate gets it without the
    # orchestrator (agents/routing.py). Keep them unambiguous; none = always through the orchestrator.
    cues: tuple[str, ...] = ()
    # close paraphrases of its templates (agents/local/fuzzy.py) count only when the request has one of its
    # cues: a domain whose templates name a service ("… auf Bluesky") is not guessed from "was gibt es neues"
    fuzzy_needs_cue: bool = False
    # approval action -> what runs it after the user's yes (requests its handlers parked themselves)
    actions: dict[str, ActionRunner] = field(default_factory=dict)
    # requests that show its delegate each tool list a first step gets (a group of tools, a change asked for):
    # the warm-up sends each once, so a local model server has every such prompt read (agents/warmup.py)
    warm_requests: tuple[str, ...] = ()

    def delegate_agent(self) -> Agent[AssistantDeps, Any] | None:
        """The delegate (imported on first use: recognizing a local intent needs no pydantic-ai)."""
        if self.delegate is None:
            return None
        module, _, attr = self.delegate.partition(":")
        return cast("Agent[AssistantDeps, Any]", getattr(importlib.import_module(module), attr))

    def __post_init__(self) -> None:
        missing = set(self.intents) - set(self.handlers)
        if missing:
            raise ValueError(f"domain {self.name}: intents without a handler: {', '.join(sorted(missing))}")


class DomainError(Exception):
    """A domain in the registry cannot be loaded (a bug, not a user's mistake)."""


_loaded: dict[tuple[str, ...], list[Domain]] = {}


def domains(modules: Iterable[str] | None = None) -> list[Domain]:
    """The registered domains, imported once per registry content (tests may add a line)."""
    key = tuple(DOMAINS if modules is None else modules)
    if key not in _loaded:
        out: list[Domain] = []
        for path in key:
            try:
                dom = importlib.import_module(path).DOMAIN
            except (ImportError, AttributeError) as exc:
                raise DomainError(f"domain {path} cannot be loaded: {exc}") from exc
            if not isinstance(dom, Domain):
                raise DomainError(f"{path}.DOMAIN is not a Domain")
            if any(d.name == dom.name for d in out):
                raise DomainError(f"two domains are named {dom.name}")
            out.append(dom)
        _loaded[key] = out
    return _loaded[key]


def domain(name: str) -> Domain:
    for d in domains():
        if d.name == name:
            return d
    raise KeyError(name)


def intents(modules: Iterable[str] | None = None) -> dict[str, dict[Lang, list[str]]]:
    """Every domain's templates, in registry order."""
    out: dict[str, dict[Lang, list[str]]] = {}
    for d in domains(modules):
        out.update(d.intents)
    return out


def say_back(intent: str, language: Lang) -> str | None:
    """How a request of the intent is said back to the user ("what time is it"), if the domain says."""
    for d in domains():
        if intent in d.say_back:
            return d.say_back[intent].get(language)
    return None


def owner(intent: str) -> str | None:
    """The name of the domain whose local intent this is."""
    for d in domains():
        if intent in d.intents:
            return d.name
    return None


def handler(intent: str) -> Handler:
    for d in domains():
        if intent in d.handlers:
            return d.handlers[intent]
    raise KeyError(intent)


def action_runner(action: str) -> ActionRunner | None:
    """What runs an approved request of this action name, if a domain declared it."""
    for d in domains():
        if action in d.actions:
            return d.actions[action]
    return None


def migration_folders() -> list[Path]:
    return [d.migrations for d in domains() if d.migrations is not None]
