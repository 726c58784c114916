"""The orchestrator agent and its delegation tools (pydantic-ai's agent-delegation pattern).

Each tool runs a domain delegate with the same deps and model, adds its usage to the run's and sets
its own usage limits. A delegate that wants a side effect ends its run with ``DeferredToolRequests``: the
request is parked as a pending approval (with the delegate's message history) and the orchestrator
is told to ask the user. ``resume_approved`` runs the approved calls once the user said yes and reports
their results word for word (no model phrases an approval's outcome)."""

from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Annotated, Any, cast

from pydantic import WithJsonSchema
from pydantic_ai import (
    Agent,
    DeferredToolRequests,
    DeferredToolResults,
    FunctionToolset,
    RunContext,
    Tool,
    ToolDenied,
)
from pydantic_ai.exceptions import UnexpectedModelBehavior, UsageLimitExceeded
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelResponse,
    RetryPromptPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import UsageLimits

from agents import domains
from agents.approvals import ApprovalRecord
from agents.deps import AssistantDeps, ServiceError
from agents.honesty import model_text, without_situation
from agents.llm import model_error_message
from agents.local.phrases import tr
from agents.phrasebook import phrase
from agents.tool_guard import ToolGuard
from agents.toolkit import ANSWER_TOKENS, Delegate, ToolFirst, situated
from agents.untrusted import UNTRUSTED_RULE

DelegateAgent = Delegate
DELEGATE_LIMITS = UsageLimits(request_limit=6, tool_calls_limit=10, output_tokens_limit=2_000)
ORCHESTRATOR_LIMITS = UsageLimits(request_limit=12, tool_calls_limit=20, output_tokens_limit=4_000)
ORCHESTRATOR_SETTINGS = ModelSettings(max_tokens=ANSWER_TOKENS, temperature=0.0)  # spoken: a few sentences; greedy

orchestrator = Agent(
    deps_type=AssistantDeps,
    output_type=str,
    name="orchestrator",
    model_settings=ORCHESTRATOR_SETTINGS,
    capabilities=[ToolGuard(), ToolFirst()],  # the first step hands the request to a specialist
    instructions=(
        "You are a voice assistant. Route each request to the right specialist tool and pass on the full "
        "request with every detail (names, times, text). Reply in the user's language, briefly: the first "
        "sentence is spoken aloud, so put the answer there; no markdown. If a specialist says an action waits "
        "for approval, tell the user exactly what will be done and ask for yes or no; never claim it is done. "
        + UNTRUSTED_RULE
    ),
)


@orchestrator.tool
def chat(ctx: RunContext[AssistantDeps], answer: str) -> str:
    """Answer small talk or a general-knowledge question yourself, in the user's language. Never for
    anything about the user's own things (mail, calendar, messages, meetings, money, notes, reminders,
    timers, posts): a specialist has those."""
    ctx.deps.answer(ctx.tool_call_id, model_text(answer.strip()))
    return answer


def _arg(args: dict[str, Any], key: str) -> str:
    """A tool argument as said to the user (a list joined with commas, nothing for None)."""
    v = args.get(key)
    return ", ".join(map(str, v)) if isinstance(v, list) else str(v or "")


def _mail_label(deps: AssistantDeps, message_id: str) -> str:
    """Whose mail an id is, for the approval and the report ("Anna Schmidt, “Dinner tonight”")."""
    if deps.services.mail is not None:
        try:
            m = deps.services.mail.get(message_id)
        except ServiceError:
            return message_id
        who = f"{m.sender_name} <{m.sender}>" if m.sender_name and m.sender_name != m.sender else m.sender
        return f"{who}, “{m.subject}”"  # the address too: the reply goes there
    return message_id


def _describe(tool: str, args: dict[str, Any], lang: str, deps: AssistantDeps) -> str:
    """Exactly what a deferred tool call will do, in the user's language."""

    a = partial(_arg, args)

    if tool == "send_mail":
        cc = f" (cc {a('cc')})" if args.get("cc") else ""
        return tr(lang, f"Send an e-mail to {a('to')}{cc}, subject \"{a('subject')}\": \"{a('body')}\"",
                  f"Eine E-Mail an {a('to')}{cc} senden, Betreff „{a('subject')}“: „{a('body')}“")
    if tool == "reply_mail":
        about = _mail_label(deps, a("message_id"))
        return tr(lang, f"Reply to the e-mail from {about}: \"{a('body')}\"",
                  f"Auf die E-Mail von {about} antworten: „{a('body')}“")
    if tool == "send_message":
        return tr(lang, f"Send a message to {a('to')}: \"{a('text')}\"",
                  f"Eine Nachricht an {a('to')} senden: „{a('text')}“")
    if tool == "create_event":
        return tr(lang, f"Create the event \"{a('title')}\" from {a('start')} to {a('end')}",
                  f"Den Termin „{a('title')}“ von {a('start')} bis {a('end')} anlegen")
    if tool == "delete_event":
        what = a("title") or a("uid")
        return tr(lang, f"Delete the calendar event {what}", f"Den Termin {what} löschen")
    if tool == "forget_facts":
        return tr(lang, f"Delete your stored notes about {a('topic')}", f"Deine Notizen über {a('topic')} löschen")
    if tool == "control_recording":
        return tr(lang, f"{a('action').capitalize()} the meeting recording", f"Meeting-Aufnahme: {a('action')}")
    if tool == "draft_transfer" and args.get("iban") and args.get("from_iban"):  # resolved by its check
        from agents.finance.transfers import draft_from_args, summary

        return summary(draft_from_args(args), lang).rstrip(".")
    shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return f"{tool}({shown})"


