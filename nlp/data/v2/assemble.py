"""Corpus v2 from its parts: the writers' raw texts (`raw/<writer>.txt`), two annotators'
independent labels (`labels/a/`, `labels/b/`) and the adjudicator's decisions on the texts
they disagreed about (`labels/adjudicated/`).

    python nlp/data/v2/assemble.py disagreements   # labels/disagreements/<writer>.txt for the adjudicator
    python nlp/data/v2/assemble.py build           # train/*.jsonl, validation/*.jsonl, AGREEMENT.md

A text both annotators labelled alike takes annotator A's evidence; a disputed one takes the
adjudicator's labels and evidence. Evidence quotes are located in the text (exactly, else
ignoring case and spacing, else by the longest common run) and stored as character spans.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
CODES = ("queue", "phone", "rudeness", "competence", "schedule", "premises", "booking", "information",
         "timeliness", "bureaucracy", "corruption", "online")
POLARITIES = ("negative", "positive", "mixed", "neutral")
HEADER = re.compile(r"^=== ([a-z]\d*-\d{4})(.*)$")
GENRES = {"review": "yandex", "news": None, "story": None, "appeal": None, "forum": None,
          "survey": "survey", "pos": "pos"}


@dataclass
class Labels:
    categories: tuple[str, ...] = ()
    polarity: str = "neutral"
    evidence: dict[str, str] = field(default_factory=dict)


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """(id, header rest, body) of every `=== id` block of a file."""
    out: list[tuple[str, str, str]] = []
    current: list[str] = []
    head: tuple[str, str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = HEADER.match(line)
        if m:
            if head:
                out.append((head[0], head[1], "\n".join(current).strip()))
            head, current = (m.group(1), m.group(2)), []
        elif head:
            current.append(line)
    if head:
        out.append((head[0], head[1], "\n".join(current).strip()))
    return out


def texts(writer: str) -> dict[str, tuple[str, int | None]]:
    out = {}
    for ident, rest, body in blocks(HERE / "raw" / f"{writer}.txt"):
        stars = re.search(r"stars=(\d)", rest)
        out[ident] = (body, int(stars.group(1)) if stars else None)
    return out


def labels(path: Path) -> dict[str, Labels]:
    out: dict[str, Labels] = {}
    if not path.exists():
        return out
    for ident, _, body in blocks(path):
        lab = Labels()
        for line in body.splitlines():
            key, _, value = line.partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "categories":
                cats = [c.strip() for c in re.split(r"[,\s]+", value) if c.strip() and c.strip() != "-"]
                lab.categories = tuple(sorted({c for c in cats if c in CODES}, key=CODES.index))
            elif key == "polarity" and value in POLARITIES:
                lab.polarity = value
            elif key in CODES and value:
                lab.evidence[key] = value
        out[ident] = lab
    return out


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Character span of an evidence quote in the text."""
    quote = quote.strip().strip("«»\"'").strip()
    if not quote:
        return None
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    squash = re.compile(r"\s+")
    flat: list[str] = []
    index: list[int] = []
    for pos, ch in enumerate(text):
        if ch.isspace():
            if flat and flat[-1] == " ":
                continue
            flat.append(" ")
        else:
            flat.append(ch.lower())
        index.append(pos)
    needle = squash.sub(" ", quote.lower())
    j = "".join(flat).find(needle)
    if j >= 0:
        return index[j], index[j + len(needle) - 1] + 1
    match = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(
        0, len(text), 0, len(quote))
    if match.size >= max(12, len(quote) // 2):
        return match.a, match.a + match.size
    return None


def differ(a: Labels, b: Labels) -> bool:
    return a.categories != b.categories or a.polarity != b.polarity


def writers() -> list[str]:
    return sorted(p.stem for p in (HERE / "raw").glob("*.txt"))


def write_disagreements() -> None:
    out_dir = HERE / "labels" / "disagreements"
    out_dir.mkdir(parents=True, exist_ok=True)
    for writer in writers():
        a, b = labels(HERE / "labels/a" / f"{writer}.txt"), labels(HERE / "labels/b" / f"{writer}.txt")
        written = texts(writer)
        if not set(written) <= set(a) or not set(written) <= set(b):
            continue  # an annotator has not finished this file
        lines = []
        for ident, (text, stars) in written.items():
            la, lb = a.get(ident), b.get(ident)
            if la and lb and not differ(la, lb):
                continue
            lines.append(f"=== {ident}" + (f" | stars={stars}" if stars else ""))
            lines.append(text)
            for name, lab in (("A", la), ("B", lb)):
                if lab is None:
                    lines.append(f"--- {name}: (no label)")
                    continue
                cats = ", ".join(lab.categories) or "-"
                lines.append(f"--- {name}: categories: {cats}; polarity: {lab.polarity}")
                lines += [f"--- {name} {code}: {quote}" for code, quote in lab.evidence.items()]
        (out_dir / f"{writer}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(writer, sum(1 for line in lines if line.startswith("=== ")), "disagreements")


def f1(pairs: list[tuple[set[str], set[str]]], code: str | None = None) -> float:
    tp = fp = fn = 0
    for gold, pred in pairs:
        g = gold if code is None else gold & {code}
        p = pred if code is None else pred & {code}
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    return 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if not (fp or fn) else 0.0)


def build() -> None:
    report = ["# Corpus v2: annotator agreement", "",
              "Two annotators labelled every text independently (A and B); micro/macro-F1 of B "
              "against A, polarity = share of texts with the same polarity; adjudicated = texts "
              "where they differed in any category or the polarity.", "",
              "| writer | split | texts | micro-F1 | macro-F1 | polarity | adjudicated | evidence located |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    totals: dict[str, list[tuple[set[str], set[str]]]] = {"train": [], "validation": []}
    pol_totals: dict[str, list[bool]] = {"train": [], "validation": []}
    for writer in writers():
        a, b = labels(HERE / "labels/a" / f"{writer}.txt"), labels(HERE / "labels/b" / f"{writer}.txt")
        adj = labels(HERE / "labels/adjudicated" / f"{writer}.txt")
        if not a or not b:
            print(writer, "not labelled by both annotators yet", file=sys.stderr)
            continue
        split = "validation" if writer.startswith("v") else "train"
        plan = {json.loads(line)["id"]: json.loads(line)
                for line in (HERE / "briefs" / f"{writer}.intent.jsonl").read_text("utf-8").splitlines()}
        records, pairs, pol, disputed, found, wanted = [], [], [], 0, 0, 0
        for ident, (text, stars) in texts(writer).items():
            la, lb = a.get(ident), b.get(ident)
            if la is None or lb is None:
                print(f"{ident}: missing a label (A: {la is not None}, B: {lb is not None})", file=sys.stderr)
                continue
            pairs.append((set(la.categories), set(lb.categories)))
            pol.append(la.polarity == lb.polarity)
            final = la
            if differ(la, lb):
                disputed += 1
                final = adj.get(ident) or _fallback(la, lb, ident)
            evidence = {}
            for code in final.categories:
                quote = final.evidence.get(code) or la.evidence.get(code) or lb.evidence.get(code) or ""
                span = locate(text, quote)
                wanted += 1
                if span:
                    found += 1
                    evidence[code] = list(span)
            genre = plan.get(ident, {}).get("genre", "")
            records.append({"id": ident, "text": text, "categories": list(final.categories),
                            "polarity": final.polarity, "evidence": evidence, "genre": genre,
                            "channel": GENRES.get(genre), "rating": stars, "writer": writer})
        out = HERE / split / f"{writer}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        totals[split] += pairs
        pol_totals[split] += pol
        macro = sum(f1(pairs, c) for c in CODES) / len(CODES)
        report.append(f"| {writer} | {split} | {len(records)} | {f1(pairs):.3f} | {macro:.3f} | "
                      f"{sum(pol) / len(pol):.3f} | {disputed} | {found}/{wanted} |")
    for split, pairs in totals.items():
        if pairs:
            macro = sum(f1(pairs, c) for c in CODES) / len(CODES)
            report.append(f"| **all** | {split} | {len(pairs)} | {f1(pairs):.3f} | {macro:.3f} | "
                          f"{sum(pol_totals[split]) / len(pol_totals[split]):.3f} | | |")
    (HERE / "AGREEMENT.md").write_text("\n".join(report) + "\n", encoding="utf-8")
    print("\n".join(report))


def _fallback(a: Labels, b: Labels, ident: str) -> Labels:
    """A dispute the adjudicator has not decided yet: the categories both gave, A's polarity."""
    print(f"{ident}: not adjudicated yet", file=sys.stderr)
    return Labels(tuple(c for c in a.categories if c in b.categories), a.polarity, a.evidence)


if __name__ == "__main__":
    {"disagreements": write_disagreements, "build": build}[sys.argv[1]]()
