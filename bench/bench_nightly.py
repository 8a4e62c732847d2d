"""The nightly run on a generated region of 50 offices and ~100,000 feedback items across
all channels (Yandex pages replayed on loopback, ПОС, Госуслуги, surveys, terminals,
«Ваш контроль», practice workbooks): the first run and a second, idle run, each as
`painmap nightly` in its own process (Prefect's ephemeral server included).

Network waits are excluded: the replayed Yandex sources have no politeness delay.
Baseline measured in the same run: a nightly run over a config with no sources (the fixed
cost of starting Prefect and the store), so the figures say what the workload itself costs.
Targets: first run ≤ 120 s, second run ≤ 20 s.

    python -m bench.bench_nightly [--offices 50]
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Per office and year: the channel volumes that make ~100,000 items for 50 offices.
VOLUMES = {"yandex": 300, "pos": 100, "survey": 200, "terminal": 350, "vashkontrol": 50}


def region(offices: int) -> dict[str, Any]:
    """`offices` offices cloned from the demo's three kinds, with their own ids and volumes."""
    from ingest.demo import load_region

    base = load_region()
    kinds = [o for o in base["organisations"] if o.get("pos")]
    orgs = []
    for i in range(offices):
        org = copy.deepcopy(kinds[i % len(kinds)])
        org.pop("kaltan_survey", None)
        org.update(template=org["code"], code=f"{org['code']}{i:02d}", name=f"{org['name']} (район {i + 1})",
                   yandex_id=str(2_000_000_000 + i), yandex_slug=f"office_{i}")
        for year in (2024, 2025):
            org["yandex"][year]["n"] = VOLUMES["yandex"]
            for channel in ("pos", "survey", "terminal", "vashkontrol"):
                org[channel][year] = VOLUMES[channel]
        orgs.append(org)
    return {"region": base["region"], "organisations": orgs}


def nightly(config: Path, db: str) -> float:
    env = {**os.environ, "PAINMAP_DATABASE_URL": db, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flows", "--config", str(config), "nightly", "--quiet"],
                          env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"painmap nightly failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def count(db: str) -> int:
    from sqlalchemy import func, select

    from models.db import session_scope
    from models.tables import Feedback

    with session_scope(db) as session:
        return int(session.execute(select(func.count(Feedback.id))).scalar_one())


def stages(db: str) -> str:
    """Seconds per stage of the latest nightly run, from its stored summary."""
    from sqlalchemy import select

    from models.db import session_scope
    from models.tables import IngestRun

    with session_scope(db) as session:
        summary = session.execute(select(IngestRun.summary).where(IngestRun.kind == "nightly")
                                  .order_by(IngestRun.id.desc()).limit(1)).scalar_one()
    return ", ".join(f"{k} {v:.1f} s" for k, v in summary.get("timings", {}).items())


def main(argv: list[str] | None = None) -> None:
    from ingest.demo import build_demo

    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=50)
    args = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        build_demo(root / "region", region=region(args.offices))
        config = root / "region" / "painmap.toml"
        config.write_text(config.read_text("utf-8").replace('base_url = "replay"\n',
                                                            'base_url = "replay"\ndelay = 0\n'), "utf-8")
        print(f"region: {args.offices} offices built in {time.perf_counter() - started:.1f} s")
        empty = root / "empty.toml"
        empty.write_text("", "utf-8")
        baseline = nightly(empty, f"sqlite:///{root / 'empty.db'}")
        db = f"sqlite:///{root / 'region.db'}"
        first = nightly(config, db)
        items, first_stages = count(db), stages(db)
        second = nightly(config, db)
        second_stages = stages(db)
    print(f"feedback items stored: {items:,}")
    print(f"baseline (nightly with no sources: Prefect + store start): {baseline:.1f} s")
    print(f"first run:  {first:.1f} s  ({first / baseline:.1f}x baseline; target ≤ 120 s: "
          f"{'met' if first <= 120 else 'NOT met'})\n            {first_stages}")
    print(f"second run: {second:.1f} s  ({second / baseline:.1f}x baseline; target ≤ 20 s: "
          f"{'met' if second <= 20 else 'NOT met'})\n            {second_stages}")


if __name__ == "__main__":
    main(sys.argv[1:])
