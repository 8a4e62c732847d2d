"""Everything the report shows, assembled once from the store into plain data.

The DOCX and XLSX writers and the recommendation rules read only `ReportData`, never the
database, so that every number in both documents comes from the same place: the scores
are `service.scores.organisation_scores`, the practice tables `models.queries.practice_rows`,
the pain map `service.painmap.pain_map_of`, the quotes masked texts only (`reports.quotes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models import queries
from models.painmap import PainCell, PainRow
from models.queries import PracticeRows
from models.tables import Feedback, Service, Source
from reports.quotes import Quote, pick_quotes
from scoring.practice import STATUS_MONITORED, STATUS_NOT_MONITORED, PracticeResult
from scoring.satisfaction import ChannelScore, score_channel
from service.painmap import pain_map_of
from service.ratings import RatingPoint, rating_history
from service.replies import ReplyStats, reply_stats
from service.scores import DEFAULT_TZ, MIN_SAMPLE, OrgScores, gosuslugi_data, organisation_scores
from vocabulary.categories import CATEGORIES
from vocabulary.periods import Period

TOP_PAINS = 3  # pains described (and quoted) per office
QUOTES_PER_PAIN = 2
NO_SERVICE = "Услуга не указана"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ServiceRating:
    """One row of Таблица 2 (Госуслуги): a service's CSI and its number of ratings."""

    service: str
    csi: float | None
    count: int


@dataclass
class OrgReport:
    code: str
    name: str
    services: list[str]
    scores: OrgScores
    practice: PracticeRows | None  # Таблицы 3, 3.1, 5 of the period's year
    previous_practice: PracticeRows | None
    pains: PainRow | None
    gosuslugi: list[ServiceRating] = field(default_factory=list)
    quotes: dict[str, list[Quote]] = field(default_factory=dict)
    yandex_rating: RatingPoint | None = None  # the public rating as last read by the period's end
    replies: ReplyStats | None = None  # how the office answered its Yandex reviews of the period
    thanks: list[tuple[str, int]] = field(default_factory=list)  # staff thanked by name: admin edition only

    @property
    def status(self) -> str:
        """monitored | not_monitored (п. 4.4) | no_data (no practice data for the year)."""
        return self.scores.current.practice.status

    @property
    def monitored(self) -> bool:
        """п. 4.4: an office with fewer than 50 requests is not monitored; one without
        practice data is still monitored on its feedback."""
        return self.status != STATUS_NOT_MONITORED

    @property
    def has_data(self) -> bool:
        """Anything to report for the period: a citizen's rating in some channel or practice data."""
        return self.practice is not None or any(c.n for c in self.scores.current.channels)

    @property
    def result(self) -> PracticeResult | None:
        return self.scores.current.practice.result

    @property
    def practice_computed(self) -> bool:
        return self.status == STATUS_MONITORED

    def channel(self, kind: str) -> ChannelScore | None:
        return next((c for c in self.scores.current.channels if c.channel == kind), None)

    def previous_channel(self, kind: str) -> ChannelScore | None:
        return next((c for c in self.scores.previous.channels if c.channel == kind), None)

    def top_pains(self, limit: int = TOP_PAINS) -> list[tuple[str, PainCell]]:
        """The office's most frequent pains (share of its texts), only those met at all."""
        if self.pains is None:
            return []
        cells = [(cat, cell) for cat, cell in self.pains.cells.items() if cell.count > 0]
        cells.sort(key=lambda item: (-item[1].share, -item[1].count, CATEGORIES.index(item[0])))
        return cells[:limit]


@dataclass
class ReportData:
    region: str
    period: Period
    organisations: list[OrgReport]
    tz: str = DEFAULT_TZ
    created: date = field(default_factory=date.today)
    min_n: int = MIN_SAMPLE  # below it a channel's figure is «мало данных»: not interpreted or compared
    named: bool = False  # the admin edition: staff thanked by name are listed

    @property
    def previous(self) -> Period:
        return self.period.previous()

    @property
    def monitored(self) -> list[OrgReport]:
        return [o for o in self.organisations if o.monitored]

    @property
    def not_monitored(self) -> list[OrgReport]:
        return [o for o in self.organisations if not o.monitored]

    def channels(self) -> list[str]:
        """Channel kinds with data in the period for some monitored office, in the Методика's order."""
        kinds: list[str] = []
        for o in self.monitored:
            for c in o.scores.current.channels:
                if c.has_data and c.channel not in kinds:
                    kinds.append(c.channel)
        order = [c.channel for o in self.organisations for c in o.scores.current.channels]
        return sorted(kinds, key=order.index)

    def mean_k_ud(self) -> float | None:
        """The region's figure of the 2022 report («общая удовлетворенность … составила»):
        the unweighted mean of the monitored offices' Куд, like Куд itself over channels."""
        values = [v for o in self.monitored if (v := o.scores.current.k_ud) is not None]
        return sum(values) / len(values) if values else None


