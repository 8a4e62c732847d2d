"""Satisfaction (п. 3.2): the CSI and Куд of each feedback channel and of the organisation.

Every channel is reduced to the same shape before scoring: one `Tally` (sum of scores and
their weight) per criterion. Rating channels (Yandex, ПОС, terminal) have one criterion,
Госуслуги one criterion weighted by the number of ratings (Таблица 2), the survey
(Таблица 1) and «Ваш контроль» one tally per criterion. The CSI is then always the mean of
the criteria means, so the store can hand over SQL aggregates and tests plain lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from scoring.levels import K_UD, NO_DATA

# Таблица 1: quality of the office's work, time characteristics, quality of information.
SURVEY_CRITERIA = ("quality", "time", "information")
VASHKONTROL_CRITERIA = ("service_time", "queue_time", "politeness", "comfort", "information")
CRITERIA: dict[str, tuple[str, ...]] = {"survey": SURVEY_CRITERIA, "vashkontrol": VASHKONTROL_CRITERIA}
RATING = "rating"  # the single criterion of a rating channel
TERMINAL_SCORES = {"хорошо": 5.0, "средне": 3.0, "плохо": 1.0}


@dataclass(frozen=True)
class Tally:
    """Sum of scores and their total weight: a mean that can be merged and built in SQL."""

    total: float = 0.0
    weight: float = 0.0

    def add(self, score: float, weight: float = 1.0) -> Tally:
        return Tally(self.total + score * weight, self.weight + weight)

    def merge(self, other: Tally) -> Tally:
        return Tally(self.total + other.total, self.weight + other.weight)

    @property
    def mean(self) -> float | None:
        return self.total / self.weight if self.weight > 0 else None


@dataclass(frozen=True)
class ChannelData:
    """What a channel contributes for a period: per-criterion tallies and `n`, the number of
    1–5 scores behind them (respondents for a survey, Σ ratings for Госуслуги)."""

    channel: str
    tallies: Mapping[str, Tally] = field(default_factory=dict)
    n: int = 0

    def merge(self, other: ChannelData) -> ChannelData:
        """Two sources of one kind form one channel."""
        keys = set(self.tallies) | set(other.tallies)
        merged = {k: self.tallies.get(k, Tally()).merge(other.tallies.get(k, Tally())) for k in keys}
        return ChannelData(self.channel, merged, self.n + other.n)


@dataclass(frozen=True)
class ChannelScore:
    channel: str
    n: int
    csi: float | None
    k_ud: float | None
    level: str
    criteria: dict[str, float] = field(default_factory=dict)  # Уф of each criterion

    @property
    def has_data(self) -> bool:
        return self.k_ud is not None


def k_ud(csi: float | None) -> float | None:
    """Куд(%) = CSI / 5 × 100 (written as × 20 so that 4.4 gives exactly 88.0)."""
    return None if csi is None else csi * 20


def ratings_data(channel: str, ratings: Iterable[float | None]) -> ChannelData:
    """A rating channel: the mean of the items' 1–5 scores; items without a score are skipped."""
    tally = Tally()
    for rating in ratings:
        if rating is not None:
            tally = tally.add(_checked(rating))
    return ChannelData(channel, {RATING: tally} if tally.weight else {}, int(tally.weight))


def weighted_data(channel: str, services: Iterable[tuple[float | None, int]]) -> ChannelData:
    """Госуслуги (Таблица 2): per-service CSI weighted by the number of ratings."""
    tally = Tally()
    for csi, count in services:
        if csi is not None and count > 0:
            tally = tally.add(_checked(csi), count)
    return ChannelData(channel, {RATING: tally} if tally.weight else {}, int(tally.weight))


def criteria_data(channel: str, items: Iterable[Mapping[str, float]],
                  criteria: Sequence[str] | None = None) -> ChannelData:
    """Survey / «Ваш контроль»: one tally per criterion; an item counts in `n` when it
    scores at least one of the channel's criteria."""
    keys = tuple(criteria if criteria is not None else CRITERIA[channel])
    tallies = dict.fromkeys(keys, Tally())
    n = 0
    for item in items:
        scored = [k for k in keys if item.get(k) is not None]
        for key in scored:
            tallies[key] = tallies[key].add(_checked(float(item[key])))
        n += bool(scored)
    return ChannelData(channel, {k: t for k, t in tallies.items() if t.weight}, n)


def score_channel(data: ChannelData) -> ChannelScore:
    """CSI = mean of the criteria means (one criterion for rating channels); Куд from it."""
    means = {key: m for key, t in data.tallies.items() if (m := t.mean) is not None}
    csi = sum(means.values()) / len(means) if means else None
    value = k_ud(csi)
    level = K_UD.level(value) if value is not None else NO_DATA
    criteria = means if data.channel in CRITERIA else {}
    return ChannelScore(data.channel, data.n if csi is not None else 0, csi, value, level, criteria)


def overall_k_ud(channels: Iterable[ChannelScore]) -> float | None:
    """The organisation's Куд: unweighted mean of the channels that have scores."""
    values = [c.k_ud for c in channels if c.k_ud is not None]
    return sum(values) / len(values) if values else None


def terminal_score(grade: str, mapping: Mapping[str, float] | None = None) -> float | None:
    """Хорошо/Средне/Плохо → 5/3/1 by default; a configured mapping replaces the default."""
    table = {k.strip().lower(): v for k, v in (mapping or TERMINAL_SCORES).items()}
    return table.get(grade.strip().lower())


def _checked(score: float) -> float:
    if not 1 <= score <= 5:
        raise ValueError(f"оценка вне шкалы 1–5: {score}")
    return float(score)
