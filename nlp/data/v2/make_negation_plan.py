"""Plans for two more training writers (x1, x2) of corpus v2: texts that mention aspects of
the service as fine — absent, negated or praised, in many wordings — most of them next to
one real complaint, so the model learns that «приняли минут через пять» is not a queue.
Written after the first model left 15 % of such mentions as complaints on the negation set
(`nlp/data/negation`, a separate writer and annotator: never used for training).

    python nlp/data/v2/make_negation_plan.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from make_plan import ASPECTS, AUTHORS, FINE, MANNERS, OFFICES

HERE = Path(__file__).parent
GENRES = {"review": "map-service review", "news": "quote in a local-news piece", "forum": "forum post",
          "survey": "survey free answer", "story": "first-person story", "pos": "ПОС message"}
HOW = ["with a negation word (не было, никто не, ни разу, без)",
       "with no negation word at all: say what went well",
       "in passing, inside a longer sentence", "as a contrast before the complaint ('X was fine, but …')",
       "as a surprise ('I expected X to be bad, but it was fine')"]


def main() -> None:
    for name, count in (("x1", 250), ("x2", 250)):
        rng = random.Random(f"painmap-v2-negation-{name}")
        lines, intents = [f"# plan for writer {name}, {count} texts"], []
        for i in range(1, count + 1):
            genre = rng.choice(list(GENRES))
            fine = rng.sample(list(FINE), rng.choice([1, 1, 2]))
            others = [c for c in ASPECTS if c not in fine]
            complaint = [rng.choice(others)] if rng.random() < 0.6 else []
            attitude = "negative" if complaint else "positive"
            length = rng.choice([60, 120, 200, 300, 450, 650])
            stars = ""
            if genre == "review":
                stars = f" | stars={rng.choice([1, 2, 3]) if complaint else rng.choice([4, 5])}"
            lines.append(f"{name}-{i:04d} | genre={genre} | ~{length} chars | attitude={attitude}{stars} | "
                         f"office: {rng.choice(list(OFFICES))} | author: {rng.choice(AUTHORS)} | "
                         f"manner: {rng.choice(MANNERS)}")
            lines += [f"    - this went fine, say it {rng.choice(HOW)}: {FINE[c]}" for c in fine]
            lines += [f"    - {rng.choice(ASPECTS[c])}" for c in complaint]
            intents.append(json.dumps({"id": f"{name}-{i:04d}", "genre": genre, "split": "train",
                                       "codes": complaint, "attitude": attitude, "fine": fine}))
        (HERE / "briefs" / f"{name}.plan.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (HERE / "briefs" / f"{name}.intent.jsonl").write_text("\n".join(intents) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
