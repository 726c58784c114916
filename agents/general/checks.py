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

_WORDS = {
    "set_timer": re.compile(r"timer|countdown|eieruhr|wecker|alarm|stoppuhr|ping|klingel", re.IGNORECASE),
    "set_reminder": re.compile(r"remind|erinner|forget|vergess|vergiss|make sure|sorg|denk an|don't let me",
                               re.IGNORECASE),
}
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
    checks(_tool)(_asked_for(_tool))
