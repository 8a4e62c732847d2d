"""Batch classification of stored feedback for the nightly run.

"Pending" = items whose `classified_hash` is null or differs from their `content_hash`
(new or edited since the last classification). Items are read by primary key in keyset
pages and written back in bulk, one transaction per page, so a run over 100,000 items
keeps memory flat and an interruption loses at most one page. Analyst labels are never
touched: `Classification` rows with origin `analyst` stay, and a polarity set by an analyst
(`polarity_origin == "analyst"`) is kept. Model rows of analyst-labelled items are
refreshed for comparison (the analyst rows are what counts for them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlmodel import Session

from models.db import session_scope
from models.tables import Classification, EmployeeMention, Feedback, Source
from nlp.classifier import Classifier, Result
from nlp.pos_facts import codes_for, has_classification, label

DEFAULT_BATCH = 512
ProgressCallback = Callable[[int, int], None]


@dataclass
class BatchCounts:
    classified: int = 0
    analyst_kept: int = 0
    model_version: str = ""
    categories: dict[str, int] = field(default_factory=dict)
    pos_mapped: int = 0  # text-less ПОС messages given codes by their «Категория / Подкатегория / Факт»
    pos_unmapped: dict[str, int] = field(default_factory=dict)  # values no rule of the table covers

    @classmethod
    def total(cls, parts: list[dict[str, Any]], model_version: str = "") -> BatchCounts:
        """The sum of several workers' counts (`as_dict` of each)."""
        counts = cls(model_version=next((p["model_version"] for p in parts if p.get("model_version")),
                                        model_version))
        for part in parts:
            counts.classified += part.get("classified", 0)
            counts.analyst_kept += part.get("analyst_kept", 0)
            counts.pos_mapped += part.get("pos_mapped", 0)
            for mine, theirs in ((counts.categories, part.get("categories") or {}),
                                 (counts.pos_unmapped, part.get("pos_unmapped") or {})):
                for key, n in theirs.items():
                    mine[key] = mine.get(key, 0) + n
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {"classified": self.classified, "analyst_kept": self.analyst_kept,
                "model_version": self.model_version, "categories": dict(sorted(self.categories.items())),
                "pos_mapped": self.pos_mapped,
                "pos_unmapped": dict(sorted(self.pos_unmapped.items(), key=lambda kv: (-kv[1], kv[0])))}


def _pending() -> Any:
    return or_(Feedback.classified_hash.is_(None),  # type: ignore[union-attr]
               Feedback.classified_hash != Feedback.content_hash)  # type: ignore[arg-type]


def count_pending(url: str | None = None, id_range: tuple[int, int] | None = None) -> int:
    query = select(func.count()).select_from(Feedback).where(_pending())
    if id_range:
        feedback_id: Any = Feedback.id
        query = query.where(feedback_id > id_range[0], feedback_id <= id_range[1])
    with session_scope(url) as session:
        return int(session.execute(query).scalar_one())


def pending_ranges(chunk: int, url: str | None = None) -> list[tuple[int, int]]:
    """The backlog cut into id ranges (lo < id ≤ hi) of `chunk` pending items each: shares
    that workers classify independently, no item in two of them."""
    feedback_id: Any = Feedback.id
    with session_scope(url) as session:
        ids = list(session.execute(select(feedback_id).where(_pending()).order_by(feedback_id)).scalars())
    if not ids:
        return []
    bounds = ids[chunk - 1::chunk]
    if bounds[-1:] != ids[-1:]:
        bounds.append(ids[-1])
    return list(zip([0, *bounds[:-1]], bounds, strict=True))


def classify_pending(batch_size: int = DEFAULT_BATCH, progress: ProgressCallback | None = None,
                     classifier: Classifier | None = None, url: str | None = None,
                     limit: int | None = None, model_path: str | None = None,
                     ner: bool = True, id_range: tuple[int, int] | None = None) -> BatchCounts:
    """Classify every new or changed feedback item (of `id_range`, lo < id ≤ hi, when
    given: one worker's share, `pending_ranges`); returns what was done.

    `progress(done, total)` is called after each page. Without a `classifier`, the model at
    `model_path` (default: the one shipped in the package) is loaded, NER per `ner`.
    """
    clf = classifier or Classifier.load(model_path, ner=ner)
    total = count_pending(url, id_range)
    if limit is not None:
        total = min(total, limit)
    counts = BatchCounts(model_version=clf.version)
    last_id, upto = id_range if id_range else (0, None)
    while counts.classified < total:
        size = min(batch_size, total - counts.classified)
        with session_scope(url) as session:
            rows = pending_page(session, last_id, size, upto)
            if not rows:
                break
            results = classify_rows(clf, rows)
            store_results(session, rows, results, clf.version, counts)
            last_id = rows[-1].id
        counts.classified += len(rows)
        if progress:
            progress(counts.classified, total)
    return counts


