"""Section 6: recommendations fire from the detected pains and the weak indicators, as the
rules in YAML say; bad rules are refused with a clear message."""

from __future__ import annotations

import pytest
import yaml
from report_fixtures import ORGS, PERIOD, BuiltReport, built_report

from models.db import session_scope
from reports.data import ReportData, collect
from reports.recommendations import load_rules, parse_rules, recommend
from vocabulary.errors import UserError
from vocabulary.periods import parse_period

__all__ = ["built_report"]
TEXT = "Сделать лучше."


@pytest.fixture(scope="module")
def data(built_report: BuiltReport) -> ReportData:
    with session_scope() as session:
        return collect(session, parse_period(PERIOD), region="Регион")


def fired(data: ReportData, rules_yaml: str) -> dict[str, set[str]]:
    rules = parse_rules(yaml.safe_load(rules_yaml))
    by_name = {name: code for code, name in ORGS.items()}
    return {rec.key: {by_name[f.org] for f in rec.findings} for rec in recommend(data, rules)}


def pain(cat: str, share: float, growth: float, extra: str = "") -> str:
    return f"  {cat}: {{min_share: {share}, min_growth: {growth}, text: {TEXT}{extra}}}\n"


@pytest.mark.parametrize(("rules", "expected"), [
    # zags: queue 5 of 9 texts (2024: 1 of 5), booking 2 of 9, rudeness 1 of 9; szn: phone 3 of 3
    ("defaults: {min_count: 2}\npains:\n" + pain("queue", 5, 3) + pain("phone", 5, 3)
     + pain("rudeness", 4, 2), {"queue": {"zags"}, "phone": {"szn"}}),
    ("defaults: {min_count: 1}\npains:\n" + pain("rudeness", 4, 2), {"rudeness": {"zags"}}),
    # a high share alone does not fire below the office's top pains; growth still does
    ("defaults: {min_count: 2, top: 1}\npains:\n" + pain("booking", 5, 100), {}),
    ("defaults: {min_count: 2, top: 1}\npains:\n" + pain("booking", 5, 20), {"booking": {"zags"}}),
    ("defaults: {min_count: 2, top: 1}\npains:\n" + pain("booking", 5, 100, ", top: 0"),
     {"booking": {"zags"}}),
    ("pains:\n" + pain("queue", 60, 50), {}),
    ("pains:\n" + pain("queue", 60, 30), {"queue": {"zags"}}),  # +35.56 п. п. against 2024
    # indicators: Куд of ЗАГС 77.47 %, of соцзащита 33.33 %; Уар of ЗАГС 65.62 %
    (f"indicators:\n  k_ud: {{below: 80, text: {TEXT}}}\n", {"k_ud": {"zags", "szn"}}),
    (f"indicators:\n  k_ud: {{below: 50, text: {TEXT}}}\n", {"k_ud": {"szn"}}),
    (f"indicators:\n  u_ar: {{below: 65, text: {TEXT}}}\n", {}),
    (f"indicators:\n  u_ar: {{below: 66, text: {TEXT}}}\n", {"u_ar": {"zags"}}),  # szn has no practice data
    (f"fallback: {TEXT}\nindicators:\n  k_pr: {{below: 10, text: x}}\n", {"fallback": set()}),
])
def test_rules_fire_for_the_offices_that_need_them(data: ReportData, rules: str,
                                                    expected: dict[str, set[str]]) -> None:
    assert fired(data, rules) == expected


def test_pains_come_first_most_widespread_first(data: ReportData) -> None:
    keys = [r.key for r in recommend(data, load_rules())]
    assert keys.index("phone") < keys.index("queue") < keys.index("booking")  # 100 % > 55.56 % > 22.22 %
    pains = {"phone", "queue", "booking"}
    assert max(keys.index(k) for k in pains) < min(i for i, k in enumerate(keys) if k not in pains)


def test_the_not_monitored_office_gets_no_recommendations(data: ReportData) -> None:
    everyone = {f.org for rec in recommend(data, load_rules()) for f in rec.findings}
    assert ORGS["arch"] not in everyone


def test_findings_say_why(data: ReportData) -> None:
    rec = next(r for r in recommend(data, load_rules()) if r.key == "queue")
    (finding,) = rec.findings
    assert finding.reason.startswith("жалобы категории «Очереди и ожидание» — 55,56% отзывов с текстом "
                                     "(5 из 9 отзывов), +35,56 п. п.")


@pytest.mark.parametrize(("rules", "message"), [
    ({"pains": {"queues": {"min_share": 1, "min_growth": 1, "text": "x"}}}, "неизвестная категория «queues»"),
    ({"indicators": {"kud": {"below": 1, "text": "x"}}}, "неизвестный показатель «kud»"),
    ({"pains": {"queue": {"min_share": 1, "text": "x"}}}, "в «queue» нет ключа «min_growth»"),
])
def test_bad_rules_are_refused(rules: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(UserError, match=message):
        parse_rules(rules)


def test_shipped_rules_cover_every_category() -> None:
    from vocabulary.categories import CATEGORIES

    assert {r.category for r in load_rules().pains} == set(CATEGORIES)
