"""``%vanna setup``: a first-run form for the connection, the model, its API key and server, and a ``.env``.

"Test connection" connects and reads the catalog (:meth:`Session.test_connection
<vanna_magic.core.session.Session.test_connection>`), without switching the session to it; "Test
model" sends one short message (:meth:`Session.test_model
<vanna_magic.core.session.Session.test_model>`). "Save" writes the settings that are not
secret to ``[tool.vanna_magic]`` of the project's ``pyproject.toml`` and the secrets to the
``.env`` the form names (see :mod:`vanna_magic.core.project_files`), and applies the secrets
to this kernel's environment.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, MutableMapping

import ipywidgets as w

from ..core.config import ENV_PREFIX, api_key, find_pyproject, redact
from ..core.errors import ConfigurationError
from ..core.project_files import key_variable, merge_env, refuse_unignored, save_settings, split_secrets
from .messages import busy, show

if TYPE_CHECKING:
    from ..core.session import Session

ModelFactory = Callable[[str, "str | None", "str | None"], Any]  # (model, api_base, api_key) -> a LanguageModel


class SetupForm:
    """The widgets of ``%vanna setup`` and what their buttons do.

    Args:
        session: returns the session with the settings in force now (the form starts from them).
        project: the folder whose ``pyproject.toml`` (the nearest one, else a new one here) and
            ``.env`` are written; the working directory by default.
        environ: where saved secrets are applied for this kernel (``os.environ`` by default).
        model_factory: ``(model, api_base, api_key) -> LanguageModel`` for "Test model";
            by default the session tries the litellm model once, without retries.
    """

    def __init__(self, session: Callable[[], "Session"], *, project: Path | None = None,
                 environ: MutableMapping[str, str] | None = None, model_factory: ModelFactory | None = None):
        self._session = session
        folder = Path(project) if project is not None else Path.cwd()
        self.folder = folder
        self.pyproject = find_pyproject(folder) or folder / "pyproject.toml"
        self._environ = os.environ if environ is None else environ
        self._model_factory = model_factory
        now = session()
        current = now.settings
        wide = w.Layout(width="100%", max_width="640px")
        style = {"description_width": "90px"}
        self.connected = redact(now.connection_url) + (" (the embedded demo database)" if now.is_demo else "")
        self.connection = w.Text(value=current.connection or "", description="Connection", layout=wide, style=style,
                                 placeholder=f"now {self.connected}" if not current.connection else
                                 "postgresql://user@host/db, sqlite:///file.db, or a connection name")
        self.model = w.Text(value=current.model or "", description="Model", layout=wide, style=style,
                            placeholder="e.g. openai/gpt-4o-mini or ollama/qwen2.5-coder")
        self.api_key = w.Password(description="API key", layout=wide, style=style)
        self.api_base = w.Text(value=current.api_base or "", description="API base", layout=wide, style=style,
                               placeholder="only for a server of your own, e.g. http://localhost:11434")
        self.env_path = w.Text(value=self._shown(self.pyproject.parent / ".env"), description=".env file", layout=wide,
                               style=style, placeholder="empty: secrets are not written, only named")
        self.test_connection_button = w.Button(description="Test connection", icon="plug")
        self.test_model_button = w.Button(description="Test model", icon="comment")
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.message = w.HTML()
        self.controls = (self.test_connection_button, self.test_model_button, self.save_button)
        self.test_connection_button.on_click(self.test_connection)
        self.test_model_button.on_click(self.test_model)
        self.save_button.on_click(self.save)
        self.model.observe(lambda _: self._key_placeholder(), names="value")
        self._key_placeholder()
        heading = w.HTML("<h3 style='margin:0 0 4px'>Set up vanna-magic</h3><div>A database to ask about and a "
                         "language model to write the SQL: test each, then Save them for this project.</div>")
        where = w.HTML(f"<small>Save writes settings to <code>{escape(self._shown(self.pyproject))}</code> "
                       "(<code>[tool.vanna_magic]</code>) and secrets to the .env file, paths relative to "
                       f"this notebook's folder, {escape(str(folder))}.</small>")
        self.widget = w.VBox([heading, self.connection, self.model, self.api_key, self.api_base, self.env_path, where,
                              w.HBox([self.test_connection_button, self.test_model_button, self.save_button]),
                              self.message])
        self.widget.add_class("vanna-setup")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def test_connection(self, _button: Any = None) -> None:
        """Connect to the database in the form and read its catalog; the exact error when that fails."""
        with busy(self.controls, self.message, "connecting"):
            value = self.connection.value.strip() or self._session().connection_url  # empty: the one in use
            info = self._session().test_connection(value)
            show(self.message, f"connected to {info.url} ({info.dialect}, {info.tables} tables)", "ok")

    def test_model(self, _button: Any = None) -> None:
        """Send one short message to the model in the form; the exact error when that fails."""
        with busy(self.controls, self.message, "asking the model"):
            name = self.model.value.strip()
            if not name:
                raise ConfigurationError("the model box is empty", stage="setup", setting="model",
                                         hint="Type a litellm model string, e.g. openai/gpt-4o-mini.")
            base, key = self.api_base.value.strip() or None, self.api_key.value.strip() or None
            if self._model_factory is not None:
                reply = self._session().test_model(self._model_factory(name, base, key))
            else:
                reply = self._session().test_model(name, api_base=base, api_key=key or api_key(self._environ))
            show(self.message, f"the model {reply.model} answered in {reply.seconds:.1f} s: {reply.text[:60]!r}",
                 "ok")

    def save(self, _button: Any = None) -> None:
        """Settings to pyproject.toml, secrets to the .env (or the name of the variable to set)."""
        with busy(self.controls, self.message, "saving"):
            values = {"connection": self.connection.value, "model": self.model.value,
                      "api_base": self.api_base.value}
            settings, secrets = split_secrets(values, api_key=self.api_key.value)
            if not settings and not secrets:
                raise ConfigurationError("there is nothing to save: every field is empty", stage="setup",
                                         hint="Fill in the connection, the model or both.")
            env_file = self._env_file() if secrets else None
            if env_file is not None and not env_file.parent.is_dir():
                raise ConfigurationError(f"the folder of the .env file {env_file} does not exist", stage="setup",
                                         hint="Create it, or name a .env file in an existing folder.")
            if env_file is not None:
                refuse_unignored(env_file)  # before anything is written: a refusal leaves every file as it was
            done = []
            if settings:
                save_settings(self.pyproject, settings)
                done.append(f"{', '.join(settings)} to {self._shown(self.pyproject)} [tool.vanna_magic]")
                shadowed = [ENV_PREFIX + name.upper() for name in settings
                            if self._environ.get(ENV_PREFIX + name.upper()) not in (None, "")]
                if shadowed:
                    done.append(f"{', '.join(shadowed)} in the environment still wins over pyproject.toml: "
                                "unset it to use the saved value")
            names = ", ".join(secrets)
            if env_file is not None:
                merge_env(env_file, secrets)
                done.append(f"{names} to {self._shown(env_file)} (readable by you only)")
                if env_file != self.pyproject.parent / ".env":
                    done.append(f"only the .env beside {self.pyproject.name} is read by itself: load {env_file} "
                                "into the environment before starting Jupyter")
            elif secrets:
                done.append(f"{names} not written (no .env file named): set {names} in the environment "
                            "where Jupyter starts")
            self._environ.update(secrets)  # this kernel uses them now, whatever its .env said before
            self.api_key.value = ""
            applied = f"; {names} set for this kernel" if secrets else ""
            show(self.message, "saved " + "; ".join(done) + applied, "ok")

    def _key_placeholder(self) -> None:
        self.api_key.placeholder = (f"saved as {key_variable(self.model.value.strip())} in the .env, "
                                    "never in pyproject.toml")

    def _env_file(self) -> Path | None:
        text = self.env_path.value.strip()
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.folder / path

    def _shown(self, path: Path) -> str:
        """``path`` relative to the notebook's folder when it is in that folder or the one above, else in full."""
        try:
            relative = os.path.relpath(path, self.folder)
        except ValueError:  # another drive
            return str(path)
        return str(path) if relative.startswith(os.path.join(os.pardir, os.pardir)) else relative
