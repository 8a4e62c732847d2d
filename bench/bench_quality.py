"""Quality of the shipped classifier, each figure on the set it names.

- realistic validation set (`nlp/data/v2/validation`, 680 texts by two writers whose texts are
  not in training): micro/macro-F1, polarity, evidence, per category, per genre. The shipped
  thresholds were calibrated on this set, so the honest estimate is the *cross-writer* one
  printed beside it: thresholds tuned on one validation writer, judged on the other;
- the old held-out set (`nlp/data/heldout`, v1: short texts written to the taxonomy);
- the negation set (`nlp/data/negation`): texts that mention an aspect as fine (absent,
  negated or praised), with or without a real complaint — the share of fine aspects the
  model does not turn into a complaint;
- personal data: spans of the held-out set found by masking.

Run: `python -m bench.bench_quality`.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "nlp" / "data"


def _results(clf: Any, examples: Sequence[Any]) -> list[Any]:
    out = []
    for start in range(0, len(examples), 512):
        part = examples[start:start + 512]
        out += clf.classify_batch([e.text for e in part], [e.rating for e in part])
    return out


def cross_writer(examples: Sequence[Any], results: Sequence[Any], labels: Sequence[str]) -> dict[str, float]:
    """Thresholds tuned on one writer's texts, applied to the other's (and back); a text the
    model calls positive carries no category, as in the classifier."""
    from nlp.evaluation import evaluate
    from nlp.training import text_targets, tune_thresholds

    y = text_targets(examples)
    probs = np.array([[r.scores[c] for c in labels] for r in results], dtype=np.float32)
    chosen: list[list[str]] = [[] for _ in examples]
    for group in sorted({e.group for e in examples}):
        mine = np.array([e.group == group for e in examples])
        thresholds = tune_thresholds(y[~mine], probs[~mine])
        for r in np.flatnonzero(mine):
            if results[r].polarity != "positive":
                chosen[r] = [c for j, c in enumerate(labels) if probs[r, j] >= thresholds[j]]
    ev = evaluate([e.categories for e in examples], [e.polarity for e in examples], chosen,
                  [r.polarity for r in results])
    return {"micro_f1": ev.micro_f1, "macro_f1": ev.macro_f1}


def negation_figures(clf: Any) -> dict[str, float] | None:
    """On the negation set: fine aspects left alone, complaints found, polarity."""
    path = DATA / "negation" / "negation.jsonl"
    if not path.exists():
        return None
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    results = clf.classify_batch([r["text"] for r in records])
    fine = sum(len(r["fine"]) for r in records)
    kept = sum(c not in res.categories for r, res in zip(records, results, strict=True) for c in r["fine"])
    complaints = sum(len(r["categories"]) for r in records)
    found = sum(c in res.categories for r, res in zip(records, results, strict=True) for c in r["categories"])
    return {"texts": len(records), "fine_aspects": fine, "left_alone": round(kept / fine, 4),
            "complaints": complaints, "complaints_found": round(found / complaints, 4) if complaints else 0.0,
            "texts_all_right": round(sum(set(r["categories"]) == set(res.categories)
                                         for r, res in zip(records, results, strict=True)) / len(records), 4)}


def personal_data(files: Sequence[Path], ner: bool) -> tuple[int, int]:
    """(spans annotated, spans still readable after masking) over files whose records list
    their personal data in `pii`."""
    from nlp.masking import Masker

    masker = Masker(ner=ner)
    total = left = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            spans = [p["text"] for p in rec.get("pii") or []]
            if not spans:
                continue
            masked, _ = masker.mask(rec["text"])
            total += len(spans)
            left += sum(s in masked for s in spans)
    return total, left


def staff_mentions(path: Path) -> tuple[int, int, int, int]:
    """(staff names annotated, found as mentions, of them with the right attitude, mentions
    that are not annotated staff) on a file whose `pii` marks staff and their attitude."""
    from nlp.classifier import Classifier
    from nlp.people import nominative

    clf = Classifier.load(ner=True)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    results = clf.classify_batch([r["text"] for r in records], [r.get("rating") for r in records])
    gold = found = right = false = 0
    for rec, res in zip(records, results, strict=True):
        staff = {nominative(p["text"]): p.get("polarity") for p in rec.get("pii") or [] if p.get("staff")}
        got = {m["name"]: m["polarity"] for m in res.mentions}
        gold += len(staff)
        found += sum(name in got for name in staff)
        right += sum(got.get(name) == attitude for name, attitude in staff.items())
        false += sum(name not in staff for name in got)
    return gold, found, right, false


def main(argv: list[str] | None = None) -> None:
    from nlp.classifier import Classifier
    from nlp.evaluation import evaluation_of
    from nlp.training import load_validation, read_labelled

    clf = Classifier.load(mask=False)
    labels = clf.model.labels
    validation = load_validation()
    results = _results(clf, validation)
    ev = evaluation_of(clf, validation)
    cross = cross_writer(validation, results, labels)
    print(f"quality of model {clf.version}")
    print(f"  realistic validation ({ev.n} texts, 2 writers not in training): micro-F1 {ev.micro_f1:.3f} "
          f"macro-F1 {ev.macro_f1:.3f} polarity {ev.polarity_accuracy:.3f} "
          f"evidence {ev.evidence_accuracy:.3f}")
    print(f"    cross-writer thresholds (honest estimate): micro-F1 {cross['micro_f1']:.3f} "
          f"macro-F1 {cross['macro_f1']:.3f}")
    for genre in sorted({e.genre for e in validation}):
        part = [e for e in validation if e.genre == genre]
        g = evaluation_of(clf, part)
        print(f"    {genre:8s} ({len(part):3d}): micro-F1 {g.micro_f1:.3f} "
              f"polarity {g.polarity_accuracy:.3f}")
    print("    per category: " + "; ".join(
        f"{c} P{m['precision']:.2f} R{m['recall']:.2f} F{m['f1']:.2f} n{m['support']}"
        for c, m in ev.per_category.items()))
    held = evaluation_of(clf, read_labelled(DATA / "heldout" / "gold.jsonl"))
    print(f"  old held-out (v1, {held.n} short texts written to the taxonomy): micro-F1 {held.micro_f1:.3f} "
          f"macro-F1 {held.macro_f1:.3f} polarity {held.polarity_accuracy:.3f}")
    pii_files = [DATA / "heldout" / "gold.jsonl", DATA.parent.parent / "ingest" / "demo" / "texts.jsonl"]
    for ner in (False, True):
        total, left = personal_data(pii_files, ner)
        state = "on" if ner else "off"
        print(f"  personal data (held-out + demo texts, {total} annotated spans), NER {state}: "
              f"{left} left readable")
    gold, found, right, false = staff_mentions(DATA / "heldout" / "gold.jsonl")
    print(f"  staff mentions (held-out, {gold} named staff): found {found}, attitude right {right}, "
          f"false mentions {false}")
    neg = negation_figures(clf)
    if neg:
        print(f"  negation set ({neg['texts']} texts): fine aspects left alone {neg['left_alone']:.3f} "
              f"of {neg['fine_aspects']}; complaints found {neg['complaints_found']:.3f} "
              f"of {neg['complaints']}; "
              f"texts exactly right {neg['texts_all_right']:.3f}")


if __name__ == "__main__":
    main()
