"""Scores of organisations for a period, assembled from the store: Куд per channel and
overall, Кпр from the year's practice data, Кэф, their interpretations, and the previous
comparable period (п. 5.2.5). `recompute` writes them as `ScoreSnapshot` rows for the
nightly run; `painmap scores` and the report read `organisation_scores` directly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from models import queries
from models.db import session_scope
from models.tables import Organisation, ScoreSnapshot, utcnow
from scoring import levels
from scoring.efficiency import k_ef
from scoring.practice import STATUS_MONITORED, STATUS_NOT_MONITORED, PracticeResult, compute_practice
from scoring.satisfaction import (
    CRITERIA,
    ChannelData,
    ChannelScore,
    Tally,
    overall_k_ud,
    score_channel,
    weighted_data,
)
from vocabulary.cells import csv_cell
from vocabulary.channels import CHANNEL_NAMES, CHANNELS
from vocabulary.dates import DEFAULT_TIMEZONE
from vocabulary.errors import UserError
from vocabulary.periods import PERIOD_HELP, Period, parse_period

NO_PRACTICE = "no_data"
OVERALL = "overall"
DEFAULT_TZ = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class PracticeOutcome:
    """Кпр of a period: from the practice data of its year, when there are any."""

    status: str  # monitored | not_monitored | no_data
    year: int | None
    result: PracticeResult | None = None
    note: str | None = None

    @property
    def k_pr(self) -> float | None:
        return self.result.k_pr if self.result is not None and self.result.monitored else None

    def level(self) -> str:
        if self.status == STATUS_MONITORED:
            return levels.K_PR.level(self.k_pr)
        if self.status == STATUS_NOT_MONITORED:
            return "мониторинг не проводится: менее 50 заявлений (п. 4.4 Методики)"
        return "нет данных о практике"


@dataclass(frozen=True)
class PeriodScores:
    period: Period
    channels: list[ChannelScore]
    practice: PracticeOutcome

    @property
    def k_ud(self) -> float | None:
        return overall_k_ud(self.channels)

    @property
    def k_pr(self) -> float | None:
        return self.practice.k_pr

    @property
    def k_ef(self) -> float | None:
        return k_ef(self.k_ud, self.k_pr)

    def levels(self) -> dict[str, str]:
        if self.k_ef is not None:
            ef = levels.K_EF.level(self.k_ef)
        elif self.k_ud is None:
            ef = levels.NO_DATA
        else:
            ef = self.practice.level()
        return {"k_ud": levels.K_UD.level(self.k_ud), "k_pr": self.practice.level(), "k_ef": ef}

    def notes(self) -> list[str]:
        out = [f"{CHANNEL_NAMES[c.channel]}: нет данных за период" for c in self.channels if not c.has_data]
        if self.practice.note:
            out.append(self.practice.note)
        return out


@dataclass(frozen=True)
class OrgScores:
    code: str
    name: str
    current: PeriodScores
    previous: PeriodScores

    def diff(self) -> dict[str, Any]:
        """Current minus previous, per indicator and per channel (None when either is missing)."""
        before = {c.channel: c.k_ud for c in self.previous.channels}
        return {
            "k_ud": _delta(self.current.k_ud, self.previous.k_ud),
            "k_pr": _delta(self.current.k_pr, self.previous.k_pr),
            "k_ef": _delta(self.current.k_ef, self.previous.k_ef),
            "channels": {c.channel: _delta(c.k_ud, before.get(c.channel)) for c in self.current.channels},
        }


def _delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def r2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelInputs:
    """What every organisation's channels hold for one period, read in a few grouped queries."""

    ratings: dict[tuple[int, str], tuple[float, int]]
    criteria: dict[tuple[int, str], tuple[dict[str, tuple[float, int]], int]]
    gosuslugi: dict[int, list[dict[str, Any]]]
    kinds: dict[int, set[str]]


def channel_inputs(session: Session, period: Period, tz: str = DEFAULT_TZ,
                   org_id: int | None = None) -> ChannelInputs:
    start, end = period.utc_bounds(tz)
    return ChannelInputs(queries.rating_sums(session, start, end, org_id),
                         queries.criteria_sums(session, start, end, CRITERIA, org_id),
                         queries.gosuslugi_items(session, org_id),
                         queries.channel_kinds(session, org_id))


