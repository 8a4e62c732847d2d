"""Read-side queries behind the API and the pages: feedback lists, ingest runs, sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlmodel import Session, col

from models.labels import categories_of, effective_categories
from models.queries import blocked_streak
from models.tables import (
    EmployeeMention,
    Feedback,
    IngestRun,
    Organisation,
    Service,
    Source,
)


@dataclass
class FeedbackFilter:
    org: str | None = None
    channel: str | None = None
    category: str | None = None
    polarity: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    q: str | None = None
    max_rating: float | None = None


def _filtered(flt: FeedbackFilter) -> Select[Feedback, Source, Organisation, str | None]:
    query = (
        select(Feedback, Source, Organisation, col(Service.name))
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .join(Organisation, col(Organisation.id) == col(Source.org_id))
        .outerjoin(Service, col(Service.id) == col(Feedback.service_id))
    )
    return _where(query, flt)


def _where(query: Any, flt: FeedbackFilter) -> Any:
    """The filter's conditions on a query that joins Feedback, Source and Organisation."""
    if flt.org:
        query = query.where(or_(col(Organisation.code) == flt.org, col(Organisation.name) == flt.org))
    if flt.channel:
        query = query.where(col(Source.kind) == flt.channel)
    if flt.polarity:
        query = query.where(col(Feedback.polarity) == flt.polarity)
    if flt.start is not None:
        query = query.where(col(Feedback.published_at) >= flt.start)
    if flt.end is not None:
        query = query.where(col(Feedback.published_at) < flt.end)
    if flt.max_rating is not None:
        query = query.where(col(Feedback.rating) <= flt.max_rating)
    if flt.q:
        # Masked text only: searching raw text would let a viewer probe for personal data.
        # autoescape: «%» and «_» in a search are characters, not LIKE wildcards
        query = query.where(func.lower(col(Feedback.text_masked)).contains(flt.q.lower(), autoescape=True))
    if flt.category:
        labelled = effective_categories().subquery()
        query = query.where(col(Feedback.id).in_(
            select(labelled.c.feedback_id).where(labelled.c.category == flt.category)))
    return query


def list_feedback(session: Session, flt: FeedbackFilter, limit: int = 50, offset: int = 0,
                  unmasked: bool = False) -> tuple[int, list[dict[str, Any]]]:
    base = _filtered(flt)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(
        base.order_by(col(Feedback.published_at).desc(), col(Feedback.id).desc())
        .limit(limit).offset(offset)
    ).all()
    cats = categories_of(session, [fb.id for fb, *_ in rows])
    items = [feedback_dict(fb, src, org, service, cats[fb.id], unmasked) for fb, src, org, service in rows]
    return total, items


def feedback_dict(fb: Feedback, src: Source, org: Organisation, service: str | None,
                  categories: list[str], unmasked: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": fb.id,
        "org": org.code,
        "org_name": org.name,
        "channel": src.kind,
        "source": src.name,
        "external_id": fb.external_id,
        "published_at": fb.published_at.isoformat() if fb.published_at else None,
        "rating": fb.rating,
        "criteria": fb.criteria,
        "service": service,
        "polarity": fb.polarity,
        "categories": categories,
        "scores": fb.scores,
        "analyst_labeled": fb.analyst_labeled_at is not None,
        "text": fb.text_masked,
        "evidence": evidence_view(fb, categories, unmasked),
    }
    if unmasked:
        item["text_raw"] = fb.text
        item["reply_text"] = fb.reply_text
    return item


Evidence = dict[str, list[dict[str, Any]]]


def evidence_view(fb: Feedback, categories: list[str], unmasked: bool = False) -> Evidence:
    """Per category the item has, the sentence that triggered it, as spans of `text` (the
    masked text) with the sentence itself; admins also get the spans of the raw text. A
    text-less ПОС message's evidence is its «Категория / Подкатегория / Факт»."""
    text = fb.text_masked or ""
    out: dict[str, list[dict[str, Any]]] = {}
    for category in categories:
        items: list[dict[str, Any]] = []
        for e in (fb.evidence or {}).get(category) or []:
            if "pos_fact" in e:
                items.append({"pos_fact": e["pos_fact"]})
                continue
            start, end = e.get("masked_start"), e.get("masked_end")
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
                continue
            item: dict[str, Any] = {"start": start, "end": end, "text": text[start:end],
                                    "score": e.get("score")}
            if unmasked:
                item.update(raw_start=e.get("start"), raw_end=e.get("end"))
            items.append(item)
        if items:
            out[category] = items
    return out


def evidence_text(evidence: Evidence) -> str:
    """Evidence as one cell of a CSV export: «queue: <sentence> | phone: <sentence>»."""
    return " | ".join(f"{c}: {e.get('text') or e.get('pos_fact')}"
                      for c, items in evidence.items() for e in items)


def get_feedback(session: Session, feedback_id: int, unmasked: bool = False) -> dict[str, Any] | None:
    row = session.execute(_filtered(FeedbackFilter()).where(col(Feedback.id) == feedback_id)).first()
    if row is None:
        return None
    fb, src, org, service = row
    item = feedback_dict(fb, src, org, service, categories_of(session, [fb.id])[fb.id], unmasked)
    if unmasked:
        item["mentions"] = [
            {"name": m.name, "polarity": m.polarity}
            for m in session.execute(
                select(EmployeeMention).where(col(EmployeeMention.feedback_id) == fb.id)).scalars()
        ]
    return item


