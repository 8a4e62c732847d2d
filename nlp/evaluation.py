"""Quality figures against a gold file: per-category precision/recall/F1/support, micro and
macro F1 (macro over the categories present in the gold) and polarity accuracy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlp.training import LABELS


@dataclass
class Evaluation:
    per_category: dict[str, dict[str, float]]
    micro_f1: float
    macro_f1: float
    polarity_accuracy: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {"per_category": self.per_category, "micro_f1": self.micro_f1, "macro_f1": self.macro_f1,
                "polarity_accuracy": self.polarity_accuracy, "n": self.n}


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
