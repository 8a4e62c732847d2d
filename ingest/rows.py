"""What every file parser does with a row: options, outcomes, identity, services, scores.

A parser reads rows (`ingest.files`) and turns each one into a `FeedbackRecord` or a
`Rejected` naming the file, the row and the reason. The helpers here keep those decisions
identical across channels: how a bad score is worded, how a row without an id gets a
stable one (so a re-import updates instead of duplicating), how a service name is matched
against the organisation's declared services.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ingest.files import (
    MAX_BYTES,
    Located,
    Row,
    datetime_value,
    id_value,
    jsonable_cell,
    norm,
    number_value,
    text_value,
    zone,
)
from ingest.records import FeedbackRecord, Rejected
from vocabulary.dates import DEFAULT_TIMEZONE
from vocabulary.errors import UserError

Outcome = FeedbackRecord | Rejected
Fields = dict[str, Any] | str  # a record's fields, or why the row is rejected
Identify = Callable[[Row], tuple[str, str | None]]  # a good row → (external id, why it is a repeat)


@dataclass
class ParseOptions:
    """Per-import choices; the nightly run builds them from the source's config settings.

    - `services`: the organisation's declared services; when not empty, a row naming another
      service is quarantined (a typo would otherwise create a phantom service).
    - `period`: Госуслуги only — the period the ratings cover (`2025`, `2025-Q3`…).
    - `form`: survey — `kaluga`, `kaltan`, `auto` or the path of a form YAML; `mapping` a
      column mapping for any other form (see `ingest.survey`).
    - `scale`: terminal — grade → 1–5 score (default Хорошо 5, Средне 3, Плохо 1).
    """

    timezone: str = DEFAULT_TIMEZONE
    services: list[str] = field(default_factory=list)
    period: str | None = None
    form: str | None = None
    mapping: dict[str, Any] | None = None
    scale: dict[str, float] | None = None
    max_bytes: int = MAX_BYTES

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None, **overrides: Any) -> ParseOptions:
        """Options from a source's settings (unknown keys such as `path` are ignored), then
        explicit overrides that are not None (CLI flags win over the config)."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in (settings or {}).items() if k in known}
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "max_bytes" in values:
            values["max_bytes"] = int(values["max_bytes"])
        if isinstance(values.get("form"), Mapping):  # `form = {timestamp = …}` is a mapping too
            values["mapping"], values["form"] = dict(values["form"]), None
        if values.get("scale") is not None and not isinstance(values["scale"], Mapping):
            raise UserError("настройка scale источника должна быть таблицей «оценка = балл»")
        return cls(**values)


def reject(located: Located, row: Row, reason: str) -> Rejected:
    return Rejected(location=located.table.where(row.number), payload=located.raw(row), reason=reason)


def build(located: Located, row: Row, **fields: Any) -> Outcome:
    """A record, or the row rejected with pydantic's complaint when a value is out of range."""
    location = located.table.where(row.number)
    try:
        return FeedbackRecord(location=location, **fields)
    except ValidationError as exc:
        return Rejected(location=location, payload=located.raw(row), reason=validation_reason(exc))


def outcomes(located: Located, fields_of: Callable[[Row], Fields], identify: Identify) -> Iterator[Outcome]:
    """Every row below the header as a record or a rejection: the parser's `fields_of` decides
    what a row says, `identify` gives it an id. Only good rows are identified, so a bad row
    neither shifts the content-hash occurrence numbers nor claims a file id."""
    for row in located.rows():
        fields = row.problem or fields_of(row)
        if isinstance(fields, str):
            yield reject(located, row, fields)
            continue
        external_id, repeat = identify(row)
        if repeat:
            yield reject(located, row, repeat)
            continue
        yield build(located, row, external_id=external_id, **fields)


def given_or_hashed(located: Located, prefix: str) -> Identify:
    """The file's own id (column `id`) when the row has one — a repeat inside one file is a
    broken export; a content hash (`RowIds`) when it has none."""
    hashed, unique = RowIds(prefix), UniqueIds()

    def identify(row: Row) -> tuple[str, str | None]:
        external_id = id_value(row.get(located.columns.get("id")))
        if external_id is None:
            return hashed.make(row.cells), None
        return external_id, unique.repeat_of(external_id, row)

    return identify


