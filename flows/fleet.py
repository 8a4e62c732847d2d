"""The fleet side of a night: asking the work pool for helper workers, working the night's
task queue (`models.shards`) until it is empty, and tidying up the helpers' flow runs.

The night's coordinator (the nightly flow run) plans the tasks, starts `helpers` runs of
the shard deployment — each lands on whichever worker of the pool is free — and works the
queue itself as well, so a night completes even when no helper ever starts. Who did what
is in the tasks; the Prefect flow runs are only the vehicles.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from prefect import get_run_logger

from crawlers.identity import Identity
from models import shards
from models.shards import Taken

SHARD_DEPLOYMENT = "painmap-shard/painmap-shard"
MAX_ATTEMPTS = 4  # a task that killed its holder this often is given up, not retried forever
POLL_SECONDS = 1.0


def holder_name(identity: Identity) -> str:
    """A worker process as a task holder: its crawl identity, and its process id to tell
    apart two flow runs of one worker."""
    return f"{identity.name}#{os.getpid()}"


def worker_of(holder: str) -> str:
    """The crawl identity part of a holder name (what the summary shows)."""
    return holder.split("#")[0]


def work(night: str, holder: str, lease: float, do: Callable[[Taken], dict[str, Any]],
         give_up: Callable[[Taken], dict[str, Any]], *, kind: str | None = None,
         until_closed: bool = False, idle_limit: float = 3600.0) -> int:
    """Take and do the night's tasks (of `kind`) one by one; returns how many this worker did.

    The coordinator stops when every task of the kind is done — waiting, while others hold
    some, for them to finish or for a lost worker's lease to run out and its task to come
    here. A helper (`until_closed`) stops when the coordinator closes the night, or after
    `idle_limit` seconds with nothing to do (a coordinator that died)."""
    logger = get_run_logger()
    done, idle_since = 0, time.monotonic()
    while True:
        taken = shards.take(night, holder, lease, kind)
        if taken is None:
            if (shards.is_closed(night) if until_closed else shards.unfinished(night, kind) == 0):
                return done
            if time.monotonic() - idle_since > idle_limit:
                logger.warning("Нет задач %.0f с, ночь не закрыта — рабочий завершается", idle_limit)
                return done
            time.sleep(POLL_SECONDS)
            continue
        if taken.taken_over_from:
            logger.warning("Задача %d (%s) перехвачена у %s: его аренда истекла (рабочий потерян); "
                           "попытка %d", taken.seq, taken.kind, taken.taken_over_from, taken.attempts)
        try:
            result = give_up(taken) if taken.attempts > MAX_ATTEMPTS else _do(taken, holder, lease, do)
        except Exception as exc:  # not the sources' own failures (those are outcomes): a fault here
            logger.exception("Задача %d (%s) не выполнена: %s — возвращена в очередь",
                             taken.seq, taken.kind, exc)
            shards.release(taken.id, holder)
            continue
        if not shards.finish(taken.id, holder, result):
            logger.warning("Задача %d уже у другого рабочего: результат этого не записан", taken.seq)
        done += 1
        idle_since = time.monotonic()


def share_out(night: str, holder: str, lease: float, kind: str, payloads: list[dict[str, Any]],
              do: Callable[[Taken], dict[str, Any]], give_up: Callable[[Taken], dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """Plan `payloads` as tasks of `kind`, work them (with whatever helpers the night has)
    until all are done, and return their results in plan order."""
    ids = shards.plan(night, [(kind, payload) for payload in payloads])
    work(night, holder, lease, do, give_up, kind=kind)
    results = {t.id: t.result for t in shards.tasks(night, kind)}
    return [results[i] for i in ids]


def _do(taken: Taken, holder: str, lease: float, do: Callable[[Taken], dict[str, Any]]) -> dict[str, Any]:
    with shards.Lease(taken.id, holder, lease):
        return do(taken)


# --- helper flow runs in the pool -------------------------------------------------------------

def online_workers(pool: str) -> int:
    """Workers of the pool that sent a heartbeat lately."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        workers = client.read_workers_for_work_pool(pool)
    return sum(1 for w in workers if str(w.status).upper().endswith("ONLINE"))


def launch_helpers(count: int, parameters: dict[str, Any]) -> list[str]:
    """`count` runs of the shard deployment, scheduled now in its pool; their flow run ids."""
    from prefect.deployments import run_deployment

    runs = [run_deployment(SHARD_DEPLOYMENT, parameters=parameters, timeout=0, as_subflow=True)
            for _ in range(count)]
    return [str(r.id) for r in runs]  # type: ignore[union-attr]  # a FlowRun when called synchronously


def settle_helpers(run_ids: list[str], patience: float = 15.0) -> dict[str, int]:
    """After the night is closed: helper runs that never started are cancelled; those still
    «running» after `patience` seconds lost their worker (killed, machine gone) and are
    marked crashed, so the pool's view matches what happened. Returns counts by outcome."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.states import Cancelled, Crashed

    outcome = {"finished": 0, "cancelled": 0, "crashed": 0}
    deadline = time.monotonic() + patience
    with get_client(sync_client=True) as client:
        pending = {UUID(r) for r in run_ids}
        while pending:
            for run_id in list(pending):
                state = client.read_flow_run(run_id).state
                if state is None or state.is_final():
                    outcome["finished"] += 1
                    pending.discard(run_id)
                elif state.is_scheduled() or state.is_pending():
                    client.set_flow_run_state(run_id, Cancelled(message="ночь закрыта до его запуска"),
                                              force=True)
                    outcome["cancelled"] += 1
                    pending.discard(run_id)
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(POLL_SECONDS)
        for run_id in pending:
            client.set_flow_run_state(run_id, Crashed(message="рабочий потерян; его задачи выполнили другие"),
                                      force=True)
            outcome["crashed"] += 1
    return outcome
