"""The health report: every part probed now, the health score and the operational mode, as a :class:`Status`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..config import redact
from ..errors import VannaError
from ..status import BreakerState, KnowledgeSummary, Status, StoreState
from .health import NO_MODEL, OPEN, operational_mode, score
from .metrics import metrics_snapshot

if TYPE_CHECKING:
    from ..config import Settings
    from ..knowledge.base import KnowledgeBase
    from .health import Health
    from .store import Store


def health_report(*, connection: str | None, demo: bool, dialect: str | None, tables: int | None,
                  database_error: str | None, model: Any, settings: "Settings", knowledge_base: "KnowledgeBase",
                  index: Callable[[], Any], health: "Health", store: "Store",
                  clock: Callable[[], float]) -> Status:
    """Probe the model, the index (``index()`` searches it once) and the store, and build the status.

    The database was probed by the caller: ``database_error`` is None when it answered.
    """
    database = database_error is None
    model_name = getattr(model, "name", None) if model is not None else None
    model_breaker = health.breakers["model"]
    model_error = probe_model(model) if model_name is not None and model_breaker.state != OPEN else None
    model_ok = model_name is not None and model_breaker.state != OPEN and model_error is None
    try:
        health.call("index", index)
        index_ok, index_error = True, None
    except Exception as exc:  # any failure of the index is what this probe is for
        index_ok, index_error = False, getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    store_ok = store.ping()
    parts = {"database": database, "model": model_ok, "index": index_ok, "store": store_ok}
    reason = (NO_MODEL if model_name is None
              else f"the model is unavailable: {model_error or model_breaker.last_error}")
    mode = operational_mode(database=database, configured=bool(settings.connection), model=model_ok,
                            index=index_ok, database_error=(database_error or "").split("\n")[0],
                            model_reason=reason)
    breakers = {name: BreakerState(**breaker.snapshot()) for name, breaker in health.breakers.items()}
    return Status(
        mode=mode.name, mode_reason=mode.reason, unavailable=mode.unavailable, next_step=mode.next_step,
        health_score=score(parts), parts=parts, connection=connection, demo=demo,
        database="ok" if database else "unreachable", dialect=dialect, tables=tables, database_error=database_error,
        model=model_name, replay_file=settings.replay_file,
        knowledge_base=KnowledgeSummary.of(knowledge_base),
        index_error=index_error, breakers=breakers, store=StoreState(str(store.path), store_ok, store.problem),
        metrics=metrics_snapshot(health.metrics, store, clock))


def probe_model(model: Any, timeout: float = 2.0) -> str | None:
    """Why the model cannot answer now, or None; never spends tokens.

    A replay file must be readable; a server at ``api_base`` must answer HTTP (any status:
    ``GET /models`` needs no completion); a hosted provider is trusted until its breaker opens.
    """
    import urllib.error
    import urllib.request

    from ..generate.model import LiteLLMModel
    from ..generate.replay import ReplayModel

    if isinstance(model, ReplayModel) and model.mode == "replay":
        try:
            model.records()
        except VannaError as exc:
            return exc.message
        return None
    if isinstance(model, ReplayModel):
        model = model.inner
    if not isinstance(model, LiteLLMModel) or not model.api_base:
        return None
    url = model.api_base.rstrip("/") + "/models"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return None  # it answered: reachable, whatever it thinks of the request
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"the model server at {redact(model.api_base)} does not answer ({reason})"
    return None
