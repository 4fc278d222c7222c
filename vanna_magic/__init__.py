"""vanna-magic: ask questions of your database from a Jupyter notebook.

``%load_ext vanna_magic`` registers ``%%ask``, ``%%vsql`` and ``%vanna``;
from Python, ``Session().ask("...")`` returns an :class:`Answer`.
"""

from .core.answer import Answer
from .core.errors import (
    ConfigurationError,
    DatabaseConnectionError,
    ExecutionError,
    FirewallError,
    GenerationError,
    KnowledgeBaseError,
    ModelNotConfiguredError,
    QueryTimeoutError,
    RateLimitError,
    ReplayMissError,
    VannaError,
)
from .core.session import Session

__version__ = "0.1.0"


def load_ipython_extension(ipython):  # noqa: D103 - IPython's extension hook
    from .jupyter import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):  # noqa: D103
    from .jupyter import unload_ipython_extension as unload

    unload(ipython)


def _jupyter_labextension_paths():  # JupyterLab's hook: where the built sidebar lives (for labextension develop)
    return [{"src": "labextension", "dest": "vanna-magic"}]


__all__ = [
    "Answer",
    "Session",
    "VannaError",
    "ConfigurationError",
    "DatabaseConnectionError",
    "ExecutionError",
    "FirewallError",
    "GenerationError",
    "KnowledgeBaseError",
    "ModelNotConfiguredError",
    "QueryTimeoutError",
    "RateLimitError",
    "ReplayMissError",
    "__version__",
]
