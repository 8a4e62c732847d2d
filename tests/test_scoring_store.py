"""Scores from the store: Куд per channel and overall, Кпр from the year's practice data,
Кэф, the previous comparable period, `painmap scores` in its three formats, snapshots."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from practice_fixtures import template_workbook
from sqlmodel import select
from typer.testing import CliRunner

from flows.cli import app
from ingest.practice import read_practice
from ingest.practice.store import store_practice
from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Feedback, ScoreSnapshot
from service.scores import organisation_scores, recompute
from vocabulary.errors import UserError
from vocabulary.periods import parse_period

runner = CliRunner()
BASE_K_PR = 68.13765157924421  # the hand-computed example of test_scoring_practice (× 1.03)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add(
    session: Any,
    source_id: int,
    n: int,
    *,
    rating: float | None = None,
    when: str = "2025-06-01T10:00",
    criteria: dict[str, float] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    session.add(
        Feedback(
            source_id=source_id,
            external_id=f"{source_id}-{n}",
            content_hash=f"h{source_id}-{n}",
            rating=rating,
            criteria=criteria or {},
            extra=extra or {},
            published_at=at(when),
        )
    )


def populate(session: Any, tmp_path: Path) -> None:
    org, _ = ensure_organisation(session, "arch", "Управление архитектуры")
    ids = {
        name: ensure_source(session, org, kind, name).id
        for name, kind in [
            ("yandex", "yandex"),
            ("yandex-2", "yandex"),
            ("pos", "pos"),
            ("gosuslugi", "gosuslugi"),
            ("survey", "survey"),
            ("vashkontrol", "vashkontrol"),
            ("terminal", "terminal"),
        ]
    }
    n = iter(range(10_000))
    # Yandex: two cards form one channel, mean 2.7 → 54 %. 2024-12-31 21:30 UTC is 00:30 in Moscow: 2025.
    for i, stars in enumerate([3, 3, 3, 3, 3, 2]):
        add(
            session,
            ids["yandex"],
            next(n),
            rating=stars,
            when="2024-12-31T21:30" if i == 0 else "2025-03-01T09:00",
        )
    for stars in [3, 3, 2, 2]:
        add(session, ids["yandex-2"], next(n), rating=stars, when="2025-11-20T12:00")
    add(session, ids["yandex"], next(n), rating=5, when="2024-12-31T20:30")  # 23:30 in Moscow: 2024
    # ПОС: mean 4.4 → 88 %; an unrated message is not counted
    for stars in [5, 4, 4, 5, 4, None]:
        add(session, ids["pos"], next(n), rating=stars, when="2025-08-10T08:00")
    # Госуслуги: by the period each row covers; 2025: (4×10 + 5×30 + 5×40) / 80 = 4.875
    for csi, count, period in [
        (4.0, 10, "2025"),
        (5.0, 30, "2025"),
        (5.0, 40, "2025-Q3"),
        (3.0, 100, "2024"),
    ]:
        start = parse_period(period).start
        add(
            session,
            ids["gosuslugi"],
            next(n),
            rating=csi,
            when=f"{start.isoformat()}T00:00",
            extra={"ratings_count": count, "period": period},
        )
    # Survey (Таблица 1): criteria means 4, 4, 4 → 80 %
    for answers in [{"quality": 5, "time": 4, "information": 3}, {"quality": 3, "time": 4, "information": 5}]:
        add(session, ids["survey"], next(n), rating=4, criteria=answers, when="2025-09-01T10:00")
    add(
        session,
        ids["vashkontrol"],
        next(n),
        rating=4.8,
        when="2025-02-01T10:00",
        criteria={"service_time": 5, "queue_time": 4, "politeness": 5, "comfort": 5, "information": 5},
    )
    add(session, ids["terminal"], next(n), rating=5, when="2024-05-05T10:00")  # nothing in 2025
    store_practice(session, org, "2025", read_practice(template_workbook(tmp_path / "p.xlsx")))

    tiny, _ = ensure_organisation(session, "tiny", "Архивный отдел")
    tiny_src = ensure_source(session, tiny, "yandex").id
    add(session, tiny_src, 1, rating=4, when="2025-05-05T10:00")
    book = read_practice(
        template_workbook(tmp_path / "tiny.xlsx", services=[_small()], regulations=[_small_reg()], approved=1)
    )
    store_practice(session, tiny, "2025", book)
    session.flush()


def _small() -> Any:
    from practice_fixtures import Svc

    return Svc("Выдача архивных справок", 1, 38, 38, 0, 0, True, 0, True, 10, True, 5)


def _small_reg() -> Any:
    from practice_fixtures import Reg

    return Reg("Выдача архивных справок", 1, 1, 1)


@pytest.fixture
def scored(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    with session_scope() as session:
        populate(session, tmp_path)
    return store


def scores_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["scores", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_year_scores_per_channel_and_overall(scored: str) -> None:
    data = scores_json("--period", "2025")
    assert data["period"] == "2025"
    arch = next(o for o in data["organisations"] if o["org"] == "arch")
    assert {k: arch[k] for k in ("org", "k_ud", "k_pr", "k_ef")} == {
        "org": "arch",
        "k_ud": 83.1,
        "k_pr": round(BASE_K_PR, 2),
        "k_ef": round((83.1 + BASE_K_PR) / 2, 2),
    }
    assert [c.pop("small_sample") for c in arch["channels"]] == [0 < c["n"] < 30 for c in arch["channels"]]
    assert arch["channels"] == [
        {"channel": "yandex", "n": 10, "csi": 2.7, "k_ud": 54.0, "level": "Низкий уровень удовлетворенности"},
        {
            "channel": "pos",
            "n": 5,
            "csi": 4.4,
            "k_ud": 88.0,
            "level": "Уровень удовлетворенности выше среднего",
        },
        {
            "channel": "gosuslugi",
            "n": 80,
            "csi": 4.88,
            "k_ud": 97.5,
            "level": "Очень высокий уровень удовлетворенности (практическая полная удовлетворенность)",
        },
        {
            "channel": "survey",
            "n": 2,
            "csi": 4.0,
            "k_ud": 80.0,
            "level": "Уровень удовлетворенности выше среднего",
        },
        {"channel": "terminal", "n": 0, "csi": None, "k_ud": None, "level": "нет данных"},
        {
            "channel": "vashkontrol",
            "n": 1,
            "csi": 4.8,
            "k_ud": 96.0,
            "level": "Очень высокий уровень удовлетворенности (практическая полная удовлетворенность)",
        },
    ]
    assert arch["levels"] == {
        "k_ud": "Уровень удовлетворенности выше среднего",
        "k_pr": "Средний уровень качества и доступности предоставления муниципальных услуг",
        "k_ef": "Уровень эффективности выше среднего",
    }
    assert arch["practice"]["status"] == "monitored" and arch["practice"]["boost"] == 1.03
    assert "Терминал оценки: нет данных за период" in arch["notes"]


def test_previous_period_and_difference(scored: str) -> None:
    arch = next(o for o in scores_json("--period", "2025")["organisations"] if o["org"] == "arch")
    previous = arch["previous"]
    assert previous["period"] == "2024"
    # 2024: Yandex 5 → 100, Госуслуги 3.0 → 60, terminal 5 → 100
    assert previous["k_ud"] == round((100 + 60 + 100) / 3, 2)
    assert previous["k_pr"] is None and previous["k_ef"] is None
    assert previous["levels"]["k_pr"] == "нет данных о практике"
    assert "нет данных о практике за 2024 год" in " ".join(previous["notes"])
    assert previous["diff"]["k_ud"] == round(83.1 - 260 / 3, 2)
    assert previous["diff"]["k_pr"] is None
    assert previous["diff"]["channels"] == {
        "yandex": -46.0,
        "pos": None,
        "gosuslugi": 37.5,
        "survey": None,
        "terminal": None,
        "vashkontrol": None,
    }


def test_quarter_uses_the_years_practice_data(scored: str) -> None:
    arch = next(o for o in scores_json("--period", "2025-Q3", "--org", "arch")["organisations"])
    channels = {c["channel"]: c for c in arch["channels"]}
    # Госуслуги rows covering the whole year do not count in a quarter; the Q3 row does
    assert (channels["gosuslugi"]["n"], channels["gosuslugi"]["k_ud"]) == (40, 100.0)
    assert channels["yandex"]["k_ud"] is None and channels["pos"]["n"] == 5
    assert arch["k_pr"] == round(BASE_K_PR, 2)
    assert "по данным о практике за 2025 год" in arch["practice"]["note"]
    assert arch["previous"]["period"] == "2025-Q2"
    assert arch["previous"]["k_pr"] == round(BASE_K_PR, 2)


def test_range_spanning_years_has_no_practice(scored: str) -> None:
    data = scores_json("--from", "2024-12-01", "--to", "2025-01-31", "--org", "arch")
    arch = data["organisations"][0]
    assert data["period"] == "2024-12-01..2025-01-31"
    assert arch["k_pr"] is None and arch["practice"]["status"] == "no_data"
    assert arch["previous"]["period"] == "2024-09-30..2024-11-30"  # 62 days before
    yandex = next(c for c in arch["channels"] if c["channel"] == "yandex")
    assert (yandex["n"], yandex["k_ud"]) == (2, 80.0)  # the 00:30 (3 stars) and 23:30 (5 stars) reviews


def test_fewer_than_50_requests_is_not_monitored(scored: str) -> None:
    tiny = scores_json("--period", "2025", "--org", "tiny")["organisations"][0]
    assert tiny["k_ud"] == 80.0
    assert tiny["k_pr"] is None and tiny["k_ef"] is None
    assert tiny["practice"]["status"] == "not_monitored"
    assert tiny["levels"]["k_pr"].startswith("мониторинг не проводится")
    assert "п. 4.4" in tiny["practice"]["note"]


def test_csv_and_table(scored: str) -> None:
    result = runner.invoke(app, ["scores", "--period", "2025", "--org", "arch", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["indicator"] for r in rows] == [
        "yandex",
        "pos",
        "gosuslugi",
        "survey",
        "terminal",
        "vashkontrol",
        "k_ud",
        "k_pr",
        "k_ef",
    ]
    # 10 Yandex ratings: shown, but «мало данных» and no change (fewer than [region] min_sample = 30)
    assert rows[0]["value"] == "54.0" and rows[0]["previous_value"] == "100.0" and rows[0]["diff"] == ""
    assert rows[0]["level"] == "мало данных (n = 10)"
    table = runner.invoke(app, ["scores", "--period", "2025", "--org", "arch"])
    assert table.exit_code == 0, table.output
    for fragment in (
        "Управление архитектуры",
        "2025 год",
        "2024 год",
        "54,00",
        "83,10",
        "Кэф",
        "нет данных о практике",
        "Яндекс",
    ):
        assert fragment in table.stdout, fragment


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025", "--org", "nobody"], "Организация «nobody» не найдена"),
        (["--period", "прошлый год"], "непонятный период"),
        (["--period", "2025", "--from", "2025-01-01", "--to", "2025-02-01"], "либо --period"),
        ([], "Укажите период"),
        (["--from", "2025-01-01"], "Укажите период"),
    ],
)
def test_bad_arguments(scored: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["scores", *args])
    assert isinstance(result.exception, UserError)
    assert message in str(result.exception)


def test_snapshots_are_upserted(scored: str) -> None:
    with session_scope() as session:
        written = recompute(session, [parse_period("2025"), parse_period("2025-Q3")])
    with session_scope() as session:
        again = recompute(session, [parse_period("2025")])
        rows = session.exec(select(ScoreSnapshot).where(ScoreSnapshot.period == "2025")).all()
        by = {(r.org_id, r.channel): r for r in rows}
        org = organisation_scores(session, parse_period("2025"), "arch")[0]
    assert written == 2 * (7 + 2)  # arch: 6 channels + overall, tiny: 1 + overall; two periods
    assert again == 7 + 2 and len(rows) == 9
    overall = next(r for (_, ch), r in by.items() if ch == "overall" and r.k_pr is not None)
    assert overall.k_ud == pytest.approx(org.current.k_ud)
    assert overall.k_pr == pytest.approx(BASE_K_PR)
    assert overall.k_ef == pytest.approx((83.1 + BASE_K_PR) / 2)
    assert overall.levels["k_ef"] == "Уровень эффективности выше среднего"
