"""Training: the labelled corpora in `nlp/data/` (+ analyst corrections from the store) → the
model file shipped in `nlp/model/`.

What is read:
- `nlp/data/v2/train/*.jsonl` — corpus v2: texts written the way citizens write (stories,
  reviews, letters, news quotes, forum posts, survey answers, ПОС messages), labelled by two
  annotators with adjudication, each category with its evidence span (corpus v1 in
  `nlp/data/corpus/` can be added with `painmap train --corpus`; texts without evidence
  spans are handled, see below);
- `nlp/data/v2/validation/*.jsonl` — the realistic validation set, by writers whose texts are
  not in training: per-category thresholds are calibrated on it and models are judged on it.
  `nlp/data/heldout/` (v1's held-out set) is never read here.

How: every text is read in sentence units. Unit targets come from the evidence spans: a
unit holding a category's evidence is positive for it; units of a text without the category
are negative; other units of a text with the category are left out for that category (they
may restate it). Where a text has a category but no located evidence, its best-scoring unit
under a first model becomes the positive one (multiple-instance learning). The pooling of
unit and text logits is fitted on out-of-fold predictions (folds = writers), and so is the
polarity model's view of the pooled probabilities.

Deterministic by construction: files and records are read in sorted order, every solver has
a fixed seed, and the saved file has no timestamps, so the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from nlp.categories import CODES
from nlp.classifier import Classifier
from nlp.document import Text, read
from nlp.features import FeatureSpace, polarity_extras
from nlp.jsonl import json_object, text_field
from nlp.lexicon import combined, pains, sentiment
from nlp.model import DEFAULT_MODEL, Linear, PainModel, max_per_text, sigmoid, unit_summary
from vocabulary.categories import POLARITIES
from vocabulary.errors import UserError

DATA_DIR = Path(__file__).with_name("data")
CORPUS_DIR = DATA_DIR / "corpus"
V2_DIR = DATA_DIR / "v2"
TRAIN_DIRS = (V2_DIR / "train", CORPUS_DIR)
V1_WEIGHT = 0.2  # chosen on the validation set (BENCHMARKS.md, NLP)
VALIDATION_DIR = V2_DIR / "validation"
LABELS = CODES
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
    evidence: tuple[tuple[str, int, int], ...] = ()
    genre: str = ""
    weight: float = 1.0  # in fitting: corpus v1 counts less than the realistic corpus


@dataclass(frozen=True)
class Params:
    """Hyper-parameters, chosen on the realistic validation set (BENCHMARKS.md, NLP)."""

    C_unit: float = 8.0
    C_text: float = 16.0
    polarity_C: float = 2.0
    class_weight: str | None = "balanced"
    weights: dict[str, float] = field(default_factory=lambda: {"words": 1.0, "chars": 0.6, "lexicon": 0.0})
    min_df_words: int = 2
    min_df_chars: int = 3
    other_units: float = 0.0  # weight of the non-evidence units of a text with the category

    def as_dict(self) -> dict[str, Any]:
        return {"C_unit": self.C_unit, "C_text": self.C_text, "polarity_C": self.polarity_C,
                "class_weight": self.class_weight, "weights": dict(sorted(self.weights.items())),
                "min_df_words": self.min_df_words, "min_df_chars": self.min_df_chars,
                "other_units": self.other_units}


# --- reading labelled files -------------------------------------------------------------------

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
    text = text_field(rec, where) or ""
    rating = rec.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int | float)):
        raise UserError(f"{where}, поле «rating»: ожидается число или null")
    evidence = []
    for code, span in sorted((rec.get("evidence") or {}).items()):
        if code not in cats or not isinstance(span, list) or len(span) != 2 \
                or not all(isinstance(v, int) for v in span) or not 0 <= span[0] < span[1] <= len(text):
            raise UserError(f"{where}, поле «evidence»: ожидается {{код: [начало, конец]}} внутри текста "
                            "для кодов из «categories»")
        evidence.append((code, span[0], span[1]))
    return Example(str(rec["id"]), text, tuple(sorted(set(cats), key=LABELS.index)), polarity,
                   float(rating) if rating is not None else None, group, tuple(evidence),
                   str(rec.get("genre") or ""))


def load_corpus(directories: Sequence[Path] | Path = TRAIN_DIRS) -> list[Example]:
    """Every labelled file of the directories; the group of an example is its file (a writer).
    Corpus v1 (`nlp/data/corpus`) is weighted `V1_WEIGHT`: it teaches the short, explicit
    texts (survey answers, terminal comments) without outvoting the realistic corpus."""
    dirs = [directories] if isinstance(directories, Path) else list(directories)
    examples: list[Example] = []
    for directory in dirs:
        weight = V1_WEIGHT if directory.resolve() == CORPUS_DIR.resolve() else 1.0
        for path in sorted(directory.glob("*.jsonl")):
            examples.extend(replace(e, weight=weight) if weight != 1.0 else e for e in read_labelled(path))
    return sorted(examples, key=lambda e: e.id)


def load_validation(directory: Path = VALIDATION_DIR) -> list[Example]:
    return load_corpus(directory)


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
        labels = tuple(sorted(cats.get(fid, set()), key=LABELS.index))
        pol = polarity if polarity in POLARITIES else ("negative" if labels else "neutral")
        out.append(Example(f"db-{fid}", text, labels, pol, rating, "analyst"))
    return out


# --- analysis and targets ---------------------------------------------------------------------

@dataclass
class Analysed:
    texts: list[Text]
    lexicon: list[list[dict[tuple[str, str], float]]] | None


def analyse_all(texts: Sequence[str], lexicon: bool = False, progress: Progress | None = None) -> Analysed:
    out, lex = [], []
    scorer = combined() if lexicon else None
    for i, text in enumerate(texts):
        t = read(text)
        out.append(t)
        if scorer is not None:
            lex.append([scorer.scores(d) for d in t.docs])
        if progress and (i + 1) % 500 == 0:
            progress("analyse", i + 1, len(texts))
    return Analysed(out, lex if lexicon else None)


def subset(analysed: Analysed, idx: Sequence[int] | np.ndarray) -> Analysed:
    return Analysed([analysed.texts[i] for i in idx],
                    [analysed.lexicon[i] for i in idx] if analysed.lexicon is not None else None)


def text_targets(examples: Sequence[Example]) -> np.ndarray:
    y = np.zeros((len(examples), len(LABELS)), dtype=np.int8)
    for r, ex in enumerate(examples):
        for c in ex.categories:
            y[r, LABELS.index(c)] = 1
    return y


UNIT_COLUMNS = (*LABELS, "praise")
PRAISE = len(LABELS)


def unit_targets(examples: Sequence[Example], analysed: Analysed, bounds: np.ndarray,
                 other_units: float, unit_logits: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per unit and category: the target and its weight (0 = left out). See the module doc.
    The last column is praise: no unit of a negative or neutral text praises; a positive or
    mixed text praises somewhere, so its best-scoring unit under a first model (trained on
    all units of positive texts) is praise and the rest are left out."""
    n_units = int(bounds[-1])
    y = np.zeros((n_units, len(UNIT_COLUMNS)), dtype=np.int8)
    w = np.ones((n_units, len(UNIT_COLUMNS)), dtype=np.float32)
    for r, ex in enumerate(examples):
        lo, hi = int(bounds[r]), int(bounds[r + 1])
        if hi <= lo:
            continue
        w[lo:hi] = ex.weight
        if ex.polarity in ("positive", "mixed"):
            if unit_logits is None:  # first round: a positive text's units, to start from
                y[lo:hi, PRAISE] = 1 if ex.polarity == "positive" else 0
                w[lo:hi, PRAISE] = ex.weight if ex.polarity == "positive" else 0.0
            else:  # then only the unit that praises best; the rest may be narrative
                w[lo:hi, PRAISE] = 0.0
                k = int(np.argmax(unit_logits[lo:hi, PRAISE]))
                y[lo + k, PRAISE], w[lo + k, PRAISE] = 1, ex.weight
        units = analysed.texts[r].units
        spans = {c: (a, b) for c, a, b in ex.evidence}
        for c in ex.categories:
            j = LABELS.index(c)
            w[lo:hi, j] = other_units * ex.weight
            hits = [k for k, u in enumerate(units) if c in spans and _overlaps(u.start, u.stop, *spans[c])]
            if not hits:
                if hi - lo == 1:
                    hits = [0]
                elif unit_logits is not None:
                    hits = [int(np.argmax(unit_logits[lo:hi, j]))]
                else:
                    continue
            for k in hits:
                y[lo + k, j], w[lo + k, j] = 1, ex.weight
    return y, w


