"""Which errors are a part's own failure, the only ones its circuit breaker counts
(:mod:`vanna_magic.core.ops.health`): a database's lost or unanswered connection, a model's transport
error or timeout, an index that cannot be read; never the user's own query failing."""

from __future__ import annotations

from ..errors import VannaError


def is_database_failure(exc: BaseException) -> bool:
    """Lost, refused or unanswered connections: the server's fault. A timeout, a cancel or a SQL error is
    the query's own and says nothing about the server."""
    from ..errors import DatabaseConnectionError

    return isinstance(exc, DatabaseConnectionError)


def is_model_failure(exc: BaseException) -> bool:
    """Transport errors and timeouts of a model call; a replay miss or a bad setting is not the model failing."""
    from ..errors import ConfigurationError, GenerationError, QueryTimeoutError, RateLimitError, ReplayMissError

    if isinstance(exc, (ReplayMissError, ConfigurationError, RateLimitError)):
        return False
    return isinstance(exc, (GenerationError, QueryTimeoutError)) or not isinstance(exc, VannaError)


def is_index_failure(exc: BaseException) -> bool:
    """Errors loading, building or searching the vector index (ours are about other stages)."""
    return not isinstance(exc, VannaError)


FAILURES = {"database": is_database_failure, "model": is_model_failure, "index": is_index_failure}
