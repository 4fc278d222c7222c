"""One call interface over litellm: retries with backoff inside one deadline, accounting.

A :class:`LanguageModel` is anything with a ``name`` and ``complete(messages)``;
:class:`LiteLLMModel` calls a real provider; :mod:`vanna_magic.core.generate.replay` serves (or
records) responses from a JSONL file so notebooks run in CI without a model.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .. import errors
from ..config import redact
from ..errors import ConfigurationError, GenerationError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock is all we have
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    pass

QUESTION_HEADING = "### Question"  # the prompt builder puts the user's question after this line
_MAX_BACKOFF = 30.0  # seconds; the longest wait between two attempts
_MAX_RETRY_AFTER = 120.0  # a provider's Retry-After is honoured up to this
_MIN_ATTEMPT = 0.5  # seconds; a retry that would leave an attempt less than this is not made
_ABANDON_AFTER = 0.5  # seconds past its budget after which a call still running is abandoned
_KEY_ENV = {
    "openai": "OPENAI_API_KEY", "text-completion-openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY",
    "azure": "AZURE_API_KEY", "gemini": "GEMINI_API_KEY", "mistral": "MISTRAL_API_KEY", "groq": "GROQ_API_KEY",
    "cohere": "COHERE_API_KEY", "deepseek": "DEEPSEEK_API_KEY", "openrouter": "OPENROUTER_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY", "fireworks_ai": "FIREWORKS_AI_API_KEY", "xai": "XAI_API_KEY",
}


@dataclass(frozen=True)
class Completion:
    """A model's answer with its token usage, cost (``None`` when unknown) and time taken."""

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: float | None
    elapsed: float
    replayed: bool = False


class LanguageModel(Protocol):
    """The one-method seam every model (real, replayed, fake) implements."""

    name: str

    def complete(self, messages: list[dict], *, sample: int = 0) -> Completion:
        """The answer to ``messages``; ``sample`` n > 0 asks for the n-th sample of the same prompt, drawn at the
        model's sampling temperature (self-consistency), where 0 is its usual answer."""
        ...


