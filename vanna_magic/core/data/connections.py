"""Named connections: ``[tool.vanna_magic.connections.NAME]`` tables with secrets kept out of the repository.

A connection is a table with a ``url`` and, optionally, a separate ``password`` and a
``description``. Values may use ``${ENV_VAR}`` (read from the environment or ``.env``) or be
written whole as ``ENC(token)``: a Fernet token that :func:`encrypt` produces and only the
key can open. The key lives outside the repository, in ``VANNA_MAGIC_SECRET`` or the key file
(``$XDG_CONFIG_HOME/vanna-magic/key``, else ``~/.config/vanna-magic/key``, or
``VANNA_MAGIC_KEY_FILE``). Definitions come from the nearest ``pyproject.toml`` and from a
connections file (``[connections.NAME]`` tables, the ``connections_file`` setting, default
``~/.config/vanna-magic/connections.toml``); the project's definition of a name wins.

Every error names the connection and the field, never the value.

>>> conns = {"warehouse": Connection("warehouse", "postgresql://ann@db/sales", "${PGPW}", source="example")}
>>> resolve("warehouse", conns, environ={"PGPW": "s3cret"})
'postgresql://ann:s3cret@db/sales'
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..config import find_pyproject
from ..errors import ConfigurationError
from ..extras import require

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SECRET_ENV = "VANNA_MAGIC_SECRET"
KEY_FILE_ENV = "VANNA_MAGIC_KEY_FILE"
_FIELDS = {"url", "password", "description"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ENCRYPTED = re.compile(r"ENC\((.*)\)\Z", re.DOTALL)
_HOW_TO_DEFINE = ('Define it as [tool.vanna_magic.connections.{name}] with url = "..." in pyproject.toml, '
                  "or as [connections.{name}] in the connections file.")


@dataclass(frozen=True)
class Connection:
    """One named connection as written: values may still hold ``${VAR}`` and ``ENC(...)``."""

    name: str
    url: str
    password: str | None = None
    description: str | None = None
    source: str = ""

    def shown_url(self) -> str:
        """The URL with any password hidden, without decrypting or reading the environment."""
        if _ENCRYPTED.match(self.url.strip()):
            return "(encrypted URL)"
        from ..config import redact

        return redact(self.url)


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The user's configuration folder for vanna-magic (outside any repository)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "vanna-magic"


def key_file(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env[KEY_FILE_ENV]).expanduser() if env.get(KEY_FILE_ENV) else config_dir(env) / "key"


def default_connections_file(environ: Mapping[str, str] | None = None) -> Path:
    return config_dir(environ) / "connections.toml"


def load_connections(*, start: Path | None = None, connections_file: str | Path | None = None,
                     environ: Mapping[str, str] | None = None) -> dict[str, Connection]:
    """Every named connection: the connections file first, then the nearest ``pyproject.toml`` over it."""
    found: dict[str, Connection] = {}
    path = Path(connections_file).expanduser() if connections_file else default_connections_file(environ)
    if path.is_file() or connections_file:
        if not path.is_file():
            raise ConfigurationError(f"the connections file {path} does not exist", setting="connections_file",
                                     hint="Create it, or unset connections_file.")
        found.update(_parse(_read_toml(path).get("connections", {}), f"{path} [connections]"))
    pyproject = find_pyproject(start if start is not None else Path.cwd())
    if pyproject is not None:
        section = _read_toml(pyproject).get("tool", {}).get("vanna_magic", {})
        if isinstance(section, dict):
            found.update(_parse(section.get("connections", {}), f"{pyproject} [tool.vanna_magic.connections]"))
    return found


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}", hint="Fix the TOML syntax of that file.") from exc


def _parse(tables: Any, source: str) -> dict[str, Connection]:
    if not isinstance(tables, dict):
        raise ConfigurationError(f"{source} must be a table of tables", hint=_HOW_TO_DEFINE.format(name="NAME"))
    found = {}
    for name, table in tables.items():
        where = f"connection {name!r} in {source}"
        if not _NAME.match(name):
            raise ConfigurationError(f"{where}: the name must be letters, digits, '_', '-' or '.'",
                                     hint="Rename the table, e.g. [tool.vanna_magic.connections.warehouse].")
        if not isinstance(table, dict):
            raise ConfigurationError(f"{where} must be a table", hint=_HOW_TO_DEFINE.format(name=name))
        unknown = sorted(set(table) - _FIELDS)
        if unknown:
            raise ConfigurationError(f"{where} has unknown keys {', '.join(unknown)}",
                                     hint=f"A connection takes {', '.join(sorted(_FIELDS))}.")
        for key in _FIELDS & set(table):
            if not isinstance(table[key], str):
                raise ConfigurationError(f"{where}: {key} must be a string", hint=f'Write {key} = "...".')
        if not table.get("url", "").strip():
            raise ConfigurationError(f"{where} has no url", hint=_HOW_TO_DEFINE.format(name=name))
        found[name] = Connection(name, table["url"].strip(), table.get("password"), table.get("description"),
                                 source)
    return found


def is_url(value: str) -> bool:
    return "://" in value


def resolve(value: str, connections: Mapping[str, Connection], *, environ: Mapping[str, str] | None = None) -> str:
    """The SQLAlchemy URL that ``value`` (a URL or a connection name) stands for, secrets filled in."""
    if is_url(value):
        return value
    name = value.strip()
    if name not in connections:
        known = ", ".join(sorted(connections))
        hint = f"Known connections: {known}." if known else _HOW_TO_DEFINE.format(name=name or "NAME")
        raise ConfigurationError(f"no connection named {name!r} (and it is not a URL)", setting="connection",
                                 hint=hint)
    conn = connections[name]
    env = os.environ if environ is None else environ
    url = _value(conn, "url", conn.url, env)
    if conn.password is None:
        return url
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(f"connection {name!r}: its url is not a SQLAlchemy URL", setting="connection",
                                 hint="Use e.g. postgresql://user@host/db (the password goes in password).") from exc
    password = _value(conn, "password", conn.password, env)
    return parsed.set(password=password).render_as_string(hide_password=False)


def _value(conn: Connection, key: str, raw: str, environ: Mapping[str, str]) -> str:
    where = f"connection {conn.name!r} ({key}, from {conn.source})"
    encrypted = _ENCRYPTED.match(raw.strip())
    if encrypted:
        return decrypt(encrypted.group(1), where=where, environ=environ)

    def substitute(match: re.Match) -> str:
        var = match.group(1)
        if not _ENV_NAME.match(var):
            raise ConfigurationError(f"{where}: ${{{var}}} is not an environment variable name",
                                     hint="Write ${NAME} with letters, digits and '_' only.")
        if var not in environ:
            raise ConfigurationError(f"{where}: the environment variable {var} is not set",
                                     hint=f"Set {var} in the environment or in the .env beside pyproject.toml.")
        return environ[var]

    value = _REFERENCE.sub(substitute, raw)
    if "${" in _REFERENCE.sub("", raw):
        raise ConfigurationError(f"{where}: '${{' without a closing '}}'", hint="Write ${NAME}.")
    return value


def _fernet(environ: Mapping[str, str]) -> tuple[Any, str]:
    """The Fernet cipher from ``VANNA_MAGIC_SECRET`` or the key file, and where the key came from."""
    Fernet = require("cryptography.fernet").Fernet

    if environ.get(SECRET_ENV):
        key, source = environ[SECRET_ENV].strip(), f"the environment variable {SECRET_ENV}"
    else:
        path = key_file(environ)
        if not path.is_file():
            raise ConfigurationError(
                f"no decryption key: {SECRET_ENV} is not set and there is no key file at {path}",
                setting="connection", hint="Set VANNA_MAGIC_SECRET to the team's key, or create one with "
                "`vanna-magic encrypt --new-key` (then encrypt the values again).")
        try:
            key, source = path.read_text(encoding="utf-8").strip(), f"the key file {path}"
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"cannot read the key file {path}: {type(exc).__name__}",
                                     setting="connection", hint="Check its permissions.") from None
    try:
        return Fernet(key.encode("ascii", "replace")), source
    except (ValueError, TypeError):
        raise ConfigurationError(f"the key in {source} is not a Fernet key (32 url-safe base64-encoded bytes)",
                                 setting="connection",
                                 hint="Use the key `vanna-magic encrypt --new-key` wrote.") from None


def decrypt(token: str, *, where: str = "the value", environ: Mapping[str, str] | None = None) -> str:
    """The plain text of an ``ENC(token)`` value; errors never show the token or the plain text."""
    invalid_token = require("cryptography.fernet").InvalidToken
    fernet, source = _fernet(os.environ if environ is None else environ)
    try:
        return fernet.decrypt(token.strip().encode("ascii", "replace")).decode("utf-8")
    except (invalid_token, UnicodeDecodeError):
        raise ConfigurationError(
            f"{where}: ENC(...) cannot be decrypted with the key from {source}", setting="connection",
            hint="The key is not the one the value was encrypted with, or the value was damaged: "
                 "encrypt it again with `vanna-magic encrypt`.") from None


def encrypt(plain: str, *, environ: Mapping[str, str] | None = None) -> str:
    """``ENC(token)`` for ``plain``, with the key from ``VANNA_MAGIC_SECRET`` or the key file."""
    fernet, _ = _fernet(os.environ if environ is None else environ)
    return f"ENC({fernet.encrypt(plain.encode('utf-8')).decode('ascii')})"


def new_key(path: Path) -> Path:
    """Write a fresh Fernet key to ``path`` (readable by its owner only); refuses to overwrite one."""
    Fernet = require("cryptography.fernet").Fernet

    if path.exists():
        raise ConfigurationError(f"a key file already exists at {path}",
                                 hint="Keep it: values encrypted with it need it. Delete it yourself to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(Fernet.generate_key().decode("ascii") + "\n")
    return path
