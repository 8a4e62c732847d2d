"""`GET /api/v1/scores` under load: p50/p95/p99 latency with 50 concurrent clients on a
store of 1,000,000 feedback rows (SQLite file), server in its own process on loopback.

Baseline measured in the same run: computing the same scores directly, without the API
and its cache (what every request would cost if the API recomputed). Target: p95 < 100 ms.

    python -m bench.bench_api [--rows 1000000] [--clients 50] [--requests 3000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

KINDS = ("yandex", "pos", "terminal", "survey")
PERIODS = ("2025", "2024", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025-06")


def build_store(url: str, rows: int, orgs: int = 50) -> str:
    """Organisations × 4 channels, `rows` feedback rows over 2024–2025; returns an admin token."""
    os.environ["PAINMAP_DATABASE_URL"] = url
    from sqlalchemy import insert

    from api.tokens import create_token
    from models.db import session_scope
    from models.migrate import upgrade
    from models.repo import ensure_organisation, ensure_source
    from models.tables import Feedback

    upgrade()
    rng = random.Random(7)
    with session_scope() as session:
        sources = []
        for i in range(orgs):
            org, _ = ensure_organisation(session, f"org{i:02d}", f"Орган №{i}")
            for kind in KINDS:
                src = ensure_source(session, org, kind)
                sources.append((src.id, kind))
        token = create_token(session, "admin", "bench")[1]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    batch = []
    with session_scope() as session:
        for n in range(rows):
            source_id, kind = sources[n % len(sources)]
            rating = rng.choice((1, 2, 3, 4, 5, 5, 4))
            criteria = ({"quality": rating, "time": max(1, rating - 1), "information": rating}
                        if kind == "survey" else {})
            batch.append({"source_id": source_id, "external_id": f"b{n}", "rating": float(rating),
                          "criteria": criteria, "extra": {}, "scores": {}, "content_hash": f"{n:x}",
                          "published_at": start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
                          "text_masked": "текст отзыва", "first_seen": start, "last_seen": start})
            if len(batch) == 20_000:
                session.execute(insert(Feedback), batch)
                batch.clear()
        if batch:
            session.execute(insert(Feedback), batch)
    return token


def baseline_ms(url: str) -> float:
    """Direct computation of one period's scores for every organisation (no API, no cache)."""
    from models.db import session_scope
    from service.scores import organisation_scores
    from vocabulary.periods import parse_period

    with session_scope(url) as session:
        started = time.perf_counter()
        organisation_scores(session, parse_period("2025"))
        return (time.perf_counter() - started) * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load(base: str, token: str, clients: int, requests: int, seconds: float) -> list[float]:
    """`clients` keep-alive HTTP/1.1 connections sending requests back to back. A minimal
    client on raw asyncio streams: on a 2-core machine the load generator shares the CPU
    with the server, so it must cost as little as possible."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    remaining = [requests]

    async def client(i: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while remaining[0] > 0 and time.perf_counter() < deadline:
                remaining[0] -= 1
                period = PERIODS[(i + remaining[0]) % len(PERIODS)]
                started = time.perf_counter()
                writer.write(f"GET /api/v1/scores?period={period} HTTP/1.1\r\nHost: {host}\r\n"
                             f"Authorization: Bearer {token}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length:")))
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"HTTP {status} for period {period}")
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies


def warm_up(base: str, token: str) -> list[float]:
    """One request per period, sequentially: the cold cost, reported apart from the load."""
    out = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
        for period in PERIODS:
            started = time.perf_counter()
            http.get("/api/v1/scores", params={"period": period}).raise_for_status()
            out.append((time.perf_counter() - started) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        token = build_store(url, args.rows)
        print(f"store: {args.rows:,} feedback rows built in {time.perf_counter() - started:.1f} s")
        base_ms = baseline_ms(url)
        port = free_port()
        env = {**os.environ, "PAINMAP_DATABASE_URL": url}
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                  env=env)
        try:
            for _ in range(200):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            cold = warm_up(f"http://127.0.0.1:{port}", token)
            lat = asyncio.run(load(f"http://127.0.0.1:{port}", token, args.clients, args.requests,
                                   args.seconds))
        finally:
            server.terminate()
            server.wait(10)
    p50, p95, p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
    print(f"requests: {len(lat)} with {args.clients} concurrent clients, {len(PERIODS)} periods")
    print(f"latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {max(lat):.1f}")
    print(f"first request of each period after a data change (cold, computes): "
          f"median {statistics.median(cold):.0f} ms, max {max(cold):.0f} ms")
    print(f"baseline (direct uncached computation of one period, all organisations): {base_ms:.1f} ms")
    print(f"p95 vs baseline: {base_ms / p95:.1f}x faster; target p95 < 100 ms: "
          f"{'met' if p95 < 100 else 'NOT met'}")


if __name__ == "__main__":
    main(sys.argv[1:])
