"""Training: the labelled corpus in `nlp/data/corpus/` (+ analyst corrections from the store)
→ the model file shipped in `nlp/model/`.

Deterministic by construction: files and records are read in sorted order, every solver
has a fixed seed, and the saved file has no timestamps, so the same inputs give the same
bytes. Per-label thresholds are tuned on out-of-fold predictions where the folds are the
corpus files (each written by a different author): a threshold that works on an author the
fold never saw is what we need for real citizens' texts. The held-out test set
(`nlp/data/heldout/`) is never read here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import UserError
from nlp.categories import CODES
from nlp.document import Doc, analyse
from nlp.features import FeatureSpace, polarity_extras
from nlp.jsonl import json_object, text_field
from nlp.lexicon import combined, pains, sentiment
from nlp.model import DEFAULT_MODEL, PainModel

DATA_DIR = Path(__file__).with_name("data")
CORPUS_DIR = DATA_DIR / "corpus"
LABELS = CODES
POLARITIES = ("negative", "positive", "mixed", "neutral")
SEED = 0
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    categories: tuple[str, ...]
    polarity: str
    rating: float | None
    group: str


@dataclass(frozen=True)
class Params:
    """Hyper-parameters, chosen by leave-one-author-out validation on the training corpus."""

    C: float = 16.0
    polarity_C: float = 4.0
    class_weight: str | None = "balanced"
    weights: dict[str, float] = field(default_factory=lambda: {"words": 1.0, "chars": 0.6, "lexicon": 0.2})
    min_df_words: int = 2
    min_df_chars: int = 3

    def as_dict(self) -> dict[str, Any]:
        return {"C": self.C, "polarity_C": self.polarity_C, "class_weight": self.class_weight,
                "weights": dict(sorted(self.weights.items())), "min_df_words": self.min_df_words,
                "min_df_chars": self.min_df_chars}


def read_labelled(path: Path, group: str | None = None, require_labels: bool = True) -> list[Example]:
    """Read a labelled JSONL file; a bad line is a UserError naming the file, line and field."""
    out: list[Example] = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            out.append(_example(path, number, line, group or path.stem, require_labels))
    return out


def _example(path: Path, number: int, line: str, group: str, require_labels: bool) -> Example:
    where = f"{path}, строка {number}"
    rec = json_object(line, where, ("id", "text"))
    cats = rec.get("categories", [] if not require_labels else None)
    if not isinstance(cats, list) or any(c not in LABELS for c in cats):
        raise UserError(f"{where}, поле «categories»: ожидается список кодов из {', '.join(LABELS)}")
    polarity = rec.get("polarity", None if require_labels else "neutral")
    if polarity not in POLARITIES:
        raise UserError(f"{where}, поле «polarity»: ожидается одно из {', '.join(POLARITIES)}")
    text = text_field(rec, where)
    rating = rec.get("rating")
    if rating is not None and not isinstance(rating, int | float):
        raise UserError(f"{where}, поле «rating»: ожидается число или null")
    return Example(str(rec["id"]), text or "", tuple(sorted(set(cats))), polarity,
                   float(rating) if rating is not None else None, group)


def load_corpus(directory: Path = CORPUS_DIR) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(directory.glob("*.jsonl")):
        examples.extend(read_labelled(path))
    return sorted(examples, key=lambda e: e.id)


def analyst_examples(url: str | None = None) -> list[Example]:
    """Items an analyst labelled: their analyst categories and polarity are the truth."""
    from sqlmodel import select

    from models.db import session_scope
    from models.tables import Classification, Feedback

    with session_scope(url) as session:
        items = session.exec(
            select(Feedback.id, Feedback.text, Feedback.polarity, Feedback.rating)
            .where(Feedback.analyst_labeled_at.is_not(None))  # type: ignore[union-attr]
            .order_by(Feedback.id)  # type: ignore[arg-type]
        ).all()
        rows = session.exec(
            select(Classification.feedback_id, Classification.category)
            .where(Classification.origin == "analyst")
        ).all()
    cats: dict[int | None, set[str]] = {}
    for owner, cat in rows:
        if cat in LABELS:
            cats.setdefault(owner, set()).add(cat)
    out = []
    for fid, text, polarity, rating in items:
        if not text:
            continue
        labels = tuple(sorted(cats.get(fid, set())))
        pol = polarity if polarity in POLARITIES else ("negative" if labels else "neutral")
        out.append(Example(f"db-{fid}", text, labels, pol, rating, "analyst"))
    return out


@dataclass
class Analysed:
    docs: list[Doc]
    lexicon: list[dict[tuple[str, str], float]]


def lexicon_scores(doc: Doc) -> dict[tuple[str, str], float]:
    return combined().scores(doc)


def analyse_all(texts: Sequence[str], progress: Progress | None = None) -> Analysed:
    docs, lex = [], []
    for i, text in enumerate(texts):
        doc = analyse(text)
        docs.append(doc)
        lex.append(lexicon_scores(doc))
        if progress and (i + 1) % 200 == 0:
            progress("analyse", i + 1, len(texts))
    return Analysed(docs, lex)


def _targets(examples: Sequence[Example]) -> np.ndarray:
    y = np.zeros((len(examples), len(LABELS)), dtype=np.int8)
    for r, ex in enumerate(examples):
        for c in ex.categories:
            y[r, LABELS.index(c)] = 1
    return y


def fit(examples: Sequence[Example], analysed: Analysed, params: Params,
        thresholds: np.ndarray | None = None, version: str = "dev") -> PainModel:
    """Fit the feature space and both linear models on the given examples."""
    from sklearn.linear_model import LogisticRegression

    space = FeatureSpace.fit(analysed.docs, [pains(), sentiment()], params.weights,
                             params.min_df_words, params.min_df_chars)
    x = space.transform(analysed.docs, analysed.lexicon)
    y = _targets(examples)
    coef = np.zeros((x.shape[1], len(LABELS)), dtype=np.float32)
    intercept = np.full(len(LABELS), -10.0, dtype=np.float32)
    for j in range(len(LABELS)):
        if 0 < y[:, j].sum() < len(y):
            clf = LogisticRegression(C=params.C, solver="liblinear", class_weight=params.class_weight,
                                     random_state=SEED, max_iter=1000)
            clf.fit(x, y[:, j])
            coef[:, j], intercept[j] = clf.coef_[0], clf.intercept_[0]
    pol_coef, pol_intercept = _fit_polarity(examples, analysed, space, x, params)
    return PainModel(version, list(LABELS), space, coef, intercept,
                     thresholds if thresholds is not None else np.full(len(LABELS), 0.5, np.float32),
                     list(POLARITIES), pol_coef, pol_intercept, {"params": params.as_dict()})


def _fit_polarity(examples: Sequence[Example], analysed: Analysed, space: FeatureSpace, x: Any,
                  params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial polarity; rated examples are seen with and without their rating, since
    ПОС messages and some imports come without stars."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    ratings = [ex.rating for ex in examples]
    with_rating = polarity_extras(analysed.docs, ratings)
    without = polarity_extras(analysed.docs, [None] * len(examples))
    rated = [i for i, r in enumerate(ratings) if r is not None]
    xs = sp.vstack([sp.hstack([x, with_rating], format="csr"),
                    sp.hstack([x[rated], without[rated]], format="csr")], format="csr")
    ys = [POLARITIES.index(ex.polarity) for ex in examples] + [POLARITIES.index(examples[i].polarity)
                                                                 for i in rated]
    clf = LogisticRegression(C=params.polarity_C, max_iter=3000, random_state=SEED)
    clf.fit(xs, ys)
    coef = np.zeros((xs.shape[1], len(POLARITIES)), dtype=np.float32)
    intercept = np.zeros(len(POLARITIES), dtype=np.float32)
    for k, cls in enumerate(clf.classes_):
        coef[:, cls] = clf.coef_[k]
        intercept[cls] = clf.intercept_[k]
    return coef, intercept


def subset(analysed: Analysed, idx: Sequence[int] | np.ndarray) -> Analysed:
    return Analysed([analysed.docs[i] for i in idx], [analysed.lexicon[i] for i in idx])


def folds(examples: Sequence[Example], k: int = 5) -> list[np.ndarray]:
    """Test-index folds: one per author group when there are several, else k stratified-ish."""
    groups = sorted({ex.group for ex in examples})
    if len(groups) >= 3:
        return [np.array([i for i, ex in enumerate(examples) if ex.group == g]) for g in groups]
    rng = np.random.RandomState(SEED)
    order = rng.permutation(len(examples))
    return [order[i::k] for i in range(k)]


def out_of_fold(examples: Sequence[Example], analysed: Analysed, params: Params,
                progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Category and polarity probabilities of each example from a model that never saw it."""
    cats = np.zeros((len(examples), len(LABELS)), dtype=np.float32)
    pols = np.zeros((len(examples), len(POLARITIES)), dtype=np.float32)
    test_folds = folds(examples)
    for n, test in enumerate(test_folds):
        mask = np.ones(len(examples), bool)
        mask[test] = False
        train_idx = np.flatnonzero(mask)
        model = fit([examples[int(i)] for i in train_idx], subset(analysed, train_idx), params)
        part = subset(analysed, test)
        x = model.space.transform(part.docs, part.lexicon)
        cats[test] = model.category_proba(x)
        pols[test] = model.polarity_proba(x, polarity_extras(part.docs, [examples[i].rating for i in test]))
        if progress:
            progress("cv", n + 1, len(test_folds))
    return cats, pols