def approval_question(rec: ApprovalRecord, lang: str) -> str:
    """What the user is asked about a pending approval: exactly what will be done, then the question."""
    return rec.summary + phrase("approval.question", lang)


def park(deps: AssistantDeps, delegate: str, requests: DeferredToolRequests,
         messages: list[ModelMessage]) -> ApprovalRecord:
    """Store the delegate's deferred calls as one pending approval (a call the model repeated with the
    same arguments is asked for once). When the model read someone else's text in this turn (an e-mail,
    a message, a transcript), the approval says so: its text may come from there, not from the user."""
    calls: list[dict[str, Any]] = []
    for c in requests.approvals:
        call = {"tool_call_id": c.tool_call_id, "tool_name": c.tool_name, "args": c.args_as_dict()}
        if not any(k["tool_name"] == call["tool_name"] and k["args"] == call["args"] for k in calls):
            calls.append(call)
    lang = deps.language
    summary = "; ".join(_describe(c["tool_name"], c["args"], lang, deps) for c in calls) + "."
    provenance = list(deps.origins)
    if provenance:
        summary += tr(lang, f" Careful: I read {', '.join(provenance)} before this, so parts of it may come from "
                            "there and not from you.",
                      f" Achtung: davor habe ich {', '.join(provenance)} gelesen; Teile davon können von dort "
                      "stammen, nicht von dir.")
    action = f"{delegate}." + "+".join(sorted({c["tool_name"] for c in calls}))
    history = ModelMessagesTypeAdapter.dump_python(messages, mode="json")
    rec = deps.approvals.request(action, summary, {"delegate": delegate, "calls": calls, "history": history,
                                                   "provenance": provenance}, deps.now(), source="llm")
    deps.pending.append(rec)
    return rec


async def _delegate(ctx: RunContext[AssistantDeps], name: str, request: str) -> str:
    agent = delegate_of(name)
    ctx.deps.delegated(name, request)
    # the delegate's limits count its own requests and calls (the orchestrator may run delegates side by
    # side: with one shared usage, which delegate hit the limit depended on their interleaving); its usage
    # is added to the turn's when it is done
    try:
        result = await agent.run(situated(ctx.deps, request), deps=ctx.deps, usage_limits=DELEGATE_LIMITS,
                                 model=cast(Model, ctx.model))
    except (UnexpectedModelBehavior, UsageLimitExceeded) as exc:  # this delegate gave up: the others' work stands
        said = model_error_message(exc, ctx.deps.language)
        ctx.deps.answer(ctx.tool_call_id, said)
        return f"error: the {name} specialist failed: {said}"
    ctx.usage.incr(result.usage)
    out = result.output
    if isinstance(out, DeferredToolRequests):
        if out.calls:
            return "error: the specialist asked for an external result, which is not supported"
        rec = park(ctx.deps, name, out, result.all_messages())
        # the reply is what waits for the yes, asked by code (agents/assistant.py): no model step after this one
        # (an empty answer here made pydantic-ai ask the model again, which repeated "Please return text or
        # call a tool." to the user, ~2 s)
        ctx.deps.answer(ctx.tool_call_id, approval_question(rec, ctx.deps.language))
        return (f"WAITING FOR THE USER'S APPROVAL (request #{rec.id}): {rec.summary} "
                "Tell the user exactly this and ask for yes or no. Nothing has been done yet.")
    said = out if isinstance(out, str) else (out.text if out.text.strip().startswith(out.spoken.strip())
                                            else f"{out.spoken}\n{out.text}")
    ctx.deps.answer(ctx.tool_call_id, said)  # the delegate's answer is the reply (agents/worded.py)
    return said


# what the user asked, in one line: a small model copied the request's date note after it ("(Now it is
# Wednesday, …": 160 tokens, 15 s on 2 cores). The schema says so, and a schema-held step (the local server's)
# cannot start that note; what comes is not refused for it (another model may pass the note on: it is cut, and
# the delegate gets the note anyway, situated)
Request = Annotated[str, WithJsonSchema({"type": "string", "maxLength": 400, "pattern": r"^[^(\n]*$"})]


