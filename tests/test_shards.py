"""The night's task queue (`models.shards`): every task goes to one worker at a time, a lost
worker's task comes back once its lease runs out, only the current holder can finish it.
On both back ends: the fleet runs on PostgreSQL, a single machine on SQLite."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from models import shards


def _plan(night: str, n: int) -> list[int]:
    return shards.plan(night, [("sources", {"sources": [f"o{i}/yandex"]}) for i in range(n)])


def test_tasks_go_out_in_plan_order_once_each(store: str) -> None:
    _plan("n1", 3)
    taken = [shards.take("n1", "a#1", 30) for _ in range(3)]
    assert [t.payload["sources"] for t in taken if t] == [["o0/yandex"], ["o1/yandex"], ["o2/yandex"]]
    assert shards.take("n1", "b#2", 30) is None  # all held under live leases
    assert shards.unfinished("n1") == 3
    assert shards.take("other", "a#1", 30) is None  # nights do not mix


def test_only_the_holder_finishes_and_a_done_task_stays_done(store: str) -> None:
    _plan("n2", 1)
    task = shards.take("n2", "a#1", 30)
    assert task is not None and task.attempts == 1 and task.taken_over_from is None
    assert not shards.finish(task.id, "b#2", {"x": 1})
    assert shards.finish(task.id, "a#1", {"outcomes": []})
    assert shards.unfinished("n2") == 0 and shards.take("n2", "b#2", 30) is None
    [row] = shards.tasks("n2")
    assert row.status == "done" and row.result == {"outcomes": []} and row.holders == ["a#1"]


def test_a_lost_workers_task_is_taken_over_when_its_lease_runs_out(store: str) -> None:
    _plan("n3", 1)
    lost = shards.take("n3", "a#1", 0.5)
    assert lost is not None
    assert shards.take("n3", "b#2", 30) is None  # the lease still runs
    time.sleep(0.8)
    again = shards.take("n3", "b#2", 30)
    assert again is not None and again.id == lost.id
    assert again.attempts == 2 and again.taken_over_from == "a#1" and again.holders == ["a#1", "b#2"]
    assert not shards.renew(lost.id, "a#1", 30)  # the slow one learns it lost the task
    assert not shards.finish(lost.id, "a#1", {"late": True})
    assert shards.finish(again.id, "b#2", {"by": "b"})
    assert shards.tasks("n3")[0].result == {"by": "b"}


def test_a_renewed_lease_keeps_the_task(store: str) -> None:
    _plan("n4", 1)
    task = shards.take("n4", "a#1", 1.5)
    assert task is not None
    with shards.Lease(task.id, "a#1", 1.5) as lease:
        time.sleep(2.5)  # longer than the lease: only the renewals keep it
        assert shards.take("n4", "b#2", 30) is None
    assert not lease.lost


def test_racing_workers_never_share_a_task(store: str) -> None:
    _plan("n5", 40)
    got: dict[str, list[int]] = {"a": [], "b": [], "c": []}

    def run(name: str) -> None:
        while (task := shards.take("n5", f"{name}#1", 30)) is not None:
            got[name].append(task.seq)
            shards.finish(task.id, f"{name}#1", {})

    threads = [threading.Thread(target=run, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seqs = [s for v in got.values() for s in v]
    assert sorted(seqs) == list(range(1, 41))  # each once, none lost
    assert shards.unfinished("n5") == 0


def test_a_closed_night_has_nothing_to_take(store: str) -> None:
    assert not shards.is_closed("n6")
    shards.close("n6")
    shards.close("n6")
    assert shards.is_closed("n6") and shards.take("n6", "a#1", 30) is None
    assert shards.unfinished("n6") == 0


def _items(n: int) -> int:
    from datetime import UTC, datetime, timedelta

    from ingest.pipeline import ingest_records
    from ingest.records import FeedbackRecord
    from tests.test_import_db import make_source

    source_id = make_source("yandex")
    start = datetime(2025, 3, 1, 9, tzinfo=UTC)
    records = [FeedbackRecord(external_id=f"r{i}", published_at=start + timedelta(hours=i), rating=1 + i % 5,
                              text=f"Отзыв номер {i}: долго ждали в очереди") for i in range(n)]
    ingest_records(source_id, records, kind="yandex")
    return source_id


@pytest.mark.parametrize(("n", "chunk", "shares"), [(0, 3, 0), (3, 3, 1), (10, 3, 4), (10, 5, 2)])
def test_the_backlog_is_cut_into_disjoint_shares_that_cover_it(store: str, n: int, chunk: int,
                                                               shares: int) -> None:
    from nlp.batch import classify_pending, count_pending, pending_ranges
    from nlp.classifier import Classifier

    _items(n)
    ranges = pending_ranges(chunk)
    assert len(ranges) == shares
    assert all(lo < hi for lo, hi in ranges) and all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert [count_pending(id_range=r) for r in ranges] == [min(chunk, n - i * chunk) for i in range(shares)]
    clf = Classifier.load(None, ner=False)
    done = [classify_pending(classifier=clf, id_range=r).classified for r in reversed(ranges)]
    assert sum(done) == n and count_pending() == 0
    assert all(classify_pending(classifier=clf, id_range=r).classified == 0 for r in ranges)


def test_a_released_task_goes_back_to_the_queue_with_its_attempts(store: str) -> None:
    _plan("n7", 1)
    first = shards.take("n7", "a#1", 30)
    assert first is not None
    assert not shards.release(first.id, "b#2")  # not b's to give back
    assert shards.release(first.id, "a#1")
    again = shards.take("n7", "b#2", 30)
    assert again is not None and again.id == first.id and again.attempts == 2


@pytest.mark.slow
def test_work_retries_a_faulty_task_then_gives_it_up(sqlite_store: str, prefect_harness: None) -> None:
    from prefect import flow

    from flows.fleet import MAX_ATTEMPTS, work

    shards.plan("n8", [("sources", {"n": 1}), ("sources", {"n": 2})])
    seen: list[tuple[int, int]] = []

    def do(task: shards.Taken) -> dict[str, object]:
        seen.append((task.payload["n"], task.attempts))
        if task.payload["n"] == 2 or task.attempts == 1:
            raise RuntimeError("сбой")  # task 1 fails once, task 2 always
        return {"ok": task.payload["n"]}

    def give_up(task: shards.Taken) -> dict[str, object]:
        return {"gave_up": task.attempts}

    @flow
    def night() -> int:
        return work("n8", "a#1", 30, do, give_up, kind="sources")

    night()
    results = {t.payload["n"]: t.result for t in shards.tasks("n8")}
    assert results == {1: {"ok": 1}, 2: {"gave_up": MAX_ATTEMPTS + 1}}
    assert seen.count((2, 1)) == 1 and len([s for s in seen if s[0] == 2]) == MAX_ATTEMPTS


def test_old_nights_are_pruned(store: str) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from models.db import get_engine
    from models.tables import NightTask, utcnow

    _plan("old", 2)
    _plan("new", 1)
    table = NightTask.__table__  # type: ignore[attr-defined]
    with get_engine().begin() as conn:
        long_ago = utcnow() - timedelta(days=40)
        conn.execute(update(table).where(table.c.night == "old").values(created_at=long_ago))
    assert shards.prune(30) == 2
    assert shards.tasks("old") == [] and len(shards.tasks("new")) == 1


def test_the_summary_names_takeovers_not_retries_after_an_error(store: str) -> None:
    from flows.nightly import gathered

    shards.plan("n9", [("sources", {"sources": ["o1/yandex"]}), ("sources", {"sources": ["o2/yandex"]})])
    outcome = {"org": "o1", "source": "yandex", "kind": "yandex", "status": "ok", "n_new": 3, "changed": 3}
    first = shards.take("n9", "w1#10", 30)
    assert first is not None and shards.release(first.id, "w1#10")  # an error: given back
    again = shards.take("n9", "w1#10", 30)
    assert again is not None and again.id == first.id and again.taken_over_from is None
    shards.finish(again.id, "w1#10", {"outcomes": [outcome], "days": ["2025-03-01"]})
    lost = shards.take("n9", "w2#20", 0.3)
    assert lost is not None
    time.sleep(0.5)
    redone = shards.take("n9", "w1#10", 30)
    assert redone is not None and redone.taken_over_from == "w2#20"
    shards.finish(redone.id, "w1#10", {"outcomes": [{**outcome, "org": "o2"}], "days": ["2025-03-02"]})
    outcomes, days, takeovers = gathered("n9")
    assert [(o.org, o.worker, o.attempts) for o in outcomes] == [("o1", "w1", 2), ("o2", "w1", 2)]
    assert sorted(d.isoformat() for d in days) == ["2025-03-01", "2025-03-02"]
    assert takeovers == [{"sources": ["o2/yandex"], "by": "w1", "from": ["w2"]}]
