"""Named connections: definitions, ${ENV} interpolation, ENC(...) secrets, and every bad input."""

import io
import sqlite3
import textwrap

import pytest
from cryptography.fernet import Fernet

from vanna_magic import cli
from vanna_magic.core.data.connections import decrypt, encrypt, load_connections, resolve
from vanna_magic.core.errors import ConfigurationError

SECRET = "pa:ss/w@rd-42"
KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (the working directory) and an empty user config folder."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("VANNA_MAGIC_KEY_FILE", raising=False)

    def write(body: str) -> None:
        (folder / "pyproject.toml").write_text(textwrap.dedent(body), encoding="utf-8")

    return write


def _token(plain: str, key: str = KEY) -> str:
    return Fernet(key.encode()).encrypt(plain.encode()).decode()


def test_url_is_returned_as_given(project):
    assert resolve("sqlite:///x.db", {}) == "sqlite:///x.db"


def test_env_interpolation_and_separate_password(project, monkeypatch):
    project("""
        [tool.vanna_magic.connections.warehouse]
        url = "postgresql://${WH_USER}@db.example.com:5432/sales"
        password = "${WH_PASSWORD}"
        description = "the sales warehouse"
    """)
    monkeypatch.setenv("WH_USER", "ann")
    monkeypatch.setenv("WH_PASSWORD", SECRET)
    conns = load_connections()
    assert conns["warehouse"].description == "the sales warehouse"
    assert "pyproject.toml [tool.vanna_magic.connections]" in conns["warehouse"].source
    from sqlalchemy.engine import make_url

    url = make_url(resolve("warehouse", conns))
    assert (url.username, url.password, url.host, url.database) == ("ann", SECRET, "db.example.com", "sales")


@pytest.mark.parametrize("where", ["env", "key file"])
def test_encrypted_password_is_decrypted_with_the_key(project, monkeypatch, tmp_path, where):
    project(f"""
        [tool.vanna_magic.connections.wh]
        url = "postgresql://ann@db/sales"
        password = "ENC({_token(SECRET)})"
    """)
    if where == "env":
        monkeypatch.setenv("VANNA_MAGIC_SECRET", KEY)
    else:
        (tmp_path / "config" / "vanna-magic").mkdir(parents=True)
        (tmp_path / "config" / "vanna-magic" / "key").write_text(KEY + "\n")
    from sqlalchemy.engine import make_url

    assert make_url(resolve("wh", load_connections())).password == SECRET


def test_whole_url_may_be_encrypted(project, monkeypatch):
    monkeypatch.setenv("VANNA_MAGIC_SECRET", KEY)
    project(f"""
        [tool.vanna_magic.connections.wh]
        url = "ENC({_token('sqlite:///shop.db')})"
    """)
    conns = load_connections()
    assert resolve("wh", conns) == "sqlite:///shop.db"
    assert conns["wh"].shown_url() == "(encrypted URL)"


def test_connections_file_and_project_precedence(project, tmp_path):
    listed = tmp_path / "conns.toml"
    listed.write_text('[connections.a]\nurl = "sqlite:///a.db"\n[connections.b]\nurl = "sqlite:///b-file.db"\n')
    project('[tool.vanna_magic.connections.b]\nurl = "sqlite:///b-project.db"\n')
    conns = load_connections(connections_file=listed)
    assert resolve("a", conns) == "sqlite:///a.db"
    assert resolve("b", conns) == "sqlite:///b-project.db", "the project's definition wins"


def test_default_connections_file_in_the_config_dir(project, tmp_path):
    folder = tmp_path / "config" / "vanna-magic"
    folder.mkdir(parents=True)
    (folder / "connections.toml").write_text('[connections.home]\nurl = "sqlite:///home.db"\n')
    assert resolve("home", load_connections()) == "sqlite:///home.db"


