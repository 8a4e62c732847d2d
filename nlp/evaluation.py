"""Quality figures against a gold file: per-category precision/recall/F1/support, micro and
macro F1 (macro over the categories present in the gold), polarity accuracy and, where the
gold has evidence spans, how often the evidence of a rightly predicted category points at
the gold evidence (the best unit overlaps the annotator's fragment)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nlp.training import LABELS

if TYPE_CHECKING:
    from nlp.classifier import Classifier
    from nlp.training import Example


Span = tuple[int, int]


@dataclass
class Evaluation:
    per_category: dict[str, dict[str, float]]
    micro_f1: float
    macro_f1: float
    polarity_accuracy: float
    n: int
    evidence_accuracy: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"per_category": self.per_category, "micro_f1": self.micro_f1, "macro_f1": self.macro_f1,
                "polarity_accuracy": self.polarity_accuracy, "n": self.n,
                "evidence_accuracy": self.evidence_accuracy}


def evidence_accuracy(gold: Sequence[dict[str, Span]], predicted: Sequence[dict[str, Span]]) -> float | None:
    """Share of categories both sides have (with a gold span) whose predicted evidence
    overlaps the gold fragment."""
    hits = total = 0
    for g, p in zip(gold, predicted, strict=True):
        for category, (a, b) in g.items():
            if category in p:
                total += 1
                start, end = p[category]
                hits += start < b and a < end
    return round(hits / total, 4) if total else None


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(gold_categories: Sequence[Sequence[str]], gold_polarity: Sequence[str],
             pred_categories: Sequence[Sequence[str]], pred_polarity: Sequence[str]) -> Evaluation:
    if not len(gold_categories) == len(pred_categories) == len(gold_polarity) == len(pred_polarity):
        raise ValueError("gold and predictions differ in length")
    per: dict[str, dict[str, float]] = {}
    total_tp = total_fp = total_fn = 0
    labels = list(LABELS) + sorted({c for cs in gold_categories for c in cs} - set(LABELS))
    for label in labels:
        tp = fp = fn = 0
        for gold, pred in zip(gold_categories, pred_categories, strict=True):
            g, p = label in gold, label in pred
            tp += g and p
            fp += p and not g
            fn += g and not p
        precision, recall, f1 = _prf(tp, fp, fn)
        per[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                      "support": tp + fn}
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
    present = [lab for lab in labels if per[lab]["support"] > 0]
    macro = sum(per[lab]["f1"] for lab in present) / len(present) if present else 0.0
    n = len(gold_polarity)
    accuracy = sum(g == p for g, p in zip(gold_polarity, pred_polarity, strict=True)) / n if n else 0.0
    return Evaluation(per, round(_prf(total_tp, total_fp, total_fn)[2], 4), round(macro, 4),
                      round(accuracy, 4), n)


def evaluation_of(clf: Classifier, examples: Sequence[Example], batch: int = 512) -> Evaluation:
    """Classify labelled examples and compare, evidence included."""
    results = []
    for start in range(0, len(examples), batch):
        part = examples[start:start + batch]
        results += clf.classify_batch([e.text for e in part], [e.rating for e in part])
    ev = evaluate([e.categories for e in examples], [e.polarity for e in examples],
                  [r.categories for r in results], [r.polarity for r in results])
    ev.evidence_accuracy = evidence_accuracy(
        [{c: (a, b) for c, a, b in e.evidence} for e in examples],
        [{c: (ev_[0].start, ev_[0].end) for c, ev_ in r.evidence.items() if ev_} for r in results])
    return ev
