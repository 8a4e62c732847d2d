"""The nightly run on a fleet: one worker against W workers of one Prefect work pool.

Starts on loopback what docs/scale-out.md puts on separate machines (`bench.fleet.Lab`): a
Prefect server, the nightly deployed to a process pool, a fresh PostgreSQL database per
night, and a generated region of N offices whose Yandex cards are replayed with a simulated
politeness delay (`--delay` seconds between two requests of one crawl identity to the
host: 3 s in real life). The baseline, measured in the same run, is the same night with a
single worker; then W workers, each its own crawl identity. Prints

    scale-out: offices=N items=M workers=W wall=S s single=T s speedup=X lost=L duplicates=D

`lost`: reviews the replay server holds that the W-worker night did not store; `duplicates`:
reviews stored twice plus items classified more than once. Target (60 offices, 2 workers,
2 cores): speedup ≥ 1.6, lost = 0, duplicates = 0.

    python -m bench.bench_scale [--offices 60] [--workers 2] [--delay 0.3] [--reviews 75]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.fleet import Lab, Night


def line(lab: Lab, single: Night, fleet: Night) -> str:
    return (f"scale-out: offices={lab.offices} items={lab.items} workers={fleet.workers} "
            f"wall={fleet.wall:.1f} s single={single.wall:.1f} s speedup={single.wall / fleet.wall:.2f} "
            f"lost={lab.lost(fleet)} duplicates={Lab.duplicates(fleet)}")


def stages(night: Night) -> str:
    timings = night.summary.get("timings", {})
    workers = night.summary.get("fleet", {}).get("workers", {})
    return (", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
            + f"; tasks by worker: {', '.join(f'{k} {v}' for k, v in workers.items())}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds between requests per identity")
    parser.add_argument("--reviews", type=int, default=75, help="Yandex reviews per office and year")
    parser.add_argument("--batch", type=int, default=3, help="sources per task ([fleet] batch)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="painmap-scale-") as tmp, \
            Lab(Path(tmp), args.offices, reviews=args.reviews, delay=args.delay, batch=args.batch) as lab:
        print(f"region: {lab.offices} offices, {lab.items} reviews; delay {args.delay} s per identity",
              flush=True)
        single = lab.night(1)
        print(f"1 worker: {single.state}, {single.wall:.1f} s ({stages(single)})", flush=True)
        fleet = lab.night(args.workers)
        print(f"{args.workers} workers: {fleet.state}, {fleet.wall:.1f} s ({stages(fleet)})", flush=True)
        if "COMPLETED" not in (single.state, fleet.state) or single.state != fleet.state:
            print(f"ночной прогон не завершился: {single.state}, {fleet.state}", file=sys.stderr)
            return 1
        print(line(lab, single, fleet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
