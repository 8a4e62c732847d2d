"""Which classifier is in use, and retraining it from analysts' labels without losing quality.

The nightly run retrains when enough new analyst labels have gathered since the model in use
was trained: corpus + every analyst label → a candidate, judged against the model in use on
the fixed realistic validation set. The candidate is kept only when it does not lose there
(micro-F1 and polarity accuracy not below the current model's); both sets of figures are
recorded in `nlp_models` either way. The model in use is the newest accepted one whose file
exists, else the configured or the shipped one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import col

from models.db import session_scope
from models.tables import Feedback, NlpModel
from nlp.model import DEFAULT_MODEL, PainModel
from nlp.training import (
    TRAIN_DIRS,
    VALIDATION_DIR,
    Params,
    Progress,
    analyst_examples,
    build_model,
    judge,
    load_corpus,
    load_validation,
    model_version,
)

DEFAULT_MIN_LABELS = 50


@dataclass
class RetrainPlan:
    """Where the data and models are; `min_labels` new analyst labels trigger a retrain."""

    models_dir: Path
    min_labels: int = DEFAULT_MIN_LABELS
    corpus_dirs: Sequence[Path] = TRAIN_DIRS
    validation_dir: Path = VALIDATION_DIR
    fallback_model: Path | None = None  # the configured model, else the shipped one
    params: Params = field(default_factory=Params)


@dataclass
class RetrainOutcome:
    status: str  # skipped | accepted | rejected
    labels: int  # analyst labels in the store
    new_labels: int  # of them, not seen by the model in use
    version: str | None = None
    path: str | None = None
    candidate: dict[str, Any] = field(default_factory=dict)
    current: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def active_model(fallback: Path | None = None, url: str | None = None) -> tuple[Path, NlpModel | None]:
    """The model file in use and its registry row (None for the configured/shipped model)."""
    with session_scope(url) as session:
        rows = session.execute(select(NlpModel).where(col(NlpModel.accepted))
                               .order_by(col(NlpModel.id).desc())).scalars().all()
        for row in rows:
            if Path(row.path).exists():
                session.expunge(row)
                return Path(row.path), row
    return (fallback or DEFAULT_MODEL), None


def analyst_label_count(url: str | None = None) -> int:
    with session_scope(url) as session:
        return int(session.execute(
            select(func.count()).select_from(Feedback)
            .where(col(Feedback.analyst_labeled_at).is_not(None), col(Feedback.text).is_not(None))
        ).scalar_one())


def loses(candidate: dict[str, Any], current: dict[str, Any]) -> str | None:
    """Why the candidate loses to the current model on validation, or None when it does not."""
    reasons = []
    if candidate["micro_f1"] < current["micro_f1"]:
        reasons.append(f"micro-F1 {candidate['micro_f1']:.3f} < {current['micro_f1']:.3f}")
    if candidate["polarity_accuracy"] < current["polarity_accuracy"]:
        reasons.append(f"тональность {candidate['polarity_accuracy']:.3f} < "
                       f"{current['polarity_accuracy']:.3f}")
    return "; ".join(reasons) or None


def retrain(plan: RetrainPlan, url: str | None = None, progress: Progress | None = None) -> RetrainOutcome:
    """Retrain when enough new analyst labels exist; keep the candidate only if it does not lose."""
    current_path, _ = active_model(plan.fallback_model, url)
    current_model = PainModel.load(current_path)
    seen = int(current_model.info.get("n_analyst") or 0)
    labels = analyst_label_count(url)
    outcome = RetrainOutcome("skipped", labels, max(0, labels - seen))
    if outcome.new_labels < plan.min_labels:
        outcome.reason = f"новых меток аналитиков {outcome.new_labels} < {plan.min_labels}"
        return outcome
    corpus = load_corpus(plan.corpus_dirs)
    analyst = analyst_examples(url)
    validation = load_validation(plan.validation_dir)
    if not validation:
        outcome.reason = f"нет проверочного набора в {plan.validation_dir}"
        return outcome
    version = model_version(corpus + analyst, plan.params, validation)
    candidate = build_model(corpus + analyst, validation, plan.params, progress, version)
    candidate.info.update({"n_corpus": len(corpus), "n_analyst": len(analyst),
                           "n_validation": len(validation)})
    outcome.version = version
    outcome.candidate = judge(candidate, validation)
    outcome.current = judge(current_model, validation)
    candidate.info["validation"] = outcome.candidate
    why = loses(outcome.candidate, outcome.current)
    outcome.status = "rejected" if why else "accepted"
    outcome.reason = why or "не хуже текущей модели на проверочном наборе"
    path = plan.models_dir / f"{version}.joblib"
    if outcome.status == "accepted":
        candidate.save(path)
        outcome.path = str(path)
    with session_scope(url) as session:
        session.add(NlpModel(version=version, path=str(path) if outcome.path else "", accepted=not why,
                             n_analyst=len(analyst), figures=outcome.candidate, baseline=outcome.current,
                             reason=outcome.reason))
        if outcome.status == "accepted":  # every item is read again by the new model
            session.execute(update(Feedback).values(classified_hash=None))
    return outcome
