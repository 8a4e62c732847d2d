"""Batch classification of stored feedback on both back ends: only new or changed items,
model version recorded, analyst labels never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Classification, EmployeeMention, Feedback
from nlp.batch import classify_pending, count_pending
from nlp.classifier import Classifier

TEXTS = [
    ("1", "Простояла в очереди три часа, терминал талоны не выдаёт.", 1.0),
    ("2", "Огромное спасибо Марине Викторовне из 5 окна, всё объяснила! Мой тел. 8-912-345-67-89", 5.0),
    ("3", "Очереди не было, приняли сразу.", 5.0),
    ("4", None, 4.0),
    ("5", "Инспектор Петрова С.И. нахамила, дозвониться невозможно.", 1.0),
]


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load(ner=False)


def _seed(texts: list[tuple[str, str | None, float | None]] = TEXTS, kind: str = "yandex",
          extras: dict[str, dict[str, str]] | None = None) -> dict[str, int]:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "mfc", "МФЦ")
        src = ensure_source(session, org, kind)
        ids = {}
        for ext, text, rating in texts:
            fb = Feedback(source_id=src.id, external_id=ext, text=text, rating=rating,  # type: ignore[arg-type]
                          content_hash=f"h-{ext}", extra=(extras or {}).get(ext, {}))
            session.add(fb)
            session.flush()
            ids[ext] = fb.id
        return ids  # type: ignore[return-value]


def _rows(fid: int) -> tuple[Feedback, list[tuple[str, str]], list[EmployeeMention]]:
    with session_scope() as session:
        fb = session.get(Feedback, fid)
        cls = session.exec(select(Classification).where(Classification.feedback_id == fid)).all()
        men = session.exec(select(EmployeeMention).where(EmployeeMention.feedback_id == fid)).all()
        return fb, sorted((c.category, c.origin) for c in cls), list(men)  # type: ignore[return-value]


def test_classifies_pending_items(store: str, clf: Classifier) -> None:
    ids = _seed()
    seen: list[tuple[int, int]] = []
    counts = classify_pending(batch_size=2, classifier=clf, progress=lambda d, t: seen.append((d, t)))
    assert counts.classified == 5
    assert seen[-1] == (5, 5) and len(seen) == 3
    fb, cats, _ = _rows(ids["1"])
    assert ("queue", "model") in cats and ("booking", "model") in cats
    assert fb.polarity == "negative" and fb.polarity_origin == "model"
    assert fb.model_version == clf.version and fb.classified_hash == "h-1"
    assert set(fb.scores) >= {"queue", "phone"}
    fb, cats, men = _rows(ids["2"])
    assert fb.text_masked == ("Огромное спасибо [ФИО] из 5 окна, всё объяснила! Мой тел. [ТЕЛЕФОН]")
    assert [(m.name, m.polarity) for m in men] == [("Марина Викторовна", "positive")]
    assert cats == []
    fb, cats, _ = _rows(ids["4"])
    assert fb.polarity == "neutral" and cats == [] and fb.classified_hash == "h-4"
    assert count_pending() == 0
    again = classify_pending(classifier=clf)
    assert again.classified == 0


def test_changed_items_are_reclassified_and_analyst_labels_kept(store: str, clf: Classifier) -> None:
    ids = _seed()
    classify_pending(classifier=clf)
    fb5, cats5, _ = _rows(ids["5"])
    assert ("phone", "model") in cats5
    with session_scope() as session:
        fb = session.get(Feedback, ids["1"])
        assert fb is not None
        fb.analyst_labeled_at = datetime.now(UTC)
        fb.polarity, fb.polarity_origin = "mixed", "analyst"
        session.add(Classification(feedback_id=fb.id, category="premises", origin="analyst",  # type: ignore[arg-type]
                                   author="analyst@region"))
        fb3 = session.get(Feedback, ids["3"])
        assert fb3 is not None
        fb3.text, fb3.content_hash = "Теперь очередь огромная, ждали два часа.", "h-3b"
        fb.content_hash = "h-1b"
        session.add_all([fb, fb3])
    assert count_pending() == 2
    counts = classify_pending(classifier=clf)
    assert counts.classified == 2 and counts.analyst_kept == 1
    fb, cats, _ = _rows(ids["1"])
    assert ("premises", "analyst") in cats and ("queue", "model") in cats
    assert fb.polarity == "mixed" and fb.polarity_origin == "analyst"
    fb, cats, _ = _rows(ids["3"])
    assert ("queue", "model") in cats and fb.classified_hash == "h-3b"
    fb, cats, _ = _rows(ids["5"])  # untouched since the first run
    assert cats == cats5 and fb.scores == fb5.scores and fb.classified_hash == fb5.classified_hash


def test_limit_and_many_pages(store: str, clf: Classifier) -> None:
    _seed([(str(i), f"Ждали {i % 5 + 1} часа в очереди, сотрудники хамят.", 1.0) for i in range(1, 61)])
    assert classify_pending(batch_size=7, classifier=clf, limit=20).classified == 20
    assert count_pending() == 40
    assert classify_pending(batch_size=7, classifier=clf).classified == 40
    with session_scope() as session:
        n = len(session.exec(select(Classification).where(Classification.category == "queue")).all())
    assert n == 60


def test_evidence_and_uncertainty_are_stored(store: str, clf: Classifier) -> None:
    text = ("Пришла в МФЦ оформить пособие на сына Артёма Сергеевича, живём на Садовой уже десять лет. "
            "Терминал талоны не выдавал, простояли в толпе три часа.")
    ids = _seed([("1", text, 1.0)])
    classify_pending(classifier=clf)
    fb, cats, _ = _rows(ids["1"])
    assert fb.evidence and set(fb.evidence) == {c for c, origin in cats if origin == "model"}
    for spans in fb.evidence.values():
        best = spans[0]
        assert text[best["start"]:best["end"]].startswith("Терминал")  # the complaint, not the story
        assert fb.text_masked[best["masked_start"]:best["masked_end"]].startswith("Терминал")
    assert fb.uncertainty is not None and 0.0 <= fb.uncertainty <= 1.0


def test_textless_pos_messages_are_coded_by_their_pos_fact(store: str, clf: Classifier) -> None:
    facts = [
        ("1", {"category": "Здравоохранение", "subcategory": "Поликлиники",
               "fact": "Невозможно записаться на приём к врачу"}, ["booking"]),
        ("2", {"category": "Дороги", "subcategory": "Ремонт", "fact": "Ямы на дороге"}, []),
        ("3", {"category": "Неведомое", "subcategory": "Что-то", "fact": "Что-то ещё"}, []),
    ]
    ids = _seed([(ext, None, None) for ext, _, _ in facts], kind="pos",
                extras={ext: extra for ext, extra, _ in facts})
    counts = classify_pending(classifier=clf)
    assert counts.pos_mapped == 2
    assert counts.as_dict()["pos_unmapped"] == {"Неведомое / Что-то / Что-то ещё": 1}
    for ext, _, expected in facts:
        fb, cats, _ = _rows(ids[ext])
        assert [c for c, origin in cats if origin == "model"] == expected
    fb, _, _ = _rows(ids["1"])
    assert fb.evidence == {"booking": [{"pos_fact": "Здравоохранение / Поликлиники / "
                                                    "Невозможно записаться на приём к врачу"}]}
    assert fb.polarity == "negative" and fb.uncertainty is None
