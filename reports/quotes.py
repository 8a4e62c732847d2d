"""Short, representative quotes of citizens for the top pains of an office.

Only `Feedback.text_masked` is ever read: the raw `text` holds personal data and must not
reach a document that leaves the store. Among the items that effectively carry the pain
(analyst labels override the model, `models.labels.effective_categories`), the report
prefers texts the model is most sure about, that have no masked placeholders (a quote
full of «[ФИО]» reads badly), and that are short; praise is never quoted as a complaint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from models.labels import effective_categories
from models.tables import Classification, Feedback, Source

MAX_QUOTE = 280  # characters shown; longer texts are cut at a sentence end
MAX_SOURCE = 1500  # longer texts are not quote material
MIN_QUOTE = 25  # «Ужас!» is not representative
PLACEHOLDER = re.compile(r"\[(?:ФИО|ТЕЛЕФОН|EMAIL|СНИЛС|ПАСПОРТ|АДРЕС)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Quote:
    feedback_id: int
    text: str
    channel: str
    published_at: datetime | None


@dataclass(frozen=True)
class _Candidate:
    feedback_id: int
    text: str
    channel: str
    published_at: datetime | None
    probability: float

    def rank(self) -> tuple[Any, ...]:
        """Sure first (in steps of 0.1, so that length decides between near-equals), clean
        before masked, short before long, then a stable order."""
        too_short = len(self.text) < MIN_QUOTE
        return (too_short, bool(PLACEHOLDER.search(self.text)), -round(self.probability, 1),
                len(self.text) > MAX_QUOTE, len(self.text), self.feedback_id)


def excerpt(text: str, limit: int = MAX_QUOTE) -> str:
    """The text with whitespace collapsed, cut after the last whole sentence that fits (or
    at a word boundary when even the first sentence is longer)."""
    clean = _SPACES.sub(" ", text).strip()
    if len(clean) <= limit:
        return clean
    kept = ""
    for sentence in _SENTENCE_END.split(clean):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if not kept:
        kept = clean[:limit].rsplit(" ", 1)[0].rstrip(",;:—- ")
    return kept + " …"


def _candidates(session: Session, org_id: int, category: str, start: datetime,
                end: datetime) -> list[_Candidate]:
    labelled = effective_categories().where(col(Classification.category) == category).subquery()
    query = (
        sa_select(col(Feedback.id), col(Feedback.text_masked), col(Feedback.scores), col(Feedback.polarity),
                  col(Feedback.analyst_labeled_at), col(Feedback.published_at), col(Source.kind))
        .join(labelled, labelled.c.feedback_id == col(Feedback.id))
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .where(col(Source.org_id) == org_id, col(Feedback.published_at) >= start,
               col(Feedback.published_at) < end, col(Feedback.text_masked).is_not(None),
               func.length(col(Feedback.text_masked)) <= MAX_SOURCE)
    )
    out = []
    for fid, masked, scores, polarity, analyst_at, published, kind in session.execute(query):
        text = _SPACES.sub(" ", masked or "").strip()
        if not text or polarity == "positive":
            continue
        probability = 1.0 if analyst_at is not None else float((scores or {}).get(category) or 0.0)
        out.append(_Candidate(fid, text, kind, published, probability))
    return out


def pick_quotes(session: Session, org_id: int, category: str, start: datetime, end: datetime,
                limit: int = 2, exclude: set[int] | None = None) -> list[Quote]:
    """Up to `limit` masked quotes for one pain of one office in [start, end); items in
    `exclude` (already quoted for another pain) are skipped, so no text is shown twice."""
    taken = exclude if exclude is not None else set()
    chosen: list[Quote] = []
    seen_texts: set[str] = set()
    for c in sorted(_candidates(session, org_id, category, start, end), key=_Candidate.rank):
        if len(chosen) >= limit:
            break
        key = c.text.casefold()
        if c.feedback_id in taken or key in seen_texts:
            continue
        seen_texts.add(key)
        taken.add(c.feedback_id)
        chosen.append(Quote(c.feedback_id, excerpt(c.text), c.channel, c.published_at))
    return chosen
