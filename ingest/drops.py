"""Drop folders: the files a file source's `path` names, and which of them are new.

A file source points at a folder, a glob or one file where exports are dropped. Each night
only files whose exact bytes were not imported before are read: the SHA-256 of an imported
file is kept on its ingest run, so the second run of a night (or an unchanged file) costs a
hash, not an import.
"""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from ingest.importers import ImportResult, import_file
from ingest.rows import ParseOptions
from models.db import session_scope
from models.tables import IngestRun

Imported = Callable[[ImportResult], None]


def drop_files(pattern: Path) -> list[Path]:
    """A glob, a folder (every file in it but hidden ones) or one file."""
    if any(c in str(pattern) for c in "*?["):
        return sorted(Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file())
    if pattern.is_dir():
        return sorted(p for p in pattern.iterdir() if p.is_file() and not p.name.startswith("."))
    return [pattern] if pattern.exists() else []


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_files(source_id: int, pattern: Path) -> tuple[list[tuple[Path, str]], int]:
    """The drop files not yet imported as they are now (with their hash), and how many are
    unchanged since their last successful import."""
    fresh, skipped = [], 0
    for path in drop_files(pattern):
        sha = sha256_of(path)
        if _already_imported(source_id, path, sha):
            skipped += 1
        else:
            fresh.append((path, sha))
    return fresh, skipped


def import_new_files(kind: str, source_id: int, pattern: Path, options: ParseOptions,
                     done: Imported) -> int:
    """Import each new drop file in its own transaction (`done` gets each result); returns
    how many files were skipped as unchanged."""
    fresh, skipped = new_files(source_id, pattern)
    for path, sha in fresh:
        result = import_file(kind, path, source_id, options)
        _remember(result.run_id, sha)
        done(result)
    return skipped


def _already_imported(source_id: int, path: Path, sha: str) -> bool:
    with session_scope() as session:
        runs = session.execute(
            select(col(IngestRun.summary)).where(col(IngestRun.source_id) == source_id,
                                                 col(IngestRun.origin) == str(path),
                                                 col(IngestRun.status) == "ok")
            .order_by(col(IngestRun.id).desc()).limit(5)
        ).scalars().all()
    return any((summary or {}).get("sha256") == sha for summary in runs)


def _remember(run_id: int, sha: str) -> None:
    with session_scope() as session:
        run = session.get(IngestRun, run_id)
        if run is not None:
            run.summary = {**(run.summary or {}), "sha256": sha}
            session.add(run)
