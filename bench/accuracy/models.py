"""The model of a benchmark run: responses served from a replay file, the live model only on a miss.

Every response the live model gives is appended to the file (the product's
:class:`~vanna_magic.core.llm.ReplayModel` in record mode), so a rerun (to resume, or to score
again after a change to the scorer) costs no model time. ``failures`` counts calls that got no
response at all (the server down, a replay miss offline): the runner retries those questions
on the next run instead of counting them as wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

from vanna_magic.core.errors import ReplayMissError
from vanna_magic.core.llm import Completion, LanguageModel, ReplayModel


class CachedModel:
    def __init__(self, path: Path, name: str, live: LanguageModel | None):
        self.name = name
        self.path = Path(path)
        self._replay = ReplayModel(self.path, model_name=name, inner=None, mode="replay")
        self._record = ReplayModel(self.path, model_name=name, inner=live, mode="record") if live else None
        self.failures = 0
        self.live_calls = 0
        self.replayed = 0
        self.prompts: list[int] = []  # prompt tokens of each answered call; the runner clears it per question

    def complete(self, messages: list[dict]) -> Completion:
        try:
            completion = self._replay.complete(messages)
            self.replayed += 1
            self.prompts.append(completion.prompt_tokens)
            return completion
        except ReplayMissError:
            if self._record is None:
                self.failures += 1
                raise
        try:
            completion = self._record.complete(messages)
        except Exception:
            self.failures += 1
            raise
        self.live_calls += 1
        self.prompts.append(completion.prompt_tokens)
        return completion


def live_model(name: str, *, api_base: str | None, timeout: float, retries: int) -> LanguageModel:
    """A litellm model; a local OpenAI-compatible server gets a placeholder key when no key is set."""
    from vanna_magic.core.config import api_key
    from vanna_magic.core.llm import LiteLLMModel

    key = api_key() or ("no-key" if api_base and not os.environ.get("OPENAI_API_KEY") else None)
    return LiteLLMModel(name, api_base=api_base, api_key=key, timeout=timeout, retries=retries, temperature=0.0)
