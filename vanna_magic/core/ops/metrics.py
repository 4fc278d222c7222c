"""``%vanna metrics``: what this process counted, and the error rate of the last 24 hours from the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..errors import VannaError
from ..status import LastDay, Latency, MetricsSnapshot

if TYPE_CHECKING:
    from .health import Metrics
    from .store import Store


def metrics_snapshot(metrics: "Metrics", store: "Store", clock: Callable[[], float]) -> MetricsSnapshot:
    """Counts, latencies, tokens and cost since the process started; attempts and errors of the last day."""
    counted = metrics.snapshot(clock)
    try:
        last_day = LastDay(**store.error_rate(86400.0))
    except VannaError as exc:
        last_day = LastDay(problem=exc.message)
    latency = {stage: Latency(**values) for stage, values in counted.pop("latency").items()}
    return MetricsSnapshot(latency=latency, last_24h=last_day, **counted)