def channel_scores(session: Session, org_id: int, period: Period, tz: str = DEFAULT_TZ,
                   inputs: ChannelInputs | None = None) -> list[ChannelScore]:
    """Every channel the organisation has a source of (and any that has data), in the
    Методика's order; a channel without scores in the period has `k_ud` None."""
    got = inputs or channel_inputs(session, period, tz, org_id)
    data: dict[str, ChannelData] = {}
    for (org, kind), (total, n) in got.ratings.items():
        if org == org_id:
            data[kind] = ChannelData(kind, {"rating": Tally(total, float(n))}, n)
    for (org, kind), (sums, n) in got.criteria.items():
        if org == org_id:
            data[kind] = ChannelData(kind, {k: Tally(t, float(c)) for k, (t, c) in sums.items()}, n)
    gosuslugi = gosuslugi_data(got.gosuslugi.get(org_id, []), period, tz)
    if gosuslugi.n:
        data["gosuslugi"] = gosuslugi
    kinds = got.kinds.get(org_id, set()) | set(data)
    return [score_channel(data.get(kind, ChannelData(kind))) for kind in CHANNELS if kind in kinds]


def gosuslugi_data(items: Iterable[dict[str, Any]], period: Period, tz: str) -> ChannelData:
    """Госуслуги items count when the period they cover lies inside the requested one; an
    item without a period key counts by its date."""
    start, end = period.utc_bounds(tz)
    kept: list[tuple[float | None, int]] = []
    for item in items:
        own = _own_period(item.get("period"))
        if own is not None:
            inside = period.contains(own)
        else:
            published = item.get("published_at")
            inside = published is not None and start <= published < end
        if inside:
            kept.append((item["rating"], int(item.get("ratings_count") or 0)))
    return weighted_data("gosuslugi", kept)


def _own_period(key: Any) -> Period | None:
    try:
        return parse_period(str(key)) if key else None
    except ValueError:
        return None


def practice_outcome(session: Session, org_id: int, period: Period) -> PracticeOutcome:
    """Кпр for a period from the practice data of its year (practice data are yearly)."""
    year = period.year
    if year is None:
        return PracticeOutcome(NO_PRACTICE, None, note="нет данных о практике: период охватывает несколько "
                                                       "лет, а данные о практике ведутся по годам")
    rows = queries.practice_rows(session, org_id, str(year))
    if rows is None:
        return PracticeOutcome(NO_PRACTICE, year, note=f"нет данных о практике за {year} год — Кпр и Кэф "
                                                       "не рассчитываются")
    approved = rows.summary.regulations if rows.summary and rows.summary.regulations is not None else 0
    try:
        result = compute_practice(rows.services, rows.regulations, approved)
    except ValueError as exc:
        return PracticeOutcome(NO_PRACTICE, year, note=f"данные о практике за {year} год неполны: {exc}")
    note = None
    if period.kind != "year":
        note = f"Кпр — по данным о практике за {year} год (данные о практике годовые)"
    if not result.monitored:
        note = (f"мониторинг не проводится: за {year} год поступило {result.k_z} заявлений "
                "(менее 50, п. 4.4 Методики) — составляется справочная информация")
    return PracticeOutcome(result.status, year, result, note)


def period_scores(session: Session, org_id: int, period: Period, tz: str = DEFAULT_TZ,
                  inputs: ChannelInputs | None = None) -> PeriodScores:
    return PeriodScores(period, channel_scores(session, org_id, period, tz, inputs),
                        practice_outcome(session, org_id, period))


def organisation_scores(session: Session, period: Period, org: str | None = None,
                        tz: str = DEFAULT_TZ) -> list[OrgScores]:
    """Scores of every organisation (or the one named), with the previous comparable period."""
    orgs = queries.organisations(session, org)
    if org is not None and not orgs:
        raise UserError(f"Организация «{org}» не найдена (укажите код или полное наименование).")
    previous = period.previous()
    only = orgs[0].id if org is not None else None
    now, before = channel_inputs(session, period, tz, only), channel_inputs(session, previous, tz, only)
    out = []
    for o in orgs:
        assert o.id is not None
        out.append(OrgScores(o.code, o.name, period_scores(session, o.id, period, tz, now),
                             period_scores(session, o.id, previous, tz, before)))
    return out