def _overlaps(start: int, stop: int, a: int, b: int) -> bool:
    """A unit holds evidence when they share at least a third of the shorter of the two."""
    shared = min(stop, b) - max(start, a)
    return shared > 0 and shared >= min(stop - start, b - a) / 3


# --- fitting ----------------------------------------------------------------------------------

def _logistic(x: sp.csr_matrix, y: np.ndarray, C: float, class_weight: str | None,
              sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    keep = np.ones(len(y), bool) if sample_weight is None else sample_weight > 0
    if keep.sum() == 0 or y[keep].min() == y[keep].max():
        return np.zeros(x.shape[1], np.float32), -10.0
    clf = LogisticRegression(C=C, solver="liblinear", class_weight=class_weight, random_state=SEED,
                             max_iter=1000)
    clf.fit(x[keep], y[keep], sample_weight=None if sample_weight is None else sample_weight[keep])
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def _one_vs_rest(x: sp.csr_matrix, y: np.ndarray, C: float, class_weight: str | None,
                 w: np.ndarray) -> Linear:
    coef = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    intercept = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        coef[:, j], intercept[j] = _logistic(x, y[:, j], C, class_weight, w[:, j])
    return Linear(coef, intercept)


@dataclass
class Fitted:
    """The category part of a model: vocabulary, unit and text models."""

    space: FeatureSpace
    unit: Linear
    text: Linear


def fit_categories(examples: Sequence[Example], analysed: Analysed, params: Params) -> Fitted:
    docs = [d for t in analysed.texts for d in t.docs]
    lexicons = [pains(), sentiment()] if analysed.lexicon is not None else []
    space = FeatureSpace.fit(docs, lexicons, params.weights, params.min_df_words, params.min_df_chars)
    x_units, x_texts, bounds = space.transform_texts([t.docs for t in analysed.texts], analysed.lexicon)
    y_text = text_targets(examples)
    text_w = np.array([ex.weight for ex in examples], dtype=np.float32)
    text = _one_vs_rest(x_texts, y_text, params.C_text, params.class_weight,
                        np.repeat(text_w[:, None], len(LABELS), axis=1))
    y_unit, w_unit = unit_targets(examples, analysed, bounds, params.other_units)
    unit = _one_vs_rest(x_units, y_unit, params.C_unit, params.class_weight, w_unit)
    # second round: texts without located evidence, and the praise of mixed texts, take their
    # best unit under the first model (multiple-instance learning)
    y_unit, w_unit = unit_targets(examples, analysed, bounds, params.other_units, unit.logits(x_units))
    unit = _one_vs_rest(x_units, y_unit, params.C_unit, params.class_weight, w_unit)
    return Fitted(space, unit, text)


def category_logits(fitted: Fitted, analysed: Analysed
                    ) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, np.ndarray]:
    """(best unit logit, whole-text logit, text features, unit summary) of each text."""
    x_units, x_texts, bounds = fitted.space.transform_texts([t.docs for t in analysed.texts],
                                                            analysed.lexicon)
    unit_logits = fitted.unit.logits(x_units)
    best = max_per_text(unit_logits[:, :len(LABELS)], bounds, len(LABELS))
    return best, fitted.text.logits(x_texts), x_texts, unit_summary(unit_logits, bounds, len(LABELS))


