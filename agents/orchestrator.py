"""The orchestrator agent and its delegation tools (pydantic-ai's agent-delegation pattern).

Each tool runs a domain delegate with the same deps and model, adds its usage to the run's and sets
its own usage limits. A delegate that wants a side effect ends its run with ``DeferredToolRequests``: the
request is parked as a pending approval (with the delegate's message history) and the orchestrator
is told to ask the user. ``resume_approved`` continues the delegate run once the user said yes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from pydantic_ai import (
    Agent,
    DeferredToolRequests,
    DeferredToolResults,
    FunctionToolset,
    RunContext,
    Tool,
    ToolDenied,
)
from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import UsageLimits

from agents import domains
from agents.approvals import ApprovalRecord
from agents.deps import AssistantDeps
from agents.local.phrases import tr
from agents.toolkit import Delegate, now_and_language
from agents.untrusted import UNTRUSTED_RULE

DelegateAgent = Delegate
DELEGATE_LIMITS = UsageLimits(request_limit=6, tool_calls_limit=10, output_tokens_limit=2_000)
ORCHESTRATOR_LIMITS = UsageLimits(request_limit=12, tool_calls_limit=20, output_tokens_limit=4_000)
ORCHESTRATOR_SETTINGS = ModelSettings(max_tokens=400)  # the reply is spoken: a few sentences

orchestrator = Agent(
    deps_type=AssistantDeps,
    output_type=str,
    name="orchestrator",
    model_settings=ORCHESTRATOR_SETTINGS,
    instructions=(
        "You are a voice assistant. Route each request to the right specialist tool and pass on the full "
        "request with every detail (names, times, text). Reply in the user's language, briefly: the first "
        "sentence is spoken aloud, so put the answer there; no markdown. If a specialist says an action waits "
        "for approval, tell the user exactly what will be done and ask for yes or no; never claim it is done. "
        + UNTRUSTED_RULE
    ),
)
orchestrator.instructions(now_and_language)


def _describe(tool: str, args: dict[str, Any], lang: str) -> str:
    """Exactly what a deferred tool call will do, in the user's language."""

    def a(key: str) -> str:
        v = args.get(key)
        return ", ".join(map(str, v)) if isinstance(v, list) else str(v or "")

    if tool == "send_mail":
        cc = f" (cc {a('cc')})" if args.get("cc") else ""
        return tr(lang, f"Send an e-mail to {a('to')}{cc}, subject \"{a('subject')}\": \"{a('body')}\"",
                  f"Eine E-Mail an {a('to')}{cc} senden, Betreff „{a('subject')}“: „{a('body')}“")
    if tool == "reply_mail":
        return tr(lang, f"Reply to e-mail {a('message_id')}: \"{a('body')}\"",
                  f"Auf die E-Mail {a('message_id')} antworten: „{a('body')}“")
    if tool == "send_message":
        return tr(lang, f"Send a message to {a('to')}: \"{a('text')}\"",
                  f"Eine Nachricht an {a('to')} senden: „{a('text')}“")
    if tool == "create_event":
        return tr(lang, f"Create the event \"{a('title')}\" from {a('start')} to {a('end')}",
                  f"Den Termin „{a('title')}“ von {a('start')} bis {a('end')} anlegen")
    if tool == "delete_event":
        return tr(lang, f"Delete the calendar event {a('uid')}", f"Den Termin {a('uid')} löschen")
    if tool == "forget_facts":
        return tr(lang, f"Delete your stored notes about {a('topic')}", f"Deine Notizen über {a('topic')} löschen")
    if tool == "control_recording":
        return tr(lang, f"{a('action').capitalize()} the meeting recording", f"Meeting-Aufnahme: {a('action')}")
    shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return f"{tool}({shown})"


