"""A whole fleet on loopback, for the scale-out benchmark and its end-to-end test.

`Lab` starts what docs/scale-out.md describes on separate machines — a Prefect server, a
process work pool with the nightly deployed to it, PostgreSQL (a fresh database per night),
and any number of `painmap worker`s, each with its own crawl identity — plus one replay
server that plays Yandex for a generated region of N offices. Everything it starts, it
stops (workers with their whole process tree).

    with Lab(tmp, offices=60, delay=0.3) as lab:
        night = lab.night(workers=2)      # fresh store, 2 workers, one nightly run, workers stopped
        night.wall, night.summary, lab.lost(night), lab.duplicates(night)

Only the standard library, httpx and psutil here: the Prefect server is driven through its
REST API, so the process that runs the lab needs no Prefect settings of its own.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
POOL = "painmap-lab"
POSTGRES_ADMIN = os.environ.get("PAINMAP_LAB_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def region(offices: int, reviews: int) -> dict[str, Any]:
    """`offices` offices cloned from the demo's, each with `reviews` Yandex reviews a year
    and no other channel: the crawl is the work that scales out."""
    from ingest.demo import load_region

    base = load_region()
    kinds = [o for o in base["organisations"] if o.get("pos")]
    orgs = []
    for i in range(offices):
        org = copy.deepcopy(kinds[i % len(kinds)])
        for channel in ("pos", "survey", "terminal", "vashkontrol", "kaltan_survey", "recent_spike"):
            org.pop(channel, None)
        org.update(code=f"o{i:03d}", name=f"{org['name']} (район {i + 1})",
                   yandex_id=str(3_000_000_000 + i), yandex_slug=f"office_{i}")
        for year in org["yandex"]:
            org["yandex"][year]["n"] = reviews
        orgs.append(org)
    return {"region": base["region"], "organisations": orgs}


def build_region(out: Path, offices: int, reviews: int, base_url: str, delay: float, lease: float,
                 batch: int) -> tuple[Path, int]:
    """The recorded pages (the demo builder's) and a config of Yandex sources only, crawled
    from `base_url` with `delay` seconds between requests per identity. Returns the config
    and how many reviews the pages hold."""
    from ingest.demo import build_demo

    spec = region(offices, reviews)
    manifest = build_demo(out, region=spec)
    lines = ["[region]", 'name = "Область (стенд масштабирования)"', 'timezone = "Europe/Moscow"', "",
             "[nlp]", "ner = true", "batch_size = 512", "retrain_min_labels = 0", "",
             "[alerts]", "enabled = false", "",
             "[fleet]", f'pool = "{POOL}"', f"batch = {batch}", f"lease_seconds = {lease}",
             "classify_chunk = 1000"]
    for org in spec["organisations"]:
        lines += ["", "[[organisations]]", f'code = "{org["code"]}"', f'name = "{org["name"]}"',
                  "", "[[organisations.sources]]", 'name = "yandex"', 'kind = "yandex"',
                  f'external_id = "{org["yandex_id"]}"', f'slug = "{org["yandex_slug"]}"',
                  f'base_url = "{base_url}"', f"delay = {delay}", "retry_delay = 1"]
    config = out / "lab.toml"
    config.write_text("\n".join(lines) + "\n", "utf-8")
    return config, manifest.counts.get("yandex", 0)


def fresh_database(name: str, admin: str = POSTGRES_ADMIN) -> str:
    """A new empty PostgreSQL database on the server of `admin` (a URL of any database
    there); its URL."""
    import psycopg

    admin = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def drop_database(name: str, admin: str = POSTGRES_ADMIN) -> None:
    import psycopg

    admin = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything it started (a worker, its flow runs, their crawlers)."""
    try:
        root = psutil.Process(pid)
        family = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for proc in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(family, timeout=10)


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def flow_runs(self) -> set[str]:
        """The Prefect flow runs this worker's processes are running now."""
        runs = set()
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return runs
        for child in children:
            try:
                run = child.environ().get("PREFECT__FLOW_RUN_ID")
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if run:
                runs.add(run)
        return runs

    def kill(self) -> None:
        kill_tree(self.proc.pid)


@dataclass
class Night:
    workers: int
    flow_run: str
    state: str
    wall: float
    summary: dict[str, Any]
    database: str
    counts: dict[str, int] = field(default_factory=dict)


class Lab:
    def __init__(self, root: Path, offices: int, *, reviews: int = 75, delay: float = 0.3,
                 lease: float = 20.0, batch: int = 3, postgres: str = POSTGRES_ADMIN) -> None:
        self.root, self.offices, self.reviews, self.postgres = Path(root), offices, reviews, postgres
        self.delay, self.lease, self.batch = delay, lease, batch
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self._server: subprocess.Popen[bytes] | None = None
        self._replay: Any = None
        self.workers: list[Worker] = []
        self.databases: list[str] = []
        self.items = 0
        self.config = self.root / "region" / "lab.toml"

    # --- setting up and tearing down ----------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "PREFECT_HOME": str(self.root / "prefect"), "PREFECT_API_URL": self.api,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "1",
                "PREFECT_WORKER_PREFETCH_SECONDS": "1", "OPENBLAS_NUM_THREADS": "1",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                "PAINMAP_CONFIG": str(self.config), **extra}

    def __enter__(self) -> Lab:
        from crawlers.replay import ReplayServer

        self.root.mkdir(parents=True, exist_ok=True)
        try:
            (self.root / "region").mkdir(exist_ok=True)
            self._replay = ReplayServer(self.root / "region" / "yandex").__enter__()
            self.config, self.items = build_region(self.root / "region", self.offices, self.reviews,
                                                   self._replay.base_url, self.delay, self.lease, self.batch)
            self._start_server()
            self._painmap("deploy", "--pool", POOL)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop_workers()
        if self._server is not None:
            kill_tree(self._server.pid)
            self._server = None
        if self._replay is not None:
            self._replay.__exit__(None, None, None)
            self._replay = None
        for name in self.databases:
            drop_database(name, self.postgres)
        self.databases.clear()

    def _start_server(self) -> None:
        log = (self.root / "prefect-server.log").open("wb")
        self._server = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1",
             "--port", str(self.port)], env=self.env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        self._wait(lambda: self._healthy(), 120, "сервер Prefect не запустился")

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def _painmap(self, *args: str, env: dict[str, str] | None = None) -> None:
        done = subprocess.run([sys.executable, "-m", "flows", *args], env=env or self.env(),
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"painmap {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}")

    @staticmethod
    def _wait(ready: Callable[[], bool], seconds: float, message: str) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            if time.monotonic() > deadline:
                raise TimeoutError(message)
            time.sleep(0.5)

    # --- workers ---------------------------------------------------------------------------

    def start_workers(self, count: int, database: str) -> list[Worker]:
        """`count` workers of the pool, identities w1…wN, all on `database`."""
        for i in range(1, count + 1):
            name = f"w{i}-{uuid.uuid4().hex[:6]}"
            log = self.root / f"{name}.log"
            proc = subprocess.Popen(
                [sys.executable, "-m", "flows", "worker", "--pool", POOL, "--identity", f"w{i}",
                 "--name", name],
                env=self.env(PAINMAP_DATABASE_URL=database), stdout=log.open("wb"), stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
            self.workers.append(Worker(name, proc, log))
        names = {w.name for w in self.workers}
        self._wait(lambda: names <= self._online(), 120, "рабочие не вышли на связь с сервером Prefect")
        return self.workers

    def _online(self) -> set[str]:
        answer = httpx.post(f"{self.api}/work_pools/{POOL}/workers/filter", json={}, timeout=10)
        return {w["name"] for w in answer.json() if w.get("status") == "ONLINE"}

    def stop_workers(self) -> None:
        for worker in self.workers:
            kill_tree(worker.proc.pid)
        self.workers.clear()

    # --- a night ------------------------------------------------------------------------------

    def night(self, workers: int, during: Callable[[Lab, str, str], None] | None = None,
              timeout: float = 1800) -> Night:
        """A fresh store, `workers` workers, one nightly run asking for as many shares;
        `during(lab, flow_run_id, database)` runs while the night does (the failure test
        kills a worker there). The workers are stopped after."""
        name = f"painmap_lab_{uuid.uuid4().hex[:10]}"
        database = fresh_database(name, self.postgres)
        self.databases.append(name)
        self._painmap("init", env=self.env(PAINMAP_DATABASE_URL=database))
        self.start_workers(workers, database)
        try:
            deployment = httpx.get(f"{self.api}/deployments/name/painmap-nightly/painmap-nightly",
                                   timeout=10).json()
            started = time.perf_counter()
            run = httpx.post(f"{self.api}/deployments/{deployment['id']}/create_flow_run",
                             json={"parameters": {"shards_wanted": workers}}, timeout=10).json()
            if during is not None:
                during(self, run["id"], database)
            state = self._finished(run["id"], timeout)
            wall = time.perf_counter() - started
        finally:
            self.stop_workers()
        return Night(workers, run["id"], state, wall, self.summary(database), database,
                     self.counts(database))

    def _finished(self, run_id: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = httpx.get(f"{self.api}/flow_runs/{run_id}", timeout=10).json().get("state") or {}
            if state.get("type") in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return str(state["type"])
            time.sleep(0.5)
        raise TimeoutError(f"ночной прогон {run_id} не завершился за {timeout:.0f} с")

    def running_tasks(self, database: str) -> list[dict[str, Any]]:
        """The night's tasks held right now (holder, kind, sources)."""
        from sqlalchemy import create_engine, text

        engine = create_engine(database)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT holder, kind, payload FROM night_tasks "
                                         "WHERE status = 'running'")).mappings().all()
        finally:
            engine.dispose()
        return [dict(r) for r in rows]

    # --- what the night did -------------------------------------------------------------------

    @staticmethod
    def summary(database: str) -> dict[str, Any]:
        from sqlalchemy import create_engine, text

        engine = create_engine(database)
        try:
            with engine.connect() as conn:
                raw = conn.execute(text("SELECT summary FROM ingest_runs WHERE kind = 'nightly' "
                                        "ORDER BY id DESC LIMIT 1")).scalar()
        finally:
            engine.dispose()
        return (json.loads(raw) if isinstance(raw, str) else raw) or {}

    @staticmethod
    def counts(database: str) -> dict[str, int]:
        """Rows stored, distinct reviews among them, and items classified."""
        from sqlalchemy import create_engine, text

        engine = create_engine(database)
        try:
            with engine.connect() as conn:
                one = conn.execute(text(
                    "SELECT count(*) AS rows, count(DISTINCT (source_id, external_id)) AS distinct_reviews, "
                    "count(classified_hash) AS classified FROM feedback")).mappings().one()
        finally:
            engine.dispose()
        return {k: int(v) for k, v in one.items()}

    def lost(self, night: Night) -> int:
        """Reviews the replay server holds that the store does not."""
        return max(0, self.items - night.counts["distinct_reviews"])

    @staticmethod
    def duplicates(night: Night) -> int:
        """Reviews stored twice, plus items classified more than once (the classifications
        the night reports beyond the items it classified)."""
        rows = night.counts["rows"] - night.counts["distinct_reviews"]
        classified = int(night.summary.get("classified", {}).get("classified", 0))
        return rows + max(0, classified - night.counts["classified"])

