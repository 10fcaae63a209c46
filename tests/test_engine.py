"""Where articles are processed: serially, on a local process pool, on a Dask cluster; the index is
the same row for row whichever did it, as the parent alone writes it, in file order."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from briefing.errors import UsageError
from briefing.index import Index
from briefing.ingest.engine import POOLED_FROM, Engine

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """Enough articles that the pool is used: the shipped five, copied with distinct endings, and two bad files."""
    folder = tmp_path_factory.mktemp("many")
    for n in range(POOLED_FROM // 5 + 1):
        for path in sorted(CORPUS.glob("*.md")):
            target = folder / f"{n:02d}" / path.name
            target.parent.mkdir(exist_ok=True)
            target.write_text(path.read_text(encoding="utf-8") + f"\nThe copy numbered {n} ends here today.\n", "utf-8")
    (folder / "00" / "empty.md").write_bytes(b"")
    shutil.copy(min(CORPUS.glob("*.md")), folder / "photo.jpg")
    return folder


def rows(index: Path) -> dict[str, list[tuple]]:
    """Every row, but the stat signatures: a file's differs while it is new enough to change unseen."""
    columns = {
        "documents": "id, path, content_hash, outlet, title, author, date, url, kind, place, note",
        "sentences": "*",
        "refused": "path, content_hash, reason",
        "folders": "path",
    }
    with closing(sqlite3.connect(index)) as db:
        return {table: db.execute(f"SELECT {what} FROM {table} ORDER BY 1").fetchall() for table, what in columns.items()}


def test_serial_pooled_and_distributed_builds_make_the_same_index(many, tmp_path):
    distributed = pytest.importorskip("distributed")
    serial = Index.build(many, tmp_path / "serial.sqlite", workers=1)
    pooled = Index.build(many, tmp_path / "pooled.sqlite", workers=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        spread = Index.build(many, tmp_path / "spread.sqlite", scheduler=cluster.scheduler_address)
    assert len(serial.added) == 5 * (POOLED_FROM // 5 + 1) and len(serial.skipped) == 2
    assert serial == pooled == spread
    expected = rows(tmp_path / "serial.sqlite")
    assert expected["sentences"] and expected["refused"]
    assert rows(tmp_path / "pooled.sqlite") == expected
    assert rows(tmp_path / "spread.sqlite") == expected


def test_a_scheduler_that_does_not_answer_is_one_usage_error():
    pytest.importorskip("distributed")
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        list(Engine(scheduler="tcp://127.0.0.1:9", timeout=1).map([]))


def test_workers_must_be_one_or_more():
    with pytest.raises(UsageError, match="--workers must be 1 or more"):
        Engine(workers=0)
