"""Who is asking: one answer for history, audit events, rate limits and data policies."""

from __future__ import annotations

import getpass
import os
from typing import Mapping


def current_user(environ: Mapping[str, str] | None = None) -> str:
    """``JUPYTERHUB_USER`` when set, else the operating-system user (``uid:N`` when it has no name)."""
    env = os.environ if environ is None else environ
    if env.get("JUPYTERHUB_USER"):
        return env["JUPYTERHUB_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"
