"""Test doubles for the engine's seams: ``from tests.fakes import FakeModel``."""

from __future__ import annotations

import copy
import threading
from typing import Callable, Sequence, Union

from vanna_magic.core.generate.model import Completion
from vanna_magic.core.generate.tokens import count_tokens

Response = Union[str, BaseException, type]


class FakeModel:
    """A :class:`~vanna_magic.core.generate.model.LanguageModel` that answers from a script.

    Args:
        responses: answers given in order (a string is returned, an exception raised),
            or a callable ``(messages) -> str`` that answers every call.
        name: the model name reported in each :class:`Completion`.

    ``calls`` holds a copy of the messages of every call, in order.
    """

    def __init__(self, responses: Sequence[Response] | Callable[[list[dict]], str], *, name: str = "fake/model"):
        self.name = name
        self._script = responses if callable(responses) else list(responses)
        self.calls: list[list[dict]] = []
        self.samples: list[int] = []  # the sample number of every call (0: the model's usual answer)
        self._lock = threading.Lock()

    def complete(self, messages: list[dict], *, sample: int = 0) -> Completion:
        with self._lock:
            self.samples.append(sample)
            self.calls.append(copy.deepcopy(messages))
            if callable(self._script):
                response: Response = self._script(messages)
            elif len(self.calls) > len(self._script):
                raise AssertionError(f"FakeModel got call {len(self.calls)} but was given only "
                                     f"{len(self._script)} responses")
            else:
                response = self._script[len(self.calls) - 1]
        if isinstance(response, BaseException) or (isinstance(response, type)
                                                   and issubclass(response, BaseException)):
            raise response
        text = str(response)
        return Completion(text=text, model=self.name,
                          prompt_tokens=sum(count_tokens(str(m.get("content") or "")) for m in messages),
                          completion_tokens=count_tokens(text), cost=None, elapsed=0.0)

    @property
    def questions(self) -> list[str]:
        """The question of each call, as the prompt builder wrote it."""
        from vanna_magic.core.generate.replay import question_of

        return [question_of(messages) for messages in self.calls]
