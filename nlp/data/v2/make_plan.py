"""Writers' plans for corpus v2: one slot per text to write (office, author, genre, length,
attitude, what happened), sampled with a fixed seed to match the label and shape figures of
real citizens' texts (../shared/corpus/REAL_TEXT_FIGURES.md).

Situations are described in English on purpose: writers phrase them in Russian themselves,
so the taxonomy's cue words do not leak into the texts. The plan's aspects are the writer's
brief, not the labels: texts are labelled afterwards by two annotators who never see it.

    python nlp/data/v2/make_plan.py   # writes nlp/data/v2/briefs/<writer>.plan.txt
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent

# Office types and their share in the real texts (administrations first).
OFFICES = {
    "city or district administration (a department: land, housing, architecture, transport, "
    "the head's reception office)": 27,
    "school office / school administration": 8,
    "kindergarten / education department": 7,
    "polyclinic registry or reception desk (adult or children's)": 14,
    "social protection office (соцзащита)": 8,
    "passport and migration desk (МВД)": 5,
    "pension fund client service (СФР)": 4,
    "МФЦ": 5,
    "ГИБДД / МРЭО registration desk": 3,
    "ЗАГС": 3,
    "tax office (ФНС) inspection": 2,
    "employment centre (ЦЗН)": 2,
    "court office or bailiffs (ФССП) reception": 2,
    "police station desk / district officer": 2,
    "municipal archive": 1,
    "guardianship department (опека)": 2,
    "Росреестр / cadastre office": 1,
    "village or settlement administration": 4,
}

AUTHORS = [
    "a pensioner, 70s", "a young mother on maternity leave", "a father of three", "a student",
    "a small business owner", "a factory worker on shifts", "a teacher", "a village resident",
    "a disabled person in a wheelchair or their relative", "a migrant worker with basic Russian",
    "a retired military man", "a nurse", "a taxi driver", "an office clerk", "a farmer",
    "a middle-aged woman caring for an elderly parent", "a newcomer who moved from another region",
    "an IT specialist", "a single mother", "a veteran of labour",
]

MANNERS = [
    "careful and literate", "hurried: typos, missing spaces after commas and dots, no capitals",
    "emotional, many exclamation marks, a CAPS word or two", "ironic or sarcastic",
    "old-fashioned and formal", "colloquial with slang", "long-winded with digressions",
    "dry and factual", "tired and bitter", "polite but firm",
]

# What happened, per pain aspect: several kinds each, described without Russian cue words.
ASPECTS = {
    "queue": [
        "waited for hours on the day to be seen (say how long, what they did meanwhile)",
        "people crowded the corridor / stairs / street outside before and after opening",
        "had a booked time but was seen long after it",
        "the live line was chaotic: people pushing in, 'I only have a question', no order",
        "had to come at dawn / the night before to stand and take a place",
        "a hearing or appointment started an hour or more late, everyone waiting in the hall",
    ],
    "phone": [
        "called for days, nobody picked up / long beeps",
        "the line is always busy, or music then disconnection",
        "transferred between extensions until the call dropped",
        "the number published on the site or map card does not exist / belongs to someone else",
        "the hotline robot loops without ever reaching a person",
    ],
    "rudeness": [
        "the official spoke as if the visitor owed them something, without looking up",
        "a staff member raised her voice / snapped at an elderly person or a child",
        "ignored the visitor while chatting / drinking tea / on a personal phone call",
        "a humiliating remark about the visitor's age, clothes, accent or intelligence",
        "put out of the office, door closed in the face, 'not my problem'",
        "a guard or registry clerk treated patients/parents like cattle",
        "indifference: shrugged, 'so what do you want from me', no empathy for a sick person",
    ],
    "competence": [
        "staff gave wrong information that cost a second trip",
        "two employees said opposite things about the same rule",
        "an employee made an error in the issued document (name, number, date)",
        "the specialist did not know the current rules and had to phone someone / guessed",
        "the consultation answered nothing: 'look it up yourself'",
    ],
    "schedule": [
        "came within the posted hours and found the door locked / nobody at the desk",
        "the staff member left 'for a minute' and never came back",
        "only one or two of several windows or desks were staffed",
        "reception only on two weekdays and only mornings: impossible for working people",
        "an unannounced long lunch or 'technical break' in the middle of the day",
        "the office closes before the end of the working day in practice",
    ],
    "premises": [
        "nowhere to sit, people standing for hours, elderly on their feet",
        "stuffy / cold / dripping roof in the waiting area",
        "no toilet for visitors or it is locked / filthy",
        "no ramp / lift: wheelchair or pram could not get in",
        "the office is hard to find: no sign, entrance from the yard, wrong floor",
        "no parking anywhere near / cramped tiny corridor",
    ],
    "booking": [
        "the ticket machine (e-queue terminal) was broken or printed nonsense",
        "no free appointment slots for weeks online or by phone",
        "tickets for the day ran out within the first hour",
        "a booked appointment was cancelled and not rescheduled",
        "could not get a personal appointment with an official (head, deputy, inspector)",
        "the online booking form fails or shows no dates at all",
    ],
    "information": [
        "nobody tells what documents are needed; learned it only at the window",
        "the website / map card shows wrong hours or an old address",
        "the notice board inside is outdated / contradicts the website",
        "the procedure is unexplained anywhere: fees, forms, which desk",
        "no sign says which window deals with what",
    ],
    "timeliness": [
        "the result (certificate, decision, payment) came weeks past the legal deadline",
        "the application was lost and had to be filed again",
        "a written appeal by the author got no answer for months",
        "promised a call-back / a decision 'next week' many times",
        "months pass and the author's request is still 'under review'",
    ],
    "bureaucracy": [
        "asked for a paper the law does not require",
        "sent from one office to another and back again",
        "had to come three or more times for one simple matter",
        "the author's written appeal got a formal non-answer ('your appeal has been forwarded')",
        "refused on a formality (wrong pen colour, a copy not certified, form version)",
    ],
    "corruption": [
        "a staff member hinted that money would speed things up",
        "a paid intermediary at the entrance offers to 'arrange everything'",
        "the school/kindergarten demands 'voluntary' contributions for repairs or the fund",
        "paid for forms or photocopies that should be free, no receipt",
        "a place in the line / an appointment could be bought informally",
    ],
    "online": [
        "an application on Госуслуги hung in one status or returned an error",
        "the office's own website form does not submit / personal account broken",
        "the office did not accept what was filed electronically: 'bring paper'",
        "electronic signature / online payment failed so the service could not be done online",
    ],
}

# An aspect that went fine, mentioned in passing: the hard negatives.
FINE = {
    "queue": "hardly any waiting, seen almost at once",
    "phone": "got through on the phone at once",
    "rudeness": "the staff were polite and attentive",
    "competence": "the specialist explained everything clearly",
    "schedule": "the office was open and staffed as posted",
    "premises": "clean, warm, enough seats",
    "booking": "booking a slot was easy",
    "information": "the list of documents on the website was correct",
    "timeliness": "the result was ready on time",
    "bureaucracy": "no extra papers were asked for",
    "corruption": "nobody asked for anything extra, all fees at the cashier",
    "online": "the online application went through",
}

# Negative topics that carry no code, and the traps where a pain word does not mean a pain.
OUT_OF_SCOPE = [
    "potholed roads / no road to the village", "snow not cleared in the yard or streets",
    "utility bills grew / heating, water, rubbish collection", "public transport routes cut",
    "no places in kindergartens (waiting list 'очередь в садик' is a shortage, not a line)",
    "waiting list for housing or land for large families (a shortage, not a line)",
    "the size of a benefit / pension / allowance is too small", "a new law or rule the author finds unfair",
    "quality of medical treatment (misdiagnosis, a doctor's decision), not the registry",
    "quality of teaching, class sizes, a school being closed or merged", "officials in general, "
    "politics, elections, promises before elections", "stray dogs, playground broken, lighting",
    "a building site or demolition next door", "prices, tariffs, the official fee amount",
    "a closed feldsher post or clinic in the village (the whole service missing)",
    "an official's unkept public promise (no appeal by the author)",
    "a rhetorical outburst about 'bureaucrats' with no concrete service episode",
]

POSITIVE = [
    "thanks to a named employee (first name + patronymic, or surname) who helped a lot",
    "everything was quick and polite; mention that there was no waiting",
    "praise of the new premises and the friendly staff",
    "a got-through-on-the-phone-at-once, booked-online-easily story",
    "short 'all good, thank you'", "praise of a school secretary / clinic registrar by name",
]

NEUTRAL = [
    "a question: hours, documents or procedure, no complaint",
    "a factual account of a visit, neither praise nor complaint",
    "advice to others on how to do the procedure",
]

# (min, max) characters by genre.
GENRES = {
    "review": ("map-service review (Yandex Maps / 2GIS) of the office, with a star rating", (60, 900)),
    "news": ("a fragment of a local-news piece quoting residents: sometimes only the resident's words,"
             " sometimes a paragraph with the journalist's framing and '— рассказывает ...'", (120, 1100)),
    "story": ("a long first-person blog story with background (who, why, what before), the complaint"
              " inside the story", (600, 1700)),
    "appeal": ("a letter / open appeal to the head of the administration or another official", (400, 1400)),
    "forum": ("a post on a city forum or a parents' / residents' chat, asking others or venting",
              (150, 1000)),
    "survey": ("a free answer in a satisfaction survey form ('what should we improve?')", (5, 350)),
    "pos": ("a message sent through ПОС (Платформа обратной связи / Госуслуги 'Решаем вместе')", (150, 1000)),
}

# How many categories a text with categories gets, in the real texts: 1 57 %, 2 30 %, 3 11 %, 4 2 %.
N_CATS = [1] * 57 + [2] * 30 + [3] * 11 + [4] * 2
REAL_FREQ: dict[str, float] = {
             "queue": 15, "premises": 13, "bureaucracy": 12, "rudeness": 12, "timeliness": 10,
             "booking": 5, "schedule": 5, "competence": 4, "information": 3, "corruption": 3,
             "phone": 2, "online": 1.2}
# Training plans flatten the rare codes so each has enough examples to learn from.
TRAIN_FREQ: dict[str, float] = {
              "queue": 12, "premises": 10, "bureaucracy": 10, "rudeness": 11, "timeliness": 9,
              "booking": 7, "schedule": 7, "competence": 7, "information": 6, "corruption": 5,
              "phone": 5, "online": 5}

# Writers: (name, genres with weights, number of texts, training or validation).
WRITERS = [
    ("t1", {"review": 1}, 450, "train"),
    ("t2", {"review": 1}, 400, "train"),
    ("t3", {"news": 1}, 450, "train"),
    ("t4", {"news": 2, "appeal": 1}, 360, "train"),
    ("t5", {"story": 1}, 300, "train"),
    ("t6", {"appeal": 1}, 300, "train"),
    ("t7", {"forum": 1}, 320, "train"),
    ("t8", {"survey": 1, "pos": 1}, 450, "train"),
    # a second round of training writers, in the genre mix of the real texts (news quotes and
    # map reviews first), added when the corpus of 3,030 texts still left room to grow
    ("t9", {"news": 1}, 300, "train"),
    ("t10", {"review": 1}, 300, "train"),
    ("t11", {"story": 1, "appeal": 1}, 300, "train"),
    ("t12", {"forum": 1, "news": 1}, 300, "train"),
    ("v1", {"review": 3, "forum": 1, "survey": 1}, 340, "validation"),
    ("v2", {"news": 3, "story": 1, "appeal": 1, "pos": 1}, 340, "validation"),
]


def pick_aspects(rng: random.Random, freq: dict[str, float], n: int) -> list[str]:
    codes, weights = list(freq), list(freq.values())
    out: list[str] = []
    while len(out) < n:
        code = rng.choices(codes, weights)[0]
        if code not in out:
            out.append(code)
    return out


def slot(rng: random.Random, genre: str, split: str) -> dict[str, object]:
    freq = TRAIN_FREQ if split == "train" else REAL_FREQ
    lo, hi = GENRES[genre][1]
    office = rng.choices(list(OFFICES), list(OFFICES.values()))[0]
    r = rng.random() * 100
    none_share = 45 if split == "train" else 47
    if genre == "news":
        none_share += 12  # news pieces are mostly about roads, utilities, places
    if genre == "survey":
        none_share -= 5
    situations: list[str] = []
    if r < none_share:
        k = rng.random()
        if k < 0.60:
            attitude, what = "negative", [rng.choice(OUT_OF_SCOPE)]
        elif k < 0.86:
            attitude, what = "positive", [rng.choice(POSITIVE)]
        elif k < 0.93:
            attitude, what = "neutral", [rng.choice(NEUTRAL)]
        else:
            attitude, what = "mixed", [rng.choice(OUT_OF_SCOPE) + " — but praise of how the staff handled it"]
        codes: list[str] = []
    else:
        n = rng.choice(N_CATS)
        if genre == "survey":
            n = min(n, 2)
        codes = pick_aspects(rng, freq, n)
        what = [rng.choice(ASPECTS[c]) for c in codes]
        attitude = "mixed" if rng.random() < 0.16 else "negative"
        if rng.random() < 0.35 and genre != "survey":
            what.append("background / side topic: " + rng.choice(OUT_OF_SCOPE))
    if rng.random() < 0.25 and attitude != "neutral":
        fine = rng.choice([c for c in ASPECTS if c not in codes])
        situations.append(f"mention in passing that this went fine: {FINE[fine]} (not a complaint)")
    length = int(min(hi, max(lo, rng.lognormvariate(0, 0.55) * (lo + hi) / 2.6)))
    return {"codes": codes, "office": office, "author": rng.choice(AUTHORS), "manner": rng.choice(MANNERS),
            "attitude": attitude, "what": what + situations, "length": length}


def main() -> None:
    out_dir = HERE / "briefs"
    out_dir.mkdir(exist_ok=True)
    for name, genres, count, split in WRITERS:
        rng = random.Random(f"painmap-v2-{name}")
        lines = [f"# plan for writer {name}, {count} texts"]
        intents = []
        for i in range(1, count + 1):
            genre = rng.choices(list(genres), list(genres.values()))[0]
            s = slot(rng, genre, split)
            rating = ""
            if genre == "review":
                # one draw per attitude, as the plans were first made (keeps them reproducible)
                draws = {"negative": rng.choice([1, 1, 1, 2, 2, 3]), "mixed": rng.choice([2, 3, 3, 4]),
                         "positive": rng.choice([4, 5, 5, 5]), "neutral": rng.choice([3, 4, 5])}
                rating = f" | stars={draws[str(s['attitude'])]}"
            lines.append(f"{name}-{i:04d} | genre={genre} | ~{s['length']} chars | attitude={s['attitude']}"
                         f"{rating} | office: {s['office']} | author: {s['author']} | manner: {s['manner']}")
            for w in s["what"]:  # type: ignore[attr-defined]
                lines.append(f"    - {w}")
            intents.append(json.dumps({"id": f"{name}-{i:04d}", "genre": genre, "split": split,
                                       "codes": s["codes"], "attitude": s["attitude"]}))
        (out_dir / f"{name}.plan.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (out_dir / f"{name}.intent.jsonl").write_text("\n".join(intents) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
