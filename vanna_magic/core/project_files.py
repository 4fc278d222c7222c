"""Saving a first-run setup: settings into ``[tool.vanna_magic]``, secrets into a ``.env``.

Settings that are not secret go to the project's ``pyproject.toml`` (edited with tomlkit,
so every other byte of the file stays as it was); secrets (API keys, a connection URL
that carries a password) go to a ``.env`` file readable by its owner only. Both files
are written to a temporary file in the same folder and moved into place, so a reader
never sees half a file.

>>> split_secrets({"model": "openai/gpt-4o-mini", "connection": "postgresql://ann:pw@db/sales"}, api_key="sk-1")
({'model': 'openai/gpt-4o-mini'}, {'VANNA_MAGIC_CONNECTION': 'postgresql://ann:pw@db/sales', 'OPENAI_API_KEY': 'sk-1'})
"""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from .config import ENV_PREFIX, Settings, redact, setting_names
from .errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TABLE = "[tool.vanna_magic]"


def key_variable(model: str | None) -> str:
    """The environment variable that holds the API key for ``model``: the provider's own when litellm has one.

    >>> key_variable("anthropic/claude-3-5-haiku-latest"), key_variable("ollama/qwen2.5-coder")
    ('ANTHROPIC_API_KEY', 'VANNA_MAGIC_API_KEY')
    """
    from .generate.model import provider_key_variable

    return provider_key_variable(model or "") or ENV_PREFIX + "API_KEY"


def split_secrets(values: Mapping[str, str | None], *, api_key: str | None = None) -> tuple[dict, dict]:
    """``(settings, secrets)``: what may go into pyproject.toml, and what must go to the environment.

    Empty values are dropped. A value that carries a password (a URL with ``user:password@``)
    becomes the environment variable ``VANNA_MAGIC_<NAME>``; the API key becomes the
    variable of the model's provider (:func:`key_variable`).
    """
    settings: dict[str, str] = {}
    secrets: dict[str, str] = {}
    for name, value in values.items():
        text = (value or "").strip()
        if not text:
            continue
        if redact(text, environ={}) != text:
            secrets[ENV_PREFIX + name.upper()] = text
        else:
            settings[name] = text
    if api_key and api_key.strip():
        secrets[key_variable(values.get("model"))] = api_key.strip()
    return settings, secrets


