"""JSON/CSV endpoints for the monitoring office (`/api/v1/…`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from api.deps import Caller, forget_tokens, get_session, require
from api.exports import XLSX_TYPE, incident_export, painmap_rows, rows_export, table_export
from api.queries import (
    FeedbackFilter,
    evidence_text,
    get_feedback,
    list_feedback,
    list_mentions,
    list_runs,
    list_sources,
)
from api.tokens import ROLES, create_token, revoke
from models.edits import QUEUED, LabelEdit, save_labels
from models.tables import ApiToken
from service.cache import compute, peek
from service.incidents import IncidentFilter, change, get_incident, list_incidents
from service.painmap import pain_map_of
from service.periods import latest_period
from service.ratings import rating_history
from service.region import timezone
from service.replies import reply_stats
from service.scores import CSV_HEADERS_RU, resolve_period, scores_rows
from vocabulary.categories import CATEGORIES, POLARITIES
from vocabulary.channels import Channel
from vocabulary.errors import UserError
from vocabulary.incidents import SIGNALS, STATUSES
from vocabulary.periods import Period, parse_period

router = APIRouter(prefix="/api/v1")
Viewer = Annotated[Caller, Depends(require("viewer"))]
Analyst = Annotated[Caller, Depends(require("analyst"))]
Admin = Annotated[Caller, Depends(require("admin"))]
DB = Annotated[Session, Depends(get_session)]
Format = Literal["json", "csv", "xlsx"]
# Ids are 32-bit integers in the store (PostgreSQL INTEGER): anything else is simply absent.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Polarity = Literal[POLARITIES]  # type: ignore[valid-type]


@router.get("/scores", tags=["scores"],
            summary="Куд по каналам и общий, Кпр, Кэф органов за период и сравнение с предыдущим "
                    "(без периода — последний год с данными)")
async def scores(who: Viewer, period: str | None = None,
                 from_: Annotated[str | None, Query(alias="from")] = None,
                 to: str | None = None, org: str | None = None, format: Format = "json") -> Any:
    chosen = _scores_period(period, from_, to) if period or from_ or to else await run_in_threadpool(_latest)
    answer = peek(chosen, org)
    if answer is None:  # not cached, or the data version is stale: compute off the event loop
        answer = await run_in_threadpool(compute, chosen, org)
    if format != "json":
        return table_export(list(CSV_HEADERS_RU), scores_rows(answer.data), f"scores_{chosen.key}", format,
                            "Коэффициенты")
    return Response(answer.json, media_type="application/json")


def _latest() -> Period:
    from models.db import session_scope

    with session_scope() as session:
        return latest_period(session)


def _scores_period(period: str | None, start: str | None, end: str | None) -> Period:
    try:
        return resolve_period(period, start, end)
    except UserError as exc:
        raise HTTPException(422, str(exc)) from None


class FeedbackPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


@router.get("/feedback", response_model=FeedbackPage, tags=["feedback"],
            summary="Отзывы с фильтрами (текст — только маскированный)")
def feedback(
    who: Viewer, session: DB,
    org: str | None = None, channel: Channel | None = None, category: Category | None = None,
    polarity: Polarity | None = None, period: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    unmasked: bool = False, format: Format = "json",
) -> Any:
    if unmasked and not who.can("admin"):
        raise HTTPException(403, "Немаскированный текст доступен только администратору.")
    flt = FeedbackFilter(org=org, channel=channel, category=category, polarity=polarity, q=q)
    if period:
        flt.start, flt.end = period_bounds(period)
    total, items = list_feedback(session, flt, limit, offset, unmasked)
    if format != "json":
        rows = [{**i, "evidence": evidence_text(i["evidence"])} for i in items]
        return rows_export(rows, "feedback", format, "Отзывы")
    return FeedbackPage(total=total, limit=limit, offset=offset, items=items)


@router.get("/feedback/{feedback_id}", tags=["feedback"], summary="Один отзыв")
def feedback_item(feedback_id: Id, who: Viewer, session: DB, unmasked: bool = False) -> dict[str, Any]:
    if unmasked and not who.can("admin"):
        raise HTTPException(403, "Немаскированный текст доступен только администратору.")
    item = get_feedback(session, feedback_id, unmasked)
    if item is None:
        raise HTTPException(404, "Отзыв не найден.")
    return item


class Labels(BaseModel):
    categories: list[Category] = Field(default_factory=list)
    polarity: Polarity | None = None


@router.put("/feedback/{feedback_id}/labels", tags=["feedback"],
            summary="Исправить категории и тональность (аналитик)",
            responses={202: {"description": "Хранилище занято загрузкой: правка сохранена в журнале "
                                            "и будет записана, как только загрузка закончится."}})
def correct_labels(feedback_id: Id, labels: Labels, who: Analyst, session: DB) -> Any:
    if get_feedback(session, feedback_id) is None:
        raise HTTPException(404, "Отзыв не найден.")
    edit = LabelEdit(feedback_id, list(labels.categories), labels.polarity,
                     author=who.name or f"token#{who.token_id}")
    if save_labels(session, edit):
        return get_feedback(session, feedback_id) or {}
    return JSONResponse({**(get_feedback(session, feedback_id) or {}), "pending": asdict(edit),
                         "detail": QUEUED}, status_code=202)


@router.get("/mentions", tags=["feedback"], summary="Упоминания сотрудников (администратор)")
def mentions(who: Admin, session: DB, org: str | None = None,
             limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> list[dict[str, Any]]:
    return list_mentions(session, org, limit)


@router.get("/ingest-runs", tags=["sources"], summary="Журнал загрузок")
def ingest_runs(who: Viewer, session: DB, limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                format: Format = "json") -> Any:
    rows = list_runs(session, limit)
    return rows_export(rows, "ingest_runs", format, "Загрузки") if format != "json" else rows


@router.get("/sources", tags=["sources"], summary="Источники и их состояние")
def sources(who: Viewer, session: DB, format: Format = "json") -> Any:
    rows = list_sources(session)
    return rows_export(rows, "sources", format, "Источники") if format != "json" else rows


@router.get("/ratings", tags=["sources"],
            summary="Рейтинг организаций в Яндекс Картах при каждом обходе: оценка, число оценок и отзывов, "
                    "доля собранных отзывов, аспекты")
def ratings(who: Viewer, session: DB, org: str | None = None, period: str | None = None,
            format: Format = "json") -> Any:
    start, end = period_bounds(period) if period else (None, None)
    rows = [p.as_json() for p in rating_history(session, org, start, end)]
    if format != "json":
        return rows_export([{k: v for k, v in r.items() if k != "aspects"} for r in rows], "ratings", format,
                           "Рейтинг")
    return rows


@router.get("/replies", tags=["sources"],
            summary="Ответы организаций на отзывы Яндекс Карт: доля отвеченных, медиана времени до ответа, "
                    "негативные отзывы без ответа")
def replies(who: Viewer, session: DB, period: str | None = None,
            org: str | None = None) -> list[dict[str, Any]]:
    chosen = parse(period) if period else latest_period(session)
    return [s.as_json() for s in reply_stats(session, *chosen.utc_bounds(timezone()), org)]


@router.get("/painmap", tags=["painmap"],
            summary="Карта болей: органы × категории, число и доля отзывов, изменение к прошлому периоду "
                    "(без периода — последний год с данными)")
def painmap(who: Viewer, session: DB, period: str | None = None, org: str | None = None,
            format: Format = "json") -> Any:
    current = parse(period) if period else latest_period(session)
    previous = current.previous()
    rows = pain_map_of(session, current, org)
    flat = painmap_rows(rows)
    if format != "json":
        return rows_export(flat, f"painmap_{current.key}", format, "Карта болей")
    return {"period": current.key, "previous_period": previous.key, "cells": flat}


class NewToken(BaseModel):
    role: Literal[ROLES]  # type: ignore[valid-type]
    name: str | None = Field(default=None, max_length=200)


@router.get("/tokens", tags=["tokens"], summary="Токены (администратор)")
def tokens(who: Admin, session: DB) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "role": t.role, "name": t.name, "created_at": t.created_at.isoformat(),
         "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
        for t in session.exec(select(ApiToken).order_by(ApiToken.id))  # type: ignore[arg-type]
    ]


@router.post("/tokens", tags=["tokens"], status_code=201, summary="Выдать токен (администратор)")
def new_token(body: NewToken, who: Admin, session: DB) -> dict[str, Any]:
    row, secret = create_token(session, body.role, body.name)
    session.commit()
    return {"id": row.id, "role": row.role, "name": row.name, "token": secret}


@router.delete("/tokens/{token_id}", tags=["tokens"], status_code=204, summary="Отозвать токен")
def delete_token(token_id: Id, who: Admin, session: DB) -> Response:
    if not revoke(session, token_id):
        raise HTTPException(404, "Токен не найден или уже отозван.")
    session.commit()
    forget_tokens()
    return Response(status_code=204)


# --- incidents --------------------------------------------------------------------------------

IncidentStatus = Literal[STATUSES]  # type: ignore[valid-type]
SignalKind = Literal[SIGNALS]  # type: ignore[valid-type]
class IncidentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


@router.get("/incidents", response_model=IncidentPage, tags=["incidents"],
            summary="Инциденты: плохие оценки, всплески и новые боли, отзывы без ответа, просрочки ПОС, "
                    "неработающие источники — со статусом, ответственным и сроком",
            responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}})
def incidents(who: Viewer, session: DB, org: str | None = None, status: IncidentStatus | None = None,
              signal: SignalKind | None = None, overdue: bool | None = None,
              q: Annotated[str | None, Query(max_length=200)] = None,
              limit: Annotated[int, Query(ge=1, le=5000)] = 100,
              offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
              format: Literal["json", "csv", "xlsx"] = "json") -> Any:
    flt = IncidentFilter(org=org, status=status, signal=signal, overdue=overdue, q=q)
    total, rows = list_incidents(session, flt, limit, offset)
    if format != "json":
        return incident_export(rows, format)
    return IncidentPage(total=total, limit=limit, offset=offset, items=rows)


@router.get("/incidents/{incident_id}", tags=["incidents"], summary="Инцидент с историей изменений")
def incident(incident_id: Id, who: Viewer, session: DB) -> dict[str, Any]:
    found = get_incident(session, incident_id)
    if found is None:
        raise HTTPException(404, "Инцидент не найден.")
    return found


class IncidentChange(BaseModel):
    status: IncidentStatus | None = None
    comment: str | None = Field(default=None, max_length=4000)


@router.patch("/incidents/{incident_id}", tags=["incidents"],
              summary="Сменить статус и/или оставить комментарий (аналитик); пишется в историю")
def change_incident(incident_id: Id, body: IncidentChange, who: Analyst, session: DB) -> dict[str, Any]:
    try:
        changed = change(session, incident_id, who.name or f"token#{who.token_id}", body.status, body.comment)
    except UserError as exc:
        raise HTTPException(409, str(exc)) from None
    if changed is None:
        raise HTTPException(404, "Инцидент не найден.")
    session.commit()
    return get_incident(session, incident_id) or {}


def parse(period: str) -> Period:
    try:
        return parse_period(period)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


def period_bounds(period: str) -> tuple[Any, Any]:
    """[start, end) in UTC of a period label (`2025`, `2025-Q3`, `2025-07`, `A..B`)."""
    return parse(period).utc_bounds(timezone())
