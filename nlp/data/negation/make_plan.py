"""The plan of the negation set (fixed seed): per text, one or two aspects that went fine and,
for 45 % of the texts, one real complaint, a genre and a length.

    python nlp/data/negation/make_plan.py   # writes plan.txt and intent.jsonl
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
CODES = ["queue", "phone", "rudeness", "competence", "schedule", "premises", "booking", "information",
         "timeliness", "bureaucracy", "corruption", "online"]
FINE = {
    "queue": "no waiting / no line / seen at once",
    "phone": "got through on the phone / they picked up",
    "rudeness": "nobody was rude; staff polite (possibly said as 'no rudeness at all')",
    "competence": "the specialist knew everything / no mistakes in documents",
    "schedule": "open as posted / no lunch break problem / the clerk was at the desk",
    "premises": "seats, clean, warm, ramp present",
    "booking": "booking a slot was easy / the ticket machine worked",
    "information": "everything was written clearly on the stand or website",
    "timeliness": "done on time / the answer came within the deadline",
    "bureaucracy": "no extra papers demanded / everything in one visit",
    "corruption": "nobody asked for money / no 'thank-you' payments expected",
    "online": "the online application / Госуслуги worked fine",
}
COMPLAINT = {
    "queue": "waited a long time on the day", "phone": "could not get through by phone",
    "rudeness": "staff were dismissive or rude (show it, don't name it)",
    "competence": "staff gave wrong or contradictory advice",
    "schedule": "desk closed or clerk absent during posted hours",
    "premises": "nowhere to sit / stuffy / no ramp",
    "booking": "no free slots for weeks / ticket machine broken",
    "information": "nobody explains which documents are needed",
    "timeliness": "result weeks late / no answer for months",
    "bureaucracy": "sent back for an unnecessary paper",
    "corruption": "asked for money off the books", "online": "the online application failed",
}
GENRES = ["map review", "survey answer", "forum post", "quote in a local-news piece", "ПОС message"]


def main() -> None:
    rng = random.Random("painmap-negation")
    lines, intent = ["# negation set plan: 240 texts"], []
    for i in range(1, 241):
        fine = rng.sample(CODES, rng.choice([1, 1, 2]))
        complaint = [rng.choice([c for c in CODES if c not in fine])] if rng.random() < 0.45 else []
        genre = rng.choice(GENRES)
        how = rng.choice(["with a negation word (не было, никто не, ни разу не, без)",
                          "without any negation word, just saying it went well",
                          "with irony-free matter-of-fact tone",
                          "as a contrast: 'X was fine, but ...'" if complaint else "as plain praise"])
        lines.append(f"n-{i:04d} | {genre} | ~{rng.choice([80, 150, 250, 400, 600])} chars")
        lines += [f"    - this went fine, say it {how}: {FINE[c]}" for c in fine]
        lines += [f"    - a real complaint: {COMPLAINT[c]}" for c in complaint]
        intent.append(json.dumps({"id": f"n-{i:04d}", "negated": fine, "complaint": complaint}))
    (HERE / "plan.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "intent.jsonl").write_text("\n".join(intent) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
