"""Helpers shared by the agent tools: logging calls for `--json`, resolving times."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic_ai import Agent, DeferredToolRequests, ModelRetry, RunContext
from pydantic_ai.capabilities import AbstractCapability, PrepareTools
from pydantic_ai.models import ModelRequestContext
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition, ToolsPrepareFunc

from agents.deps import AssistantDeps
from agents.honesty import SITUATION
from agents.replies import DomainResult
from agents.strict_call import strict_settings, uses_strict_calls
from agents.tool_guard import ToolGuard

Delegate = Agent[AssistantDeps, DomainResult | str | DeferredToolRequests]

# every model call is bounded: a delegate answers with a short spoken and a screen text (the orchestrator's
# own bound is in agents/orchestrator.py); a model that runs on is cut there, not after minutes
# temperature 0: the same request picks the same tool (a server's default sampling, 0.8 in llama-server, made
# the real-model eval differ from run to run on the same code)
# a spoken answer is a few sentences: 192 tokens (a later step that ran on to 512 and 700 tokens took 20–30 s
# of a turn on 2 cores, eval case m-lunch-en); a first step's one tool call may carry a mail's text: 256
ANSWER_TOKENS = 192
DELEGATE_SETTINGS = ModelSettings(max_tokens=ANSWER_TOKENS, temperature=0.0)
FIRST_STEP_TOKENS = 256  # a first step's one tool call (agents/toolkit.py: ToolFirst)


def situated(deps: AssistantDeps, request: str) -> str:
    """The request with today's date and time, the dates of the next seven days ("Fri 2026-03-06": a
    small model counting weekdays got "Friday" wrong), the user's time zone and language after it, so
    that a small model needs no round trip to learn them (and dates no year it made up).

    They go with the request, not into the instructions: the instructions and the tool list then stay
    the same from one request to the next, and a local server (llama.cpp) reuses their processed prompt
    from its cache instead of reading some thousand tokens again on every call (on 2 cores that is most of
    the time a turn takes)."""
    now = deps.now()
    lang = "German" if deps.language == "de" else "English"
    zone = str(getattr(deps.tz, "key", "") or now.tzname() or now.strftime("%z"))
    week = ", ".join(f"{d:%a} {d:%Y-%m-%d}" for d in (now + timedelta(days=i) for i in range(1, 8)))
    return (f"{request}\n\n{SITUATION}{now:%A, %Y-%m-%d %H:%M} in my time zone, {zone}; times I say are in "
            f"that zone. The next days: {week}. Answer in {lang}.)")


def log_call(ctx: RunContext[AssistantDeps], name: str, **args: Any) -> None:
    ctx.deps.record_tool(name, {k: str(v) for k, v in args.items()})


def aware(ctx: RunContext[AssistantDeps], dt: datetime) -> datetime:
    """Times from the model without a zone are in the user's zone."""
    return dt.replace(tzinfo=ctx.deps.tz) if dt.tzinfo is None else dt


def need(service: object, what: str) -> None:
    if service is None:
        raise ModelRetry(f"No {what} is connected; tell the user it is not set up.")


def tool_groups(groups: dict[str, tuple[str, frozenset[str]]],
                weak: dict[str, tuple[str, frozenset[str]]] | None = None) -> ToolsPrepareFunc[AssistantDeps]:
    """Few tools per call: ``groups`` maps a group to (a regex of its words, its tool names). When the
    request names exactly one group ("mail", "Termin", "WhatsApp"), the model sees only that group's
    tools; otherwise all of them. A request that names none but points back at the last answer ("tell her …"
    after her WhatsApp messages were read) gets the group of that answer (``deps.topic``). (A small model
    picks better from three tools than from nine, and the prompt is shorter.) ``weak`` maps a group to (a regex of words it shares, the groups it yields them to):
    "reply" names the mail in "Reply to Tom: Thursday works", the message in "Reply to Tom's message" (the
    1.5B model, shown both, answered the message with a mail)."""
    compiled = {g: (re.compile(rx, re.IGNORECASE), tools) for g, (rx, tools) in groups.items()}
    compiled_weak = {g: (re.compile(rx, re.IGNORECASE), others) for g, (rx, others) in (weak or {}).items()}
    grouped = frozenset().union(*(tools for _, tools in groups.values()))

    async def prepare(ctx: RunContext[AssistantDeps], defs: list[ToolDefinition]) -> list[ToolDefinition]:
        request = said(ctx) or ""

        def groups_in(words: str) -> set[str]:
            named = {g for g, (rx, _) in compiled.items() if rx.search(words)}
            return named | {g for g, (rx, others) in compiled_weak.items() if rx.search(words) and not named & others}

        named = groups_in(request)
        if not named and ctx.deps.topic and request:  # "schreib ihm zurück" after WhatsApp was read: its group
            named = groups_in(ctx.deps.topic)
        if len(named) != 1:
            return defs
        tools = compiled[named.pop()][1]
        return [d for d in defs if d.name in tools or d.name not in grouped]  # (ask_user stays)

    return prepare


