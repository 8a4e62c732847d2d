"""The practice coefficient Кпр (п. 3.3) from Таблицы 3, 3.1 and 5.

The inputs are described by protocols rather than classes so that the workbook reader's
records and the stored rows (`PracticeServiceRow`, `PracticeRegulationRow`) are scored
by the same code without conversion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from scoring import levels

MIN_REQUESTS = 50  # п. 4.4: fewer requests in the period → the organisation is not monitored
LOW_DEMAND = 100  # a service with fewer requests is exempt from Dпз
BOOST_NO_LIMIT = 95.0  # п. 3.3.4.3: above this Кпр the boost is not applied
STATUS_MONITORED = "monitored"
STATUS_NOT_MONITORED = "not_monitored"
PERCENT_KEYS = ("d_u", "d_el", "d_mfc", "d_z", "k_mnk", "d_mu", "d_zh", "d_pz", "u_s", "d_ar",
                "k_kach", "u_ar", "k_pr_base", "k_pr")


class ServiceLike(Protocol):
    """One row of Таблица 3."""

    @property
    def requests(self) -> int: ...
    @property
    def on_time(self) -> int: ...
    @property
    def complaints(self) -> int: ...
    @property
    def prebooking(self) -> bool: ...
    @property
    def electronic(self) -> bool: ...
    @property
    def via_epgu(self) -> int: ...
    @property
    def mfc(self) -> bool: ...
    @property
    def via_mfc(self) -> int: ...


class RegulationLike(Protocol):
    """One row of Таблица 5."""

    @property
    def law_210(self) -> int: ...
    @property
    def law_other(self) -> int: ...
    @property
    def timeliness(self) -> float: ...


@dataclass(frozen=True)
class Reference:
    """«Справочная информация» (п. 4.4) shown for an organisation that is not monitored."""

    services: int
    requests: int
    on_time: int
    complaints: int
    via_epgu: int
    via_mfc: int


@dataclass(frozen=True)
class PracticeResult:
    status: str
    k_z: int
    reference: Reference
    d_u: float | None = None
    d_el: float | None = None
    d_mfc: float | None = None
    d_z: float | None = None
    k_mnk: float | None = None
    d_mu: float | None = None
    d_zh: float | None = None
    d_pz: float | None = None
    u_s: float | None = None
    d_ar: float | None = None
    k_kach: float | None = None
    u_ar: float | None = None
    k_pr_base: float | None = None
    boost: float | None = None
    k_pr: float | None = None
    levels: dict[str, str] = field(default_factory=dict)

    @property
    def monitored(self) -> bool:
        return self.status == STATUS_MONITORED

    def as_json(self) -> dict[str, Any]:
        """The `painmap practice --json` object: percentages rounded to 2 decimals."""
        if not self.monitored:
            return {"status": self.status, "k_z": self.k_z, "reference": asdict(self.reference)}
        out: dict[str, Any] = {"status": self.status}
        for key in (*PERCENT_KEYS[:-1], "boost", "k_pr"):
            value = getattr(self, key)
            out[key] = None if value is None else round(value, 2)
        out["levels"] = dict(self.levels)
        return out


def share(part: float, whole: float) -> float:
    """part / whole × 100; the callers guarantee whole > 0."""
    return part / whole * 100


def d_u(services: Sequence[ServiceLike]) -> float:
    """Dу: services provided electronically and/or through the МФЦ, of all services."""
    return share(sum(1 for s in services if s.electronic or s.mfc), len(services))


def d_pz(services: Sequence[ServiceLike]) -> float | None:
    """Dпз over the services not exempt (electronic, or fewer than 100 requests); None when
    every service is exempt."""
    assessed = [s for s in services if not s.electronic and s.requests >= LOW_DEMAND]
    if not assessed:
        return None
    return share(sum(1 for s in assessed if s.prebooking), len(assessed))


def u_s(d_mu: float, d_pz: float | None, d_zh: float) -> float:
    """Уs = (Dму + Dпз + (100 − Dж)) / 3, or without Dпз when it is not assessed."""
    parts = [d_mu, 100 - d_zh] if d_pz is None else [d_mu, d_pz, 100 - d_zh]
    return sum(parts) / len(parts)


def regulation_coefficient(row: RegulationLike) -> float:
    """One row of Таблица 5: (law + timeliness) / 2 × 100, law = 1 only when the regulation
    complies with both 210-ФЗ and the other НПА."""
    law = 1 if row.law_210 and row.law_other else 0
    return (law + row.timeliness) / 2 * 100


def k_kach(regulations: Sequence[RegulationLike]) -> float:
    return sum(regulation_coefficient(r) for r in regulations) / len(regulations)


def boost(k_z: int, k_pr_base: float) -> float:
    """Таблица 1.5.1 and п. 3.3.4.3: 1.05 above 10 000 requests, 1.03 from 8 000 to 10 000,
    never when the base value is already above 95 %."""
    if k_pr_base > BOOST_NO_LIMIT:
        return 1.0
    if k_z > 10_000:
        return 1.05
    if 8_000 <= k_z <= 10_000:
        return 1.03
    return 1.0


def validate(services: Sequence[ServiceLike], regulations: Sequence[RegulationLike],
             approved_regulations: int) -> None:
    """Reject inputs for which the shares would leave [0, 100]; the workbook reader reports
    the same problems with their sheet and row first."""
    for i, s in enumerate(services, start=1):
        counts = (s.requests, s.on_time, s.complaints, s.via_epgu, s.via_mfc)
        if min(counts) < 0:
            raise ValueError(f"услуга {i}: отрицательное количество")
        if s.on_time > s.requests or s.complaints > s.requests or s.via_epgu + s.via_mfc > s.requests:
            raise ValueError(f"услуга {i}: доля превышает количество запросов")
    for i, r in enumerate(regulations, start=1):
        if r.law_210 not in (0, 1) or r.law_other not in (0, 1) or r.timeliness not in (0, 0.5, 1):
            raise ValueError(f"регламент {i}: баллы должны быть 1/0 и 1/0,5/0")
    if not 0 <= approved_regulations <= len(services):
        raise ValueError("число утверждённых регламентов больше числа услуг")


def reference(services: Sequence[ServiceLike]) -> Reference:
    return Reference(
        services=len(services), requests=sum(s.requests for s in services),
        on_time=sum(s.on_time for s in services), complaints=sum(s.complaints for s in services),
        via_epgu=sum(s.via_epgu for s in services), via_mfc=sum(s.via_mfc for s in services),
    )


def compute_practice(services: Sequence[ServiceLike], regulations: Sequence[RegulationLike],
                     approved_regulations: int) -> PracticeResult:
    """Таблица 4 from Таблицы 3 (services), 3.1 (Кар = approved regulations) and 5."""
    validate(services, regulations, approved_regulations)
    ref = reference(services)
    k_z = ref.requests
    if k_z < MIN_REQUESTS:
        return PracticeResult(STATUS_NOT_MONITORED, k_z, ref)
    if not regulations:
        raise ValueError("Таблица 5 пуста: нечем оценить качество работы с регламентами")
    d_el, d_mfc = share(ref.via_epgu, k_z), share(ref.via_mfc, k_z)
    du = d_u(services)
    k_mnk = (du + d_el + d_mfc) / 2
    d_mu, d_zh, dpz = share(ref.on_time, k_z), share(ref.complaints, k_z), d_pz(services)
    us = u_s(d_mu, dpz, d_zh)
    d_ar, kk = share(approved_regulations, len(services)), k_kach(regulations)
    u_ar = (d_ar + kk) / 2
    base = (k_mnk + us + u_ar) / 3
    factor = boost(k_z, base)
    k_pr = min(100.0, base * factor)
    return PracticeResult(
        STATUS_MONITORED, k_z, ref, d_u=du, d_el=d_el, d_mfc=d_mfc, d_z=d_el + d_mfc, k_mnk=k_mnk,
        d_mu=d_mu, d_zh=d_zh, d_pz=dpz, u_s=us, d_ar=d_ar, k_kach=kk, u_ar=u_ar, k_pr_base=base,
        boost=factor, k_pr=k_pr,
        levels={"k_mnk": levels.K_MNK.level(k_mnk), "u_s": levels.U_S.level(us),
                "u_ar": levels.U_AR.level(u_ar), "k_pr": levels.K_PR.level(k_pr)},
    )
