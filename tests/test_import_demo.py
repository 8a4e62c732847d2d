"""Every file the demo region drops is read without a single rejected row, in the numbers
the region describes (`ingest/demo/region.yaml`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ingest.demo.builder import YEARS, load_region
from ingest.importers import parse_file
from ingest.records import FeedbackRecord, Rejected
from ingest.rows import ParseOptions

REGION = load_region()
ORGS = {org["code"]: org for org in REGION["organisations"]}


def _expected(kind: str, org: dict[str, Any], year: int) -> int:
    if kind == "gosuslugi":
        return max(3, len(org["services"]) // 2)
    return int(org[kind][year])


CASES = [
    (kind, pattern.format(code=code, year=year), code, year)
    for code, org in ORGS.items()
    for year in YEARS
    for kind, pattern in [
        ("pos", "pos/pos_{code}_{year}.xlsx"),
        ("gosuslugi", "gosuslugi/gosuslugi_{code}_{year}.xlsx"),
        ("survey", ("survey/anketa_{code}_{year}.xlsx" if org.get("kaltan_survey")
                    else "survey/survey_{code}_{year}.csv")),
        ("terminal", "terminal/terminal_{code}_{year}.csv"),
        ("vashkontrol", "vashkontrol/vashkontrol_{code}_{year}.xlsx"),
    ]
    if org.get("survey" if kind == "gosuslugi" else kind)
]


@pytest.mark.parametrize(("kind", "relative", "code", "year"), CASES)
def test_demo_drop_file_reads_cleanly(demo_dir: Path, kind: str, relative: str, code: str, year: int) -> None:
    options = ParseOptions(services=ORGS[code]["services"])
    outcomes = list(parse_file(kind, demo_dir / "drop" / relative, options))
    rejected = [o for o in outcomes if isinstance(o, Rejected)]
    assert rejected == []
    records = [o for o in outcomes if isinstance(o, FeedbackRecord)]
    assert len(records) == _expected(kind, ORGS[code], year)
    assert len({r.external_id for r in records}) == len(records)
    assert all(r.published_at is not None and r.published_at.year == year for r in records)


RECENT = [f"terminal/terminal_{code}_recent.csv" for code, org in ORGS.items() if org.get("recent_spike")]


def test_every_demo_drop_file_is_covered(demo_dir: Path) -> None:
    drop = demo_dir / "drop"
    files = {p.relative_to(drop).as_posix() for p in drop.rglob("*") if p.is_file()}
    assert files == {relative for _, relative, _, _ in CASES} | set(RECENT)


@pytest.mark.parametrize("relative", RECENT)
def test_the_last_week_reads_cleanly_and_is_recent(demo_dir: Path, relative: str) -> None:
    """The alerts demo: the week before the build, with «Плохо» and queue complaints."""
    outcomes = list(parse_file("terminal", demo_dir / "drop" / relative, ParseOptions()))
    records = [o for o in outcomes if isinstance(o, FeedbackRecord)]
    assert len(records) == len(outcomes) == 8
    today = datetime.now(UTC)
    assert all(timedelta(0) < today - r.published_at <= timedelta(days=7) for r in records if r.published_at)
    assert sum(r.rating == 1 for r in records) == 3


@pytest.mark.parametrize(("code", "year"), [(c, y) for c in ORGS for y in YEARS if ORGS[c].get("survey")])
def test_demo_survey_criteria_give_the_region_means(demo_dir: Path, code: str, year: int) -> None:
    """The Kaltan mapping (quality ← Q15, time ← Q2, information ← Q10) and the Kaluga form
    both reproduce the means the region was generated with."""
    org = ORGS[code]
    name = (f"survey/anketa_{code}_{year}.xlsx" if org.get("kaltan_survey")
            else f"survey/survey_{code}_{year}.csv")
    records = [o for o in parse_file("survey", demo_dir / "drop" / name) if isinstance(o, FeedbackRecord)]
    means = [sum(r.criteria[k] for r in records) / len(records) for k in ("quality", "time", "information")]
    assert means == pytest.approx(org["survey_means"][year], abs=0.02)