def resolve_period(period: str | None, start: str | None, end: str | None) -> Period:
    """`--period P`, or `--from D --to D`; exactly one of the two forms."""
    try:
        if period and (start or end):
            raise UserError("Укажите либо --period, либо --from и --to, но не всё вместе.")
        if period:
            return parse_period(period)
        if start and end:
            return parse_period(f"{start}..{end}")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    raise UserError(f"Укажите период: --period или --from и --to. {PERIOD_HELP}")


# --- JSON ------------------------------------------------------------------------------------

MIN_SAMPLE = 30  # `[region] min_sample`: fewer ratings than this say too little to interpret
SMALL_SAMPLE = "мало данных"


def small_sample(n: int, min_n: int = MIN_SAMPLE) -> bool:
    """Some ratings, but too few to interpret or compare (none at all is «нет данных»)."""
    return 0 < n < min_n


def shown_level(c: ChannelScore, min_n: int = MIN_SAMPLE) -> str:
    """The interpretation a person reads: the Методика's level, or «мало данных (n = 9)»."""
    return f"{SMALL_SAMPLE} (n = {c.n})" if small_sample(c.n, min_n) else c.level


def comparable(now: ChannelScore | None, before: ChannelScore | None, min_n: int = MIN_SAMPLE) -> bool:
    """A channel's change is shown only when both periods have enough ratings."""
    return (now is not None and before is not None and now.has_data and before.has_data
            and not small_sample(now.n, min_n) and not small_sample(before.n, min_n))


def kud_small(s: PeriodScores, min_n: int = MIN_SAMPLE) -> bool:
    """An office's Куд rests on small samples only: every channel with data has too few."""
    rated = [c for c in s.channels if c.has_data]
    return bool(rated) and all(small_sample(c.n, min_n) for c in rated)


def kud_level(s: PeriodScores, min_n: int = MIN_SAMPLE) -> str:
    """The office's Куд as a person reads it: its level, or «мало данных»."""
    if kud_small(s, min_n):
        return f"{SMALL_SAMPLE} (по всем каналам менее {min_n} оценок)"
    return s.levels()["k_ud"]


def channel_json(c: ChannelScore, min_n: int = MIN_SAMPLE) -> dict[str, Any]:
    """`level` stays the Методика's interpretation; `small_sample` says a person should not
    read it (fewer than `min_sample` ratings): the pages, the CLI and the report show
    «мало данных» instead and leave the change out."""
    return {"channel": c.channel, "n": c.n, "csi": r2(c.csi), "k_ud": r2(c.k_ud), "level": c.level,
            "small_sample": small_sample(c.n, min_n)}


def practice_json(p: PracticeOutcome) -> dict[str, Any]:
    out: dict[str, Any] = {"status": p.status, "year": p.year, "note": p.note}
    if p.result is not None:
        out.update({k: v for k, v in p.result.as_json().items() if k != "status"})
    return out


def period_json(s: PeriodScores, min_n: int = MIN_SAMPLE) -> dict[str, Any]:
    return {"period": s.period.key, "channels": [channel_json(c, min_n) for c in s.channels],
            "small_sample": kud_small(s, min_n),
            "k_ud": r2(s.k_ud), "k_pr": r2(s.k_pr), "k_ef": r2(s.k_ef), "levels": s.levels(),
            "practice": practice_json(s.practice), "notes": s.notes()}


def org_json(o: OrgScores, min_n: int = MIN_SAMPLE) -> dict[str, Any]:
    current = period_json(o.current, min_n)
    current.pop("period")
    diff = o.diff()
    previous = period_json(o.previous, min_n)
    previous["diff"] = {k: r2(v) for k, v in diff.items() if k != "channels"}
    previous["diff"]["channels"] = {k: r2(v) for k, v in diff["channels"].items()}
    return {"org": o.code, "name": o.name, **current, "previous": previous}


def scores_json(period: Period, results: list[OrgScores], min_n: int = MIN_SAMPLE) -> dict[str, Any]:
    return {"period": period.key, "period_label": period.label, "min_sample": min_n,
            "organisations": [org_json(o, min_n) for o in results]}


CSV_COLUMNS = ("org", "period", "indicator", "n", "csi", "value", "level", "previous_period",
               "previous_value", "diff")


# The same columns for a person opening the file in Excel (the API, the pages).
CSV_HEADERS_RU = ("Орган", "Период", "Показатель", "n", "CSI", "Значение, %", "Интерпретация",
                  "Предыдущий период", "Значение в предыдущем периоде, %", "Изменение, п. п.")


