"""What vanna-magic remembers (history, audit, rate-limit state) and its backups.

A backup is one zip file: ``manifest.json`` (format, version, creation time, row counts
and the SHA-256 and size of every member) and ``store.sqlite3``, a consistent snapshot
taken with SQLite's online backup. A restore checks everything first (zip, manifest,
checksums, SQLite integrity, our tables) and only then copies the snapshot into the
live store, through SQLite, so kernels using the store keep a consistent file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import VannaError

if TYPE_CHECKING:
    from ..knowledge.base import KnowledgeBase
    from .store import Store

FORMAT = "vanna-magic-backup"
VERSION = 1
SNAPSHOT = "store.sqlite3"
MANIFEST = "manifest.json"
_TABLES = {"queries", "audit", "model_calls"}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def stats(store: "Store", kb: "KnowledgeBase", cache_path: Path) -> dict[str, Any]:
    """History rows, knowledge-base and index sizes (the index in ``cache_path``), and the disk they use."""
    files = [store.path, Path(f"{store.path}-wal"), Path(f"{store.path}-shm")]
    kb_bytes = sum(_size(Path(folder) / name) for root in kb.roots if Path(root).is_dir()
                   for folder, _dirs, names in os.walk(root) for name in names)
    index_dir = cache_path / "index"
    index_files = sorted(index_dir.glob("*.faiss")) if index_dir.is_dir() else []
    result: dict[str, Any] = {
        "store_path": str(store.path), "store_kept": store.available, "store_bytes": sum(map(_size, files)),
        "knowledge_base": {"examples": len(kb.examples), "definitions": len(kb.definitions),
                           "documents": len(kb.documents), "bytes": kb_bytes},
        "index": {"files": len(index_files), "bytes": sum(map(_size, index_files))},
    }
    try:
        result.update(queries=store.count("queries"), audit_events=store.count("audit"))
    except VannaError as exc:
        result.update(queries=None, audit_events=None, store_problem=exc.message)
    result["disk_used_bytes"] = result["store_bytes"] + kb_bytes + result["index"]["bytes"]
    result["disk_free_bytes"] = shutil.disk_usage(store.path.parent if store.path.parent.exists() else "/").free
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(store: "Store", cache_path: Path, path: str | os.PathLike | None = None) -> Path:
    """Write a backup of the store to ``path`` (default: ``<cache_path>/backups/``); its path."""
    if not store.path.exists():
        raise VannaError(f"there is nothing to back up: {store.path} does not exist", stage="memory",
                         hint="Ask a question first, or check store_path.")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = Path(path).expanduser() if path else cache_path / "backups" / f"vanna-magic-{stamp}.zip"
    if target.is_dir():
        raise VannaError(f"cannot write the backup to {target}: it is a folder", stage="memory",
                         hint=f"Name a file, e.g. %vanna memory backup {target / f'vanna-magic-{stamp}.zip'}")
    try:
        _write_backup(store, target)
    except (OSError, sqlite3.Error) as exc:
        raise VannaError(f"cannot write the backup to {target}: {getattr(exc, 'strerror', None) or exc}",
                         stage="memory",
                         hint="Choose a path in a folder you may write; the history is unchanged.") from exc
    return target


def _write_backup(store: "Store", target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        snapshot = Path(work) / SNAPSHOT
        source = sqlite3.connect(f"{store.path.absolute().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            with sqlite3.connect(snapshot) as copy:
                source.backup(copy)
                counts = {t: copy.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in sorted(_TABLES)}
            copy.close()
        finally:
            source.close()
        manifest = {"format": FORMAT, "version": VERSION, "created": datetime.now(timezone.utc).isoformat(),
                    "source": str(store.path), "counts": counts,
                    "files": {SNAPSHOT: {"sha256": _sha256(snapshot), "size": _size(snapshot)}}}
        partial = Path(work) / "backup.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
            archive.write(snapshot, SNAPSHOT)
        os.replace(partial, target)


def _refuse(path: Path, why: str) -> VannaError:
    return VannaError(f"{path} is not a usable vanna-magic backup: {why}; nothing was restored", stage="memory",
                      hint="Choose a file written by %vanna memory backup; the current history is unchanged.")


def validate(path: Path, work: Path) -> tuple[dict[str, Any], Path]:
    """Check a backup completely and extract its snapshot into ``work``; the manifest and the snapshot."""
    if not path.is_file():
        raise VannaError(f"there is no backup file at {path}", stage="memory", hint="Check the path.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST not in names:
                raise _refuse(path, "it has no manifest.json")
            try:
                manifest = json.loads(archive.read(MANIFEST))
            except ValueError as exc:
                raise _refuse(path, "its manifest is not JSON") from exc
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _refuse(path, f"its manifest is not of format {FORMAT!r}")
            if manifest.get("version") != VERSION:
                raise _refuse(path, f"it is version {manifest.get('version')!r}, this vanna-magic reads {VERSION}")
            expected = (manifest.get("files") or {}).get(SNAPSHOT)
            if SNAPSHOT not in names or not isinstance(expected, dict):
                raise _refuse(path, f"it has no {SNAPSHOT}")
            snapshot = Path(archive.extract(SNAPSHOT, work))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise _refuse(path, f"it is not a readable zip file ({exc})") from exc
    if _size(snapshot) != expected.get("size") or _sha256(snapshot) != expected.get("sha256"):
        raise _refuse(path, f"the checksum of {SNAPSHOT} does not match its manifest")
    try:
        with sqlite3.connect(f"{snapshot.absolute().as_uri()}?mode=ro", uri=True) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.close()
    except sqlite3.Error as exc:
        raise _refuse(path, f"its snapshot is not a SQLite database ({exc})") from exc
    if check != "ok" or not _TABLES <= tables:
        raise _refuse(path, "its snapshot fails SQLite's integrity check or lacks the history tables")
    return manifest, snapshot


def restore(store: "Store", path: str | os.PathLike) -> dict[str, Any]:
    """Replace the store's content with a validated backup; the backup's manifest.

    A damaged store (SQLite cannot read it, or it fails its check) is what a restore is for: once
    the backup has passed every check, the damaged file is moved aside (never deleted) and the
    backup goes into a new one.
    """
    source = Path(path).expanduser()
    with tempfile.TemporaryDirectory() as work:
        manifest, snapshot = validate(source, Path(work))
        if not store.available or not store.intact():
            store.recover()
        if not store.available:
            raise VannaError(f"the history store cannot be written: {store.problem}", stage="memory",
                             hint="Set store_path to a writable file first; nothing was restored.")
        with sqlite3.connect(snapshot) as backup_db:
            with store._lock:  # the live connection waits; other kernels wait on SQLite's lock
                backup_db.backup(store._conn)
        backup_db.close()
    return manifest


def cleanup(store: "Store", older_than_days: float) -> int:
    """Delete history, audit and rate-limit records older than ``older_than_days`` (a positive, finite number)."""
    import math

    from ..errors import ConfigurationError

    if isinstance(older_than_days, bool) or not isinstance(older_than_days, (int, float)) \
            or not math.isfinite(older_than_days) or older_than_days <= 0:
        raise ConfigurationError(f"older_than_days must be a positive number of days, got {older_than_days!r}",
                                 setting="older_than_days", hint="e.g. 90")
    return store.cleanup(older_than_days)
