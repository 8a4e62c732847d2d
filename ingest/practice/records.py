"""What the practice reader produces: the rows of Таблицы 3 and 5, the figures of Таблица
3.1, and the warnings found on the way. Field names are those of the store's
`PracticeServiceRow`, `PracticeRegulationRow` and `PracticeSummary`, so scoring reads
records and stored rows alike."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

SUMMARY_FIELDS = ("services", "electronic_services", "mfc_services", "prebooking_services", "staff",
                  "requests", "via_epgu", "via_mfc", "on_time", "complaints", "regulations")


@dataclass(frozen=True)
class ServiceRecord:
    """One row of Таблица 3."""

    service: str
    requests: int
    on_time: int
    complaints: int
    prebooking: bool
    electronic: bool
    via_epgu: int
    mfc: bool
    via_mfc: int
    staff: int | None = None
    late: int = 0
    refusals: int = 0
    location: str = field(default="", compare=False)


@dataclass(frozen=True)
class RegulationRecord:
    """One row of Таблица 5; `coefficient` is the value the workbook itself shows, if any."""

    service: str
    law_210: int
    law_other: int
    timeliness: float
    coefficient: float | None = field(default=None, compare=False)
    location: str = field(default="", compare=False)


@dataclass(frozen=True)
class SummaryRecord:
    """Таблица 3.1 as the organisation reported it (None: the line is absent or empty)."""

    services: int | None = None
    electronic_services: int | None = None
    mfc_services: int | None = None
    prebooking_services: int | None = None
    staff: int | None = None
    requests: int | None = None
    via_epgu: int | None = None
    via_mfc: int | None = None
    on_time: int | None = None
    complaints: int | None = None
    regulations: int | None = None
    location: str = field(default="", compare=False)

    def values(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in SUMMARY_FIELDS}


@dataclass
class PracticeWorkbook:
    services: list[ServiceRecord]
    regulations: list[RegulationRecord]
    summary: SummaryRecord
    origin: str
    warnings: list[str] = field(default_factory=list)
    year: int | None = None  # the year the titles name («… за 2025 год»), if any

    @property
    def approved_regulations(self) -> int:
        """Кар: «Количество утвержденных административных регламентов» of Таблица 3.1
        (the reader guarantees it is present)."""
        return self.summary.regulations or 0
