"""Satisfaction trends for the dashboard: the organisation's Куд (or one channel's) per day,
week, month, quarter or year inside a period, computed with the same code as the scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from models import queries
from scoring.satisfaction import overall_k_ud
from service.region import timezone
from service.scores import channel_inputs, channel_scores
from vocabulary import periods as p

GRANULARITIES = {"day": "по дням", "week": "по неделям", "month": "по месяцам",
                 "quarter": "по кварталам", "year": "по годам"}
AXIS_TITLES = {"day": "День", "week": "Неделя (с понедельника)", "month": "Месяц", "quarter": "Квартал",
               "year": "Год"}
MAX_BUCKETS = 120


@dataclass
class Series:
    org: str
    name: str
    labels: list[str]
    values: list[float | None]
    counts: list[int]


def buckets(period: p.Period, granularity: str) -> list[p.Period]:
    """The sub-periods of `period`; ValueError when there would be too many to draw."""
    out: list[p.Period] = []
    day = period.start
    while day < period.end:
        if granularity == "day":
            bucket = p.days(day, day)
        elif granularity == "week":
            bucket = p.days(day, min(day + timedelta(days=6 - day.weekday()), period.last_day))
        elif granularity == "month":
            bucket = p.month(day.year, day.month)
        elif granularity == "quarter":
            bucket = p.quarter(day.year, (day.month - 1) // 3 + 1)
        elif granularity == "year":
            bucket = p.year(day.year)
        else:
            raise ValueError(f"неизвестная детализация «{granularity}»")
        out.append(bucket)
        day = bucket.end
        if len(out) > MAX_BUCKETS:
            raise ValueError("слишком много точек: выберите период короче или детализацию крупнее")
    return out


MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
QUARTERS = ("I", "II", "III", "IV")


def label(bucket: p.Period, granularity: str) -> str:
    """A point's name on the chart, in Russian: «03.03.2025», «мар 2025», «I кв. 2025»."""
    start = bucket.start
    if granularity in ("day", "week"):
        return start.strftime("%d.%m.%Y")
    if granularity == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if granularity == "quarter":
        return f"{QUARTERS[(start.month - 1) // 3]} кв. {start.year}"
    return bucket.key


def kud_trend(session: Session, period: p.Period, granularity: str, channel: str | None = None,
              tz: str | None = None) -> list[Series]:
    tz = tz or timezone()
    parts = buckets(period, granularity)
    inputs = [channel_inputs(session, bucket, tz) for bucket in parts]
    out = []
    for org in queries.organisations(session):
        assert org.id is not None
        values: list[float | None] = []
        counts: list[int] = []
        for bucket, got in zip(parts, inputs, strict=True):
            scores = [c for c in channel_scores(session, org.id, bucket, tz, got)
                      if channel is None or c.channel == channel]
            values.append(overall_k_ud(scores))
            counts.append(sum(c.n for c in scores))
        if any(v is not None for v in values):
            out.append(Series(org.code, org.name, [label(b, granularity) for b in parts], values, counts))
    return out


def default_granularity(period: p.Period) -> str:
    days = (period.end - period.start).days
    return "month" if days > 92 else "week" if days > 31 else "day"



