"""The trained model as shipped inside the package: feature vocabularies and the weights of
two linear models (one-vs-rest pain categories, multinomial polarity).

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
FORMAT = 1


@dataclass
class PainModel:
    version: str
    labels: list[str]
    space: FeatureSpace
    coef: np.ndarray  # features × labels
    intercept: np.ndarray
    thresholds: np.ndarray
    polarity_labels: list[str]
    polarity_coef: np.ndarray  # (features + extras) × classes
    polarity_intercept: np.ndarray
    info: dict[str, Any]

    def category_proba(self, x: sp.csr_matrix) -> np.ndarray:
        return _sigmoid(np.asarray(x @ self.coef) + self.intercept)

    def polarity_proba(self, x: sp.csr_matrix, extras: sp.csr_matrix) -> np.ndarray:
        z = np.asarray(sp.hstack([x, extras], format="csr") @ self.polarity_coef) + self.polarity_intercept
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
            "coef": self.coef.astype(np.float32), "intercept": self.intercept.astype(np.float32),
            "thresholds": self.thresholds.astype(np.float32),
            "polarity_labels": list(self.polarity_labels),
            "polarity_coef": self.polarity_coef.astype(np.float32),
            "polarity_intercept": self.polarity_intercept.astype(np.float32),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PainModel:
        if d.get("format") != FORMAT:
            raise ValueError(f"неподдерживаемый формат модели: {d.get('format')}")
        space = FeatureSpace(
            Block({t: i for i, t in enumerate(d["words"])}, d["words_idf"]),
            Block({t: i for i, t in enumerate(d["chars"])}, d["chars_idf"]),
            [(a, b) for a, b in d["lexicon_keys"]], dict(d["weights"]),
        )
        return cls(d["version"], list(d["labels"]), space, d["coef"], d["intercept"], d["thresholds"],
                   list(d["polarity_labels"]), d["polarity_coef"], d["polarity_intercept"], d["info"])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.to_dict(), path, compress=("zlib", 6), protocol=4)

    @classmethod
    def load(cls, path: Path | None = None) -> PainModel:
        return cls.from_dict(joblib.load(path or DEFAULT_MODEL))


def _vocab_list(block: Block) -> list[str]:
    out = [""] * block.size
    for term, i in block.vocabulary.items():
        out[i] = term
    return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