def said(ctx: RunContext[AssistantDeps]) -> str | None:
    """The user's own words of this turn when the run answers a new request; None when an approved run
    resumes (its tools must all be there for the approved call)."""
    if not isinstance(ctx.prompt, str):
        return None
    return ctx.deps.request or ctx.prompt.split("\n\n" + SITUATION)[0]


def asked_for(actions: dict[str, str]) -> ToolsPrepareFunc[AssistantDeps]:
    """Tools that change something are offered only when the user's own words in this turn ask for that
    kind of change: ``actions`` maps a tool to a regex of the words (EN+DE) that ask for it ("send",
    "schick", "lösch", "trag … ein"). A question ("is there a mail from Anna about the invoice?") sees
    only the tools that read; a model that read "delete everything" in a mail does not see delete at all.
    A request that asks for a change also gets ``ask_user``; when the model makes one call a turn
    (``deps.one_call``: the tools word the answer) it sees only the tools for that change, and ``ask_user``
    only after a first call was refused (the real-model eval: "Schedule a call with the landlord …" became a calendar search, which ended the
    turn)."""
    compiled = {tool: re.compile(rx, re.IGNORECASE) for tool, rx in actions.items()}

    async def prepare(ctx: RunContext[AssistantDeps], defs: list[ToolDefinition]) -> list[ToolDefinition]:
        words = said(ctx)
        if words is None:
            return defs
        asks = requests_in(words)
        acting = [d for d in defs if d.name in compiled and any(compiled[d.name].search(s) for s in asks)]
        reading = [d for d in defs if d.name not in compiled and d.name != ASK_USER]
        if not acting:  # a question: it is answered by reading (the 1.5B model asked the question back)
            return reading
        asking = [d for d in defs if d.name == ASK_USER]
        if ctx.deps.one_call:  # one call a turn: a read would end it, so the change asked for
            # ask_user only once a first try was refused (arguments missing or wrong): ToolFirst keeps it out
            # of the first step ("Block Saturday from 10 to 12 for the gym" -> "What is the title?"; 7 main
            # eval cases asked back what the request said)
            return acting + asking
        # the tools that read first, always in the same order, then those this request asks for: the prompt's
        # tool list then starts the same from one request to the next, and a local server reuses its cache
        return reading + asking + acting

    return prepare


# a sentence that asks something ("Did Lena send me anything?", "Hat Tom geantwortet?") asks for no change,
# unless it is a polite request ("Can you send …?", "Kannst du … eintragen?")
_QUESTION = re.compile(r"^\W*(?:did|does|do|has|have|is|are|was|were|what|when|where|who|whom|which|why|how|any|"
                       r"hat|hatte|haben|ist|sind|war|gibt|gab|was|wann|wo|wer|wen|wem|welche\w*|warum|wieso|wie)\b",
                       re.IGNORECASE)
_POLITE = re.compile(r"\b(?:can|could|would|will) you\b|\b(?:kannst|könntest|würdest|wirst|magst) du\b|"
                     r"\b(?:können|könnten|würden) sie\b", re.IGNORECASE)


def requests_in(text: str) -> list[str]:
    """The sentences of what the user said that ask for something to be done (not questions)."""
    out = []
    for m in re.finditer(r"[^.?!;]+[.?!;]*", text):
        s = m.group(0).strip()
        if s and (_POLITE.search(s) or not (_QUESTION.match(s) or s.endswith("?"))):
            out.append(s)
    return out


def _chained(*prepares: ToolsPrepareFunc[AssistantDeps] | None) -> ToolsPrepareFunc[AssistantDeps] | None:
    steps = [p for p in prepares if p is not None]
    if len(steps) <= 1:
        return steps[0] if steps else None

    async def prepare(ctx: RunContext[AssistantDeps], defs: list[ToolDefinition]) -> list[ToolDefinition]:
        for step in steps:
            out = step(ctx, defs)
            defs = (await out if inspect.isawaitable(out) else out) or []
        return defs

    return prepare