def park(deps: AssistantDeps, delegate: str, requests: DeferredToolRequests,
         messages: list[ModelMessage]) -> ApprovalRecord:
    """Store the delegate's deferred calls as one pending approval."""
    calls: list[dict[str, Any]] = [{"tool_call_id": c.tool_call_id, "tool_name": c.tool_name, "args": c.args_as_dict()}
             for c in requests.approvals]
    summary = "; ".join(_describe(c["tool_name"], c["args"], deps.language) for c in calls) + "."
    action = f"{delegate}." + "+".join(sorted({c["tool_name"] for c in calls}))
    history = ModelMessagesTypeAdapter.dump_python(messages, mode="json")
    rec = deps.approvals.request(action, summary, {"delegate": delegate, "calls": calls, "history": history},
                                 deps.now(), source="llm")
    deps.pending.append(rec)
    return rec


async def _delegate(ctx: RunContext[AssistantDeps], name: str, request: str) -> str:
    agent = delegate_of(name)
    ctx.deps.delegated(name, request)
    # the delegate's limits count its own requests and calls (the orchestrator may run delegates side by
    # side: with one shared usage, which delegate hit the limit depended on their interleaving); its usage
    # is added to the turn's when it is done
    result = await agent.run(request, deps=ctx.deps, usage_limits=DELEGATE_LIMITS, model=cast(Model, ctx.model))
    ctx.usage.incr(result.usage)
    out = result.output
    if isinstance(out, DeferredToolRequests):
        if out.calls:
            return "error: the specialist asked for an external result, which is not supported"
        rec = park(ctx.deps, name, out, result.all_messages())
        return (f"WAITING FOR THE USER'S APPROVAL (request #{rec.id}): {rec.summary} "
                "Tell the user exactly this and ask for yes or no. Nothing has been done yet.")
    return f"{out.spoken}\n{out.text}"


def _delegation_tool(domain: domains.Domain) -> Tool[AssistantDeps]:
    async def ask(ctx: RunContext[AssistantDeps], request: str) -> str:
        return await _delegate(ctx, domain.name, request)

    return Tool(ask, name=f"ask_{domain.name}", description=domain.description)


@lru_cache(maxsize=4)
def _delegation_tools(registry: tuple[str, ...]) -> FunctionToolset[AssistantDeps]:
    return FunctionToolset([_delegation_tool(d) for d in domains.domains(registry) if d.delegate])


@orchestrator.toolset(per_run_step=False)
def delegation_tools(ctx: RunContext[AssistantDeps]) -> FunctionToolset[AssistantDeps]:
    """One ``ask_<domain>`` tool per registered domain with a delegate (agents/domains.py)."""
    return _delegation_tools(tuple(domains.DOMAINS))


def delegate_of(name: str) -> DelegateAgent:
    agent = domains.domain(name).delegate_agent()
    if agent is None:
        raise KeyError(name)
    return cast(DelegateAgent, agent)


def resume_approved(rec: ApprovalRecord, deps: AssistantDeps, model: Model | None, timeout_s: float = 30.0) -> str:
    """Run the approved tool calls by continuing the delegate's run; return its answer. Bounded like
    every model call (``timeout_s``, the delegate's output limit and usage limits).

    Raises the model's error if the model fails or runs out of time; the caller checks
    ``deps.tool_calls`` to tell whether the action itself already ran."""
    agent = delegate_of(rec.payload["delegate"])
    history = ModelMessagesTypeAdapter.validate_python(rec.payload["history"])
    results = DeferredToolResults(approvals={c["tool_call_id"]: True for c in rec.payload["calls"]})
    result = agent.run_sync(message_history=history, deferred_tool_results=results, deps=deps, model=model,
                            usage_limits=DELEGATE_LIMITS, timeout=timeout_s)
    out = result.output
    if isinstance(out, DeferredToolRequests):
        follow = park(deps, rec.payload["delegate"], out, result.all_messages())
        return follow.summary
    return f"{out.spoken}\n{out.text}" if out.text and out.text != out.spoken else out.spoken


def denial_results(rec: ApprovalRecord) -> DeferredToolResults:
    """The denial of every call of a parked request (for continuing a run that reports it)."""
    return DeferredToolResults(approvals={c["tool_call_id"]: ToolDenied("The user declined.")
                                          for c in rec.payload["calls"]})
