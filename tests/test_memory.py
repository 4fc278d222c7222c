"""``%vanna memory stats|backup|restore|cleanup`` and ``%vanna tools`` through a real shell."""

import json
import zipfile

import pytest
from IPython.core.error import UsageError


@pytest.fixture
def vanna(shell, tmp_path):
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders")
    shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM customers")
    return shell


def _store(shell):
    return shell.magics_manager.registry["VannaMagic"].session.store


def test_stats(vanna):
    stats = vanna.run_cell("%vanna memory stats").result
    assert stats["queries"] == 2 and stats["store_kept"] is True and stats["store_bytes"] > 0
    assert stats["knowledge_base"]["examples"] > 0 and stats["knowledge_base"]["bytes"] > 0
    assert stats["disk_used_bytes"] >= stats["store_bytes"] and stats["disk_free_bytes"] > 0


def test_backup_then_restore_brings_the_history_back(vanna, tmp_path):
    target = tmp_path / "backup.zip"
    vanna.run_cell(f"%vanna memory backup {target}")
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "vanna-magic-backup" and manifest["counts"]["queries"] == 2
    vanna.run_cell("%%vsql\nSELECT 1 AS one")
    assert _store(vanna).count() == 3
    vanna.run_cell(f"%vanna memory restore {target}")
    assert _store(vanna).count() == 2
    vanna.run_cell("%%vsql\nSELECT 2 AS two")  # the restored store keeps working
    assert _store(vanna).count() == 3


def _corrupt(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _foreign(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "something-else", "version": 1}))


def _tampered(path):
    with zipfile.ZipFile(path) as archive:
        manifest, snapshot = archive.read("manifest.json"), archive.read("store.sqlite3")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", manifest)
        archive.writestr("store.sqlite3", snapshot[:-1] + bytes([snapshot[-1] ^ 1]))


@pytest.mark.parametrize("damage, why", [
    (_corrupt, "it is not a readable zip file"),
    (_truncate, "it is not a readable zip file"),
    (_foreign, "its manifest is not of format 'vanna-magic-backup'"),
    (_tampered, "the checksum of store.sqlite3 does not match its manifest"),
])
def test_a_bad_backup_is_refused_and_the_history_is_untouched(vanna, tmp_path, damage, why):
    target = tmp_path / "backup.zip"
    vanna.run_cell(f"%vanna memory backup {target}")
    vanna.run_cell("%%vsql\nSELECT 1 AS one")
    damage(target)
    with pytest.raises(UsageError) as info:
        vanna.run_cell(f"%vanna memory restore {target}")
    assert str(info.value).startswith(f"[memory] {target} is not a usable vanna-magic backup: {why}")
    assert "nothing was restored" in str(info.value)
    assert _store(vanna).count() == 3


@pytest.mark.parametrize("line, message", [
    ("%vanna memory restore", "[memory] memory restore needs the backup file"),
    ("%vanna memory restore /no/such/backup.zip", "[memory] there is no backup file at /no/such/backup.zip"),
    ("%vanna memory cleanup", "[memory] memory cleanup needs --older-than DAYS, a positive number of days"),
    ("%vanna memory cleanup --older-than -3", "[memory] memory cleanup needs --older-than DAYS"),
])
def test_memory_refuses_bad_input(vanna, line, message):
    with pytest.raises(UsageError) as info:
        vanna.run_cell(line)
    assert str(info.value).startswith(message)


def test_cleanup_deletes_old_records_only(vanna, capsys):
    vanna.run_cell("%vanna memory cleanup --older-than 30")
    assert "deleted 0 records older than 30 days" in capsys.readouterr().out
    assert _store(vanna).count() == 2


def test_tools_lists_capabilities_with_usage_counts(vanna):
    vanna.run_cell("%vanna schema")
    tools = vanna.run_cell("%vanna tools").result.set_index("tool")
    assert {"ask", "run_sql", "get_schema", "semantic_search", "chart", "memory"} <= set(tools.index)
    assert tools.loc["run_sql", "uses"] == 2 and tools.loc["get_schema", "uses"] == 1
    assert tools.loc["run_sql", "parameters"].startswith("%%vsql")