# (pyproject body, name, environment, expected message); secrets must never appear in the error.
BAD = [
    ("", "nope", {}, "no connection named 'nope' (and it is not a URL)\nDefine it as "
     '[tool.vanna_magic.connections.nope] with url = "..." in pyproject.toml, or as [connections.nope] '
     "in the connections file."),
    ('[tool.vanna_magic.connections.wh]\nurl = "sqlite:///a.db"\n', "wj", {},
     "no connection named 'wj' (and it is not a URL)\nKnown connections: wh."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npassword = "${WH_PW}"\n', "wh", {},
     "connection 'wh' (password, from {src}): the environment variable WH_PW is not set\n"
     "Set WH_PW in the environment or in the .env beside pyproject.toml."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npassword = "${WH PW}"\n', "wh", {},
     "connection 'wh' (password, from {src}): ${WH PW} is not an environment variable name\n"
     "Write ${NAME} with letters, digits and '_' only."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npassword = "${WH_PW"\n', "wh",
     {"WH_PW": SECRET}, "connection 'wh' (password, from {src}): '${' without a closing '}'\nWrite ${NAME}."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npassword = "ENC(TOKEN)"\n', "wh", {},
     "no decryption key: VANNA_MAGIC_SECRET is not set and there is no key file at {keyfile}\n"
     "Set VANNA_MAGIC_SECRET to the team's key, or create one with `vanna-magic encrypt --new-key` "
     "(then encrypt the values again)."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npassword = "ENC(TOKEN)"\n', "wh",
     {"VANNA_MAGIC_SECRET": OTHER_KEY},
     "connection 'wh' (password, from {src}): ENC(...) cannot be decrypted with the key from the environment "
     "variable VANNA_MAGIC_SECRET\nThe key is not the one the value was encrypted with, or the value was damaged: "
     "encrypt it again with `vanna-magic encrypt`."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npassword = "ENC(not-a-token)"\n', "wh",
     {"VANNA_MAGIC_SECRET": KEY},
     "connection 'wh' (password, from {src}): ENC(...) cannot be decrypted with the key from the environment "
     "variable VANNA_MAGIC_SECRET\nThe key is not the one the value was encrypted with, or the value was damaged: "
     "encrypt it again with `vanna-magic encrypt`."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npassword = "ENC(TOKEN)"\n', "wh",
     {"VANNA_MAGIC_SECRET": "short"},
     "the key in the environment variable VANNA_MAGIC_SECRET is not a Fernet key (32 url-safe base64-encoded "
     "bytes)\nUse the key `vanna-magic encrypt --new-key` wrote."),
    ('[tool.vanna_magic.connections.wh]\nurl = "postgresql://ann@db/x"\npasswd = "x"\n', "wh", {},
     "connection 'wh' in {src} has unknown keys passwd\nA connection takes description, password, url."),
    ('[tool.vanna_magic.connections.wh]\npassword = "x"\n', "wh", {},
     "connection 'wh' in {src} has no url\nDefine it as [tool.vanna_magic.connections.wh] with url = \"...\" in "
     "pyproject.toml, or as [connections.wh] in the connections file."),
    ('[tool.vanna_magic.connections.wh]\nurl = 5\n', "wh", {},
     "connection 'wh' in {src}: url must be a string\nWrite url = \"...\"."),
    ('[tool.vanna_magic.connections]\nwh = "sqlite:///a.db"\n', "wh", {},
     "connection 'wh' in {src} must be a table\nDefine it as [tool.vanna_magic.connections.wh] with url = \"...\" "
     "in pyproject.toml, or as [connections.wh] in the connections file."),
    ('[tool.vanna_magic.connections."a b"]\nurl = "sqlite:///a.db"\n', "a b", {},
     "connection 'a b' in {src}: the name must be letters, digits, '_', '-' or '.'\n"
     "Rename the table, e.g. [tool.vanna_magic.connections.warehouse]."),
    ('[tool.vanna_magic.connections.wh]\nurl = "not a url"\npassword = "x"\n', "wh", {},
     "connection 'wh': its url is not a SQLAlchemy URL\nUse e.g. postgresql://user@host/db "
     "(the password goes in password)."),
]