def save_settings(path: Path, values: Mapping[str, str]) -> None:
    """Set ``values`` in ``[tool.vanna_magic]`` of the TOML file ``path`` (created when missing).

    The values are validated as settings first; a file that is not valid TOML is an error and
    is left untouched; everything outside the changed keys is kept byte for byte.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    unknown = sorted(set(values) - set(setting_names()))
    if unknown:
        raise ConfigurationError(f"unknown setting {unknown[0]!r}", setting=unknown[0], stage="setup")
    checked = Settings().replace(**values)  # the same checks as every other source of settings
    typed = {name: getattr(checked, name) for name in values}  # max_rows = 50, not "50"
    text = _read_text(path) if path.exists() else ""
    try:
        tomllib.loads(text)  # tomlkit accepts a few things TOML does not; the loader of the settings decides
        document = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, TOMLKitError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}", stage="setup",
                                 hint="Fix its TOML syntax, then save again; the file was not changed.") from None
    tool = document.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document["tool"] = tool
    if not isinstance(tool, dict):
        raise ConfigurationError(f"{path}: tool is not a table", stage="setup",
                                 hint="Make [tool] a table, then save again; the file was not changed.")
    section = tool.get("vanna_magic")
    if section is None:
        section = tomlkit.table()
        for name, value in typed.items():
            section[name] = value
        section.add(tomlkit.nl())
        tool["vanna_magic"] = section
    elif not isinstance(section, dict):
        raise ConfigurationError(f"{path}: {TABLE} is not a table", stage="setup",
                                 hint="Make it a table, then save again; the file was not changed.")
    else:
        for name, value in typed.items():
            section[name] = value
    written = tomlkit.dumps(document)
    if written.endswith("\n\n") and not text.endswith("\n\n"):  # a new table at the very end needs no blank after
        written = written.rstrip("\n") + "\n"
    _replace(path, _newlines_of(text, written), mode=_mode(path, 0o644))


def merge_env(path: Path, values: Mapping[str, str]) -> None:
    """Set ``values`` in the ``.env`` file ``path``: existing keys updated in place, other lines kept.

    The file is written with mode 0600 (its owner only), whatever it had before.
    """
    from dotenv.parser import parse_stream

    for key, value in values.items():
        if "\n" in value or "\r" in value or "\0" in value:
            raise ConfigurationError(f"the value for {key} contains a line break", stage="setup",
                                     hint="Paste the key on one line.")
    refuse_unignored(path)
    text = _read_text(path) if path.exists() else ""
    pending = dict(values)
    out: list[str] = []
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        if binding.key in pending and not binding.error:
            body = original.lstrip()
            lead = original[:len(original) - len(body)]
            end = body[len(body.rstrip("\r\n")):]
            out.append(f"{lead}{_env_line(binding.key, pending.pop(binding.key))}{end}")
        else:
            out.append(original)
    merged = "".join(out)
    if pending and merged and not merged.endswith("\n"):
        merged += "\n"
    merged += "".join(_env_line(key, value) + "\n" for key, value in pending.items())
    _replace(path, _newlines_of(text, merged), mode=0o600)


def refuse_unignored(path: Path) -> None:
    """Refuse to put secrets in a file git tracks, or would track: the error names the line to add.

    Outside a git work tree (or without git) there is nothing to refuse.
    """
    folder = path.parent if path.parent.is_dir() else Path.cwd()
    root = _git(folder, "rev-parse", "--show-toplevel")
    if root is None or root.returncode != 0:
        return
    top = Path(root.stdout.strip())
    shown = os.path.relpath(path.absolute(), top)
    tracked = _git(folder, "ls-files", "--error-unmatch", "--", str(path.absolute()))
    if tracked is not None and tracked.returncode == 0:
        raise ConfigurationError(
            f"{path} is tracked by git: an API key written there would be committed", stage="setup",
            hint=f"Untrack it (git rm --cached {shown}), add the line '{path.name}' to {top / '.gitignore'}, "
                 "then save again; nothing was written.")
    ignored = _git(folder, "check-ignore", "-q", "--", str(path.absolute()))
    if ignored is not None and ignored.returncode != 0:
        raise ConfigurationError(
            f"{path} is not ignored by git: an API key written there could be committed", stage="setup",
            hint=f"Add the line '{path.name}' to {top / '.gitignore'}, then save again; nothing was written.")


def _git(folder: Path, *args: str) -> "subprocess.CompletedProcess[str] | None":
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _newlines_of(original: str, text: str) -> str:
    """``text`` with the lines it adds ending as ``original``'s do (CRLF files stay CRLF throughout)."""
    if "\r\n" in original and not re.search(r"(?<!\r)\n", original):
        return re.sub(r"(?<!\r)\n", "\r\n", text)
    return text


def _env_line(key: str, value: str) -> str:
    """``KEY='value'`` (single quotes keep a value literal in python-dotenv), or double-quoted with escapes."""
    if "'" not in value:
        return f"{key}='{value}'"
    return '{}="{}"'.format(key, value.replace("\\", "\\\\").replace('"', '\\"'))


def _read_text(path: Path) -> str:
    """The file as it is: no newline translation, so CRLF files stay CRLF."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}", stage="setup",
                                 hint="Check the file and its permissions; it was not changed.") from None


def _mode(path: Path, default: int) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return default


def _replace(path: Path, text: str, *, mode: int) -> None:
    """Write ``text`` to a temporary file beside ``path`` and move it over ``path`` in one step."""
    folder = path.parent
    if not folder.is_dir():
        raise ConfigurationError(f"the folder {folder} does not exist", stage="setup",
                                 hint="Create it first, or name a file in an existing folder.")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}-", suffix=".tmp")
    except OSError as exc:
        raise ConfigurationError(f"cannot write to {folder}: {exc.strerror}", stage="setup",
                                 hint="Check the folder's permissions.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
