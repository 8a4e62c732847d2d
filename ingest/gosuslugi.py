"""Госуслуги service ratings: Таблица 2 of the Методика (service, CSI, number of ratings).

The table has no dates: it covers a period, which comes from the options (`--period`) or
from a four-digit year in the file name (`gosuslugi_zags_2025.xlsx`). One record per
service and period: `rating` is the service's CSI, `extra["ratings_count"]` its weight,
`extra["period"]` the period key and `published_at` the start of the period (00:00 UTC of
its first day). The external id is period + service, so re-importing a corrected table
updates the services instead of adding them twice. Title rows above the header and a
final «Итого» row are what people send and are handled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

from ingest.files import Column, Located, Row, locate, norm, number_value, text_value
from ingest.rows import Outcome, ParseOptions, Services, UniqueIds, build, reject, score_value
from vocabulary.errors import UserError
from vocabulary.periods import Period, parse_period

COLUMNS = (
    Column("service", ("Наименование услуги", "Услуга", "Название услуги"), ("наименование услуги",),
           required=True),
    Column("csi", ("Индекс CSI", "CSI", "Индекс удовлетворенности", "Средняя оценка"), ("csi",),
           required=True),
    Column("count", ("Количество оценок", "Число оценок", "Кол-во оценок"), ("количество оценок",
                                                                           "число оценок"), required=True),
)
_TOTALS = {"итого", "всего", "итог", "среднее"}
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def parse_gosuslugi(path: Path, options: ParseOptions | None = None) -> Iterator[Outcome]:
    options = options or ParseOptions()
    # The file first: a PNG, an empty or a truncated file must say so, not «нет дат».
    located = locate(path, COLUMNS, "Таблицу 2 (оценки услуг на Госуслугах)", options.max_bytes)
    period = resolve_period(path, options.period)
    return _rows(located, period, Services(options.services))


def resolve_period(path: Path, explicit: str | None) -> Period:
    """`--period`, else the one year in the file name; a clear error otherwise."""
    if explicit:
        try:
            return parse_period(str(explicit))
        except ValueError as exc:
            raise UserError(str(exc)) from None
    years = set(_YEAR_IN_NAME.findall(path.stem))
    if len(years) == 1:
        return parse_period(years.pop())
    raise UserError(
        f"Файл {path}: в Таблице 2 нет дат, а период не указан — задайте его параметром --period "
        "(например, --period 2025) или добавьте год в имя файла (gosuslugi_2025.xlsx)"
    )


def _rows(located: Located, period: Period, services: Services) -> Iterator[Outcome]:
    start = datetime.combine(period.start, time(), UTC)
    ids = UniqueIds()
    for row in located.rows():
        if row.problem:
            yield reject(located, row, row.problem)
            continue
        name = text_value(row.get(located.columns["service"]))
        if name is not None and norm(name) in _TOTALS:
            continue
        outcome = _row(located, row, name, services)
        if isinstance(outcome, str):
            yield reject(located, row, outcome)
            continue
        service, csi, count = outcome
        external_id = f"{period.key}:{norm(service)}"[:200]
        repeat = ids.repeat_of(external_id, row)
        if repeat:
            yield reject(located, row, f"услуга «{service}» повторяется (впервые в строке "
                                       f"{ids.first[external_id]})")
            continue
        yield build(located, row, external_id=external_id, published_at=start, rating=csi,
                    rating_raw=text_value(row.get(located.columns["csi"])), service=service,
                    extra={"ratings_count": count, "period": period.key})


def _row(located: Located, row: Row, name: str | None,
         services: Services) -> tuple[str, float, int] | str:
    """(service, CSI, count) or the reason the row is rejected."""
    if name is None:
        return "не указано наименование услуги"
    service, unknown = services.resolve(name)
    if unknown or service is None:
        return unknown or "не указано наименование услуги"
    try:
        csi = score_value(row.get(located.columns["csi"]), "индекс CSI")
    except ValueError as exc:
        return str(exc)
    if csi is None:
        return "не указан индекс CSI"
    try:
        count = number_value(row.get(located.columns["count"]))
    except ValueError as exc:
        return f"количество оценок: {exc}"
    if count is None or count < 1 or not float(count).is_integer():
        return "количество оценок должно быть целым числом не меньше 1"
    return service, csi, int(count)
