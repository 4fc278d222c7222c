"""``%vanna setup``: the first-run form, its tests of the connection and the model, and what Save writes."""

import html
import re
import socket
import sqlite3
import stat
import sys

import pytest
from dotenv import dotenv_values

from tests.fakes import FakeModel
from vanna_magic import Session
from vanna_magic.core.config import load_settings
from vanna_magic.core.errors import ConfigurationError
from vanna_magic.core.project_files import merge_env, save_settings
from vanna_magic.jupyter.setup_form import SetupForm

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = """\
# The project's own file: every byte outside [tool.vanna_magic] must survive.
[project]
name = "shop-analytics"   # keep this comment
dependencies = [
    "pandas",  # and this one
]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F"]

[tool.pytest.ini_options]
addopts = "-q"

[dependency-groups]
dev = ["pytest"]
"""
ENV = """\
# team secrets
export OTHER_TOKEN="abc def"
OPENAI_API_KEY=old-key   # replaced on save

LAST_ONE='kept'"""


def message(form) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", form.message.value.replace("<br>", "\n")))


def kind(form) -> str:
    return re.search(r"data-kind='(\w+)'", form.message.value).group(1)


@pytest.fixture
def form_in(tmp_path):
    """``form_in(**settings)``: a setup form for the project in ``tmp_path``, secrets applied to a dict."""
    environ: dict[str, str] = {}
    sessions: list[Session] = []

    def make(model_factory=None, **overrides):
        settings = load_settings(environ={}, start=None).replace(cache_dir=str(tmp_path / "cache"), **overrides)
        session = Session(settings=settings)
        sessions.append(session)
        form = SetupForm(lambda: session, project=tmp_path, environ=environ, model_factory=model_factory)
        form.environ = environ
        return form

    yield make
    for session in sessions:
        session.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_save_adds_the_table_keeps_every_other_byte_and_sends_the_key_to_a_private_env(form_in, tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    form = form_in()
    form.connection.value = "postgresql://analyst@db.example.com/sales"
    form.model.value = "openai/gpt-4o-mini"
    form.api_key.value = "sk-test-0123456789"
    assert "OPENAI_API_KEY" in form.api_key.placeholder
    form.save_button.click()
    assert kind(form) == "ok", message(form)

    written = (tmp_path / "pyproject.toml").read_text()
    added = ('[tool.vanna_magic]\nconnection = "postgresql://analyst@db.example.com/sales"\n'
             'model = "openai/gpt-4o-mini"\n\n')
    assert added in written and written.replace(added, "", 1) == PYPROJECT
    assert "sk-test" not in written
    assert tomllib.loads(written)["tool"]["vanna_magic"] == {
        "connection": "postgresql://analyst@db.example.com/sales", "model": "openai/gpt-4o-mini"}

    env = tmp_path / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert dotenv_values(env) == {"OPENAI_API_KEY": "sk-test-0123456789"}
    assert form.environ == {"OPENAI_API_KEY": "sk-test-0123456789"} and form.api_key.value == ""
    assert "sk-test" not in form.message.value
    assert message(form).startswith("saved connection, model to ") and "OPENAI_API_KEY to " in message(form)

    settings = load_settings(environ={}, start=tmp_path)
    assert (settings.model, settings.connection) == ("openai/gpt-4o-mini", "postgresql://analyst@db.example.com/sales")
    assert settings.source("model") == "pyproject"


def test_save_updates_an_existing_table_and_env_in_place(form_in, tmp_path):
    pyproject = PYPROJECT + '\n[tool.vanna_magic]\nmodel = "ollama/llama3"  # the old one\nmax_rows = 50\n\n' \
                            '[tool.vanna_magic.connections.warehouse]\nurl = "postgresql://ann@db/sales"\n'
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / ".env").write_text(ENV)
    (tmp_path / ".env").chmod(0o644)
    form = form_in()
    form.model.value = "openai/gpt-4o"
    form.api_key.value = "new-key-with-'quote"
    form.save_button.click()
    assert kind(form) == "ok", message(form)
    assert (tmp_path / "pyproject.toml").read_text() == pyproject.replace('"ollama/llama3"', '"openai/gpt-4o"')
    env = (tmp_path / ".env").read_text()
    assert env == ENV.replace("OPENAI_API_KEY=old-key   # replaced on save",
                              'OPENAI_API_KEY="new-key-with-\'quote"')
    assert dotenv_values(tmp_path / ".env") == {"OTHER_TOKEN": "abc def", "OPENAI_API_KEY": "new-key-with-'quote",
                                               "LAST_ONE": "kept"}
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def _git_repo(folder, gitignore: str | None) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    if gitignore is not None:
        (folder / ".gitignore").write_text(gitignore)


