"""Optional features: each extra's module hidden, the feature says in one sentence which extra to install."""

import sys

import pandas as pd
import pytest
from IPython.core.error import UsageError

from vanna_magic.core import extras
from vanna_magic.core.data.database import Database
from vanna_magic.core.errors import ConfigurationError


def hide(monkeypatch, *modules: str) -> None:
    """Make ``import module`` fail as it does where the package is not installed."""
    for name in list(sys.modules):
        if any(name == m or name.startswith(m + ".") for m in modules):
            monkeypatch.delitem(sys.modules, name)
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize(("module", "url", "sentence"), [
    ("psycopg", "postgresql://analyst@127.0.0.1:1/sales", "install vanna-magic[postgres] to connect to PostgreSQL"),
    ("pymysql", "mysql://root@127.0.0.1:1/test", "install vanna-magic[mysql] to connect to MySQL or MariaDB"),
    ("oracledb", "oracle+oracledb://scott@db:1521/?service_name=ORCL",
     "install vanna-magic[oracle] to connect to Oracle"),
])
def test_a_driver_whose_extra_is_missing_names_the_extra(monkeypatch, module, url, sentence):
    hide(monkeypatch, module)
    with pytest.raises(ConfigurationError) as info:
        Database(url)
    assert sentence in info.value.message and "\n" not in info.value.message
    assert info.value.extra == sentence.split("[")[1].split("]")[0]


def test_connect_without_the_oracle_extra_is_one_sentence_in_the_notebook(shell, monkeypatch):
    hide(monkeypatch, "oracledb")
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("vanna", "connect oracle+oracledb://scott@db:1521/?service_name=ORCL")
    assert "install vanna-magic[oracle] to connect to Oracle" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_charts_without_the_charts_extra_name_the_extra(monkeypatch):
    from vanna_magic.jupyter.charts import build_chart

    hide(monkeypatch, "plotly")
    with pytest.raises(ConfigurationError, match=r"install vanna-magic\[charts\] to draw charts"):
        build_chart(pd.DataFrame({"region": ["north", "south"], "revenue": [3, 4]}))


def test_secrets_without_the_secrets_extra_name_the_extra(monkeypatch):
    from vanna_magic.core.data.connections import decrypt, encrypt

    hide(monkeypatch, "cryptography")
    for call in (lambda: decrypt("gAAAA", environ={"VANNA_MAGIC_SECRET": "k"}),
                 lambda: encrypt("pw", environ={"VANNA_MAGIC_SECRET": "k"})):
        with pytest.raises(ConfigurationError, match=r"install vanna-magic\[secrets\] to encrypt and decrypt"):
            call()


def test_postgres_without_arrow_takes_the_plain_path(monkeypatch):
    from vanna_magic.core.data import fastpath
    hide(monkeypatch, "adbc_driver_postgresql")
    assert fastpath.available() is False


def test_every_extra_named_in_the_table_exists_in_pyproject():
    from pathlib import Path

    import tomllib

    declared = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    optional = declared["optional-dependencies"]
    assert {extra.name for extra in extras.EXTRAS.values()} <= set(optional)
    assert set(optional["all"][0].split("[")[1].rstrip("]").split(",")) == set(optional) - {"all"}
    core = " ".join(declared["dependencies"])
    for module in ("psycopg", "pymysql", "oracledb", "plotly", "cryptography", "adbc", "pyarrow"):
        assert module not in core, f"{module} belongs in an extra, not in every install"


def test_a_module_missing_elsewhere_is_not_blamed_on_an_extra(monkeypatch):
    hide(monkeypatch, "no_such_vanna_module")
    with pytest.raises(ConfigurationError, match="'no_such_vanna_module' is not installed"):
        extras.require("no_such_vanna_module")