def pending_pages(size: int, url: str | None = None) -> Iterator[Sequence[Any]]:
    """The backlog in keyset pages, each read in its own short transaction (the caller
    classifies a page elsewhere, e.g. on Dask workers, and stores it with `store_page`)."""
    last_id = 0
    while True:
        with session_scope(url) as session:
            rows = pending_page(session, last_id, size)
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def store_page(rows: Sequence[Any], results: list[Result], counts: BatchCounts,
               url: str | None = None) -> None:
    """Store a classified page (ПОС facts applied to text-less messages) in one transaction."""
    with session_scope(url) as session:
        store_results(session, rows, with_pos_facts(rows, results), counts.model_version, counts)
    counts.classified += len(rows)


def pending_page(session: Session, after_id: int, size: int, upto: int | None = None) -> Sequence[Any]:
    """The next `size` pending items after `after_id` (keyset paging by primary key; up to
    `upto` inclusive when given), with what classifying and storing them needs."""
    columns: list[Any] = [Feedback.id, Feedback.text, Feedback.rating, Feedback.content_hash,
                          Feedback.analyst_labeled_at, Feedback.polarity_origin, Feedback.extra, Source.kind]
    feedback_id: Any = Feedback.id
    conditions = [_pending(), feedback_id > after_id]
    if upto is not None:
        conditions.append(feedback_id <= upto)
    return session.execute(
        select(*columns).join(Source, Source.id == Feedback.source_id)  # type: ignore[arg-type]
        .where(*conditions).order_by(feedback_id).limit(size)
    ).all()


def classify_rows(clf: Classifier, rows: Sequence[Any]) -> list[Result]:
    """Results for a page of pending rows: the model for texts; a text-less ПОС message by
    ПОС's own classification of it (`nlp.pos_facts`)."""
    return with_pos_facts(rows, clf.classify_batch([r.text for r in rows], [r.rating for r in rows]))


def with_pos_facts(rows: Sequence[Any], results: list[Result]) -> list[Result]:
    for row, result in zip(rows, results, strict=True):
        if row.kind == "pos" and not (row.text or "").strip() and has_classification(row.extra):
            by_fact(result, row.extra)
    return results


def by_fact(result: Result, extra: dict[str, Any]) -> None:
    """Codes from the ПОС table; `pos_fact` evidence names the values; None codes = unmapped."""
    codes = codes_for(extra)
    result.categories = list(codes or ())
    result.scores = {c: (1.0 if c in result.categories else 0.0) for c in result.scores}
    result.evidence = {}
    result.pos_fact = label(extra)
    result.pos_mapped = codes is not None
    if result.categories:
        result.polarity = "negative"


def store_results(session: Session, rows: Sequence[Any], results: Sequence[Result], version: str,
                  counts: BatchCounts) -> None:
    """Write a page's results in bulk (rows as `pending_page` returns them); analyst labels
    and an analyst's polarity stay."""
    ids = [r.id for r in rows]
    updates = []
    new_classes: list[dict[str, Any]] = []
    new_mentions: list[dict[str, Any]] = []
    for row, res in zip(rows, results, strict=True):
        change: dict[str, Any] = {"id": row.id, "text_masked": res.text_masked, "scores": res.scores,
                                  "model_version": version, "classified_hash": row.content_hash,
                                  "evidence": stored_evidence(res), "uncertainty": res.uncertainty}
        if res.pos_fact is not None:
            change["uncertainty"] = None  # nothing for an analyst to read
            if res.pos_mapped:
                counts.pos_mapped += 1
            else:
                counts.pos_unmapped[res.pos_fact] = counts.pos_unmapped.get(res.pos_fact, 0) + 1
        if row.polarity_origin != "analyst":
            change.update(polarity=res.polarity, polarity_origin="model")
        updates.append(change)
        if row.analyst_labeled_at is not None:
            counts.analyst_kept += 1
        for code in res.categories:
            counts.categories[code] = counts.categories.get(code, 0) + 1
            new_classes.append({"feedback_id": row.id, "category": code, "probability": res.scores[code],
                                "model_version": version, "origin": "model"})
        seen: set[str] = set()
        for m in res.mentions:
            name = m["name"][:300]
            if name not in seen:
                seen.add(name)
                new_mentions.append({"feedback_id": row.id, "name": name, "polarity": m["polarity"],
                                     "sentence": m["sentence"]})
    session.execute(update(Feedback), updates)
    session.execute(delete(Classification).where(Classification.feedback_id.in_(ids),  # type: ignore[attr-defined]
                                                 Classification.origin == "model"))  # type: ignore[arg-type]
    session.execute(delete(EmployeeMention).where(EmployeeMention.feedback_id.in_(ids)))  # type: ignore[attr-defined]
    if new_classes:
        session.execute(insert(Classification), new_classes)
    if new_mentions:
        session.execute(insert(EmployeeMention), new_mentions)


def stored_evidence(result: Result) -> dict[str, Any]:
    """Evidence as kept in `Feedback.evidence`: spans in the raw and in the masked text (no
    unit text: the page cuts it from whichever text the reader may see)."""
    if result.pos_fact is not None:
        return {c: [{"pos_fact": result.pos_fact}] for c in result.categories}
    return {c: [{"start": e.start, "end": e.end, "masked_start": e.masked_start, "masked_end": e.masked_end,
                 "score": round(e.score, 4)} for e in ev]
            for c, ev in result.evidence.items()}