def moment_of(cell: Any, tz: ZoneInfo, missing: str, *, time_cell: Any = None,
              what: str | None = None) -> datetime | str:
    """A row's date as UTC, or why the row is rejected: `missing` when the cell is empty, the
    parse error (prefixed by `what`, when given) when it is not a date."""
    try:
        moment = datetime_value(cell, tz, time_cell)
    except ValueError as exc:
        return f"{what}: {exc}" if what else str(exc)
    return missing if moment is None else moment


def texts_of(located: Located, row: Row, keys: Iterable[str]) -> dict[str, str]:
    """The row's non-empty text cells of the columns `keys` (those found in the header)."""
    return {key: value for key in keys
            if (value := text_value(row.get(located.columns.get(key)))) is not None}


def validation_reason(exc: ValidationError) -> str:
    """pydantic's complaints about a record, as one line (the record's own checks are Russian)."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {str(e['msg']).removeprefix('Value error, ')}"
                     for e in exc.errors())


class RowIds:
    """External ids for rows that have none (Google Forms, terminal logs): a hash of the row's
    content plus its occurrence number among identical rows, so re-importing the same file —
    or a longer export that contains it — yields the same ids."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seen: dict[str, int] = {}

    def make(self, cells: Iterable[Any]) -> str:
        content = json.dumps([jsonable_cell(c) for c in cells], ensure_ascii=False, default=str)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:20]
        count = self.seen.get(digest, 0) + 1
        self.seen[digest] = count
        return f"{self.prefix}-{digest}" + (f"-{count}" if count > 1 else "")


class UniqueIds:
    """Ids given in the file (ПОС `Номер`): a repeat inside one file is a broken export."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}

    def repeat_of(self, external_id: str, row: Row) -> str | None:
        if external_id in self.first:
            return f"номер {external_id} повторяется (впервые в строке {self.first[external_id]})"
        self.first[external_id] = row.number
        return None


class Services:
    """The organisation's declared services, matched ignoring case, ё and punctuation."""

    def __init__(self, declared: Iterable[str]) -> None:
        self.by_norm = {norm(name): name for name in declared if name and name.strip()}

    def resolve(self, name: str | None) -> tuple[str | None, str | None]:
        """(canonical name, rejection reason)."""
        if name is None:
            return None, None
        if not self.by_norm:
            return name, None
        found = self.by_norm.get(norm(name))
        if found is None:
            return None, f"неизвестная услуга «{name}»: её нет среди услуг организации"
        return found, None

    def of_row(self, located: Located, row: Row) -> tuple[str | None, str | None]:
        """`resolve` of the row's «Услуга» cell (none when the file has no such column)."""
        return self.resolve(text_value(row.get(located.columns.get("service"))))


# «Ваш контроль» and word-scale survey answers: Очень плохо … Отлично.
SCALE_WORDS = {"очень плохо": 1, "плохо": 2, "удовлетворительно": 3, "нормально": 3, "средне": 3,
                "хорошо": 4, "отлично": 5}


def score_value(cell: Any, what: str, words: Mapping[str, float] | None = None) -> float | None:
    """A 1–5 score: `4`, `4,5`, `5 — отлично`, or a word from `words`; ValueError (Russian,
    naming `what`) for anything else, including 0 and 7."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, str):
        text = cell.strip()
        if text.lower() in {"-", "—"}:
            return None
        vocabulary = {norm(k): v for k, v in (words or {}).items()}
        if norm(text) in vocabulary:
            return float(vocabulary[norm(text)])
        head = text.split()[0].rstrip(".,:;)")
        if head != text and _is_number(head):  # `5 — отлично`, `4 балла`
            text = head
    try:
        value = number_value(cell if not isinstance(cell, str) else text)
    except ValueError:
        raise ValueError(f"{what}: ожидается оценка от 1 до 5, а не «{cell}»") from None
    if value is None:
        return None
    if not 1 <= value <= 5:
        raise ValueError(f"{what}: оценка {_plain(value)} вне шкалы 1–5")
    return value



def _is_number(text: str) -> bool:
    try:
        number_value(text)
    except ValueError:
        return False
    return True


def _plain(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value).replace(".", ",")


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None