def org_services(session: Session, org_id: int, practice: PracticeRows | None) -> list[str]:
    """The office's services: those of the config/store, else those of its Таблица 3."""
    names = list(session.exec(select(Service.name).where(Service.org_id == org_id)
                              .order_by(col(Service.id))).all())
    if not names and practice is not None:
        names = [row.service for row in practice.services]
    return names


def gosuslugi_ratings(session: Session, org_id: int, period: Period, tz: str) -> list[ServiceRating]:
    """Таблица 2 for the period: per service, the Госуслуги items that count for the period
    (the same selection and weighting as the channel's Куд in `service.scores`)."""
    query = (
        select(Service.name, Feedback.rating, Feedback.extra, Feedback.published_at)
        .select_from(Feedback)
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .outerjoin(Service, col(Service.id) == col(Feedback.service_id))
        .where(Source.org_id == org_id, Source.kind == "gosuslugi", col(Feedback.rating).is_not(None))
        .order_by(col(Feedback.id))
    )
    per_service: dict[str, list[dict[str, Any]]] = {}
    for name, rating, extra, published in session.execute(query):
        per_service.setdefault(name or NO_SERVICE, []).append(
            {"rating": rating, "ratings_count": (extra or {}).get("ratings_count"),
             "period": (extra or {}).get("period"), "published_at": published})
    rows = []
    for name, items in per_service.items():
        score = score_channel(gosuslugi_data(items, period, tz))
        if score.n:
            rows.append(ServiceRating(name, score.csi, score.n))
    return rows


def _pain_rows(session: Session, period: Period, tz: str, org: str | None) -> dict[str, PainRow]:
    return {row.org: row for row in pain_map_of(session, period, org, tz)}


def _quotes(session: Session, org_id: int, report: OrgReport, period: Period,
            tz: str) -> dict[str, list[Quote]]:
    start, end = period.utc_bounds(tz)
    taken: set[int] = set()
    return {cat: pick_quotes(session, org_id, cat, start, end, QUOTES_PER_PAIN, taken)
            for cat, _ in report.top_pains()}


def _practice(session: Session, org_id: int, year: int | None) -> PracticeRows | None:
    return queries.practice_rows(session, org_id, str(year)) if year is not None else None


def collect(session: Session, period: Period, org: str | None = None, region: str = "",
            tz: str = DEFAULT_TZ, progress: Progress | None = None, min_n: int = MIN_SAMPLE,
            named: bool = False) -> ReportData:
    """The report's data for one period, every organisation or the one named by code/name."""
    scores = organisation_scores(session, period, org, tz)
    codes = {o.code for o in scores}
    pains = _pain_rows(session, period, tz, next(iter(codes)) if org is not None and codes else None)
    ids = {o.code: o.id for o in queries.organisations(session) if o.code in codes}
    ratings = {p.org: p for p in rating_history(session, end=period.utc_bounds(tz)[1])}  # the last wins
    replies = {r.org: r for r in reply_stats(session, *period.utc_bounds(tz))}
    reports = []
    for s in scores:
        org_id = ids[s.code]
        assert org_id is not None
        practice = _practice(session, org_id, s.current.practice.year or period.year)
        report = OrgReport(
            code=s.code, name=s.name, services=org_services(session, org_id, practice), scores=s,
            practice=practice, previous_practice=_practice(session, org_id, s.previous.practice.year),
            pains=pains.get(s.code), gosuslugi=gosuslugi_ratings(session, org_id, period, tz),
            yandex_rating=ratings.get(s.code), replies=replies.get(s.code))
        if report.monitored:
            report.quotes = _quotes(session, org_id, report, period, tz)
            report.thanks = queries.staff_thanks(session, org_id, *period.utc_bounds(tz))
        reports.append(report)
        if progress:
            progress(s.name)
    return ReportData(region=region, period=period, organisations=reports, tz=tz, min_n=min_n, named=named)