@pytest.mark.parametrize("body, name, env, expected", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_definitions_say_exactly_what_is_wrong(project, monkeypatch, tmp_path, body, name, env, expected):
    project(body.replace("TOKEN", _token(SECRET)))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VANNA_MAGIC_SECRET", raising=False) if "VANNA_MAGIC_SECRET" not in env else None
    src = f"{tmp_path / 'project' / 'pyproject.toml'} [tool.vanna_magic.connections]"
    with pytest.raises(ConfigurationError) as err:
        resolve(name, load_connections())
    keyfile = str(tmp_path / "config" / "vanna-magic" / "key")
    assert str(err.value) == expected.replace("{src}", src).replace("{keyfile}", keyfile)
    assert SECRET not in str(err.value) and _token(SECRET)[:20] not in str(err.value)


def test_missing_connections_file_is_an_error(project, tmp_path):
    with pytest.raises(ConfigurationError) as err:
        load_connections(connections_file=tmp_path / "missing.toml")
    assert str(err.value) == f"the connections file {tmp_path / 'missing.toml'} does not exist\n" \
                             "Create it, or unset connections_file."


def test_encrypt_decrypt_round_trip(monkeypatch):
    monkeypatch.setenv("VANNA_MAGIC_SECRET", KEY)
    value = encrypt(SECRET)
    assert value.startswith("ENC(") and SECRET not in value
    assert decrypt(value[4:-1]) == SECRET


def test_cli_encrypt_writes_a_new_key_then_encrypts_stdin(project, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert cli.main(["encrypt", "--new-key"]) == 0
    out, err = capsys.readouterr()
    key_path = tmp_path / "config" / "vanna-magic" / "key"
    assert f"new key written to {key_path}" in err and SECRET not in out + err
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    assert decrypt(out.strip()[4:-1]) == SECRET
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET))
    assert cli.main(["encrypt", "--new-key"]) == 1
    assert capsys.readouterr().err.startswith(f"error [config]: a key file already exists at {key_path}")


def test_cli_encrypt_without_a_key_or_input(project, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET))
    assert cli.main(["encrypt"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error [config]: no decryption key") and SECRET not in err
    monkeypatch.setenv("VANNA_MAGIC_SECRET", KEY)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["encrypt"]) == 1
    assert capsys.readouterr().err == "error [config]: no secret on standard input\n" \
                                      "Pipe it in, or type it at the prompt.\n"


@pytest.fixture
def shop_file(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO items VALUES (1, 'pen'), (2, 'ink')")
    return path


def test_session_resolves_names_everywhere(project, monkeypatch, shop_file, session_factory):
    monkeypatch.setenv("SHOP_PATH", str(shop_file))
    project('[tool.vanna_magic.connections.shop]\nurl = "sqlite:///${SHOP_PATH}"\n')
    session = session_factory(connection="shop")
    assert session.database().url == f"sqlite:///{shop_file}"
    assert session.run_sql("SELECT name FROM items ORDER BY id").frame["name"].tolist() == ["pen", "ink"]
    other = session_factory()
    assert other.run_sql("SELECT count(*) AS n FROM items", connection="shop").frame["n"].tolist() == [2]


def test_magics_list_connect_and_use_names(project, monkeypatch, shop_file, shell, capsys):
    monkeypatch.setenv("SHOP_PATH", str(shop_file))
    monkeypatch.setenv("WH_PASSWORD", SECRET)
    monkeypatch.chdir(shop_file.parent / "project")
    project("""
        [tool.vanna_magic.connections.shop]
        url = "sqlite:///${SHOP_PATH}"
        description = "the test shop"
        [tool.vanna_magic.connections.warehouse]
        url = "postgresql://ann:in-url-secret@db/sales"
        password = "${WH_PASSWORD}"
    """)
    shell.run_cell("%vanna connections")
    listing = capsys.readouterr().out
    assert "  shop       sqlite:///${SHOP_PATH}  the test shop  (" in listing
    assert "warehouse  postgresql://ann:***@db/sales  (" in listing and "password set)" in listing
    assert SECRET not in listing and "in-url-secret" not in listing
    shell.run_cell("%vanna connect shop")
    assert capsys.readouterr().out == f"connected to shop: sqlite:///{shop_file} (sqlite, 1 tables)\n"
    shell.run_cell("%vanna connections")
    assert "* shop" in capsys.readouterr().out
    shell.run_cell("%%vsql -o n --connection shop\nSELECT count(*) AS n FROM items")
    assert shell.user_ns["n"]["n"].tolist() == [2]


def test_magic_connect_unknown_name_keeps_the_current_connection(project, shell):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="no connection named 'nowhere'"):
        shell.run_cell("%vanna connect nowhere")


def test_magic_connections_when_none_are_defined(project, shell, capsys):
    shell.run_cell("%vanna connections")
    assert capsys.readouterr().out.startswith("no named connections. Define one in pyproject.toml:")
