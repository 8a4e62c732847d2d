"""ПОС (Платформа обратной связи): the console's `.xlsx` export of messages.

Columns are matched by header text (the console lets users reorder and hide them); `-`
means empty; dates are `DD.MM.YYYY`. `Номер` is the external id. `Оценка ответа
заявителем` (1–5, often absent) is the item's rating and feeds the ПОС channel's CSI.
Category, subcategory, fact, status, stage, overdue flag and the planned/actual dates go to
`extra` for the reports. The names of the coordinator, executor and head are not kept:
reports do not need them and they are staff personal data.

`pos_record` is shared with the API client (`crawlers.pos_api`), whose items use the same
keys as `COLUMNS` below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ingest.files import Column, Located, bool_value, datetime_value, id_value, locate, text_value
from ingest.records import FeedbackRecord, Rejected
from ingest.rows import Outcome, ParseOptions, UniqueIds, reject, score_value, validation_reason

COLUMNS = (
    Column("id", ("Номер", "Номер сообщения", "№ сообщения", "Идентификатор сообщения"), required=True),
    Column("epgu_id", ("Номер ЕПГУ",)),
    Column("channel", ("Источник", "Канал поступления")),
    Column("lko", ("Верхнеуровневый ЛКО",)),
    Column("category", ("Категория",)),
    Column("subcategory", ("Подкатегория",)),
    Column("fact", ("Факт",)),
    Column("org_received", ("Организация, в которую поступило сообщение",)),
    Column("org_current", ("Организация, в которой находится сообщение",)),
    Column("received_at", ("Дата поступления", "Дата регистрации", "Дата создания"), required=True),
    Column("planned_at", ("Дата планируемого завершения работ",), ("планируемого завершения",)),
    Column("completed_at", ("Дата фактического завершения работ",), ("фактического завершения",)),
    Column("stage", ("Стадия",)),
    Column("status", ("Статус",)),
    Column("overdue", ("Просрочено", "Просрочка")),
    Column("fast_track", ("Фаст-трек",)),
    Column("law", ("ФЗ",)),
    Column("law_59", ("Заявитель выбрал подачу по 59-ФЗ",), ("по 59 фз",)),
    Column("decision", ("Тип решения",)),
    Column("emailed_foiv", ("Направлено по email в ФОИВ, не подключенный к ПОС",),
           ("не подключенный к пос",)),
    Column("rating", ("Оценка ответа заявителем",), ("оценка ответа",)),
    Column("repeat", ("Повторное рассмотрение",)),
    Column("text", ("Текст сообщения", "Содержание", "Текст обращения", "Суть обращения", "Текст",
                    "Описание", "Сообщение"), ("текст сообщения", "содержание сообщения")),
    Column("reply", ("Ответ", "Текст ответа", "Ответ заявителю", "Содержание ответа"), ("текст ответа",)),
)
_TEXT_EXTRA = ("epgu_id", "channel", "lko", "category", "subcategory", "fact", "org_received",
               "org_current", "stage", "status", "law", "decision")
_BOOL_EXTRA = ("overdue", "fast_track", "law_59", "emailed_foiv", "repeat")
_DATE_EXTRA = ("planned_at", "completed_at")


def parse_pos(path: Path, options: ParseOptions | None = None) -> Iterator[Outcome]:
    """Records and rejected rows of a ПОС export; the header is checked before the first row."""
    options = options or ParseOptions()
    located = locate(path, COLUMNS, "выгрузку сообщений ПОС", options.max_bytes)
    return _rows(located, options.tz)


def _rows(located: Located, tz: ZoneInfo) -> Iterator[Outcome]:
    ids = UniqueIds()
    for row in located.rows():
        if row.problem:
            yield reject(located, row, row.problem)
            continue
        values = {key: row.get(index) for key, index in located.columns.items()}
        outcome = pos_record(values, located.table.where(row.number), tz)
        if isinstance(outcome, Rejected):
            yield reject(located, row, outcome.reason)
            continue
        repeat = ids.repeat_of(outcome.external_id, row)
        if repeat:
            yield reject(located, row, repeat)
            continue
        yield outcome


def api_records(items: Iterable[tuple[str, Any]], tz: ZoneInfo) -> Iterator[Outcome]:
    """Messages of the ПОС API (`crawlers.pos_api.PosApiClient.items`) as records: the same
    mapping as the export's rows; an item that is not a JSON object is rejected."""
    for location, item in items:
        if not isinstance(item, Mapping):
            yield Rejected(location=location, payload={"item": repr(item)[:500]},
                           reason="запись не является объектом JSON")
            continue
        yield pos_record(item, location, tz)


def pos_record(values: Mapping[str, Any], location: str, tz: ZoneInfo) -> FeedbackRecord | Rejected:
    """One message from its values keyed as in `COLUMNS`; `Rejected` (payload = the values)
    when the number, the date of receipt or the rating is unusable."""

    def rejected(reason: str) -> Rejected:
        payload = {k: text_value(v) if not isinstance(v, int | float) else v for k, v in values.items()}
        return Rejected(location=location, payload={k: v for k, v in payload.items() if v is not None},
                        reason=reason)

    external_id = id_value(values.get("id"))
    if external_id is None:
        return rejected("нет номера сообщения")
    try:
        received = datetime_value(values.get("received_at"), tz)
    except ValueError as exc:
        return rejected(f"дата поступления: {exc}")
    if received is None:
        return rejected("нет даты поступления")
    try:
        rating = score_value(values.get("rating"), "оценка ответа заявителем")
    except ValueError as exc:
        return rejected(str(exc))
    try:
        return FeedbackRecord(
            external_id=external_id,
            published_at=received,
            rating=rating,
            rating_raw=text_value(values.get("rating")),
            text=text_value(values.get("text")),
            reply_text=text_value(values.get("reply")),
            extra=_extra(values, tz),
            location=location,
        )
    except ValidationError as exc:
        return rejected(validation_reason(exc))


def _extra(values: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for key in _TEXT_EXTRA:
        value = id_value(values.get(key)) if key == "epgu_id" else text_value(values.get(key))
        if value is not None:
            extra[key] = value
    for key in _BOOL_EXTRA:
        flag = bool_value(values.get(key))
        if flag is not None:
            extra[key] = flag
    for key in _DATE_EXTRA:
        try:
            moment = datetime_value(values.get(key), tz)
        except ValueError:
            extra[key] = text_value(values.get(key))  # kept as written rather than lost
            continue
        if moment is not None:
            extra[key] = moment.date().isoformat()
    return extra
