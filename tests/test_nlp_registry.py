"""Nightly retraining: skipped without enough new analyst labels, a candidate that loses to
the model in use on the validation set is rejected (and recorded), one that does not lose
becomes the model in use and every item is read again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Classification, Feedback, NlpModel
from nlp.model import DEFAULT_MODEL
from nlp.registry import RetrainPlan, active_model, loses, retrain
from nlp.training import CORPUS_DIR, Params, build_model, load_corpus

HELDOUT = CORPUS_DIR.parent / "heldout" / "gold.jsonl"


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny corpus (40 texts), a larger one (every third text of v1), a validation set
    (160 held-out texts) and analyst-style texts with their true labels (the rest of it)."""
    root = tmp_path_factory.mktemp("retrain")
    corpus = [json.loads(line) for p in sorted(CORPUS_DIR.glob("*.jsonl"))
              for line in p.read_text(encoding="utf-8").splitlines()]
    held = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines()]
    return {"tiny": _write(root / "tiny" / "a.jsonl", corpus[:40]).parent,
            "larger": _write(root / "larger" / "a.jsonl", corpus[::3]).parent,
            "validation": _write(root / "validation" / "v.jsonl", held[:160]).parent,
            "analyst": _write(root / "analyst.jsonl", held[160:400])}


def _label(n: int, records: Path, wrong: bool) -> None:
    """`n` stored items labelled by an analyst: with their true labels, or all wrong."""
    rows = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()][:n]
    with session_scope() as session:
        org, _ = ensure_organisation(session, "mfc", "МФЦ")
        src = ensure_source(session, org, "yandex")
        for i, rec in enumerate(rows):
            fb = Feedback(source_id=src.id, external_id=str(i), text=rec["text"], content_hash=f"h{i}",  # type: ignore[arg-type]
                          classified_hash=f"h{i}", analyst_labeled_at=datetime.now(UTC),
                          polarity="positive" if wrong else rec["polarity"], polarity_origin="analyst")
            session.add(fb)
            session.flush()
            cats = ["corruption", "online", "phone"] if wrong else rec["categories"]
            for c in cats:
                session.add(Classification(feedback_id=fb.id, category=c, origin="analyst"))  # type: ignore[arg-type]


def test_too_few_new_labels_skip_retraining(sqlite_store: str, tmp_path: Path, data: dict[str, Path]) -> None:
    _label(3, data["analyst"], wrong=False)
    outcome = retrain(RetrainPlan(tmp_path / "models", min_labels=5, corpus_dirs=[data["tiny"]],
                                  validation_dir=data["validation"]))
    assert (outcome.status, outcome.labels, outcome.new_labels) == ("skipped", 3, 3)
    with session_scope() as session:
        assert session.execute(select(func.count()).select_from(NlpModel)).scalar_one() == 0


@pytest.mark.slow
def test_a_candidate_that_loses_is_rejected(sqlite_store: str, tmp_path: Path, data: dict[str, Path]) -> None:
    _label(60, data["analyst"], wrong=True)
    outcome = retrain(RetrainPlan(tmp_path / "models", min_labels=50, corpus_dirs=[data["tiny"]],
                                  validation_dir=data["validation"]))
    assert outcome.status == "rejected"
    assert outcome.candidate["micro_f1"] < outcome.current["micro_f1"]  # the shipped model wins
    assert "micro-F1" in outcome.reason
    assert not (tmp_path / "models").exists()
    assert active_model() == (DEFAULT_MODEL, None)
    with session_scope() as session:
        row = session.execute(select(NlpModel)).scalar_one()
        assert not row.accepted and row.n_analyst == 60
        assert row.figures == outcome.candidate and row.baseline == outcome.current  # both figures logged
        assert session.execute(select(func.count()).select_from(Feedback)
                               .where(Feedback.classified_hash.is_(None))).scalar_one() == 0  # type: ignore[union-attr]


@pytest.mark.slow
def test_a_candidate_that_does_not_lose_is_kept(sqlite_store: str, tmp_path: Path,
                                                 data: dict[str, Path]) -> None:
    weak = build_model(load_corpus(data["tiny"]), [], Params(), version="weak")
    weak.save(tmp_path / "weak.joblib")
    _label(120, data["analyst"], wrong=False)
    plan = RetrainPlan(tmp_path / "models", min_labels=50, corpus_dirs=[data["larger"]],
                       validation_dir=data["validation"], fallback_model=tmp_path / "weak.joblib")
    outcome = retrain(plan)
    assert outcome.status == "accepted", outcome
    assert loses(outcome.candidate, outcome.current) is None
    path, row = active_model(tmp_path / "weak.joblib")
    assert path == Path(outcome.path or "") and path.exists() and row is not None and row.accepted
    with session_scope() as session:  # the new model reads every item again
        assert session.execute(select(func.count()).select_from(Feedback)
                               .where(Feedback.classified_hash.is_(None))).scalar_one() == 120  # type: ignore[union-attr]
    again = retrain(plan)  # nothing new since: the accepted model has seen all 120 labels
    assert again.status == "skipped" and again.new_labels == 0


@pytest.mark.parametrize(("micro", "polarity", "verdict"), [
    (0.70, 0.90, None),  # a tie does not lose
    (0.71, 0.91, None),
    (0.69, 0.95, "micro-F1"),
    (0.75, 0.89, "тональность"),
])
def test_what_losing_means(micro: float, polarity: float, verdict: str | None) -> None:
    current = {"micro_f1": 0.70, "polarity_accuracy": 0.90}
    why = loses({"micro_f1": micro, "polarity_accuracy": polarity}, current)
    assert (why is None) if verdict is None else (why is not None and verdict in why)