@pytest.mark.parametrize(("gitignore", "tracked", "refusal"), [
    (None, False, "is not ignored by git"),
    ("*.log\n", False, "is not ignored by git"),
    (".env\n", True, "is tracked by git"),
])
def test_save_refuses_a_secret_for_a_file_git_would_commit_and_writes_nothing(form_in, tmp_path, gitignore,
                                                                               tracked, refusal):
    import subprocess

    _git_repo(tmp_path, gitignore)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    if tracked:
        (tmp_path / ".env").write_text(ENV)
        subprocess.run(["git", "-C", str(tmp_path), "add", "-f", ".env"], check=True)
    form = form_in()
    form.model.value = "openai/gpt-4o-mini"
    form.api_key.value = "sk-test-0123456789"
    form.save_button.click()
    assert kind(form) == "error" and refusal in message(form)
    assert re.search(re.escape(f"dd the line '.env' to {tmp_path / '.gitignore'}"), message(form))
    assert (tmp_path / "pyproject.toml").read_text() == PYPROJECT  # nothing half-written
    assert not tracked and not (tmp_path / ".env").exists() or (tmp_path / ".env").read_text() == ENV
    assert "sk-test" not in form.message.value


def test_save_writes_the_secret_when_git_ignores_the_env_file(form_in, tmp_path):
    _git_repo(tmp_path, ".env\n")
    form = form_in()
    form.model.value = "openai/gpt-4o-mini"
    form.api_key.value = "sk-test-0123456789"
    form.save_button.click()
    assert kind(form) == "ok", message(form)
    assert dotenv_values(tmp_path / ".env") == {"OPENAI_API_KEY": "sk-test-0123456789"}


def test_a_url_with_a_password_goes_to_the_env_never_to_pyproject(form_in, tmp_path):
    form = form_in()
    form.connection.value = "postgresql://ann:s3cret-pw@db/sales"
    form.model.value = "ollama/qwen2.5-coder"
    form.api_base.value = "http://localhost:11434"
    form.save_button.click()
    assert kind(form) == "ok", message(form)
    written = (tmp_path / "pyproject.toml").read_text()
    assert "s3cret" not in written
    assert tomllib.loads(written) == {"tool": {"vanna_magic": {"model": "ollama/qwen2.5-coder",
                                                               "api_base": "http://localhost:11434"}}}
    assert dotenv_values(tmp_path / ".env") == {"VANNA_MAGIC_CONNECTION": "postgresql://ann:s3cret-pw@db/sales"}
    assert "s3cret" not in form.message.value


def test_without_an_env_file_the_form_names_the_variable_to_set(form_in, tmp_path):
    form = form_in()
    form.model.value = "anthropic/claude-3-5-haiku-latest"
    form.api_key.value = "sk-ant-123456"
    form.env_path.value = ""
    form.save_button.click()
    assert kind(form) == "ok", message(form)
    assert "ANTHROPIC_API_KEY not written (no .env file named): set ANTHROPIC_API_KEY in the environment" \
        in message(form)
    assert not (tmp_path / ".env").exists() and "sk-ant" not in (tmp_path / "pyproject.toml").read_text()
    assert form.environ == {"ANTHROPIC_API_KEY": "sk-ant-123456"}


