"""The negation set from its parts: the writer's texts (`raw.txt`, written from `plan.txt`:
aspects that went fine, sometimes one real complaint), an independent annotator's labels
(`labels.txt`, blind to the plan). An aspect the plan says went fine counts as `fine` unless
the annotator coded it (then the text was not written as planned and the aspect is left out).

    python nlp/data/negation/assemble.py   # writes negation.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "v2"))

from assemble import blocks, labels, locate  # noqa: E402  (the corpus v2 tools)


def main() -> None:
    lines = (HERE / "intent.jsonl").read_text("utf-8").splitlines()
    intent = {json.loads(line)["id"]: json.loads(line) for line in lines}
    gold = labels(HERE / "labels.txt")
    out = []
    for ident, _, text in blocks(HERE / "raw.txt"):
        lab = gold[ident]
        fine = [c for c in intent[ident]["negated"] if c not in lab.categories]
        spans = {c: locate(text, lab.evidence.get(c, "")) for c in lab.categories}
        evidence = {c: list(span) for c, span in spans.items() if span}
        out.append({"id": ident, "text": text, "categories": list(lab.categories), "polarity": lab.polarity,
                    "fine": fine, "evidence": evidence})
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in out]
    (HERE / "negation.jsonl").write_text("".join(lines), "utf-8")
    n_fine = sum(len(r["fine"]) for r in out)
    dropped = sum(len(intent[r["id"]]["negated"]) for r in out) - n_fine
    print(f"{len(out)} texts, {n_fine} fine aspects ({dropped} planned as fine but coded by the annotator), "
          f"{sum(len(r['categories']) for r in out)} complaints")


if __name__ == "__main__":
    main()
