"""The history store always recovers: a damaged or empty file is moved aside (never deleted) and said
once, a restore works over a damaged store, the status probe really writes, and a store that cannot be
written is reported once, not on every answer."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_store import _answer, _read_only
from vanna_magic.core.ops.store import Store

GARBAGE = b"this is not a SQLite file, whatever its name says " * 200


def _aside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm")))


@pytest.mark.parametrize("content", [GARBAGE, b""], ids=["corrupt", "empty"])
def test_a_damaged_store_at_start_is_moved_aside_and_said_once(session_factory, tmp_path, content):
    path = tmp_path / "store.sqlite3"
    path.write_bytes(content)
    old = time.time() - 3600
    os.utime(path, (old, old))  # an empty file of an hour ago is nobody's store in the making
    session = session_factory(store_path=str(path))
    first = session.run_sql("SELECT COUNT(*) AS n FROM orders")
    second = session.run_sql("SELECT COUNT(*) AS n FROM orders")
    aside = _aside(path)
    assert len(aside) == 1 and aside[0].read_bytes() == content  # kept, byte for byte
    told = [n for n in first.notes if "moved aside" in n]
    assert len(told) == 1 and str(aside[0]) in told[0]
    assert not [n for n in second.notes if "store" in n]  # once
    assert first.history_id is not None and session.store.count() == 2
    session.close()


def test_an_empty_store_being_created_by_another_kernel_is_left_alone(tmp_path):
    path = tmp_path / "store.sqlite3"
    path.write_bytes(b"")  # just created, not yet written
    store = Store(path)
    assert store.available and store.notice is None and not _aside(path)
    store.close()


def test_restore_works_over_a_damaged_store(shell, tmp_path):
    path = tmp_path / "store.sqlite3"
    shell.run_cell(f"%config VannaMagic.store_path = {str(path)!r}")
    shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders")
    shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM customers")
    backup = tmp_path / "backup.zip"
    shell.run_cell(f"%vanna memory backup {backup}")
    store = shell.magics_manager.registry["VannaMagic"].session.store
    store.close()  # the file is damaged behind the store's back, e.g. by a crash while it was closed
    with open(path, "r+b") as damaged:
        damaged.write(GARBAGE)
    shell.run_cell(f"%vanna memory restore {backup}")
    assert store.count() == 2 and store.intact()
    aside = _aside(path)
    assert len(aside) == 1 and aside[0].read_bytes().startswith(GARBAGE[:100])


def _immutable(*paths: Path, on: bool) -> None:
    for path in paths:
        if path.exists():
            subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True, capture_output=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="chattr needs root")  # the suite runs as root here and in CI
def test_the_status_probe_writes_so_a_read_only_store_loses_its_points(session_factory, tmp_path):
    path = tmp_path / "store.sqlite3"
    session = session_factory(store_path=str(path))
    assert session.run_sql("SELECT 1 AS one").history_id is not None
    healthy = session.status()
    assert healthy.store.kept
    files = (path, Path(f"{path}-wal"))  # never -shm: SQLite maps it, and a write to it would be a bus error
    _immutable(*files, on=True)
    try:
        status = session.status()
        assert not status.store.kept and status.health_score == healthy.health_score - 15
        first = session.run_sql("SELECT 1 AS one")
        second = session.run_sql("SELECT 1 AS one")
    finally:
        _immutable(*files, on=False)
    assert len([n for n in first.notes if n.startswith("history is not being kept")]) == 1
    assert not [n for n in second.notes if n.startswith("history is not being kept")]  # said once
    assert session.run_sql("SELECT 1 AS one").history_id is not None and session.status().store.kept
    session.close()


def test_a_read_only_store_folder_is_said_once(session_factory, tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    _read_only(folder, True)
    try:
        session = session_factory(store_path=str(folder / "store.sqlite3"))
        notes = [session.run_sql("SELECT 1 AS one").notes for _ in range(3)]
    finally:
        _read_only(folder, False)
    assert [len([n for n in each if "history is not being kept" in n]) for each in notes] == [1, 0, 0]
    session.close()


def test_the_probe_row_is_one_row_however_often_status_runs(tmp_path):
    store = Store(tmp_path / "store.sqlite3")
    store.record_query(_answer(), kind="question")
    for _ in range(3):
        assert store.ping()
    assert store.count() == 1
    store.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="chattr needs root")  # the suite runs as root here and in CI
def test_kb_rebuild_with_a_read_only_cache_folder_says_one_sentence(shell, tmp_path):
    from IPython.core.error import UsageError

    cache = tmp_path / "cache"
    shell.run_cell(f"%config VannaMagic.cache_dir = {str(cache)!r}")
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    shell.run_cell("%vanna kb rebuild")
    index = cache / "index"
    before = sorted(p.name for p in index.iterdir())
    _immutable(index, on=True)
    try:
        with pytest.raises(UsageError) as info:
            shell.run_cell("%vanna kb rebuild")
    finally:
        _immutable(index, on=False)
    assert "cannot rebuild the index" in str(info.value) and "cache_dir" in str(info.value)
    assert sorted(p.name for p in index.iterdir()) == before  # nothing lost