def test_an_env_file_elsewhere_is_written_and_the_form_says_it_is_not_read_by_itself(form_in, tmp_path):
    (tmp_path / "secrets").mkdir()
    form = form_in()
    form.model.value = "groq/llama-3.1-8b-instant"
    form.api_key.value = "gsk-123456"
    form.env_path.value = "secrets/vanna.env"
    form.save_button.click()
    assert dotenv_values(tmp_path / "secrets" / "vanna.env") == {"GROQ_API_KEY": "gsk-123456"}
    assert "is read by itself" in message(form)
    form.env_path.value = str(tmp_path / "missing" / ".env")
    form.api_key.value = "gsk-654321"
    before = (tmp_path / "pyproject.toml").read_bytes()
    form.save_button.click()
    assert message(form).startswith("[setup] the folder of the .env file"), message(form)
    assert (tmp_path / "pyproject.toml").read_bytes() == before


def test_a_malformed_pyproject_is_a_clear_error_and_nothing_is_touched(form_in, tmp_path):
    broken = '[project]\nname = "x"\n[tool.vanna_magic\nmodel = \n'
    (tmp_path / "pyproject.toml").write_text(broken)
    form = form_in()
    form.model.value = "openai/gpt-4o-mini"
    form.api_key.value = "sk-test-0123456789"
    form.save_button.click()
    assert kind(form) == "error"
    assert message(form).startswith(f"[setup] cannot read {tmp_path / 'pyproject.toml'}: ")
    assert message(form).endswith("Fix its TOML syntax, then save again; the file was not changed.")
    assert (tmp_path / "pyproject.toml").read_text() == broken
    assert not (tmp_path / ".env").exists() and form.environ == {}
    assert not form.save_button.disabled


def test_save_says_when_an_environment_variable_overrides_the_saved_setting(form_in, tmp_path):
    form = form_in()
    form.environ["VANNA_MAGIC_MODEL"] = "ollama/llama3"
    form.model.value = "openai/gpt-4o-mini"
    form.save_button.click()
    assert "VANNA_MAGIC_MODEL in the environment still wins over pyproject.toml" in message(form), message(form)
    assert tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["vanna_magic"]["model"] == \
        "openai/gpt-4o-mini"


def test_save_with_nothing_filled_in_says_so(form_in):
    form = form_in()
    form.save_button.click()
    assert message(form) == "[setup] there is nothing to save: every field is empty\n" \
                            "Fill in the connection, the model or both."


