"""The README documents every setting and every magic option, so the docs cannot drift."""

from pathlib import Path

import pytest

from vanna_magic.core.config import setting_names
from vanna_magic.jupyter.magics import ASK, VANNA, VSQL

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", setting_names())
def test_every_setting_is_in_the_readme(name):
    assert f"`{name}`" in README


def _options(parser):
    return [s for action in parser._actions for s in action.option_strings]


@pytest.mark.parametrize("option", sorted(set(_options(ASK) + _options(VSQL))))
def test_every_magic_option_is_in_the_readme(option):
    assert option in README


@pytest.mark.parametrize("command", sorted(VANNA._subparsers._group_actions[0].choices))
def test_every_vanna_command_is_in_the_readme(command):
    assert f"%vanna {command}" in README


def test_readme_names_the_two_commands_ci_uses():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "make test" in ci and "make test" in README and "make demo" in README
