"""An :class:`~vanna_magic.core.evaluate.report.Evaluation` as JUnit XML, the format CI systems show as tests:
one test case per example, a failure for an answer that is not right, skipped for an example not counted.
Reads the evaluation's attributes only (the report module writes it through here)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

SUITE = "vanna-magic eval"


def junit_xml(evaluation: Any) -> str:
    """The JUnit XML document of ``evaluation``.

    >>> from vanna_magic.core.evaluate.report import ExampleResult, Evaluation, WRONG
    >>> xml = junit_xml(Evaluation([ExampleResult("How many?", "SELECT 1", WRONG, reason="1 rows, expected 2")], 1))
    >>> '<failure message="1 rows, expected 2"' in xml and 'tests="1" failures="1"' in xml
    True
    """
    results = evaluation.results
    failures = len(evaluation.failures)
    skipped = len(evaluation.not_counted) + (evaluation.total - len(results))
    suite = ElementTree.Element("testsuite", name=SUITE, tests=str(evaluation.total), failures=str(failures),
                                errors="0", skipped=str(skipped), time=f"{evaluation.seconds:.3f}")
    for result in results:
        case = ElementTree.SubElement(suite, "testcase", name=result.question, classname=_classname(result),
                                      time=f"{result.seconds:.3f}")
        if not result.counted:
            ElementTree.SubElement(case, "skipped", message=result.reason)
        elif not result.right:
            failure = ElementTree.SubElement(case, "failure", message=result.reason, type=result.outcome)
            failure.text = _details(result)
    if evaluation.stopped:
        ElementTree.SubElement(suite, "system-err").text = evaluation.stopped
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _classname(result: Any) -> str:
    path = result.path or "examples"
    return path.replace("/", ".").replace("\\", ".").removesuffix(".sql")


def _details(result: Any) -> str:
    lines = [f"example SQL:\n{result.example_sql}", f"generated SQL:\n{result.sql or '(none)'}"]
    if result.confidence:
        lines.append(f"confidence: {result.confidence}")
    if result.expected or result.got:
        lines.append("expected rows the answer lacks: " + "; ".join(" | ".join(r) for r in result.expected))
        lines.append("rows the answer has instead: " + "; ".join(" | ".join(r) for r in result.got))
    return "\n".join(lines)
