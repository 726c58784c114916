"""The language model chosen in settings: OpenAI, Anthropic, or any OpenAI-compatible server by URL
(Ollama, llama.cpp server, vLLM). API keys come from the keyring only, stored with
``personal-agent accounts add --kind llm --name <provider>`` (names: openai, anthropic,
openai-compatible). Model failures become one clear spoken sentence."""

from __future__ import annotations

from collections.abc import Callable

from pydantic_ai import exceptions as exc
from pydantic_ai.models import Model

from agents.llm_settings import LlmSettings
from agents.strict_call import StrictFirstCall

DEFAULT_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-3-5-haiku-latest"}
SecretLookup = Callable[[str, str], str | None]


class LlmConfigError(Exception):
    """The model cannot be used as configured (missing key, model or URL); one line for the user."""


def build_model(settings: LlmSettings, secret: SecretLookup) -> Model | None:
    """The configured model, or None when ``llm.provider`` is ``none`` (local intents only)."""
    provider = settings.provider
    if provider == "none":
        return None
    if provider == "openai-compatible":
        if not settings.base_url:
            raise LlmConfigError("the language model server's address is not set: give its URL, "
                                  "e.g. http://127.0.0.1:11434/v1")
        if not settings.model:
            raise LlmConfigError("the language model's name is not set: give the model name the server serves")
        from openai import AsyncOpenAI
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

        ckey = secret("llm", "openai-compatible") or "not-needed"
        # one retry at most: a local server that answers 500 (a small model broke the tool-call grammar)
        # would otherwise be asked again and again in silence while the user waits
        client = AsyncOpenAI(base_url=settings.base_url, api_key=ckey, max_retries=1, timeout=settings.timeout_s)
        # a request's first step is held to one tool call by a JSON schema (agents/strict_call.py)
        return StrictFirstCall(OpenAIChatModel(settings.model, provider=OpenAICompatibleProvider(
            "openai-compatible", openai_client=client)))
    key = secret("llm", provider)
    if not key:
        raise LlmConfigError(
            f"no API key for {provider} is stored: add the {provider} account with its key in the accounts")
    if provider == "openai":
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        return OpenAIChatModel(settings.model or DEFAULT_MODELS["openai"],
                               provider=OpenAIProvider(api_key=key, base_url=settings.base_url))
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    return AnthropicModel(settings.model or DEFAULT_MODELS["anthropic"], provider=AnthropicProvider(api_key=key))


def model_error_message(error: BaseException, lang: str = "en") -> str:
    """A clear sentence about why the model could not answer."""
    de = lang == "de"
    status = error.status_code if isinstance(error, exc.ModelHTTPError) else None
    if isinstance(error, exc.ModelRateLimitError | exc.ModelQuotaExceededError) or status == 429:
        return ("Das Sprachmodell ist gerade ausgelastet (Limit erreicht)." if de
                else "The language model is rate limited right now.")
    if isinstance(error, exc.ModelAuthenticationError) or status in (401, 403):
        return ("Das Sprachmodell hat den Schlüssel abgelehnt; prüfe ihn in den Einstellungen unter Konten." if de
                else "The language model rejected the key; check it in the settings, under accounts.")
    if isinstance(error, exc.ModelTimeoutError | exc.ModelRequestTimeout | exc.RunTimedOut | TimeoutError):
        return "Das Sprachmodell hat nicht rechtzeitig geantwortet." if de else "The language model timed out."
    if isinstance(error, exc.ModelConnectionError | ConnectionError | OSError):
        return ("Ich erreiche das Sprachmodell nicht (kein Netz oder Server aus)." if de
                else "I can't reach the language model (no network or the server is down).")
    if isinstance(error, exc.UsageLimitExceeded):
        return ("Die Anfrage brauchte zu viele Schritte; ich habe abgebrochen." if de
                else "That request needed too many steps, so I stopped.")
    if isinstance(error, LlmConfigError):  # which setting is at fault goes to the log, not into speech
        return ("Das Sprachmodell ist nicht fertig eingerichtet; prüfe es in den Einstellungen." if de
                else "The language model is not set up completely; check it in the settings.")
    if isinstance(error, exc.ModelAPIError | exc.UnexpectedModelBehavior):
        return "Das Sprachmodell hat einen Fehler gemeldet." if de else "The language model returned an error."
    return "Das Sprachmodell ist nicht verfügbar." if de else "The language model is not available."


MODEL_ERRORS: tuple[type[BaseException], ...] = (
    exc.AgentRunError, exc.UserError, LlmConfigError, ConnectionError, TimeoutError, OSError,
)