def list_mentions(session: Session, org: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    query = (
        select(EmployeeMention, col(Feedback.published_at), col(Organisation.code), col(Source.kind))
        .join(Feedback, col(Feedback.id) == col(EmployeeMention.feedback_id))
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .join(Organisation, col(Organisation.id) == col(Source.org_id))
    )
    if org:
        query = query.where(col(Organisation.code) == org)
    query = query.order_by(col(Feedback.published_at).desc()).limit(limit)
    return [
        {"feedback_id": m.feedback_id, "name": m.name, "polarity": m.polarity, "org": code,
         "channel": kind, "published_at": at.isoformat() if at else None}
        for m, at, code, kind in session.execute(query)
    ]


def list_runs(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    query = (
        select(IngestRun, col(Source.name), col(Organisation.code))
        .outerjoin(Source, col(Source.id) == col(IngestRun.source_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Source.org_id))
        .order_by(col(IngestRun.id).desc()).limit(limit)
    )
    return [
        {"id": run.id, "kind": run.kind, "org": code, "source": name, "origin": run.origin,
         "status": run.status, "started_at": run.started_at.isoformat(),
         "finished_at": run.finished_at.isoformat() if run.finished_at else None,
         "n_new": run.n_new, "n_updated": run.n_updated, "n_unchanged": run.n_unchanged,
         "n_quarantined": run.n_quarantined, "error": run.error}
        for run, name, code in session.execute(query)
    ]


def list_sources(session: Session) -> list[dict[str, Any]]:
    source_id = col(Feedback.source_id)
    counts = dict(session.execute(select(source_id, func.count()).group_by(source_id)).all())
    latest = dict(session.execute(
        select(source_id, func.max(col(Feedback.published_at))).group_by(source_id)).all())
    query = (select(Source, col(Organisation.code))
             .join(Organisation, col(Organisation.id) == col(Source.org_id)))
    return [
        {"id": src.id, "org": code, "name": src.name, "kind": src.kind,
         "external_id": src.external_id, "status": src.status, "status_detail": src.status_detail,
         "last_run_at": src.last_run_at.isoformat() if src.last_run_at else None,
         "items": counts.get(src.id, 0),
         "blocked_runs_in_a_row": blocked_streak(session, src.id) if src.status == "blocked" else 0,
         "latest_item_at": latest[src.id].isoformat() if latest.get(src.id) else None}
        for src, code in session.execute(query.order_by(Organisation.code, Source.name))
    ]


def _queue(flt: FeedbackFilter) -> Any:
    """The labelling queue: items with text the model has scored (least sure first, below)."""
    query = (select(col(Feedback.id), col(Feedback.uncertainty), col(Feedback.analyst_labeled_at))
             .join(Source, col(Source.id) == col(Feedback.source_id))
             .join(Organisation, col(Organisation.id) == col(Source.org_id))
             .where(col(Feedback.uncertainty).is_not(None), col(Feedback.text_masked).is_not(None)))
    return _where(query, flt)


@dataclass
class QueuePosition:
    """Where an item stands in the queue, and its neighbours."""

    item_id: int | None
    position: int  # 1-based; 0 when the queue is empty
    total: int
    unlabelled: int
    previous_id: int | None
    next_id: int | None


def queue_item(session: Session, flt: FeedbackFilter, item_id: int | None = None,
               after_id: int | None = None) -> QueuePosition:
    """The item to show: `item_id` itself, else the first unlabelled one after `after_id` in
    the queue's order (uncertainty descending, then id), else the first unlabelled one at all
    (or the first item when everything is labelled)."""
    base = _queue(flt).subquery()
    order = (base.c.uncertainty.desc(), base.c.id.asc())
    total, unlabelled = session.execute(
        select(func.count(), func.count().filter(base.c.analyst_labeled_at.is_(None)))
        .select_from(base)).one()

    def anchor(fid: int | None) -> tuple[float, int] | None:
        if fid is None:
            return None
        row = session.execute(select(base.c.uncertainty, base.c.id).where(base.c.id == fid)).first()
        return (float(row[0]), int(row[1])) if row else None

    def later(a: tuple[float, int]) -> Any:
        return or_(base.c.uncertainty < a[0], and_(base.c.uncertainty == a[0], base.c.id > a[1]))

    def earlier(a: tuple[float, int]) -> Any:
        return or_(base.c.uncertainty > a[0], and_(base.c.uncertainty == a[0], base.c.id < a[1]))

    current = anchor(item_id)
    if current is None:
        after = anchor(after_id)
        todo = select(base.c.uncertainty, base.c.id).where(base.c.analyst_labeled_at.is_(None))
        query = todo.where(later(after)) if after else todo
        pick = session.execute(query.order_by(*order).limit(1)).first()
        if pick is None and after is not None:  # nothing left after it: wrap to the first unlabelled
            pick = session.execute(todo.order_by(*order).limit(1)).first()
        if pick is None:
            pick = session.execute(select(base.c.uncertainty, base.c.id).order_by(*order).limit(1)).first()
        current = (float(pick[0]), int(pick[1])) if pick else None
    if current is None:
        return QueuePosition(None, 0, 0, 0, None, None)
    before = session.execute(select(func.count()).select_from(base).where(earlier(current))).scalar_one()
    position = int(before) + 1
    nxt = session.execute(select(base.c.id).where(later(current)).order_by(*order).limit(1)).scalar()
    prev = session.execute(select(base.c.id).where(earlier(current))
                           .order_by(base.c.uncertainty.asc(), base.c.id.desc()).limit(1)).scalar()
    return QueuePosition(current[1], int(position), int(total), int(unlabelled), prev, nxt)