class LiteLLMModel:
    """A model reached through litellm (``"openai/gpt-4o-mini"``, ``"ollama/qwen2.5-coder"``...).

    Transient failures (rate limits, lost connections, 5xx, timeouts) are retried
    ``retries`` times with exponential backoff; ``sleep`` and ``clock`` are seams for tests.
    """

    def __init__(self, model: str, *, api_base: str | None = None, api_key: str | None = None,
                 timeout: float = 60.0, retries: int = 3, temperature: float = 0.0, sample_temperature: float = 0.7,
                 backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.perf_counter):
        if not model or not model.strip():
            raise ConfigurationError("the model name is empty", setting="model",
                                     hint="Set VANNA_MAGIC_MODEL to a litellm model string, e.g. openai/gpt-4o-mini.")
        self.name = model.strip()
        self.api_base = api_base
        self._api_key = api_key
        self.timeout = timeout
        self.retries = max(int(retries), 0)
        self.temperature = temperature
        self.sample_temperature = sample_temperature
        self.backoff = backoff
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"LiteLLMModel({self.name!r}, api_base={self.api_base!r})"

    def complete(self, messages: list[dict], *, sample: int = 0) -> Completion:
        """Send ``messages`` and return the answer; raises only :mod:`~vanna_magic.core.errors` types.

        ``timeout`` is the whole wait: every attempt gets what is left of it, a backoff that would
        not leave an attempt at least :data:`_MIN_ATTEMPT` seconds ends the retries, and an attempt
        that outlives the budget (a server trickling bytes) is abandoned.
        ``sample`` > 0: one sample at ``sample_temperature`` (see :class:`LanguageModel`).
        """
        litellm = _litellm()
        start = self._clock()
        deadline = start + self.timeout
        temperature = self.sample_temperature if sample else self.temperature
        attempts = 0
        while True:
            attempts += 1
            try:
                response = self._attempt(litellm, messages, temperature, deadline)
                break
            except errors.QueryCancelledError:
                raise
            except Exception as exc:
                wait = self._wait(attempts, exc) if isinstance(exc, _transient(litellm)) else None
                if wait is None or attempts > self.retries or deadline - self._clock() - wait < _MIN_ATTEMPT:
                    raise self._convert(litellm, exc, attempts) from exc
                self._sleep(wait)
        return self._completion(litellm, response, messages, self._clock() - start)

    def _attempt(self, litellm: Any, messages: list[dict], temperature: float, deadline: float) -> Any:
        """One call with what is left of the budget; a call still running past it is abandoned."""
        left = max(deadline - self._clock(), 0.0)
        if left <= 0:
            raise litellm.Timeout(message="no time left", model=self.name, llm_provider="")
        return _within(left + _ABANDON_AFTER, lambda: self._call(litellm, messages, temperature, left),
                       lambda: litellm.Timeout(message=f"no answer within {left:.1f} s", model=self.name,
                                               llm_provider=""))

    def _call(self, litellm: Any, messages: list[dict], temperature: float | None = None,
              timeout: float | None = None) -> Any:
        from ..ops import run

        # max_retries=0: our backoff is the only retry layer, so `retries` means what it says.
        options = dict(model=self.name, messages=messages, api_base=self.api_base, api_key=self._api_key,
                       timeout=self.timeout if timeout is None else timeout,
                       temperature=self.temperature if temperature is None else temperature, max_retries=0)
        if not run.wants_text():
            return litellm.completion(**options)
        # Someone shows the answer as it is written: stream it, then assemble the usual response.
        chunks = []
        # No stream_options: some OpenAI-compatible servers refuse it; litellm counts the usage itself.
        for chunk in litellm.completion(**options, stream=True):
            chunks.append(chunk)
            choices = getattr(chunk, "choices", None) or []
            piece = getattr(getattr(choices[0], "delta", None), "content", None) if choices else None
            if piece:
                run.model_text(piece)
        return litellm.stream_chunk_builder(chunks, messages=messages)

    def _wait(self, attempt: int, exc: BaseException) -> float:
        delay = min(_MAX_BACKOFF, self.backoff * 2 ** (attempt - 1))
        after = retry_after(exc)
        return min(max(delay, after), _MAX_RETRY_AFTER) if after else delay

    def _completion(self, litellm: Any, response: Any, messages: list[dict], elapsed: float) -> Completion:
        from .tokens import count_tokens

        choices = getattr(response, "choices", None) or []
        if not choices:
            raise GenerationError(f"the model {self.name} returned no answer", hint="Rerun the cell.")
        text = choices[0].message.content or ""
        usage = getattr(response, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        completion_tokens = getattr(usage, "completion_tokens", None)
        # Some servers report no usage; our own count is then the best estimate there is.
        # A stream assembled without the server's usage reports zeros: count those too.
        if not prompt_tokens:
            prompt_tokens = sum(count_tokens(str(m.get("content") or "")) for m in messages)
        if not completion_tokens and text:
            completion_tokens = count_tokens(text)
        completion_tokens = completion_tokens or 0
        try:
            cost = litellm.completion_cost(completion_response=response)
        except Exception:  # unknown prices must never fail an answer
            cost = None
        return Completion(text=text, model=self.name, prompt_tokens=int(prompt_tokens),
                          completion_tokens=int(completion_tokens),
                          cost=float(cost) if cost is not None else None, elapsed=elapsed)

    def _scrub(self, text: str) -> str:
        text = redact(str(text))
        if self._api_key and len(self._api_key) >= 4:
            text = text.replace(self._api_key, "***")
        return text if len(text) <= 500 else text[:500] + "..."

    def _missing_key(self) -> str | None:
        """The variable to set when this model's provider needs a key and none is given (a server of one's own,
        named by ``api_base``, may need none)."""
        variable = provider_key_variable(self.name)
        if self._api_key or self.api_base or variable is None or _key_is_set(variable):
            return None
        return variable

    def _convert(self, litellm: Any, exc: Exception, attempts: int = 1) -> errors.VannaError:
        """The package's error for a failed call, classified by exception type and by whether a key was given
        (never by the provider's wording): no key, a rejected key, an unknown model, no server, a timeout..."""
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        if isinstance(exc, litellm.Timeout):
            return errors.QueryTimeoutError(
                f"the model did not answer within {self.timeout:g} s{tries}", stage="generate",
                seconds=self.timeout, hint="Raise VANNA_MAGIC_MODEL_TIMEOUT (%config VannaMagic.model_timeout) "
                "or use a faster model.")
        if isinstance(exc, litellm.RateLimitError):
            after = retry_after(exc)
            return errors.RateLimitError(
                f"the model provider is rate limiting requests for {self.name}{tries}", retry_after=after,
                hint=f"Wait {after:g} s and rerun the cell." if after else "Wait a minute and rerun the cell.")
        missing = self._missing_key()
        if missing is not None and not isinstance(exc, litellm.Timeout):
            return GenerationError(
                f"no API key is set for {self.name}", setting="api_key",
                hint=f"Set {missing} (or VANNA_MAGIC_API_KEY), e.g. in the project's .env or in %vanna setup's "
                     "API key box, then rerun.")
        if isinstance(exc, litellm.AuthenticationError):
            provider = _provider(self.name, exc)
            var = _KEY_ENV.get(provider, f"{provider.upper().replace('-', '_')}_API_KEY")
            return GenerationError(
                f"the API key was rejected by {provider} for model {self.name}",
                hint=f"Set {var} (or VANNA_MAGIC_API_KEY) to a valid key, e.g. in the project's .env, then rerun.")
        if isinstance(exc, litellm.NotFoundError):
            return GenerationError(f"the provider does not know the model {self.name}: {self._scrub(exc)}",
                                   hint="Check the model name: a litellm model string such as openai/gpt-4o-mini, "
                                        "as the provider spells it.")
        if _unreachable(litellm, exc):  # nothing answered at all, after the retries
            where = redact(self.api_base) if self.api_base else f"the {_provider(self.name, exc)} API"
            return GenerationError(f"could not reach {where} for {self.name}{tries}: {self._scrub(exc)}",
                                   hint="Start the server, or correct the API base (VANNA_MAGIC_API_BASE, "
                                        "%config VannaMagic.api_base), then rerun.")
        if isinstance(exc, _transient(litellm)):  # server errors, after the retries
            where = f" at {redact(self.api_base)}" if self.api_base else ""
            return GenerationError(f"the model {self.name}{where} is unavailable{tries}: {self._scrub(exc)}",
                                   hint="Check that the server is running and VANNA_MAGIC_API_BASE is right, "
                                        "or rerun later.")
        if isinstance(exc, litellm.ContextWindowExceededError):
            return GenerationError(f"the prompt is too long for {self.name}: {self._scrub(exc)}",
                                   hint="Lower VANNA_MAGIC_PROMPT_BUDGET (%config VannaMagic.prompt_budget).")
        return GenerationError(f"the model {self.name} failed: {self._scrub(exc)}",
                               hint="Check the model name (a litellm model string such as openai/gpt-4o-mini) "
                                    "and its settings.")


def _unreachable(litellm: Any, exc: BaseException) -> bool:
    """Whether nothing answered at the address: litellm reports a refused connection as a server error, so the
    chain of causes is read for the connection's own error (by type)."""
    import socket

    import httpx

    kinds = (litellm.APIConnectionError, ConnectionError, socket.gaierror, httpx.ConnectError)
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, kinds):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def _key_is_set(variable: str) -> bool:
    return bool(os.environ.get(variable) or os.environ.get("VANNA_MAGIC_API_KEY"))


