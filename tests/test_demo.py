"""The demo builder writes every channel of every office for both years, deterministically."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import load_workbook

from crawlers.yandex.page import parse_page
from ingest.demo import build_demo, load_region
from ingest.demo.builder import fingerprint
from models.config import load_config


def test_demo_covers_every_channel_and_year(demo_dir: Path) -> None:
    config = load_config(demo_dir / "painmap.toml")
    codes = [o.code for o in config.organisations]
    assert {"zags", "szn", "opeka"} <= set(codes)
    kinds = {s.kind for _, s in config.sources()}
    assert kinds == {"yandex", "pos", "gosuslugi", "survey", "terminal", "vashkontrol"}
    for org in ("zags", "szn", "opeka"):
        org_kinds = {s.kind for s in config.organisation(org).sources}  # type: ignore[union-attr]
        assert org_kinds == kinds, org
        for year in ("2024", "2025"):
            assert (demo_dir / config.organisation(org).practice[year]).exists()  # type: ignore[union-attr]
    for pattern in ("pos_szn_2024.xlsx", "pos_szn_2025.xlsx", "survey_zags_2024.csv",
                    "anketa_opeka_2025.xlsx", "terminal_szn_2025.csv", "vashkontrol_zags_2024.xlsx",
                    "gosuslugi_opeka_2024.xlsx"):
        assert list(demo_dir.glob(f"drop/*/{pattern}")), pattern


def test_yandex_pages_parse_and_match_the_profile(demo_dir: Path) -> None:
    region = load_region()
    szn = next(o for o in region["organisations"] if o["code"] == "szn")
    pages = sorted((demo_dir / "yandex" / szn["yandex_id"]).glob("page-*.html"))
    assert len(pages) >= 4
    reviews = [r for p in pages for r in parse_page(p.read_text("utf-8")).reviews]
    ratings_2024 = [r["rating"] for r in reviews if r["updatedTime"].startswith("2024")]
    assert len(ratings_2024) == szn["yandex"][2024]["n"]
    # The 2022 report's figure: mean 2.7 → Куд 54 %.
    assert round(sum(ratings_2024) / len(ratings_2024), 2) == 2.7
    first = parse_page(pages[0].read_text("utf-8"))
    assert first.params["page"] == 1 and first.total_pages == len(pages)
    assert len({r["reviewId"] for r in reviews}) == len(reviews)
    assert any(r.get("businessComment") for r in reviews)


def test_files_in_real_layouts(demo_dir: Path) -> None:
    terminal = (demo_dir / "drop/terminal/terminal_szn_2024.csv").read_bytes().decode("cp1251")
    header = next(csv.reader(terminal.splitlines(), delimiter=";"))
    assert header[:2] == ["Дата", "Время"] and "Оценка" in header
    pos = load_workbook(demo_dir / "drop/pos/pos_szn_2024.xlsx").active
    columns = [c.value for c in pos[1]]
    assert "Оценка ответа заявителем" in columns and "Номер" in columns
    practice = load_workbook(demo_dir / "practice/practice_szn_2025.xlsx")
    assert {"Таблица 3", "Таблица 3.1", "Таблица 5"} <= set(practice.sheetnames)
    assert practice["Таблица 3"].merged_cells.ranges


def test_texts_cover_the_taxonomy() -> None:
    from ingest.demo.pool import load_pool

    pool = load_pool()
    cats = {c for e in pool for c in e["categories"]}
    assert cats == {"queue", "phone", "rudeness", "competence", "schedule", "premises", "booking",
                    "information", "timeliness", "bureaucracy", "corruption", "online"}
    assert any(e["pii"] for e in pool)
    assert {e["polarity"] for e in pool} == {"negative", "positive", "mixed", "neutral"}


def test_build_is_deterministic(tmp_path: Path) -> None:
    a = build_demo(tmp_path / "a")
    b = build_demo(tmp_path / "b")
    assert fingerprint(a) == fingerprint(b)
    assert json.loads((tmp_path / "a/yandex/1000000001/meta.json").read_text("utf-8"))["count"] > 0
