"""Russian wording of the report (decimal comma, plurals, changes, periods), quote excerpts,
and diagrams that render Cyrillic without missing glyphs."""

from __future__ import annotations

import warnings

import pytest

from reports import charts
from reports.quotes import MAX_QUOTE, excerpt
from reports.text import (
    capital,
    change,
    compared_with,
    count,
    integer,
    join,
    percent,
    period_for,
    period_in,
    points_score,
    quoted,
    signed,
)
from vocabulary.periods import parse_period


@pytest.mark.parametrize(("value", "text"), [
    (89.3214, "89,32%"), (54.0, "54,00%"), (100, "100,00%"), (0.004, "0,00%"), (None, "—"),
])
def test_percent(value: float | None, text: str) -> None:
    assert percent(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (14650, "14\u00a0650"), (38, "38"), (1_000_000, "1\u00a0000\u00a0000"),
])
def test_integer_groups_thousands(value: int, text: str) -> None:
    assert integer(value) == text


@pytest.mark.parametrize(("n", "text"), [
    (1, "1 оценка"), (2, "2 оценки"), (5, "5 оценок"), (11, "11 оценок"), (21, "21 оценка"),
    (112, "112 оценок"), (1024, "1\u00a0024 оценки"),
])
def test_plurals(n: int, text: str) -> None:
    assert count(n, ("оценка", "оценки", "оценок")) == text


@pytest.mark.parametrize(("delta", "gender", "text"), [
    (4.0, "m", "увеличился на 4,00\u00a0п.\u00a0п."), (-4.0, "f", "снизилась на 4,00\u00a0п.\u00a0п."),
    (0.001, "m", "не изменился"), (None, "m", ""), (-0.126, "n", "снизилось на 0,13\u00a0п.\u00a0п."),
])
def test_change(delta: float | None, gender: str, text: str) -> None:
    assert change(delta, gender) == text


@pytest.mark.parametrize(("delta", "text"), [
    (3.15, "+3,15"), (-12.0, "−12,00"), (0.0001, "0,00"), (None, "—"),
])
def test_signed(delta: float | None, text: str) -> None:
    assert signed(delta) == text


@pytest.mark.parametrize(("csi", "text"), [(2.7, "2,7 балла"), (4.4, "4,4 балла"), (5.0, "5 баллов"),
                                           (3.125, "3,12 балла"), (1.0, "1 балл")])
def test_points_score_as_in_the_2022_report(csi: float, text: str) -> None:
    assert points_score(csi) == text


@pytest.mark.parametrize(("period", "inside", "over", "against"), [
    ("2025", "в 2025 году", "за 2025 год", "по сравнению с 2025 годом"),
    ("2025-Q3", "в III квартале 2025 года", "за III квартал 2025 года",
     "по сравнению с III кварталом 2025 года"),
    ("2025-07", "в июле 2025 года", "за июль 2025 года", "по сравнению с июлем 2025 года"),
    ("2025-03-01..2025-05-31", "в период с 01.03.2025 по 31.05.2025", "за период с 01.03.2025 по 31.05.2025",
     "по сравнению с периодом с 01.03.2025 по 31.05.2025"),
])
def test_periods_in_sentences(period: str, inside: str, over: str, against: str) -> None:
    p = parse_period(period)
    assert (period_in(p), period_for(p), compared_with(p)) == (inside, over, against)


@pytest.mark.parametrize(("text", "expected"), [
    ("Очередь", "«Очередь»"), ("Присвоение звания «Ветеран труда»", "«Присвоение звания „Ветеран труда“»"),
    ("«Ваш контроль»", "«Ваш контроль»"),
])
def test_quoted(text: str, expected: str) -> None:
    assert quoted(text) == expected


def test_small_wording_helpers() -> None:
    assert join(["a"]) == "a" and join(["a", "b"]) == "a и b" and join(["a", "b", "c"]) == "a, b и c"
    assert capital("в III квартале, Кпр") == "В III квартале, Кпр"


@pytest.mark.parametrize(("text", "expected"), [
    ("Короткий  отзыв\nв две строки.", "Короткий отзыв в две строки."),
    ("Первое предложение. " * 10 + "Последнее.", ("Первое предложение. " * 10).strip() + " Последнее."),
    ("Первое предложение. " * 13 + "Последнее, длинное предложение.",
     ("Первое предложение. " * 13).strip() + " …"),
    ("Первое предложение. " * 20, ("Первое предложение. " * 14).strip() + " …"),
    ("слово " * 100, ("слово " * 46).strip() + " …"),
])
def test_excerpt_cuts_at_a_sentence_or_a_word(text: str, expected: str) -> None:
    out = excerpt(text)
    assert out == expected
    assert len(out) <= MAX_QUOTE + 2


def test_diagrams_render_cyrillic_without_missing_glyphs() -> None:
    labels = ["Управление записи актов гражданского состояния", "Отдел опеки и попечительства — ёЁ"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pngs = [charts.bars(labels, [88.02, None], previous=[80.0, 70.0], current_label="2025 год",
                            previous_label="2024 год"),
                charts.heatmap(labels, ["Очереди и ожидание", "Грубость и неуважение"],
                               [[15.6, 0.0], [3.1, 9.9]])]
    assert not [w for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    for png in pngs:
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
