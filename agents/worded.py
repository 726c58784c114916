"""Read results worded by code: the model picks the tool and its arguments, the tool's own words answer.

A small local model (1.5B on 2 cores) was slow and often wrong at the second step of a turn: reading a
tool's result back and wording an answer (it dropped the fact asked for, wrote the tool call as text, or
claimed an action). That step is also the longest one: the tool's result is new text the model must read.
With :class:`ToolWording` the model makes one call per turn (the tool and its arguments, constrained to a
tool call by ``tool_choice="required"``); every tool that ran words its result for the user
(:meth:`AssistantDeps.answer`), and the step after it is answered here, by code, with those words. A step
whose tools did not all word their result (or whose arguments failed a check) goes to the model as before.

Text from someone else (a mail, a message, a transcript) is quoted in the answer (:func:`quoted`): it is
read out as what it is, and a quote is not the assistant claiming anything (agents/honesty.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import RequestUsage

from agents.deps import AssistantDeps
from agents.local.phrases import tr

_LIMIT = 700  # characters of someone else's text read out per item (the screen shows the same)


def quoted(text: str, lang: str, limit: int = _LIMIT) -> str:
    """Someone else's text as a quote in the user's language, shortened at a word to ``limit``."""
    one = " ".join(text.split())
    if len(one) > limit:
        one = one[:limit].rsplit(" ", 1)[0] + " …"
    one = one.replace("“", "'").replace("”", "'").replace("„", "'")
    return tr(lang, f"“{one}”", f"„{one}“")


def worded_answer(messages: list[ModelMessage], deps: AssistantDeps) -> str | None:
    """The answer to the step after the tools ran, when every tool of that step worded its result."""
    last = messages[-1] if messages else None
    if not isinstance(last, ModelRequest):
        return None
    if any(isinstance(p, RetryPromptPart) for p in last.parts):
        return None  # an argument was wrong: the model fixes it or asks the user
    returns = [p for p in last.parts if isinstance(p, ToolReturnPart)]
    if not returns or any(r.tool_call_id not in deps.answers for r in returns):
        return None
    words: list[str] = []
    for r in returns:
        said = deps.answers[r.tool_call_id].strip()
        if said and said not in words:
            words.append(said)
    return "\n".join(words)


@dataclass(init=False)
class ToolWording(WrapperModel):
    """The wrapped model for the first step of a run; the tools' own words for a step after tools ran."""

    deps: AssistantDeps

    def __init__(self, wrapped: Model, deps: AssistantDeps) -> None:
        super().__init__(wrapped)
        self.deps = deps

    async def request(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                      model_request_parameters: ModelRequestParameters) -> ModelResponse:
        answer = worded_answer(messages, self.deps)
        if answer is None:
            return await super().request(messages, model_settings, model_request_parameters)
        self.deps.worded = True
        return ModelResponse(parts=[TextPart(answer)], usage=RequestUsage(), model_name="tool-wording")