def fit_pool(y: np.ndarray, best: np.ndarray, text: np.ndarray) -> np.ndarray:
    """Per category, a two-input logistic regression on the best unit's and the text's logits."""
    from sklearn.linear_model import LogisticRegression

    pool = np.zeros((len(LABELS), 3), dtype=np.float32)
    for j in range(len(LABELS)):
        if y[:, j].min() == y[:, j].max():
            pool[j] = (0.5, 0.5, 0.0)
            continue
        clf = LogisticRegression(C=1.0, random_state=SEED, max_iter=1000)
        clf.fit(np.column_stack([best[:, j], text[:, j]]), y[:, j])
        pool[j] = (clf.coef_[0][0], clf.coef_[0][1], clf.intercept_[0])
    return pool


def pooled_proba(pool: np.ndarray, best: np.ndarray, text: np.ndarray) -> np.ndarray:
    return sigmoid(pool[:, 0] * best + pool[:, 1] * text + pool[:, 2])


def fit_polarity(examples: Sequence[Example], analysed: Analysed, x_texts: sp.csr_matrix,
                 pooled: np.ndarray, units: np.ndarray, params: Params) -> Linear:
    """Multinomial polarity; rated examples are seen with and without their rating, since
    ПОС messages, news quotes and letters come without stars."""
    from sklearn.linear_model import LogisticRegression

    ratings = [ex.rating for ex in examples]
    with_rating = polarity_extras(analysed.texts, ratings, pooled, units)
    without = polarity_extras(analysed.texts, [None] * len(examples), pooled, units)
    rated = [i for i, r in enumerate(ratings) if r is not None]
    xs = sp.vstack([sp.hstack([x_texts, sp.csr_matrix(with_rating)], format="csr"),
                    sp.hstack([x_texts[rated], sp.csr_matrix(without[rated])], format="csr")], format="csr")
    target = [POLARITIES.index(ex.polarity) for ex in examples]
    ys = target + [target[i] for i in rated]
    weights = [ex.weight for ex in examples] + [examples[i].weight for i in rated]
    clf = LogisticRegression(C=params.polarity_C, max_iter=3000, random_state=SEED)
    clf.fit(xs, ys, sample_weight=np.array(weights, dtype=np.float32))
    coef = np.zeros((xs.shape[1], len(POLARITIES)), dtype=np.float32)
    intercept = np.zeros(len(POLARITIES), dtype=np.float32)
    for k, cls in enumerate(clf.classes_):
        if len(clf.classes_) == 2:  # binary: sklearn keeps one row for the positive class
            sign = 1.0 if k == 1 else -1.0
            coef[:, cls], intercept[cls] = sign * clf.coef_[0] / 2, sign * clf.intercept_[0] / 2
        else:
            coef[:, cls], intercept[cls] = clf.coef_[k], clf.intercept_[k]
    for cls in set(range(len(POLARITIES))) - set(clf.classes_):
        intercept[cls] = -30.0
    return Linear(coef, intercept)


