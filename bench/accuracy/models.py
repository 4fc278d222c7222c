"""The model of a benchmark run: responses served from a replay file, the live model only on a miss.

Every response the live model gives is appended to the file (the product's
:class:`~vanna_magic.core.generate.replay.ReplayModel` in record mode), so a rerun (to resume, or to score
again after a change to the scorer) costs no model time. ``failures`` counts calls that got no
response at all (the server down, a replay miss offline): the runner retries those questions
on the next run instead of counting them as wrong.

A model that samples (temperature above 0, for self-consistency) answers the same prompt
differently each time: with ``samples`` on, the n-th identical prompt of a question is the n-th
sample and is recorded under its own key, so a rerun replays every candidate, not the first one n times.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from vanna_magic.core.errors import ReplayMissError
from vanna_magic.core.generate.model import Completion, LanguageModel
from vanna_magic.core.generate.replay import ReplayModel, replay_key


class CachedModel:
    def __init__(self, path: Path, name: str, live: LanguageModel | None, *, samples: bool = False):
        self.name = name
        self.samples = samples
        self.path = Path(path)
        self._replay = ReplayModel(self.path, model_name=name, inner=None, mode="replay")
        self._record = ReplayModel(self.path, model_name=name, inner=live, mode="record") if live else None
        self.failures = 0
        self.live_calls = 0
        self.replayed = 0
        self.prompts: list[int] = []  # prompt tokens of each answered call of the current question
        self._asked: Counter[str] = Counter()  # prompts of the current question (samples: which one is next)

    def new_question(self) -> None:
        """Start a question: its prompt tokens and its samples are counted afresh."""
        self.prompts.clear()
        self._asked.clear()

    def complete(self, messages: list[dict], *, sample: int = 0) -> Completion:
        if self.samples and not sample:  # a model that samples every call: the n-th identical prompt is sample n
            key = replay_key(self.name, messages)
            sample = self._asked[key]
            self._asked[key] += 1
        try:
            completion = self._replay.complete(messages, sample=sample)
            self.replayed += 1
            self.prompts.append(completion.prompt_tokens)
            return completion
        except ReplayMissError:
            if self._record is None:
                self.failures += 1
                raise
        try:
            completion = self._record.complete(messages, sample=sample)
        except Exception:
            self.failures += 1
            raise
        self.live_calls += 1
        self.prompts.append(completion.prompt_tokens)
        return completion


def live_model(name: str, *, api_base: str | None, timeout: float, retries: int,
               temperature: float = 0.0, sample_temperature: float = 0.7) -> LanguageModel:
    """A litellm model; a local OpenAI-compatible server gets a placeholder key when no key is set."""
    from vanna_magic.core.config import api_key
    from vanna_magic.core.generate.model import LiteLLMModel

    key = api_key() or ("no-key" if api_base and not os.environ.get("OPENAI_API_KEY") else None)
    return LiteLLMModel(name, api_base=api_base, api_key=key, timeout=timeout, retries=retries, temperature=temperature,
                        sample_temperature=sample_temperature)
