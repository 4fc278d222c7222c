"""The per-user rate limit of model calls (setting ``rate_limit``, calls a minute, shared through the store)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .store import Store


def model_limiter(model: Any, store: "Store", user: str, rate_limit: int) -> Callable[[], None] | None:
    """What to call before each model call that reaches a provider; None for replayed and injected models (free)."""
    from ..generate.model import LiteLLMModel
    from ..generate.replay import ReplayModel

    metered = isinstance(model, LiteLLMModel) or (isinstance(model, ReplayModel) and model.mode == "record")
    if not metered:
        return None
    return lambda: store.acquire(user, rate_limit)
