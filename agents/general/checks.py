"""The general tools that act without an approval (a timer, a reminder) run only when the user asked for
that kind of thing: a small model once answered "Schick ihm das" by setting a timer. The check
(agents/tool_guard.py) looks in what the user said this turn for the kind's words or for a duration (a
timer) or a time (a reminder), as the local parsers read them; a model that calls the tool anyway is told
to answer or ask instead. (Notes are not checked: storing one is harmless and shown.)"""

from __future__ import annotations

import re
from typing import Any

from agents.deps import AssistantDeps
from agents.local.normalize import prepare
from agents.local.slots import longest_span
from agents.local.timeparse import parse_duration, parse_when
from agents.tool_guard import ArgumentProblem, checks

# the words that ask for a timer or a reminder: the agent offers the tool only when one is said
# (agents/toolkit.py: asked_for), and the check below says no to a call without them or a duration/time
_NUDGE = r"ping|nudge|alert me|notify me|make sure|sorg\w* dafür|denk\w* (?:\w+ )*dran|denk an|don't let me|klingel"
ASKS_FOR = {
    "set_timer": r"timer|countdown|eieruhr|wecker|alarm|stoppuhr|weck\w*|wake|" + _NUDGE,
    "set_reminder": r"remind|erinner|forget|vergess|vergiss|tell me when|let me know when|"
                    r"sag\w* mir (?:\w+ )*bescheid|gib mir (?:\w+ )*bescheid|" + _NUDGE,
}
_WORDS = {tool: re.compile(rx, re.IGNORECASE) for tool, rx in ASKS_FOR.items()}
_WHAT = {"set_timer": "a timer", "set_reminder": "a reminder"}


def _said(deps: AssistantDeps, tool: str) -> bool:
    text = deps.request
    if not text or _WORDS[tool].search(text):
        return True
    words = prepare(text).lower().split()
    if tool == "set_timer":
        return longest_span(words, parse_duration) is not None
    return longest_span(words, lambda s: parse_when(s, deps.now())) is not None


def _asked_for(tool: str) -> Any:
    def check(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
        if not _said(deps, tool):
            raise ArgumentProblem(f"The user did not ask for {_WHAT[tool]}: do not create one. Answer the user, "
                                  "or ask what they want.")
        return args

    return check


for _tool in _WORDS:
    if _tool != "set_reminder":
        checks(_tool)(_asked_for(_tool))


@checks("set_reminder")
def check_set_reminder(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    """Asked for, and at the time the user said when the local parser reads one in the request ("in two
    hours", "tomorrow at 8"): a small model's date arithmetic put "in two hours" two days later. A request
    with no time at all ("remind me later") is asked back, not given a made-up one."""
    args = _asked_for("set_reminder")(deps, args)
    found = longest_span(prepare(deps.request).lower().split(), lambda s: parse_when(s, deps.now()))
    if found is None and deps.request:  # "remind me later": when is the user's to say, not the model's
        raise ArgumentProblem("The user said no time for the reminder: ask them when (ask_user); never pick one.")
    if found is not None and found[2].has_time:
        return {**args, "due_at": found[2].at}
    return args