@dataclass
class ToolFirst(AbstractCapability[AssistantDeps]):
    """The first step of a new request must call one of the agent's own tools: ``tool_choice="required"``
    (an OpenAI-compatible server such as llama.cpp then constrains the reply to a tool call by grammar),
    with no output tool and no text offered on that step. An agent is asked only for what its tools do,
    and a small model left free answered with made-up text ("<tools></tools>", a tool's description, "Tom
    wants to know what he wants to do"), or ended the run at once through the output tool ("I can't help
    with that"). Later steps are free: they answer from the tools' results, or ask the user for what is
    missing. On an OpenAI-compatible server (agents/strict_call.py) a JSON schema holds the step to those
    tools from its first token instead, and the step shows the same tool list as the later ones."""

    async def before_model_request(self, ctx: RunContext[AssistantDeps],
                                   request_context: ModelRequestContext) -> ModelRequestContext:
        params = request_context.model_request_parameters
        if ctx.run_step > 1 or ctx.prompt is None or not params.function_tools:
            return request_context  # a later step, an approved run resuming, or nothing to call
        # one call a turn: ask_user only once a first try was refused (offered on the first step, the 1.5B
        # model asked back what the request said: "Reply to Tom: Thursday works" -> "Which e-mail?")
        allowed = [d for d in params.function_tools if not (ctx.deps.one_call and d.name == ASK_USER)]
        if not allowed:
            return request_context
        # a tool call and its arguments fit in FIRST_STEP_TOKENS: a small model that runs on inside the grammar
        # is cut there (and fails in seconds) rather than at the turn's deadline
        asked = int((request_context.model_settings or {}).get("max_tokens") or FIRST_STEP_TOKENS)
        bound = asked if asked < ANSWER_TOKENS else FIRST_STEP_TOKENS  # a smaller bound (the warm-up's 1) stays
        settings = cast(ModelSettings, {**(request_context.model_settings or {}), "max_tokens": bound})
        if uses_strict_calls(ctx.model):  # held to the allowed tools by a JSON schema; the list shown stays whole
            return replace(request_context, model_settings=strict_settings(settings, allowed))
        settings = cast(ModelSettings, {**settings, "tool_choice": "required"})
        return replace(request_context, model_settings=settings,
                       model_request_parameters=replace(params, function_tools=allowed, output_tools=[],
                                                        allow_text_output=False))


def user_named(deps: AssistantDeps, name: str) -> bool:
    """The user named this person in this turn or a recent one (a word of the name, or "Speaker 2" /
    "Sprecher 2" as said): a small model filled a search's sender or speaker with one the user never said
    ("John Doe" for "Who emailed me about lunch?", "Speaker 2" for a question about a meeting), and found
    nothing. Without a request (an approved run resuming) every name counts as said."""
    if not deps.request:
        return True
    said = " ".join([deps.request] + [t.text for t in deps.memory.recent_turns(4) if t.role == "user"]).lower()
    words = [w for w in re.findall(r"\w+", name.lower()) if len(w) > 1 or w.isdigit()]
    numbers = [w for w in words if w.isdigit()]
    if numbers:  # "Speaker 2": its number said after speaker/sprecher
        return any(re.search(rf"\b(?:speaker|sprecher(?:in)?)\s*{w}\b", said) for w in numbers)
    return any(re.search(rf"\b{re.escape(w)}", said) for w in words if w not in _NOT_A_NAME)


_NOT_A_NAME = frozenset(["speaker", "sprecher", "the", "my", "our", "der", "die", "das", "dem", "den", "mein", "meine",
                         "meinem", "meiner", "von", "from", "mr", "mrs", "ms", "herr", "frau", "com", "org", "net",
                         "de"])


ASK_USER = "ask_user"


def ask_user(ctx: RunContext[AssistantDeps], question: str) -> str:
    """Ask the user for what the request leaves open (who, which one, what to write, which day) instead
    of guessing it. Only for what a tool needs; never to ask whether to do something (the tools that act
    ask for the user's yes by themselves)."""
    log_call(ctx, "ask_user", question=question)
    ctx.deps.answer(ctx.tool_call_id, question.strip())
    return f"asked the user: {question.strip()}"


def new_delegate(name: str, instructions: str, prepare_tools: ToolsPrepareFunc[AssistantDeps] | None = None,
                 actions: dict[str, str] | None = None) -> Delegate:
    """A domain's delegate as every domain builds it: typed deps, a short spoken + screen answer (or
    plain text: small models often answer without the output tool) or the
    deferred calls that wait for approval, the output bound (today's date, zone and language come with
    each request: :func:`situated`), and the
    tool guard (arguments checked, repeats stopped, actions noted: agents/tool_guard.py). ``actions``: the
    tools that change something and the words that ask for each (:func:`asked_for`)."""
    prepare = _chained(asked_for(actions) if actions else None, prepare_tools)
    agent: Delegate = Agent(deps_type=AssistantDeps, output_type=[DomainResult, str, DeferredToolRequests],
                            model_settings=DELEGATE_SETTINGS, name=name, instructions=instructions,
                            capabilities=[ToolGuard(), ToolFirst(),
                                          *([PrepareTools(prepare)] if prepare else [])],
                            retries=2)
    agent.tool(ask_user)  # a first step must call a tool: asking back is one (not a made-up argument)
    return agent
