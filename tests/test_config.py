import pytest

from vanna_magic.core.config import Settings, load_settings, redact, setting_names
from vanna_magic.core.errors import ConfigurationError


def write_pyproject(folder, body):
    (folder / "pyproject.toml").write_text(body, encoding="utf-8")


def test_defaults_when_nothing_is_configured(tmp_path):
    s = load_settings(environ={}, start=tmp_path)
    assert s == Settings()
    assert s.connection is None and s.model is None and s.max_rows == 1000
    assert s.source("max_rows") == "default"


def test_precedence_override_then_env_then_pyproject(tmp_path):
    write_pyproject(tmp_path, '[tool.vanna_magic]\nmax_rows = 10\ntop_k = 3\nmodel = "from-pyproject"\n')
    sub = tmp_path / "notebooks"
    sub.mkdir()
    env = {"VANNA_MAGIC_MAX_ROWS": "20", "VANNA_MAGIC_MODEL": "from-env"}
    s = load_settings({"model": "from-override"}, environ=env, start=sub)
    assert (s.max_rows, s.source("max_rows")) == (20, "env")
    assert (s.top_k, s.source("top_k")) == (3, "pyproject")
    assert (s.model, s.source("model")) == ("from-override", "override")


def test_replace_validates_like_any_source():
    s = Settings().replace(max_rows="7")
    assert s.max_rows == 7 and s.source("max_rows") == "override"
    with pytest.raises(ConfigurationError, match="must be positive"):
        s.replace(max_rows=0)


@pytest.mark.parametrize("name,value,message", [
    ("max_rows", "many", "expected an integer"),
    ("max_rows", "-5", "must be positive"),
    ("query_timeout", "soon", "expected a finite number"),
    ("query_timeout", "nan", "expected a finite number"),
    ("show_traceback", "perhaps", "expected true or false"),
    ("replay_mode", "rewind", "expected one of replay, record"),
    ("max_repairs", "-1", "must not be negative"),
])
def test_bad_environment_values_name_the_variable(tmp_path, name, value, message):
    key = "VANNA_MAGIC_" + name.upper()
    with pytest.raises(ConfigurationError, match=message) as info:
        load_settings(environ={key: value}, start=tmp_path)
    assert key in str(info.value)
    assert info.value.setting == name


def test_unknown_setting_in_pyproject_is_rejected_with_a_suggestion(tmp_path):
    write_pyproject(tmp_path, "[tool.vanna_magic]\nmax_row = 5\n")
    with pytest.raises(ConfigurationError, match="unknown setting 'max_row'") as info:
        load_settings(environ={}, start=tmp_path)
    assert "max_rows" in info.value.hint


def test_wrong_type_in_pyproject_names_the_file(tmp_path):
    write_pyproject(tmp_path, '[tool.vanna_magic]\nmax_rows = "lots"\n')
    with pytest.raises(ConfigurationError, match="pyproject.toml") as info:
        load_settings(environ={}, start=tmp_path)
    assert "expected an integer" in str(info.value)


def test_broken_pyproject_is_a_clear_error(tmp_path):
    write_pyproject(tmp_path, "[tool.vanna_magic\nmax_rows = 5\n")
    with pytest.raises(ConfigurationError, match="cannot read .*pyproject.toml"):
        load_settings(environ={}, start=tmp_path)


def test_unknown_environment_variables_with_our_prefix_are_ignored(tmp_path):
    s = load_settings(environ={"VANNA_MAGIC_SOMETHING_ELSE": "x", "VANNA_MAGIC_API_KEY": "k" * 20}, start=tmp_path)
    assert s == Settings()


def test_dotenv_is_read_without_overriding_the_environment(tmp_path, monkeypatch):
    write_pyproject(tmp_path, "[project]\nname='x'\n")
    (tmp_path / ".env").write_text("VANNA_MAGIC_TOP_K=9\nVANNA_MAGIC_MAX_ROWS=11\n")
    monkeypatch.setenv("VANNA_MAGIC_MAX_ROWS", "12")
    monkeypatch.setenv("VANNA_MAGIC_TOP_K", "unset")  # so that monkeypatch removes what .env sets
    monkeypatch.delenv("VANNA_MAGIC_TOP_K")
    s = load_settings(start=tmp_path)
    assert (s.top_k, s.max_rows) == (9, 12)


def test_every_setting_has_help():
    from vanna_magic.core.config import setting_fields

    assert all(f.metadata["help"] for f in setting_fields())
    assert "connection" in setting_names()


@pytest.mark.parametrize("text,expected", [
    ("postgresql://ann:s3cret@db:5432/sales", "postgresql://ann:***@db:5432/sales"),
    ("oracle+oracledb://u:p%40ss@h/?service_name=x", "oracle+oracledb://u:***@h/?service_name=x"),
    ("sqlite:////tmp/a.db", "sqlite:////tmp/a.db"),
    ("no url here", "no url here"),
])
def test_redact_urls(text, expected):
    assert redact(text, environ={}) == expected


def test_redact_secret_environment_values():
    env = {"OPENAI_API_KEY": "sk-abcdefghijklmnop", "HOME": "/root"}
    assert redact("key sk-abcdefghijklmnop rejected in /root", environ=env) == "key *** rejected in /root"
