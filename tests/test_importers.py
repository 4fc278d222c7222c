"""Importers: dbt artifacts, metadata.json and database comments -> docs and semantic YAML that load cleanly."""

import json
import shutil
from pathlib import Path

import pytest

from vanna_magic.cli import main
from vanna_magic.core.errors import KnowledgeBaseError
from vanna_magic.core.knowledge.files import load_knowledge_base
from vanna_magic.core.knowledge.importers.dbt import import_dbt
from vanna_magic.core.knowledge.importers.metadata import import_metadata

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def definitions(kb):
    return {(d.kind, d.name): d for d in kb.definitions}


def test_dbt_round_trip(tmp_path):
    result = import_dbt(FIXTURES / "dbt", tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in result.files) == [
        "docs/order_items.md", "docs/orders.md", "semantic/dbt.yaml"]
    assert result.skipped == ["metric average_order_value: ratio metrics are not translated"]
    kb = load_knowledge_base([tmp_path])
    assert kb.problems == []
    found = definitions(kb)
    revenue = found[("metric", "revenue")]
    assert (revenue.sql, revenue.filter, revenue.tables) == ("SUM(orders.amount)", "status != 'cancelled'",
                                                             ("orders",))
    assert found[("metric", "order count")].sql == "COUNT(DISTINCT orders.order_id)"
    assert found[("metric", "order count")].description == "Distinct orders."  # the measure's, when the metric has none
    assert found[("dimension", "order month")].sql == "date_trunc('month', ordered_at)"
    orders = next(d for d in kb.documents if d.table == "orders")
    assert orders.title == "orders" and "One row per order placed by a customer." in orders.text
    assert "| `ordered_at` | timestamp | When the order was placed (UTC). |" in orders.text  # from catalog.json
    assert "| `status` | text | pending, shipped, delivered, cancelled or returned. |" in orders.text


def test_dbt_legacy_metrics(tmp_path):
    result = import_dbt(FIXTURES / "dbt_legacy" / "target" / "manifest.json", tmp_path)
    assert result.skipped == ["metric net_revenue: calculation method 'derived' is not translated"]
    kb = load_knowledge_base([tmp_path])
    active = definitions(kb)[("metric", "active customers")]
    assert kb.problems == [] and active.sql == "COUNT(DISTINCT customers.customer_id)"
    assert active.filter == "customers.is_active = true"


def test_metadata_round_trip(tmp_path):
    result = import_metadata(FIXTURES / "metadata" / "metadata.json", tmp_path)
    assert sorted(p.name for p in result.files) == ["author.md", "glossary.md", "organization.md"]
    kb = load_knowledge_base([tmp_path])
    assert kb.problems == [] and sorted(d.title for d in kb.documents) == ["Glossary", "author", "organization"]
    author = next(d for d in kb.documents if d.table == "author")
    assert "| `oid` | bigint | Organization the author belongs to \\| affiliation |" in author.text
    assert "h-index" in next(d for d in kb.documents if d.title == "Glossary").text


def test_every_defog_metadata_file_imports_cleanly(tmp_path):
    sources = sorted((Path(__file__).resolve().parents[1] / "bench/data/defog-dev/databases").glob("*/metadata.json"))
    assert len(sources) == 7
    for source in sources:
        target = tmp_path / source.parent.name
        result = import_metadata(source, target)
        kb = load_knowledge_base([target])
        assert kb.problems == [] and len(kb.documents) == len(result.files) > 0, source


def test_a_second_import_rewrites_its_own_files_but_never_a_hand_written_one(tmp_path):
    import_metadata(FIXTURES / "metadata" / "metadata.json", tmp_path)
    import_metadata(FIXTURES / "metadata" / "metadata.json", tmp_path)  # its own files: rewritten
    (tmp_path / "docs" / "author.md").write_text("# author\n\nWritten by a person.\n")
    with pytest.raises(KnowledgeBaseError, match=r"author.md: the file was not written by an importer; "
                                                 r"it is left as it is\nMove it away, or pass --force"):
        import_metadata(FIXTURES / "metadata" / "metadata.json", tmp_path)
    assert (tmp_path / "docs" / "author.md").read_text() == "# author\n\nWritten by a person.\n"
    import_metadata(FIXTURES / "metadata" / "metadata.json", tmp_path, force=True)
    assert "Written by a person" not in (tmp_path / "docs" / "author.md").read_text()


@pytest.mark.parametrize("content, message", [
    ('{"table_metadata": [1, 2]}', r"metadata.json:1: expected an object with a 'table_metadata' object"),
    ('{\n  "table_metadata": {,\n}', r"metadata.json:2: the metadata file is not valid JSON: Expecting"),
    (None, r"metadata.json: cannot read the metadata file: No such file or directory"),
])
def test_a_bad_metadata_file(tmp_path, content, message):
    path = tmp_path / "metadata.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(KnowledgeBaseError, match=message):
        import_metadata(path, tmp_path / "kb")
    assert not (tmp_path / "kb").exists()


def test_a_bad_dbt_project(tmp_path):
    with pytest.raises(KnowledgeBaseError, match=r": no manifest.json in the dbt project\nGive the project folder"):
        import_dbt(tmp_path, tmp_path / "kb")
    (tmp_path / "manifest.json").write_text(json.dumps({"metadata": {}}))
    with pytest.raises(KnowledgeBaseError, match=r"manifest.json:1: expected a dbt manifest with a 'nodes' object"):
        import_dbt(tmp_path, tmp_path / "kb")


def test_the_command_line(tmp_path, capsys):
    project = tmp_path / "dbt"
    shutil.copytree(FIXTURES / "dbt", project)
    assert main(["import", "dbt", str(project), "--to", str(tmp_path / "kb")]) == 0
    captured = capsys.readouterr()
    assert f"{tmp_path / 'kb'}: 0 examples, 4 definitions, 2 documents" in captured.out
    assert "skipped metric average_order_value" in captured.err
    assert main(["import", "metadata", str(tmp_path / "missing.json"), "--to", str(tmp_path / "kb")]) == 1
    assert "error [knowledge]: " in capsys.readouterr().err


def test_comments_from_sqlite_catalog_write_relationships_only(tmp_path, session_factory):
    from vanna_magic.core.knowledge.importers.comments import import_comments

    tables = session_factory().catalog().tables()  # the demo database: foreign keys, no comments
    result = import_comments(tables, tmp_path)
    assert [p.name for p in result.files] == ["comments.yaml"] and len(result.skipped) == len(tables)
    kb = load_knowledge_base([tmp_path])
    assert kb.problems == [] and ("relationship", "orders.customer_id -> customers.customer_id") in definitions(kb)


@pytest.mark.postgres
def test_comments_round_trip_on_postgres(tmp_path, postgres_shop, capsys):
    assert main(["import", "comments", "--db", postgres_shop, "--to", str(tmp_path)]) == 0
    kb = load_knowledge_base([tmp_path])
    customers = next(d for d in kb.documents if d.table == "customers")
    assert "People who bought at least once." in customers.text
    assert "Contact address; may be missing." in customers.text
    assert ("relationship", "orders.customer_id -> customers.customer_id") in definitions(kb)
    assert "orders" in {d.table for d in kb.documents}  # a column comment is enough for a document