def test_save_settings_refuses_a_non_table_and_a_key_on_two_lines(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\nvanna_magic = "oops"\n')
    with pytest.raises(ConfigurationError, match=r"\[tool.vanna_magic\] is not a table"):
        save_settings(path, {"model": "openai/gpt-4o-mini"})
    assert path.read_text() == '[tool]\nvanna_magic = "oops"\n'
    with pytest.raises(ConfigurationError, match="unknown setting 'api_key'"):
        save_settings(path, {"api_key": "sk-1"})
    with pytest.raises(ConfigurationError, match="line break"):
        merge_env(tmp_path / ".env", {"OPENAI_API_KEY": "sk-1\nINJECTED=1"})
    assert not (tmp_path / ".env").exists()


def test_save_settings_keeps_crlf_files_crlf_and_writes_typed_values(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'[project]\r\nname = "x"  # kept\r\n')
    save_settings(path, {"max_rows": "50", "query_timeout": "2.5", "show_traceback": "yes"})
    assert path.read_bytes() == (b'[project]\r\nname = "x"  # kept\r\n\r\n[tool.vanna_magic]\r\nmax_rows = 50\r\n'
                                 b'query_timeout = 2.5\r\nshow_traceback = true\r\n')
    with pytest.raises(ConfigurationError, match="setting 'max_rows' from override is 'many': expected an integer"):
        save_settings(path, {"max_rows": "many"})
    env = tmp_path / ".env"
    env.write_bytes(b"A=1\r\nB=2\r\n")
    merge_env(env, {"A": "x", "C": "y"})
    assert env.read_bytes() == b"A='x'\r\nB=2\r\nC='y'\r\n"


def test_test_connection_reports_the_tables_or_the_exact_error(form_in, tmp_path):
    database = tmp_path / "shop.sqlite"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    form = form_in()
    form.connection.value = f"sqlite:///{database}"
    form.test_connection_button.click()
    assert message(form) == f"connected to sqlite:///{database} (sqlite, 2 tables)"

    form.connection.value = "sqlite:////nonexistent/folder/shop.db"
    form.test_connection_button.click()
    assert kind(form) == "error" and message(form).startswith("[connect] ") and "nonexistent" in message(form)
    form.connection.value = "warehouse"
    form.test_connection_button.click()
    assert message(form).startswith("[config] no connection named 'warehouse' (and it is not a URL)")
    form.connection.value = ""
    form.test_connection_button.click()
    assert message(form).startswith("connected to sqlite:///") and "demo-retail" in message(form), \
        "an empty box tests the connection in use"
    assert not any(control.disabled for control in form.controls)


def test_test_model_goes_through_the_model_seam(form_in):
    calls = []

    def factory(name, api_base, key):
        calls.append((name, api_base, key))
        return FakeModel(["OK"], name=name)

    form = form_in(model_factory=factory)
    form.model.value = "openai/gpt-4o-mini"
    form.api_key.value = "sk-typed-in"
    form.test_model_button.click()
    assert calls == [("openai/gpt-4o-mini", None, "sk-typed-in")]
    assert message(form) == "the model openai/gpt-4o-mini answered in 0.0 s: 'OK'"

    form = form_in(model_factory=lambda *args: FakeModel([ConfigurationError("the model name is empty")]))
    form.model.value = "x"
    form.test_model_button.click()
    assert message(form) == "[config] the model name is empty"
    form.model.value = ""
    form.test_model_button.click()
    assert message(form).startswith("[setup] the model box is empty")


def test_test_model_reports_an_unreachable_server_exactly(form_in):
    port = _closed_port()
    form = form_in(model_timeout=5)
    form.model.value = "openai/local-model"
    form.api_base.value = f"http://127.0.0.1:{port}/v1"
    form.api_key.value = "sk-local-123456"
    form.test_model_button.click()
    assert kind(form) == "error"
    assert message(form).startswith(f"[generate] could not reach http://127.0.0.1:{port}/v1 "
                                    "for openai/local-model"), message(form)
    assert "Start the server" in message(form)
    assert "sk-local-123456" not in form.message.value
    assert not any(control.disabled for control in form.controls)


def test_vanna_setup_opens_the_form_for_the_working_directory(shell, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.vanna_magic]\nmodel = "openai/gpt-4o-mini"\n')
    form = shell.run_line_magic("vanna", "setup")
    assert isinstance(form, SetupForm)
    assert form.pyproject == tmp_path / "pyproject.toml" and form.env_path.value == ".env"
    assert form.model.value == "openai/gpt-4o-mini" and form.connection.value == ""
    assert "demo-retail" in form.connection.placeholder, "the box says which database is connected"


def test_the_form_has_a_heading_and_shows_its_files_relative_to_the_notebook(form_in, tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    from vanna_magic.jupyter.setup_form import SetupForm as Form

    session = Session(settings=load_settings(environ={}, start=None).replace(cache_dir=str(tmp_path / "cache")))
    form = Form(lambda: session, project=tmp_path / "notebooks", environ={})
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", child.value)) for child in form.widget.children
                    if hasattr(child, "value") and isinstance(child.value, str) and "<" in child.value)
    assert "Set up vanna-magic" in text
    assert "../pyproject.toml" in text and form.env_path.value == "../.env"
    form.api_key.value = "sk-abc-123456"
    form.model.value = "openai/gpt-4o-mini"
    (tmp_path / ".gitignore").write_text(".env\n")
    form.save_button.click()
    assert kind(form) == "ok" and "to ../pyproject.toml" in message(form) and "to ../.env" in message(form)
    assert dotenv_values(tmp_path / ".env")["OPENAI_API_KEY"] == "sk-abc-123456"
    session.close()


def test_the_connection_box_starts_from_the_connection_in_force(form_in, tmp_path):
    database = tmp_path / "shop.sqlite"
    sqlite3.connect(database).close()
    form = form_in(connection=f"sqlite:///{database}")
    assert form.connection.value == f"sqlite:///{database}"
