"""The store-wide lock: one holder at a time (SQLite: a file lock, PostgreSQL: an advisory
lock), released when the block ends or the holder dies."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from models.locks import Busy, held


def test_one_holder_at_a_time(store: str) -> None:
    with held("nightly", "Ночной прогон"):
        with pytest.raises(Busy, match="Ночной прогон уже выполняется"), held("nightly", "Ночной прогон"):
            pass
        with held("other", "Другое"):  # another name is another lock
            pass
    with held("nightly", "Ночной прогон"):  # released
        pass


def _hold_forever(url: str, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    from models.db import dispose_engines

    dispose_engines()
    with held("nightly", "Ночной прогон", url):
        ready.set()
        signal.pause()


def test_a_killed_holder_leaves_no_stale_lock(store: str) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold_forever, args=(store, ready))
    holder.start()
    assert ready.wait(30)
    with pytest.raises(Busy), held("nightly", "Ночной прогон"):
        pass
    os.kill(holder.pid, signal.SIGKILL)  # type: ignore[arg-type]
    holder.join()
    with held("nightly", "Ночной прогон"):
        pass