def _within(seconds: float, call: Callable[[], Any], late: Callable[[], BaseException]) -> Any:
    """``call()``'s result, or ``late()`` raised when it has not returned within ``seconds`` (it is then
    abandoned in its daemon thread: a socket read cannot be interrupted from outside). A cancelled run
    stops waiting at once."""
    from ..ops import run

    worker = run.Background(call, "vanna-magic-model")  # the run's progress and cancel flag go with the call
    done = worker.done
    current = run.current()
    until = time.monotonic() + seconds
    while not done.wait(min(0.1, max(until - time.monotonic(), 0))):
        if current is not None and current.cancelled.is_set():
            raise errors.QueryCancelledError("cancelled while waiting for the model", stage="generate")
        if time.monotonic() >= until:
            raise late()
    return worker.result()


def _litellm() -> Any:
    # The price table ships with litellm; never fetch it from the network.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True  # it prints provider lists to stdout on errors
    try:  # the OpenAI client's resources load on a first call (seconds): here, before any call's budget starts
        import openai.resources  # noqa: F401
    except ImportError:  # pragma: no cover - litellm without the openai SDK: nothing to load ahead
        pass
    return litellm


def _transient(litellm: Any) -> tuple[type[BaseException], ...]:
    return (litellm.RateLimitError, litellm.APIConnectionError, litellm.ServiceUnavailableError,
            litellm.InternalServerError, litellm.Timeout, litellm.BadGatewayError)


def _provider(model: str, exc: BaseException) -> str:
    provider = getattr(exc, "llm_provider", None)
    if isinstance(provider, str) and provider:
        return provider
    return model.split("/", 1)[0] if "/" in model else "openai"


def provider_key_variable(model: str) -> str | None:
    """The API-key variable litellm reads for ``model``'s provider (``OPENAI_API_KEY``...), None when unknown."""
    provider = model.split("/", 1)[0] if "/" in model else ("openai" if model.strip() else "")
    return _KEY_ENV.get(provider)


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds from a provider's ``Retry-After`` header, when the error carries one."""
    for headers in (getattr(exc, "headers", None), getattr(getattr(exc, "response", None), "headers", None)):
        try:
            value = headers.get("retry-after") if headers is not None else None
            seconds = float(value) if value is not None else None
        except (TypeError, ValueError, AttributeError):
            continue
        if seconds is not None and seconds > 0:
            return seconds
    return None