def folds(examples: Sequence[Example], k: int = 5) -> list[np.ndarray]:
    """Test-index folds that never split a writer: with several writer groups, the groups
    are dealt round-robin into at most `k` folds (so a model never sees the writer it is
    judged on); with fewer than three, `k` interleaved folds."""
    groups = sorted({ex.group for ex in examples})
    if len(groups) >= 3:
        fold_of = {g: i % k for i, g in enumerate(groups)}
        return [f for f in (np.array([i for i, ex in enumerate(examples) if fold_of[ex.group] == n])
                            for n in range(min(k, len(groups)))) if len(f)]
    rng = np.random.RandomState(SEED)
    order = rng.permutation(len(examples))
    return [order[i::k] for i in range(k)]


def out_of_fold(examples: Sequence[Example], analysed: Analysed, params: Params,
                progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best-unit and whole-text logits and the unit summary of each example, from models
    that never saw its writer."""
    best = np.zeros((len(examples), len(LABELS)), dtype=np.float32)
    text = np.zeros((len(examples), len(LABELS)), dtype=np.float32)
    summary = np.zeros((len(examples), 3), dtype=np.float32)
    test_folds = folds(examples)
    for n, test in enumerate(test_folds):
        mask = np.ones(len(examples), bool)
        mask[test] = False
        train_idx = np.flatnonzero(mask)
        fitted = fit_categories([examples[int(i)] for i in train_idx], subset(analysed, train_idx), params)
        b, t, _, s = category_logits(fitted, subset(analysed, test))
        best[test], text[test], summary[test] = b, t, s
        if progress:
            progress("cv", n + 1, len(test_folds))
    return best, text, summary


def tune_thresholds(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per label, the threshold with the best F1 (smoothed over neighbours, ties → 0.5)."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    out = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        if not y[:, j].any():
            out[j] = 0.5
            continue
        f1 = np.array([_f1(y[:, j], probs[:, j] >= t) for t in grid])
        smooth = np.convolve(np.pad(f1, 3, mode="edge"), np.ones(7) / 7, mode="valid")
        best = smooth.max()
        candidates = grid[np.isclose(smooth, best)]
        out[j] = candidates[np.argmin(np.abs(candidates - 0.5))]
    return out


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = int((y.astype(bool) & pred).sum())
    fp = int((~y.astype(bool) & pred).sum())
    fn = int((y.astype(bool) & ~pred).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def model_version(examples: Sequence[Example], params: Params, validation: Sequence[Example] = ()) -> str:
    """A content hash of the training inputs: same data and parameters, same version."""
    h = hashlib.sha256(json.dumps(params.as_dict(), sort_keys=True).encode())
    for path in sorted((Path(__file__).with_name("lexicons")).glob("*.yaml")):
        h.update(path.read_bytes())
    for ex in [*examples, *validation]:
        h.update(json.dumps([ex.id, ex.text, ex.categories, ex.polarity, ex.rating, ex.evidence, ex.weight],
                            ensure_ascii=False).encode())
    return "nlp-" + h.hexdigest()[:12]


# --- the whole training -----------------------------------------------------------------------

@dataclass
class TrainReport:
    path: Path
    version: str
    n_corpus: int
    n_analyst: int
    n_validation: int
    thresholds: dict[str, float]
    validation: dict[str, Any]
    cv_micro_f1: float


def build_model(examples: Sequence[Example], validation: Sequence[Example], params: Params,
                progress: Progress | None = None, version: str = "dev") -> PainModel:
    """Corpus → OOF logits → pooling → final category models → thresholds on the validation
    set (or OOF when there is none) → polarity. Returns the model (not saved)."""
    analysed = analyse_all([ex.text for ex in examples], params.weights.get("lexicon", 0) > 0, progress)
    y = text_targets(examples)
    oof_best, oof_text, oof_summary = out_of_fold(examples, analysed, params, progress)
    pool = fit_pool(y, oof_best, oof_text)
    oof_pooled = pooled_proba(pool, oof_best, oof_text)
    fitted = fit_categories(examples, analysed, params)
    _, _, x_texts, _ = category_logits(fitted, analysed)
    polarity = fit_polarity(examples, analysed, x_texts, oof_pooled, oof_summary, params)
    model = PainModel(version, list(LABELS), fitted.space, fitted.unit, fitted.text, pool,
                      np.full(len(LABELS), 0.5, np.float32), list(POLARITIES), polarity,
                      {"params": params.as_dict()})
    if validation:
        probs, _ = predict(model, validation)
        model.thresholds = tune_thresholds(text_targets(validation), probs)
    else:
        model.thresholds = tune_thresholds(y, oof_pooled)
    model.info["cv_micro_f1"] = round(_f1(y.ravel(), (oof_pooled >= model.thresholds).ravel()), 4)
    return model


def predict(model: PainModel, examples: Sequence[Example]) -> tuple[np.ndarray, list[str]]:
    """Pooled category probabilities and polarity of labelled examples (for judging a model)."""
    results = Classifier(model, mask=False).classify_batch([ex.text for ex in examples],
                                                           [ex.rating for ex in examples])
    probs = np.array([[r.scores[c] for c in model.labels] for r in results], dtype=np.float32)
    return probs, [r.polarity for r in results]


def judge(model: PainModel, examples: Sequence[Example]) -> dict[str, Any]:
    """micro/macro-F1, polarity accuracy and evidence accuracy of a model on labelled examples."""
    from nlp.evaluation import evaluation_of

    ev = evaluation_of(Classifier(model, mask=False), examples)
    return {"micro_f1": ev.micro_f1, "macro_f1": ev.macro_f1, "polarity_accuracy": ev.polarity_accuracy,
            "evidence_accuracy": ev.evidence_accuracy, "n": ev.n}


def train(output: Path = DEFAULT_MODEL, corpus_dirs: Sequence[Path] | Path = TRAIN_DIRS,
          validation_dir: Path | None = VALIDATION_DIR, database_url: str | None = None,
          use_database: bool = False, params: Params | None = None,
          progress: Progress | None = None) -> TrainReport:
    """Rebuild the model from the corpus (+ analyst labels) and save it."""
    params = params or Params()
    corpus = load_corpus(corpus_dirs)
    analyst = analyst_examples(database_url) if use_database else []
    has_validation = validation_dir is not None and validation_dir.exists()
    validation = load_validation(validation_dir) if has_validation else []  # type: ignore[arg-type]
    examples = corpus + analyst
    if len(examples) < 20:
        raise UserError(f"слишком мало размеченных текстов для обучения: {len(examples)}")
    version = model_version(examples, params, validation)
    model = build_model(examples, validation, params, progress, version)
    figures = judge(model, validation) if validation else {}
    model.info.update({"n_corpus": len(corpus), "n_analyst": len(analyst), "n_validation": len(validation),
                       "validation": figures})
    model.save(output)
    return TrainReport(output, version, len(corpus), len(analyst), len(validation),
                       {lab: round(float(t), 2) for lab, t in zip(LABELS, model.thresholds, strict=True)},
                       figures, float(model.info["cv_micro_f1"]))