def scores_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The JSON of `scores_json` flattened to one row per indicator (CSV_COLUMNS' order)."""
    rows: list[list[Any]] = []
    for org in data["organisations"]:
        prev = org["previous"]
        before = {c["channel"]: c for c in prev["channels"]}
        for c in org["channels"]:
            old = before.get(c["channel"], {})
            few = c.get("small_sample") or old.get("small_sample")
            rows.append([org["org"], data["period"], c["channel"], c["n"], c["csi"], c["k_ud"],
                         f"{SMALL_SAMPLE} (n = {c['n']})" if c.get("small_sample") else c["level"],
                         prev["period"], old.get("k_ud"),
                         None if few else prev["diff"]["channels"].get(c["channel"])])
        for key in ("k_ud", "k_pr", "k_ef"):
            few = key == "k_ud" and (org.get("small_sample") or prev.get("small_sample"))
            rows.append([org["org"], data["period"], key, "", "", org[key],
                         SMALL_SAMPLE if key == "k_ud" and org.get("small_sample") else org["levels"][key],
                         prev["period"], prev[key], None if few else prev["diff"][key]])
    return rows


def scores_csv(data: dict[str, Any]) -> str:
    """`scores_rows` as the CLI's CSV for scripts (English keys, decimal points)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for values in scores_rows(data):
        writer.writerow([csv_cell(v) for v in values])
    return out.getvalue()


# --- writing ---------------------------------------------------------------------------------

def write_snapshots(session: Session, org_id: int, scores: PeriodScores) -> int:
    """Upsert one `ScoreSnapshot` per channel and one `overall` row; returns rows written."""
    key = scores.period.key
    existing = {s.channel: s for s in session.exec(
        select(ScoreSnapshot).where(ScoreSnapshot.org_id == org_id, ScoreSnapshot.period == key)).all()}
    rows: list[dict[str, Any]] = [
        {"channel": c.channel, "n": c.n, "csi": c.csi, "k_ud": c.k_ud,
         "levels": {"k_ud": c.level, "criteria": c.criteria}} for c in scores.channels]
    rows.append({"channel": OVERALL, "n": sum(c.n for c in scores.channels), "csi": None,
                 "k_ud": scores.k_ud, "k_pr": scores.k_pr, "k_ef": scores.k_ef,
                 "levels": {**scores.levels(), "practice": practice_json(scores.practice),
                            "notes": scores.notes()}})
    now = utcnow()
    for row in rows:
        snapshot = existing.get(row["channel"]) or ScoreSnapshot(org_id=org_id, channel=row["channel"],
                                                                 period=key)
        for name, value in row.items():
            setattr(snapshot, name, value)
        snapshot.computed_at = now
        session.add(snapshot)
    session.flush()
    return len(rows)


def recompute(session: Session, periods: Iterable[Period], org_ids: Iterable[int] | None = None,
              tz: str = DEFAULT_TZ) -> int:
    """Recompute and store the scores of the given periods (the nightly run passes the
    periods its new feedback falls in); returns the number of snapshot rows written."""
    wanted = set(org_ids) if org_ids is not None else None
    orgs = [o for o in session.exec(select(Organisation)).all()
            if o.id is not None and (wanted is None or o.id in wanted)]
    written = 0
    for period in periods:
        inputs = channel_inputs(session, period, tz)
        for org in orgs:
            assert org.id is not None
            written += write_snapshots(session, org.id, period_scores(session, org.id, period, tz, inputs))
    return written


def recompute_changes(periods: Iterable[Period], tz: str = DEFAULT_TZ) -> list[dict[str, Any]]:
    """Recompute the periods' scores (each in its own transaction) and say which indicators
    moved: (office, channel, period) with the values before and after, as shown (2 decimals)."""
    chosen = {p.key: p for p in periods}
    if not chosen:
        return []
    with session_scope() as session:
        before = queries.snapshot_values(session, list(chosen))
    with session_scope() as session:
        recompute(session, chosen.values(), tz=tz)
    with session_scope() as session:
        after = queries.snapshot_values(session, list(chosen))
    return [{"org": org, "channel": channel, "period": period, "before": before.get(key), "after": values}
            for key, values in sorted(after.items()) if before.get(key) != values
            for org, channel, period in [key]]