def _delegation_tool(domain: domains.Domain) -> Tool[AssistantDeps]:
    async def ask(ctx: RunContext[AssistantDeps], request: Request) -> str:
        return await _delegate(ctx, domain.name, without_situation(request).strip())

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


def _done(tool: str, args: dict[str, Any], lang: str, deps: AssistantDeps) -> str:
    """What an approved call did, once its tool reported success."""

    a = partial(_arg, args)

    if tool == "send_mail":
        return tr(lang, f"The e-mail to {a('to')} is sent.", f"Die E-Mail an {a('to')} ist verschickt.")
    if tool == "reply_mail":
        about = _mail_label(deps, a("message_id")).split(",")[0]
        return tr(lang, f"Your reply to {about} is sent.", f"Deine Antwort an {about} ist verschickt.")
    if tool == "send_message":
        return tr(lang, f"The message to {a('to')} is sent.", f"Die Nachricht an {a('to')} ist verschickt.")
    if tool == "create_event":
        return tr(lang, f"\"{a('title')}\" is in your calendar.", f"„{a('title')}“ steht im Kalender.")
    if tool == "delete_event":
        return tr(lang, "The event is deleted.", "Der Termin ist gelöscht.")
    if tool == "forget_facts":
        return tr(lang, f"Your notes about {a('topic')} are deleted.", f"Deine Notizen über {a('topic')} sind gelöscht.")
    if tool == "control_recording":
        return tr(lang, f"Recording: {a('action')}.", f"Aufnahme: {a('action')}.")
    return phrase("done.tool", lang, tool=tool.replace("_", " "))


def _report(calls: list[dict[str, Any]], deps: AssistantDeps) -> FunctionModel:
    """Stands in for the language model when an approved run continues: it reports what the approved
    tools returned. The outcome of an approval is reported by code, so a model that runs on, fails or
    words it wrongly cannot change or delay it."""
    args_of = {c["tool_call_id"]: c["args"] for c in calls}
    lang = deps.language

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        parts = messages[-1].parts if messages else []
        returns = [p for p in parts if isinstance(p, ToolReturnPart)]
        problems = [re.sub(r"^\s*error:\s*", "", str(r.content), flags=re.IGNORECASE) for r in returns
                    if r.outcome != "success" or str(r.content).lstrip().lower().startswith("error")]
        problems += [p.model_response() for p in parts if isinstance(p, RetryPromptPart)]  # a check failed now
        if problems:
            spoken = tr(lang, "That did not work: ", "Das hat nicht geklappt: ") + "; ".join(problems)[:300]
        elif returns:
            spoken = " ".join(_done(r.tool_name, args_of.get(r.tool_call_id, {}), lang, deps) for r in returns)
        else:
            spoken = tr(lang, "Nothing was done.", "Es wurde nichts gemacht.")
        shown = "; ".join(f"{r.tool_name}: {r.content}" for r in returns)
        result = {"spoken": spoken, "text": f"{spoken}\n({shown})" if shown else spoken}
        tool = next((t for t in info.output_tools if "DomainResult" in t.name), None) or info.output_tools[0]
        return ModelResponse(parts=[ToolCallPart(tool.name, result)])

    return FunctionModel(respond, model_name="approved-actions-report")


def resume_approved(rec: ApprovalRecord, deps: AssistantDeps) -> tuple[bool, str]:
    """Run the approved tool calls (pydantic-ai continues the delegate's run with the approvals) and
    return (every call succeeded, the report). No language model is asked: the report is the tools'
    own results (:func:`_report`), so this never hangs on a model and never misreports.

    A tool that raises (the service failed) raises here; the caller checks ``deps.actions``."""
    agent = delegate_of(rec.payload["delegate"])
    history = ModelMessagesTypeAdapter.validate_python(rec.payload["history"])
    results = DeferredToolResults(approvals={c["tool_call_id"]: True for c in rec.payload["calls"]})
    deps.approved = True  # the request now is "yes": the checks of what the user asked for ran before the question
    result = agent.run_sync(message_history=history, deferred_tool_results=results, deps=deps,
                            model=_report(rec.payload["calls"], deps), usage_limits=DELEGATE_LIMITS)
    out = result.output
    if isinstance(out, DeferredToolRequests):  # the report model asks for nothing: cannot happen
        return False, "error: the approved run asked for more"
    if isinstance(out, str):  # cannot happen: the report answers through the output tool
        return False, out
    failed = out.spoken.startswith(tr(deps.language, "That did not work", "Das hat nicht geklappt"))
    ok = not failed and bool(deps.actions) and not any(a.status == "failed" for a in deps.actions)
    return ok, out.text


def denial_results(rec: ApprovalRecord) -> DeferredToolResults:
    """The denial of every call of a parked request (for continuing a run that reports it)."""
    return DeferredToolResults(approvals={c["tool_call_id"]: ToolDenied("The user declined.")
                                          for c in rec.payload["calls"]})
