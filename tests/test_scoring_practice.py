"""Кпр (п. 3.3) against hand-computed values: Кмнк, Уs with the Dпз exemptions, Уар from
Таблица 5, both boost levels, the > 95 % exception, and п. 4.4 (Кз < 50)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from practice_fixtures import JSON_KEYS

from scoring.practice import (
    PERCENT_KEYS,
    STATUS_MONITORED,
    STATUS_NOT_MONITORED,
    boost,
    compute_practice,
    d_pz,
    regulation_coefficient,
    u_s,
)


@dataclass(frozen=True)
class S:
    requests: int
    on_time: int
    complaints: int
    prebooking: bool
    electronic: bool
    via_epgu: int
    mfc: bool
    via_mfc: int


@dataclass(frozen=True)
class R:
    law_210: int
    law_other: int
    timeliness: float


# The example written out in tests/practice_fixtures.py (Таблица 3 and 5 of four services).
SERVICES = [
    S(6000, 5900, 6, True, True, 3000, True, 1200),
    S(3000, 2700, 3, False, False, 0, True, 900),
    S(800, 800, 0, True, False, 0, False, 0),
    S(50, 50, 1, False, False, 0, False, 0),
]
REGULATIONS = [R(1, 1, 1), R(1, 0, 1), R(1, 1, 0.5), R(0, 1, 0)]

# Worked by hand: Ку = 4, Кз = 9850, K (electronic or МФЦ) = 2, Кар = 3.
# Dпз: service 1 is electronic and service 4 has < 100 requests — exempt; of services 2 and 3,
# only 3 has pre-booking → 1 / 2. Таблица 5: 100, 50, 75, 0 → 56.25.
D_U = 2 / 4 * 100
D_EL = 3000 / 9850 * 100
D_MFC = 2100 / 9850 * 100
K_MNK = (50 + 5100 / 9850 * 100) / 2
D_MU = 9450 / 9850 * 100
D_ZH = 10 / 9850 * 100
U_S = (9450 / 9850 * 100 + 50 + (100 - 10 / 9850 * 100)) / 3
U_AR = (75 + 56.25) / 2
BASE = (K_MNK + U_S + U_AR) / 3
EXPECTED = {
    "d_u": D_U,
    "d_el": D_EL,
    "d_mfc": D_MFC,
    "d_z": D_EL + D_MFC,
    "k_mnk": K_MNK,
    "d_mu": D_MU,
    "d_zh": D_ZH,
    "d_pz": 50.0,
    "u_s": U_S,
    "d_ar": 75.0,
    "k_kach": 56.25,
    "u_ar": U_AR,
    "k_pr_base": BASE,
    "boost": 1.03,
    "k_pr": BASE * 1.03,
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_hand_computed_example(key: str) -> None:
    result = compute_practice(SERVICES, REGULATIONS, 3)
    assert result.status == STATUS_MONITORED
    assert getattr(result, key) == pytest.approx(EXPECTED[key], rel=1e-12)


def test_hand_computed_levels_and_json() -> None:
    result = compute_practice(SERVICES, REGULATIONS, 3)
    assert result.levels == {
        "k_mnk": "Средний уровень доступности получения муниципальных услуг",
        "u_s": "Средний уровень соблюдения стандартов предоставления муниципальных услуг",
        "u_ar": "Вызывающий беспокойство (ниже среднего) уровень работы с административными регламентами",
        "k_pr": "Средний уровень качества и доступности предоставления муниципальных услуг",
    }
    data = result.as_json()
    assert list(data) == JSON_KEYS
    assert data["k_pr"] == round(BASE * 1.03, 2) == 68.14
    assert data["d_el"] == 30.46 and data["boost"] == 1.03


@pytest.mark.parametrize(
    ("k_z", "base", "factor"),
    [
        (20_000, 80.0, 1.05),
        (10_001, 80.0, 1.05),
        (10_000, 80.0, 1.03),
        (8_000, 80.0, 1.03),
        (7_999, 80.0, 1.0),
        (50, 80.0, 1.0),
        (20_000, 95.0, 1.05),  # «более 95 %»: 95 itself still gets the boost
        (20_000, 95.01, 1.0),
        (9_000, 99.0, 1.0),  # п. 3.3.4.3: no boost above 95 %
    ],
)
def test_boost(k_z: int, base: float, factor: float) -> None:
    assert boost(k_z, base) == factor


def _single(requests: int, **kw: object) -> list[S]:
    values = {
        "on_time": requests,
        "complaints": 0,
        "prebooking": True,
        "electronic": True,
        "via_epgu": requests // 2,
        "mfc": True,
        "via_mfc": requests // 4,
    }
    values.update(kw)
    return [S(requests, **values)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("requests", "factor"), [(12_000, 1.05), (9_000, 1.03), (5_000, 1.0)])
def test_both_boost_levels_end_to_end(requests: int, factor: float) -> None:
    # Dу 100, Dз 75 → Кмнк 87.5; Dму 100, Dпз exempt, Dж 0 → Уs 100; Dар 100, k_kach 50 → Уар 75
    result = compute_practice(_single(requests), [R(1, 1, 0)], 1)
    assert result.k_pr_base == pytest.approx((87.5 + 100 + 75) / 3)
    assert result.boost == factor
    assert result.k_pr == pytest.approx((87.5 + 100 + 75) / 3 * factor)


def test_no_boost_above_95_percent() -> None:
    # Кмнк (100 + 100) / 2, Уs 100, Уар (100 + 75) / 2 = 87.5 → base 95.8333 with 20 000 requests
    services = _single(20_000, via_epgu=12_000, via_mfc=8_000)
    result = compute_practice(services, [R(1, 1, 0.5)], 1)
    assert result.k_pr_base == pytest.approx((100 + 100 + 87.5) / 3)
    assert result.boost == 1.0
    assert result.k_pr == result.k_pr_base
    assert (
        result.levels["k_pr"]
        == "Очень высокий уровень качества и доступности предоставления муниципальных услуг"
    )


def test_all_services_exempt_from_d_pz() -> None:
    # one electronic service and one with 99 requests: Dпз is not assessed and Уs has two parts
    services = [S(1000, 990, 10, False, True, 500, False, 0), S(99, 90, 0, False, False, 0, True, 50)]
    result = compute_practice(services, [R(1, 1, 1), R(1, 1, 1)], 2)
    assert result.d_pz is None
    assert result.u_s == pytest.approx((1080 / 1099 * 100 + (100 - 10 / 1099 * 100)) / 2)
    assert result.as_json()["d_pz"] is None


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        ([S(100, 100, 0, True, False, 0, False, 0)], 100.0),  # exactly 100 requests: assessed
        ([S(100, 100, 0, False, False, 0, False, 0), S(500, 1, 0, True, False, 0, False, 0)], 50.0),
        ([S(99, 99, 0, True, False, 0, False, 0)], None),
        ([S(5000, 9, 0, False, True, 0, False, 0)], None),
    ],
)
def test_d_pz_exemptions(services: list[S], expected: float | None) -> None:
    assert d_pz(services) == expected


@pytest.mark.parametrize(
    ("d_mu", "dpz", "d_zh", "expected"),
    [
        (90.0, 60.0, 3.0, (90 + 60 + 97) / 3),
        (90.0, None, 3.0, (90 + 97) / 2),
    ],
)
def test_u_s(d_mu: float, dpz: float | None, d_zh: float, expected: float) -> None:
    assert u_s(d_mu, dpz, d_zh) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("row", "value"),
    [
        (R(1, 1, 1), 100.0),
        (R(1, 1, 0.5), 75.0),
        (R(1, 1, 0), 50.0),
        (R(1, 0, 1), 50.0),
        (R(0, 1, 0.5), 25.0),
        (R(0, 0, 0), 0.0),
    ],
)
def test_regulation_coefficient(row: R, value: float) -> None:
    assert regulation_coefficient(row) == value


@pytest.mark.parametrize(
    ("requests", "status"), [(49, STATUS_NOT_MONITORED), (50, STATUS_MONITORED), (0, STATUS_NOT_MONITORED)]
)
def test_fewer_than_50_requests_is_not_monitored(requests: int, status: str) -> None:
    result = compute_practice(_single(requests), [R(1, 1, 1)], 1)
    assert result.status == status
    if status == STATUS_NOT_MONITORED:
        assert result.k_pr is None and result.k_mnk is None
        assert result.as_json() == {
            "status": "not_monitored",
            "k_z": requests,
            "reference": {
                "services": 1,
                "requests": requests,
                "on_time": requests,
                "complaints": 0,
                "via_epgu": requests // 2,
                "via_mfc": requests // 4,
            },
        }


@pytest.mark.parametrize(
    ("services", "regulations", "approved"),
    [
        ([replace(SERVICES[0], on_time=7000)], REGULATIONS, 1),
        ([replace(SERVICES[0], via_mfc=3500)], REGULATIONS, 1),
        ([replace(SERVICES[0], complaints=-1)], REGULATIONS, 1),
        (SERVICES, [R(1, 1, 0.7)], 1),
        (SERVICES, REGULATIONS, 5),
    ],
)
def test_impossible_inputs_are_refused(services: list[S], regulations: list[R], approved: int) -> None:
    with pytest.raises(ValueError):
        compute_practice(services, regulations, approved)


@st.composite
def service(draw: st.DrawFn) -> S:
    requests = draw(st.integers(0, 30_000))
    via_epgu = draw(st.integers(0, requests))
    return S(
        requests,
        draw(st.integers(0, requests)),
        draw(st.integers(0, requests)),
        draw(st.booleans()),
        draw(st.booleans()),
        via_epgu,
        draw(st.booleans()),
        draw(st.integers(0, requests - via_epgu)),
    )


regulation = st.builds(R, st.integers(0, 1), st.integers(0, 1), st.sampled_from([0, 0.5, 1]))


@given(st.lists(service(), min_size=1, max_size=15), st.lists(regulation, min_size=1, max_size=15), st.data())
def test_every_coefficient_stays_within_0_100(
    services: list[S], regulations: list[R], data: st.DataObject
) -> None:
    approved = data.draw(st.integers(0, len(services)))
    result = compute_practice(services, regulations, approved)
    if not result.monitored:
        assert sum(s.requests for s in services) < 50
        return
    for key in PERCENT_KEYS:
        value = getattr(result, key)
        assert value is None or 0 <= value <= 100 + 1e-9, (key, value)
    assert result.boost in (1.0, 1.03, 1.05)
    assert result.k_pr >= result.k_pr_base  # type: ignore[operator]