def tune_thresholds(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per label, the threshold with the best F1 (smoothed over neighbours, ties → 0.5)."""
    grid = np.round(np.arange(0.10, 0.91, 0.01), 2)
    out = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        f1 = np.array([_f1(y[:, j], probs[:, j] >= t) for t in grid])
        smooth = np.convolve(np.pad(f1, 3, mode="edge"), np.ones(7) / 7, mode="valid")
        best = smooth.max()
        candidates = grid[np.isclose(smooth, best)]
        out[j] = candidates[np.argmin(np.abs(candidates - 0.5))]
    return out


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = int((y & pred).sum())
    fp = int((~y.astype(bool) & pred).sum())
    fn = int((y.astype(bool) & ~pred).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def model_version(examples: Sequence[Example], params: Params) -> str:
    """A content hash of the training inputs: same data and parameters, same version."""
    h = hashlib.sha256(json.dumps(params.as_dict(), sort_keys=True).encode())
    for path in sorted((Path(__file__).with_name("lexicons")).glob("*.yaml")):
        h.update(path.read_bytes())
    for ex in examples:
        h.update(json.dumps([ex.id, ex.text, ex.categories, ex.polarity, ex.rating],
                            ensure_ascii=False).encode())
    return "nlp-" + h.hexdigest()[:12]


@dataclass
class TrainReport:
    path: Path
    version: str
    n_corpus: int
    n_analyst: int
    thresholds: dict[str, float]
    cv_micro_f1: float
    cv_polarity_accuracy: float


def train(output: Path = DEFAULT_MODEL, corpus_dir: Path = CORPUS_DIR, database_url: str | None = None,
          use_database: bool = False, params: Params | None = None,
          progress: Progress | None = None) -> TrainReport:
    """Rebuild the model: corpus (+ analyst labels) → thresholds by CV → final fit → file."""
    params = params or Params()
    corpus = load_corpus(corpus_dir)
    analyst = analyst_examples(database_url) if use_database else []
    examples = corpus + analyst
    if len(examples) < 20:
        raise UserError(f"слишком мало размеченных текстов для обучения: {len(examples)}")
    analysed = analyse_all([ex.text for ex in examples], progress)
    cats, pols = out_of_fold(examples, analysed, params, progress)
    y = _targets(examples)
    thresholds = tune_thresholds(y, cats)
    version = model_version(examples, params)
    model = fit(examples, analysed, params, thresholds, version)
    pred = cats >= thresholds
    micro = _f1(y.ravel(), pred.ravel())
    pol_acc = float(np.mean([POLARITIES[k] == ex.polarity for k, ex in zip(pols.argmax(1), examples,
                                                                           strict=True)]))
    model.info.update({"n_corpus": len(corpus), "n_analyst": len(analyst),
                       "cv_micro_f1": round(micro, 4), "cv_polarity_accuracy": round(pol_acc, 4)})
    model.save(output)
    return TrainReport(output, version, len(corpus), len(analyst),
                       {lab: round(float(t), 2) for lab, t in zip(LABELS, thresholds, strict=True)},
                       micro, pol_acc)
