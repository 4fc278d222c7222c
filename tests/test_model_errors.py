"""A model that cannot answer says which of five things is wrong, and the fix for it."""

from __future__ import annotations

import pytest

from tests.test_llm import MESSAGES, failure, litellm, script  # noqa: F401 (fixtures)
from vanna_magic.core import errors
from vanna_magic.core.generate.model import LiteLLMModel


def complete(model: LiteLLMModel) -> errors.VannaError:
    with pytest.raises(errors.VannaError) as info:
        model.complete(MESSAGES)
    return info.value


@pytest.fixture
def no_keys(monkeypatch):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "VANNA_MAGIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)


# what litellm raises, whether a key is given, the api_base -> the words of the sentence, the words of the fix
CASES = {
    "missing key": ("APIConnectionError", None, None, "no API key is set for", "Set OPENAI_API_KEY"),
    "wrong key": ("AuthenticationError", "sk-wrong-000000", None, "API key was rejected", "valid key"),
    "unknown model": ("NotFoundError", "sk-ok-000000", None, "does not know the model", "Check the model name"),
    "unreachable server": ("APIConnectionError", None, "http://localhost:9", "could not reach http://localhost:9",
                           "Start the server"),
    "timeout": ("Timeout", "sk-ok-000000", None, "did not answer within", "MODEL_TIMEOUT"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_model_problem_has_its_own_sentence_and_fix(litellm, script, no_keys, case):  # noqa: F811
    kind, key, base, said, fix = CASES[case]
    script(failure(litellm, kind, "the provider's own words"))
    error = complete(LiteLLMModel("openai/gpt-4o-mini", api_key=key, api_base=base, retries=0))
    assert said in error.message and fix in error.hint, (error.message, error.hint)
    others = [c for c in CASES if c != case and CASES[c][3] in error.message]
    assert not others, f"{case} reads as {others}"


def test_a_key_in_the_environment_is_not_missing(litellm, script, no_keys, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-000000")
    script(failure(litellm, "APIConnectionError"))
    error = complete(LiteLLMModel("openai/gpt-4o-mini", retries=0))
    assert "no API key" not in error.message and "could not reach the openai API" in error.message


def test_a_local_server_needs_no_key(litellm, script, no_keys):  # noqa: F811
    script(failure(litellm, "APIConnectionError"))
    error = complete(LiteLLMModel("ollama/qwen2.5-coder", api_base="http://localhost:9", retries=0))
    assert "no API key" not in error.message and "Start the server" in error.hint


def test_a_refused_connection_reported_as_a_server_error_is_an_unreachable_server(litellm, script):  # noqa: F811
    refused = failure(litellm, "InternalServerError", "Connection error.")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    script(refused)
    error = complete(LiteLLMModel("openai/local", api_key="sk-1-000000", api_base="http://localhost:9", retries=0))
    assert "could not reach http://localhost:9" in error.message


def test_a_server_error_with_an_answer_is_not_an_unreachable_server(litellm, script):  # noqa: F811
    script(failure(litellm, "InternalServerError", "upstream failed"))
    error = complete(LiteLLMModel("openai/local", api_key="sk-1-000000", api_base="http://localhost:9", retries=0))
    assert "is unavailable" in error.message and "could not reach" not in error.message
