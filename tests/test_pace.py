"""Politeness across the fleet (`models.pace`, `crawlers.yandex.fleet`): one crawl identity
sends one request per interval to a host however many processes crawl as it; two
identities each keep their own pace."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from crawlers.identity import Identity, identity_from
from models.pace import book_slot, pace_key


@pytest.mark.parametrize(("host", "identity", "key"), [
    ("yandex.ru", "w1", "yandex.ru@w1"),
    ("Yandex.RU", "w1", "yandex.ru@w1"),
    ("127.0.0.1", "машина-2", "127.0.0.1@машина-2"),
])
def test_pace_key(host: str, identity: str, key: str) -> None:
    assert pace_key(host, identity) == key


def test_slots_follow_each_other_per_key(store: str) -> None:
    waits = [book_slot("h@a", 2.0) for _ in range(3)]
    assert waits[0] == 0.0
    assert waits[1] == pytest.approx(2.0, abs=0.2) and waits[2] == pytest.approx(4.0, abs=0.2)
    assert book_slot("h@b", 2.0) == 0.0  # another identity has its own budget
    assert book_slot("other@a", 2.0) == 0.0  # and another host


@pytest.mark.parametrize(("env", "expected"), [
    ({"PAINMAP_CRAWL_IDENTITY": "w1"}, Identity("w1")),
    ({"PAINMAP_CRAWL_IDENTITY": " w2 ", "PAINMAP_CRAWL_PROXY": "http://10.0.0.2:3128",
      "PAINMAP_CRAWL_BIND": "10.0.0.7"}, Identity("w2", "http://10.0.0.2:3128", "10.0.0.7")),
])
def test_identity_from_the_workers_environment(env: dict[str, str], expected: Identity) -> None:
    assert identity_from(env) == expected
    assert identity_from(expected.env()) == expected


def test_identity_defaults_to_the_host_name() -> None:
    import socket

    assert identity_from({}) == Identity(socket.gethostname())


def _crawl_twice(demo_dir: Path, identities: tuple[str, str], delay: float) -> list[float]:
    """Two crawls at once (threads, each its own crawler process) of two demo cards each;
    the arrival times of their requests at the server."""
    from crawlers.replay import ReplayServer
    from crawlers.yandex.run import CrawlJob, crawl_many

    orgs = sorted(p.name for p in (demo_dir / "yandex").iterdir() if p.is_dir())[:4]
    with ReplayServer(demo_dir / "yandex") as server:
        jobs = [[CrawlJob(org, server.base_url, max_pages=3) for org in pair]
                for pair in (orgs[:2], orgs[2:])]
        errors: list[str] = []

        def run(part: list[CrawlJob], name: str) -> None:
            results = crawl_many(part, delay, identity=Identity(name))
            errors.extend(r.error for r in results if r.error)

        threads = [threading.Thread(target=run, args=(part, name)) for part, name in zip(jobs, identities,
                                                                                          strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        times = sorted(server.log.times)
    assert errors == []
    return times


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.slow
def test_one_identity_keeps_its_pace_across_processes(sqlite_store: str, demo_dir: Path) -> None:
    delay = 0.4
    same = _crawl_twice(demo_dir, ("w1", "w1"), delay)
    assert len(same) >= 12
    # Never two requests closer than the pace allows (each interval is delay × 0.5–1.5).
    assert min(_gaps(same)) >= delay * 0.5 - 0.03
    apart = _crawl_twice(demo_dir, ("w1", "w2"), delay)
    assert len(apart) == len(same)
    # Two identities: two budgets, the same requests in about half the time.
    assert apart[-1] - apart[0] < (same[-1] - same[0]) * 0.75
