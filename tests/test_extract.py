"""SQL extraction from model answers, driven by tests/fixtures/extract/answers.txt."""

import doctest

import pytest

from tests.helpers import params
from vanna_magic.core import errors
from vanna_magic.core.generate import extract as extract_module
from vanna_magic.core.generate.extract import extract_sql, fenced_blocks


@pytest.mark.parametrize("case", params("extract/answers.txt"))
def test_extract(case):
    dialect = case.options.get("dialect", "postgres")
    assert (case.expected is None) != ("raises" not in case.options), f"{case.where}: give expect or raises"
    if case.expected is not None:
        assert extract_sql(case.input, dialect) == case.expected, case.where
        return
    error_type = getattr(errors, case.options["raises"])
    with pytest.raises(error_type) as info:
        extract_sql(case.input, dialect)
    assert info.value.response == case.input[:200]


def test_no_sql_is_a_generation_error_with_the_start_of_the_answer():
    answer = "I am sorry, but " + "I cannot tell which table holds that. " * 20
    with pytest.raises(errors.GenerationError, match="the model answered without SQL") as info:
        extract_sql(answer, "sqlite")
    assert info.value.response == answer[:200] and len(info.value.response) == 200
    assert info.value.hint and info.value.stage == "generate"


def test_none_is_an_answer_without_sql():
    with pytest.raises(errors.GenerationError):
        extract_sql(None, "sqlite")


def test_unknown_dialect_is_a_configuration_error():
    with pytest.raises(errors.ConfigurationError, match="dialect"):
        extract_sql("SELECT 1", "cobol")


def test_fenced_blocks_know_labels_and_open_fences():
    blocks = fenced_blocks("```python\nx = 1\n```\ntext\n```sql\nSELECT 1\n")
    assert [(b.label, b.text, b.closed) for b in blocks] == [("python", "x = 1", True), ("sql", "SELECT 1", False)]


def test_docstring_examples_run():
    assert doctest.testmod(extract_module).failed == 0
