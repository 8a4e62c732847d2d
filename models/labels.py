"""Which categories and polarity an item effectively has, and analysts' corrections.

An item an analyst has labelled (`Feedback.analyst_labeled_at` set) is described by its
analyst rows alone — possibly none — and the model's rows are ignored; otherwise the
model's rows count. Every reader (pain map, feedback lists, report) uses `effective_categories`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from models.tables import Classification, Feedback, utcnow
from vocabulary.categories import CATEGORIES, POLARITIES
from vocabulary.errors import UserError


def effective_categories() -> Select:
    """SELECT feedback_id, category of the labels that count for each item."""
    return (
        select(col(Classification.feedback_id), col(Classification.category))
        .join(Feedback, col(Feedback.id) == col(Classification.feedback_id))
        .where(or_(
            and_(col(Feedback.analyst_labeled_at).is_not(None), col(Classification.origin) == "analyst"),
            and_(col(Feedback.analyst_labeled_at).is_(None), col(Classification.origin) == "model"),
        ))
    )


def categories_of(session: Session, feedback_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(feedback_ids)
    out: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        query = effective_categories().where(col(Classification.feedback_id).in_(chunk))
        for feedback_id, category in session.execute(query):
            out[feedback_id].append(category)
    for cats in out.values():
        cats.sort(key=CATEGORIES.index)
    return out


def check_labels(categories: list[str], polarity: str | None) -> None:
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown:
        raise UserError(f"неизвестные категории: {', '.join(unknown)}")
    if polarity is not None and polarity not in POLARITIES:
        raise UserError(f"неизвестная тональность: {polarity}")


def set_analyst_labels(session: Session, feedback_id: int, categories: list[str],
                       polarity: str | None, author: str | None = None,
                       at: datetime | None = None) -> Feedback:
    """Replace the analyst's labels of an item; they are never overwritten by the model.
    (The API and pages go through `models.edits.save_labels`, which survives a locked store.)"""
    check_labels(categories, polarity)
    item = session.get(Feedback, feedback_id)
    if item is None:
        raise UserError(f"отзыв №{feedback_id} не найден")
    session.execute(delete(Classification).where(
        col(Classification.feedback_id) == feedback_id, col(Classification.origin) == "analyst"))
    for category in sorted(set(categories), key=CATEGORIES.index):
        session.add(Classification(feedback_id=feedback_id, category=category, probability=1.0,
                                   origin="analyst", author=author))
    if polarity is not None:
        item.polarity, item.polarity_origin = polarity, "analyst"
    item.analyst_labeled_at = at or utcnow()
    session.add(item)
    session.flush()
    return item


@dataclass
class Agreement:
    """How the model's categories compare with the analysts' on the items they labelled."""

    org: str
    org_name: str
    n: int  # items an analyst labelled
    same: int  # of them, the model had exactly the analyst's categories
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def share_same(self) -> float:
        return 100.0 * self.same / self.n if self.n else 0.0

    @property
    def f1(self) -> float | None:
        """Micro-F1 of the model's categories against the analysts' (None: no category at all)."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


def model_agreement(session: Session, start: datetime, end: datetime) -> list[Agreement]:
    """Per office, for items published in [start, end) that an analyst labelled: how often the
    model's categories were exactly the analyst's, and the category-level F1."""
    from models.tables import Organisation, Source

    items = session.execute(
        select(col(Feedback.id), col(Organisation.code), col(Organisation.name))
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .join(Organisation, col(Organisation.id) == col(Source.org_id))
        .where(col(Feedback.analyst_labeled_at).is_not(None), col(Feedback.published_at) >= start,
               col(Feedback.published_at) < end)
    ).all()
    labels: dict[tuple[int, str], set[str]] = {}
    ids = [i for i, _, _ in items]
    for begin in range(0, len(ids), 900):
        chunk = ids[begin:begin + 900]
        query = select(col(Classification.feedback_id), col(Classification.category),
                       col(Classification.origin)).where(col(Classification.feedback_id).in_(chunk))
        for fid, category, origin in session.execute(query):
            labels.setdefault((fid, origin), set()).add(category)
    out: dict[str, Agreement] = {}
    for fid, code, name in items:
        row = out.setdefault(code, Agreement(code, name, 0, 0))
        analyst, model = labels.get((fid, "analyst"), set()), labels.get((fid, "model"), set())
        row.n += 1
        row.same += analyst == model
        row.tp += len(analyst & model)
        row.fp += len(model - analyst)
        row.fn += len(analyst - model)
    return sorted(out.values(), key=lambda a: a.org_name)
