"""The public API: feedback texts → pain categories, polarity, masked text, staff mentions.

    clf = Classifier.load()
    results = clf.classify_batch(["Очередь три часа, стульев нет"], ratings=[1])

Texts go through the model in batches (one sparse matrix product per batch); lemmas and
char n-gram columns are cached across calls, so a long run gets faster as it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.document import Doc, analyse
from nlp.features import polarity_extras
from nlp.masking import Masker
from nlp.mentions import mentions
from nlp.model import DEFAULT_MODEL, PainModel
from nlp.polarity import NEUTRAL, decide
from nlp.training import lexicon_scores


@dataclass
class Result:
    categories: list[str]
    polarity: str
    scores: dict[str, float]
    text_masked: str | None = None
    mentions: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"categories": self.categories, "polarity": self.polarity, "scores": self.scores,
                "text_masked": self.text_masked, "mentions": self.mentions}


class Classifier:
    """A loaded model plus the masker; `mask=False` skips personal data (the fastest path)."""

    def __init__(self, model: PainModel, mask: bool = True, ner: bool = True):
        self.model = model
        self.mask = mask
        self.masker = Masker(ner=ner)

    @classmethod
    def load(cls, path: Path | str | None = None, mask: bool = True, ner: bool = True) -> Classifier:
        return cls(PainModel.load(Path(path) if path else DEFAULT_MODEL), mask=mask, ner=ner)

    @property
    def version(self) -> str:
        return self.model.version

    def classify(self, text: str | None, rating: float | None = None) -> Result:
        return self.classify_batch([text], [rating])[0]

    def classify_batch(self, texts: Sequence[str | None],
                       ratings: Sequence[float | None] | None = None) -> list[Result]:
        ratings = list(ratings) if ratings is not None else [None] * len(texts)
        if len(ratings) != len(texts):
            raise ValueError("ratings and texts differ in length")
        docs = [analyse(t) for t in texts]
        results = self._predict(docs, ratings)
        if self.mask:
            for text, result in zip(texts, results, strict=True):
                masked, spans = self.masker.mask(text or "")
                result.text_masked = masked
                result.mentions = [m.as_dict() for m in mentions(text or "", spans, result.polarity)]
        return results

    def _predict(self, docs: list[Doc], ratings: list[float | None]) -> list[Result]:
        model = self.model
        live = [i for i, d in enumerate(docs) if d.russian]
        results = [Result([], NEUTRAL, {lab: 0.0 for lab in model.labels}) for _ in docs]
        if not live:
            return results
        part = [docs[i] for i in live]
        x = model.space.transform(part, [lexicon_scores(d) for d in part])
        cats = model.category_proba(x)
        pols = model.polarity_proba(x, polarity_extras(part, [ratings[i] for i in live]))
        for row, i in enumerate(live):
            chosen = [lab for j, lab in enumerate(model.labels) if cats[row, j] >= model.thresholds[j]]
            results[i] = Result(chosen, decide(pols[row], model.polarity_labels),
                                {lab: round(float(cats[row, j]), 4) for j, lab in enumerate(model.labels)})
        return results
