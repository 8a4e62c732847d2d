"""The trained model as shipped inside the package: feature vocabularies and the weights of
the linear models that read a text twice — sentence by sentence and as a whole.

- unit model (one-vs-rest logistic, per category): the probability that one sentence unit
  states the complaint; the best unit is the category's evidence. One more column scores
  praise, so that polarity can tell a story with a thank-you in it (mixed) from a plain
  complaint;
- text model (the same, over the whole text);
- pooling (per category): the text's probability from the logits of its best unit and of
  the whole-text model, `σ(a·logit(max unit) + b·logit(text) + c)`, fitted on
  out-of-fold predictions, so a complaint that is one sentence in a long story is not
  diluted by the story;
- per-category thresholds, calibrated on the realistic validation set;
- polarity (multinomial) over the text features, the rating, emoji, the pooled complaint
  probabilities and the strongest praise and complaint units; it decides alone (argmax).
  Forcing agreement with the categories («a complaint is never positive») was tried on
  corpus v1 and dropped: category mistakes then spill into polarity.

Only numpy/scipy are needed to apply it, so loading is fast and scikit-learn is a
training-time tool. Saved with joblib (zlib): the same training inputs give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

from nlp.features import Block, FeatureSpace

MODEL_DIR = Path(__file__).with_name("model")
DEFAULT_MODEL = MODEL_DIR / "painmap.joblib"
FORMAT = 2


@dataclass
class Linear:
    """One-vs-rest (or multinomial) weights: features × outputs, and intercepts."""

    coef: np.ndarray
    intercept: np.ndarray

    def logits(self, x: sp.csr_matrix | np.ndarray) -> np.ndarray:
        return np.asarray(x @ self.coef) + self.intercept


@dataclass
class PainModel:
    version: str
    labels: list[str]
    space: FeatureSpace
    unit: Linear
    text: Linear
    pool: np.ndarray  # labels × 3: weight of the best unit's logit, of the text's logit, bias
    thresholds: np.ndarray
    polarity_labels: list[str]
    polarity: Linear  # (features + extras) × classes
    info: dict[str, Any]

    def unit_logits(self, x_units: sp.csr_matrix) -> np.ndarray:
        return self.unit.logits(x_units)

    def pooled(self, unit_logits: np.ndarray, x_texts: sp.csr_matrix, bounds: np.ndarray) -> np.ndarray:
        """Category probabilities of each text from its best unit and its whole-text logit."""
        n = len(self.labels)
        best = max_per_text(unit_logits[:, :n], bounds, n)
        text = self.text.logits(x_texts)
        z = self.pool[:, 0] * best + self.pool[:, 1] * text + self.pool[:, 2]
        return sigmoid(z)

    def polarity_proba(self, x_texts: sp.csr_matrix, extras: np.ndarray) -> np.ndarray:
        z = self.polarity.logits(sp.hstack([x_texts, sp.csr_matrix(extras)], format="csr"))
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict[str, Any]:
        s = self.space
        return {
            "format": FORMAT, "version": self.version, "labels": list(self.labels),
            "words": _vocab_list(s.words), "words_idf": s.words.idf,
            "chars": _vocab_list(s.chars), "chars_idf": s.chars.idf,
            "lexicon_keys": [list(k) for k in s.lexicon_keys], "weights": dict(sorted(s.weights.items())),
            "unit_coef": _f32(self.unit.coef), "unit_intercept": _f32(self.unit.intercept),
            "text_coef": _f32(self.text.coef), "text_intercept": _f32(self.text.intercept),
            "pool": _f32(self.pool), "thresholds": _f32(self.thresholds),
            "polarity_labels": list(self.polarity_labels),
            "polarity_coef": _f32(self.polarity.coef), "polarity_intercept": _f32(self.polarity.intercept),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PainModel:
        if d.get("format") != FORMAT:
            raise ValueError(f"неподдерживаемый формат модели: {d.get('format')} (нужен {FORMAT}); "
                             "переобучите модель командой painmap train")
        space = FeatureSpace(
            Block({t: i for i, t in enumerate(d["words"])}, d["words_idf"]),
            Block({t: i for i, t in enumerate(d["chars"])}, d["chars_idf"]),
            [(a, b) for a, b in d["lexicon_keys"]], dict(d["weights"]),
        )
        return cls(d["version"], list(d["labels"]), space, Linear(d["unit_coef"], d["unit_intercept"]),
                   Linear(d["text_coef"], d["text_intercept"]), d["pool"], d["thresholds"],
                   list(d["polarity_labels"]), Linear(d["polarity_coef"], d["polarity_intercept"]),
                   d["info"])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.to_dict(), path, compress=("zlib", 6), protocol=4)

    @classmethod
    def load(cls, path: Path | None = None) -> PainModel:
        return cls.from_dict(joblib.load(path or DEFAULT_MODEL))


def max_per_text(values: np.ndarray, bounds: np.ndarray, width: int) -> np.ndarray:
    """Row-wise maximum over each text's units (texts without units get a very low value)."""
    out = np.full((len(bounds) - 1, width), -30.0, dtype=np.float32)
    has = bounds[1:] > bounds[:-1]
    if values.shape[0]:
        out[has] = np.maximum.reduceat(values, bounds[:-1][has], axis=0)
    return out


def unit_summary(unit_logits: np.ndarray, bounds: np.ndarray, n_labels: int) -> np.ndarray:
    """Per text: the strongest praise unit, the mean praise over units, the strongest
    complaint unit (probabilities) — what the polarity model reads besides the text."""
    out = np.zeros((len(bounds) - 1, 3), dtype=np.float32)
    has = bounds[1:] > bounds[:-1]
    if not unit_logits.shape[0]:
        return out
    praise = sigmoid(unit_logits[:, n_labels])
    complaint = sigmoid(unit_logits[:, :n_labels].max(axis=1))
    starts = bounds[:-1][has]
    out[has, 0] = np.maximum.reduceat(praise, starts)
    out[has, 1] = np.add.reduceat(praise, starts) / np.diff(bounds)[has]
    out[has, 2] = np.maximum.reduceat(complaint, starts)
    return out


def _vocab_list(block: Block) -> list[str]:
    out = [""] * block.size
    for term, i in block.vocabulary.items():
        out[i] = term
    return out


def _f32(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))
