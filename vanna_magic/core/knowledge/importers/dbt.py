"""A dbt project's artifacts: ``target/manifest.json`` (models, columns, descriptions, semantic models,
metrics) and, when present, ``target/catalog.json`` (column types and database comments).

Metrics are translated when their SQL can be written from the manifest: dbt 1.6+ ``simple``
metrics (one measure: ``agg(expr)`` of a semantic model) and dbt <= 1.5 metrics
(``calculation_method`` over ``expression``). Ratio, derived and cumulative metrics are listed
in ``skipped``: their SQL depends on MetricFlow's joins and time spine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...errors import KnowledgeBaseError
from . import ColumnInfo, Imported, file_name, read_json, semantic_yaml, table_doc, write_files

_AGGREGATES = {"sum": "SUM({})", "max": "MAX({})", "min": "MIN({})", "average": "AVG({})", "avg": "AVG({})",
               "count": "COUNT({})", "count_distinct": "COUNT(DISTINCT {})", "median": "MEDIAN({})",
               "sum_boolean": "SUM(CASE WHEN {} THEN 1 ELSE 0 END)"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")


def import_dbt(project: Path, root: Path, *, force: bool = False) -> Imported:
    """Write docs per model and ``semantic/dbt.yaml`` under ``root`` from ``project`` (its folder or ``target/``)."""
    manifest_path, catalog_path = _artifacts(Path(project))
    manifest = read_json(manifest_path, "dbt manifest")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("nodes"), dict):
        raise KnowledgeBaseError("expected a dbt manifest with a 'nodes' object", path=str(manifest_path), line=1,
                                 hint="Run `dbt parse` (or `dbt docs generate`) to write target/manifest.json.")
    catalog = read_json(catalog_path, "dbt catalog") if catalog_path.is_file() else {}
    result = Imported()
    files: dict[str, str] = {}
    models = {uid: node for uid, node in manifest["nodes"].items()
              if isinstance(node, dict) and node.get("resource_type") == "model"}
    for uid, node in models.items():
        name = node.get("alias") or node["name"]
        files[f"docs/{file_name(name)}.md"] = table_doc(
            "dbt", name, node.get("description") or "", _columns(node, (catalog.get("nodes") or {}).get(uid, {})))
    tables = {node["name"]: node.get("alias") or node["name"] for node in models.values()}
    measures, dimensions = _semantic_models(manifest, tables)
    metrics = []
    for metric in (manifest.get("metrics") or {}).values():
        entry = _metric(metric, measures, tables)
        if isinstance(entry, str):
            result.skipped.append(entry)
        else:
            metrics.append(entry)
    if metrics or dimensions:
        files["semantic/dbt.yaml"] = semantic_yaml("dbt", {"metrics": metrics, "dimensions": dimensions})
    result.files = write_files(root, files, force=force)
    return result


def _artifacts(project: Path) -> tuple[Path, Path]:
    for folder in (project / "target", project):
        if (folder / "manifest.json").is_file():
            return folder / "manifest.json", folder / "catalog.json"
    if project.is_file():
        return project, project.with_name("catalog.json")
    raise KnowledgeBaseError("no manifest.json in the dbt project", path=str(project),
                             hint="Give the project folder (with target/manifest.json) after running `dbt parse`.")


def _columns(node: dict, cataloged: dict) -> list[ColumnInfo]:
    described = {name.lower(): c for name, c in (node.get("columns") or {}).items() if isinstance(c, dict)}
    typed = {name.lower(): c for name, c in (cataloged.get("columns") or {}).items() if isinstance(c, dict)}
    order = list(described) + [n for n in sorted(typed, key=lambda n: typed[n].get("index", 0)) if n not in described]
    columns = []
    for key in order:
        doc, cat = described.get(key, {}), typed.get(key, {})
        columns.append(ColumnInfo(doc.get("name") or cat.get("name") or key, doc.get("data_type") or cat.get("type")
                                  or "", doc.get("description") or cat.get("comment") or ""))
    return columns


def _model_table(reference: Any, tables: dict[str, str]) -> str | None:
    match = _REF.search(str(reference or ""))
    return tables.get(match[1], match[1]) if match else None


def _qualified(expr: str, table: str | None) -> str:
    return f"{table}.{expr}" if table and _IDENTIFIER.fullmatch(expr) else expr


def _semantic_models(manifest: dict, tables: dict[str, str]) -> tuple[dict[str, tuple[str, str | None, str]],
                                                                          list[dict[str, Any]]]:
    """Measures by name (sql, table, description) and the dimensions, from dbt 1.6+ semantic models."""
    measures: dict[str, tuple[str, str | None, str]] = {}
    dimensions = []
    for model in (manifest.get("semantic_models") or {}).values():
        table = (model.get("node_relation") or {}).get("alias") or _model_table(model.get("model"), tables)
        for measure in model.get("measures") or []:
            template = _AGGREGATES.get(str(measure.get("agg", "")).lower())
            if template:
                expr = _qualified(str(measure.get("expr") or measure["name"]), table)
                measures[measure["name"]] = (template.format(expr), table, measure.get("description") or "")
        for dimension in model.get("dimensions") or []:
            expr = _qualified(str(dimension.get("expr") or dimension["name"]), table)
            dimensions.append({"name": dimension["name"].replace("_", " "),
                               "description": dimension.get("description") or dimension.get("label")
                               or f"{dimension['name']} of {table}",
                               "sql": expr, **({"tables": [table]} if table else {})})
    return measures, dimensions


def _metric(metric: dict, measures: dict[str, tuple[str, str | None, str]], tables: dict[str, str]
            ) -> dict[str, Any] | str:
    """A semantic-YAML metric entry, or a sentence saying why the metric is skipped."""
    name = metric.get("name", "?")
    description = metric.get("description") or metric.get("label") or name
    filters: list[str] = []
    if metric.get("calculation_method"):  # dbt <= 1.5
        template = _AGGREGATES.get(str(metric["calculation_method"]).lower())
        if template is None:
            return f"metric {name}: calculation method {metric['calculation_method']!r} is not translated"
        table = _model_table(metric.get("model"), tables)
        sql = template.format(_qualified(str(metric.get("expression") or "*"), table))
        filters = [f"{_qualified(str(f['field']), table)} {f['operator']} {f['value']}"
                   for f in metric.get("filters") or []
                   if isinstance(f, dict) and {"field", "operator", "value"} <= set(f)]
    elif metric.get("type") == "simple":
        measure = ((metric.get("type_params") or {}).get("measure") or {})
        found = measures.get(measure.get("name") if isinstance(measure, dict) else measure)
        if found is None:
            return f"metric {name}: its measure is not in the manifest's semantic models"
        sql, table, measure_description = found
        description = metric.get("description") or measure_description or name
        for where in ((metric.get("filter") or {}).get("where_filters") or []):
            filters.append(_plain_filter(where.get("where_sql_template", "")))
    else:
        return f"metric {name}: {metric.get('type', 'unknown')} metrics are not translated"
    entry: dict[str, Any] = {"name": name.replace("_", " "), "description": " ".join(str(description).split()),
                             "sql": sql}
    if filters:
        entry["filter"] = " AND ".join(f"({f})" if len(filters) > 1 else f for f in filters)
    if table:
        entry["tables"] = [table]
    return entry


def _plain_filter(template: str) -> str:
    """``{{ Dimension('order__status') }} = 'x'`` -> ``status = 'x'``: MetricFlow's references as column names."""
    return re.sub(r"\{\{\s*(?:Dimension|TimeDimension|Entity)\(\s*['\"](?:\w+__)?(\w+)['\"][^}]*\}\}", r"\1",
                  template).strip()
