"""Read-side queries behind the API and the pages: feedback lists, ingest runs, sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlmodel import Session, col

from models.labels import categories_of, effective_categories
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
        query = query.where(func.lower(col(Feedback.text_masked)).contains(flt.q.lower()))
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
         "latest_item_at": latest[src.id].isoformat() if latest.get(src.id) else None}
        for src, code in session.execute(query.order_by(Organisation.code, Source.name))
    ]
