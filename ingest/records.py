"""What every importer and crawler hands to the ingest pipeline.

A parser turns a file or a page into a stream of `FeedbackRecord` (a valid, normalised
item) and `Rejected` (a row that cannot be stored, with where it came from and why). The
pipeline (`ingest.pipeline`) upserts the former and quarantines the latter in one
transaction, so parsers never touch the database.

Conventions every channel follows, so that scoring reads all channels the same way:

- `rating` is the item's single 1–5 score, or None when the item has none (an unrated ПОС
  message, a review without stars). Yandex: stars. ПОС: «Оценка ответа заявителем».
  Terminal: Хорошо/Средне/Плохо mapped (default 5/3/1). Survey and «Ваш контроль»: the mean
  of the item's criteria (for display); their CSI is computed from `criteria`.
- `criteria` maps a criterion key to a 1–5 score. Survey (Таблица 1): `quality` (качество
  работы органа), `time` (временные характеристики), `information` (качество информации).
  «Ваш контроль»: `service_time`, `queue_time`, `politeness`, `comfort`, `information`.
- Госуслуги (Таблица 2): one record per service and period; `rating` is the service's CSI,
  `extra["ratings_count"]` its number of ratings (the weight), `extra["period"]` the period
  it covers (e.g. "2025"), `published_at` the start of that period.
- `published_at` is timezone-aware UTC. `extra` keeps channel-specific fields that reports
  use (ПОС status, category, overdue flag; terminal department, unit, employee…).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class FeedbackRecord(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")

    external_id: str = Field(min_length=1, max_length=200)
    published_at: datetime | None = None
    rating_raw: str | None = None
    rating: float | None = Field(default=None, ge=1, le=5)
    criteria: dict[str, float] = Field(default_factory=dict)
    text: str | None = None
    reply_text: str | None = None
    service: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    location: str | None = Field(default=None, exclude=True, description="file/row, for messages")

    @field_validator("criteria")
    @classmethod
    def _criteria_in_scale(cls, value: dict[str, float]) -> dict[str, float]:
        for key, score in value.items():
            if not 1 <= score <= 5:
                raise ValueError(f"оценка по критерию {key} вне шкалы 1–5: {score}")
        return value

    @field_validator("published_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("дата без часового пояса")
        return value


class Rejected(BaseModel):
    """A row that goes to quarantine: `location` names the file and row (or page and item)."""

    location: str
    payload: dict[str, Any]
    reason: str
