"""CSI and Куд per channel kind (п. 3.2), the organisation's Куд, and the 2022 report's
figures (Yandex mean 2.7 → 54 %, 4.4 → 88 %)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.efficiency import k_ef, k_ef_level
from scoring.levels import NO_DATA
from scoring.satisfaction import (
    ChannelData,
    ChannelScore,
    Tally,
    criteria_data,
    k_ud,
    overall_k_ud,
    ratings_data,
    score_channel,
    terminal_score,
    weighted_data,
)


@pytest.mark.parametrize(
    ("csi", "expected", "level"),
    [
        (2.7, 54.0, "Низкий уровень удовлетворенности"),
        (4.4, 88.0, "Уровень удовлетворенности выше среднего"),
        (4.75, 95.0, "Очень высокий уровень удовлетворенности (практическая полная удовлетворенность)"),
        (4.5, 90.0, "Высокий уровень удовлетворенности"),
        (5.0, 100.0, "Очень высокий уровень удовлетворенности (практическая полная удовлетворенность)"),
        (1.0, 20.0, "Очень низкий уровень удовлетворенности (практически полная неудовлетворенность)"),
    ],
)
def test_k_ud_of_the_2022_report_and_boundaries(csi: float, expected: float, level: str) -> None:
    assert k_ud(csi) == pytest.approx(expected, abs=1e-12)
    score = score_channel(ratings_data("yandex", _ratings_with_mean(csi)))
    assert score.k_ud == pytest.approx(expected, abs=1e-9)
    assert score.level == level


def _ratings_with_mean(mean: float) -> list[float]:
    """Twenty whole stars with the given mean (mean × 20 must be whole)."""
    total = round(mean * 20)
    base, extra = divmod(total, 20)
    return [float(base + 1)] * extra + [float(base)] * (20 - extra)


@pytest.mark.parametrize(
    ("ratings", "n", "csi"),
    [
        ([5, 4, 3, None, 2], 4, 3.5),  # an unrated item is stored but not counted
        ([None, None], 0, None),
        ([1], 1, 1.0),
    ],
)
def test_rating_channels(ratings: list[float | None], n: int, csi: float | None) -> None:
    score = score_channel(ratings_data("pos", ratings))
    assert (score.n, score.csi) == (n, csi)
    assert (score.level == NO_DATA) == (csi is None)


def test_gosuslugi_is_weighted_by_ratings() -> None:
    # (4.0 × 10 + 5.0 × 30) / 40 = 4.75 → Куд 95
    score = score_channel(weighted_data("gosuslugi", [(4.0, 10), (5.0, 30), (None, 5), (3.0, 0)]))
    assert score.n == 40
    assert score.csi == pytest.approx(4.75)
    assert score.k_ud == pytest.approx(95.0)


def test_survey_csi_is_the_mean_of_criteria_means() -> None:
    items = [
        {"quality": 5, "time": 3, "information": 4},
        {"quality": 4, "time": 2},  # information not answered
        {"quality": 3, "time": 4, "information": 5},
        {"other": 1},
    ]  # no Таблица 1 criterion: not a respondent
    score = score_channel(criteria_data("survey", items))
    # Уф: quality 4, time 3, information 4.5 → CSI 11.5 / 3
    assert score.criteria == {"quality": 4.0, "time": 3.0, "information": 4.5}
    assert score.csi == pytest.approx(11.5 / 3)
    assert score.n == 3
    assert score.k_ud == pytest.approx(11.5 / 3 * 20)


def test_vashkontrol_five_criteria() -> None:
    items = [
        {"service_time": 5, "queue_time": 4, "politeness": 5, "comfort": 3, "information": 4},
        {"service_time": 3, "queue_time": 2, "politeness": 5, "comfort": 5, "information": 4},
    ]
    score = score_channel(criteria_data("vashkontrol", items))
    assert score.csi == pytest.approx((4 + 3 + 5 + 4 + 4) / 5)
    assert score.n == 2


@pytest.mark.parametrize(
    ("grade", "mapping", "score"),
    [
        ("Хорошо", None, 5.0),
        ("средне", None, 3.0),
        (" ПЛОХО ", None, 1.0),
        ("Отлично", None, None),
        ("Средне", {"Хорошо": 5, "Средне": 4, "Плохо": 2}, 4.0),
    ],
)
def test_terminal_grades(grade: str, mapping: dict[str, float] | None, score: float | None) -> None:
    assert terminal_score(grade, mapping) == score


def test_terminal_channel_from_mapped_grades() -> None:
    grades = ["Хорошо"] * 6 + ["Средне"] * 3 + ["Плохо"]
    score = score_channel(ratings_data("terminal", [terminal_score(g) for g in grades]))
    assert score.csi == pytest.approx((6 * 5 + 3 * 3 + 1) / 10)


def test_two_sources_of_one_kind_form_one_channel() -> None:
    merged = ratings_data("yandex", [5, 5]).merge(ratings_data("yandex", [2]))
    assert score_channel(merged).csi == pytest.approx(4.0)
    assert score_channel(merged).n == 3


def test_organisation_k_ud_is_the_unweighted_mean_of_channels_with_data() -> None:
    channels = [
        score_channel(ratings_data("yandex", [3] * 1000)),  # 60, many scores: no weight
        score_channel(weighted_data("gosuslugi", [(5.0, 1)])),  # 100
        score_channel(ChannelData("terminal")),  # no data: left out
    ]
    assert overall_k_ud(channels) == pytest.approx(80.0)
    assert channels[2] == ChannelScore("terminal", 0, None, None, NO_DATA)
    assert overall_k_ud([channels[2]]) is None


def test_out_of_scale_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="вне шкалы"):
        ratings_data("yandex", [6])


@pytest.mark.parametrize(
    ("k_ud_value", "k_pr_value", "expected", "level"),
    [
        (88.0, 92.0, 90.0, "Очень высокий уровень эффективности"),
        (54.0, 86.0, 70.0, "Уровень эффективности выше среднего"),
        (20.0, 9.0, 14.5, "Очень низкий уровень эффективности"),
        (None, 80.0, None, NO_DATA),
        (80.0, None, None, NO_DATA),
    ],
)
def test_k_ef(k_ud_value: float | None, k_pr_value: float | None, expected: float | None, level: str) -> None:
    assert k_ef(k_ud_value, k_pr_value) == expected
    assert k_ef_level(k_ef(k_ud_value, k_pr_value)) == level


def test_tally_merges() -> None:
    assert Tally(10, 2).merge(Tally(5, 3)).mean == pytest.approx(3.0)
    assert Tally().mean is None


score_lists = st.lists(st.one_of(st.none(), st.integers(1, 5).map(float), st.floats(1, 5)), max_size=50)


@given(
    score_lists,
    st.lists(st.tuples(st.floats(1, 5), st.integers(0, 10_000)), max_size=20),
    st.lists(
        st.dictionaries(st.sampled_from(["quality", "time", "information"]), st.floats(1, 5)), max_size=30
    ),
    st.one_of(st.none(), st.floats(0, 100)),
)
def test_coefficients_stay_within_0_100(
    ratings: list[float | None],
    services: list[tuple[float, int]],
    answers: list[dict[str, float]],
    k_pr_value: float | None,
) -> None:
    channels = [
        score_channel(ratings_data("yandex", ratings)),
        score_channel(weighted_data("gosuslugi", services)),
        score_channel(criteria_data("survey", answers)),
    ]
    for c in channels:
        assert c.k_ud is None or 20 - 1e-9 <= c.k_ud <= 100 + 1e-9
    total = overall_k_ud(channels)
    assert total is None or 0 <= total <= 100 + 1e-9
    efficiency = k_ef(total, k_pr_value)
    assert efficiency is None or 0 <= efficiency <= 100 + 1e-9
