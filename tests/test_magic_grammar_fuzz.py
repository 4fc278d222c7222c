"""Any input to any magic gives a result or a one-sentence UsageError, never a traceback, and the history
store's row count never drops.

The grammar is read from the magics' own parsers (every ``%vanna`` command with its options, ``%%ask``,
``%ask``, ``%%vsql``), so a new command or option is fuzzed without touching this file. Values come
from a vocabulary of what goes wrong (out-of-range numbers, NaN, empty strings, unbalanced quotes,
paths that are folders, under files or missing, URLs that refuse) mixed with valid ones.

Left out: ``kb add|remove`` (they write the knowledge base's files, which is their purpose) and
``kb rebuild`` (seconds of embedding per example); ``memory cleanup`` with a valid age may delete
old rows, which is its purpose, so the row count is not checked after it.
"""

from __future__ import annotations

import argparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from vanna_magic.jupyter.cells import ASK, VSQL
from vanna_magic.jupyter.commands import vanna_parser

EXAMPLES = 80  # cells per example: 1 to 3, so about 160 inputs in all; broad, and fast enough (under a minute)
HUGE = "99999999999999999999999"
NUMBERS = ["1", "2", "20", "0", "-1", HUGE, "9223372036854775807", "9223372036854775808", "nan", "inf",
           "-inf", "1e400", "1.5", "abc", ""]
WORDS = ["orders", "customers", "", " ", "'", '"', "?", "??", "%", "--", "-x", "--bogus", "ünïcode ✓", "a b",
         "x" * 300, "demo", "sqlite:///no/such/file.db", "postgresql://nobody@127.0.0.1:1/none",
         "not a url ://", "SELECT 1", "DROP TABLE orders", "How many orders are there?", "1; DELETE FROM orders"]
SKIPPED = {("kb", "add"), ("kb", "remove"), ("kb", "rebuild")}
RUN = {"cells": 0, "refused": 0}


def _paths(root) -> list[str]:
    (root / "a-folder").mkdir(exist_ok=True)
    (root / "a-file").write_text("not a backup")
    return [str(root / "a-folder"), str(root / "a-file"), str(root / "a-file" / "under.zip"),
            str(root / "missing" / "x.zip"), str(root / "out.csv"), str(root / "b.zip"), "relative.csv"]


def _value(action: argparse.Action, paths: list[str]) -> st.SearchStrategy[str]:
    kind = getattr(action.type, "__name__", None)
    if action.choices:  # mostly valid, so that the command runs past its parser
        return st.sampled_from(list(action.choices) * 4 + ["bogus", "", HUGE])
    if kind in ("positive_int", "float"):
        pool = ["1", "2", "30"] * 3 + NUMBERS
    else:
        pool = WORDS + paths + NUMBERS[:6]
    return st.sampled_from(pool)


def _arguments(parser: argparse.ArgumentParser, paths: list[str]) -> st.SearchStrategy[list[str]]:
    """Tokens for ``parser``: its positionals (sometimes missing or doubled), some of its options
    with values, and now and then a token it does not know."""
    parts: list[st.SearchStrategy[list[str]]] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:  # a positional
            parts.append(st.sampled_from([1, 1, 1, 0, 2]).flatmap(
                lambda n, action=action: st.lists(_value(action, paths), min_size=n, max_size=n)))
            continue
        flag = st.sampled_from(action.option_strings)
        if action.nargs == 0:
            parts.append(st.lists(flag, max_size=1))
        else:
            parts.append(st.lists(st.tuples(flag, _value(action, paths)).map(list), max_size=1)
                         .map(lambda pairs: [t for pair in pairs for t in pair]))
    parts.append(st.lists(st.sampled_from(["--bogus", "-z", "extra", HUGE, "'"]), max_size=1))
    return st.tuples(*parts).map(lambda groups: [t for group in groups for t in group])


def _quote(token: str) -> str:
    import shlex

    return token if token in ("'", '"') else shlex.quote(token)  # a lone quote stays unbalanced on purpose


def _cells(paths: list[str]) -> st.SearchStrategy[str]:
    commands = {name: sub for name, sub in
                [a for a in vanna_parser()._actions if a.dest == "command"][0].choices.items()}
    vanna = st.sampled_from(sorted(commands)).flatmap(
        lambda name: _arguments(commands[name], paths).map(lambda tokens: f"%vanna {name} "
                                                           + " ".join(map(_quote, tokens))))
    question = st.sampled_from(WORDS + ["Which regions have the most customers?", "top 3 products by revenue"])
    ask_cell = st.tuples(_arguments(ASK, paths), question).map(
        lambda t: "%%ask " + " ".join(map(_quote, t[0])) + "\n" + t[1])
    ask_line = question.map(lambda q: f"%ask {q}")
    sql = st.sampled_from(["SELECT COUNT(*) AS n FROM orders", "SELECT * FROM customers", "", "SELEC 1",
                           "DROP TABLE orders", "SELECT 1; SELECT 2", "SELECT nope FROM orders", "'"])
    vsql = st.tuples(_arguments(VSQL, paths), sql).map(lambda t: "%%vsql " + " ".join(map(_quote, t[0])) + "\n" + t[1])
    return st.one_of(vanna, ask_cell, ask_line, vsql).filter(
        lambda cell: tuple(cell.split()[1:3]) not in SKIPPED)


@pytest.fixture
def fuzzed(shell, tmp_path):
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    shell.run_cell(f"%config VannaMagic.cache_dir = {str(tmp_path / 'cache')!r}")
    shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders")
    return shell, _paths(tmp_path)


def test_any_input_gives_a_result_or_one_sentence(fuzzed):
    shell, paths = fuzzed
    store = lambda: shell.magics_manager.registry["VannaMagic"].session.store  # noqa: E731 - the session may change

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much])
    @given(cells=st.lists(_cells(paths), min_size=1, max_size=3))
    def run(cells):
        for cell in cells:
            before = store().count()
            RUN["cells"] += 1
            try:
                shell.run_cell(cell)
            except UsageError as exc:  # the one way to refuse: shown without a traceback
                RUN["refused"] += 1
                assert str(exc).strip(), cell
            if not cell.startswith("%vanna memory cleanup"):
                assert store().count() >= before, f"{cell!r} lost history rows"

    run()
    print(f"\nfuzzed {RUN['cells']} inputs, {RUN['refused']} refused with a UsageError")
    assert RUN["cells"] >= EXAMPLES
