"""The nightly on a fleet, end to end (`bench.fleet.Lab`: a Prefect server, a process work
pool, PostgreSQL, real `painmap worker`s, a replayed Yandex): a worker killed while it holds
a task loses nothing — another worker redoes its sources the same night, and the summary
says so."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.fleet import Lab, Worker

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _kill_the_helper_at_work(lab: Lab, coordinator_run: str, database: str) -> None:
    """Wait until a worker that is not the coordinator holds a task of sources, then kill it
    (the worker, its flow run, its crawler) with SIGKILL."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        helpers = [w for w in lab.workers if w.flow_runs() and coordinator_run not in w.flow_runs()]
        held = {t["holder"].split("#")[0] for t in lab.running_tasks(database) if t["kind"] == "sources"}
        victims: list[Worker] = [w for w in helpers if _identity(w, lab) in held]
        if victims:
            victims[0].kill()
            lab.killed = _identity(victims[0], lab)  # type: ignore[attr-defined]
            return
        time.sleep(0.3)
    pytest.fail("ни один помощник не взял задачу за 3 минуты")


def _identity(worker: Worker, lab: Lab) -> str:
    return f"w{lab.workers.index(worker) + 1}"


def test_a_worker_killed_mid_night_loses_nothing(tmp_path: Path, postgres_url: str) -> None:
    with Lab(tmp_path, offices=12, reviews=40, delay=0.25, lease=10, batch=2, postgres=postgres_url) as lab:
        night = lab.night(2, during=_kill_the_helper_at_work, timeout=600)
        killed = lab.killed  # type: ignore[attr-defined]
        assert night.state == "COMPLETED"
        assert lab.lost(night) == 0 and Lab.duplicates(night) == 0
        assert night.counts["classified"] == night.counts["rows"] == lab.items
        sources = night.summary["sources"]
        assert sorted(s["org"] for s in sources) == [f"o{i:03d}" for i in range(12)]  # each once
        assert all(s["status"] == "ok" and s["n_new"] > 0 for s in sources)
        fleet = night.summary["fleet"]
        assert fleet["taken_over"], fleet
        assert all(killed in t["from"] and t["by"] != killed for t in fleet["taken_over"])
        redone = {n for t in fleet["taken_over"] for n in t["sources"]}
        assert all(s["attempts"] == 2 for s in sources if f"{s['org']}/{s['source']}" in redone)
        assert fleet["helpers"]["crashed"] == 1  # the killed worker's flow run, marked by the night
