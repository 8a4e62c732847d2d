"""A small seeded store for the API and page tests: two offices, several channels,
classified feedback with personal data masked, an analyst label, mentions, runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Classification, EmployeeMention, Feedback, IngestRun


@dataclass
class Seeded:
    tokens: dict[str, str]
    ids: dict[str, int]


ITEMS = [
    # key, org, kind, date, rating, raw text, masked text, categories, polarity
    ("q1", "szn", "yandex", datetime(2025, 3, 5, 9, tzinfo=UTC), 1,
     "Очередь на 3 часа, Иванова С.И. нахамила, звоните 8-912-345-67-89",
     "Очередь на 3 часа, [ФИО] нахамила, звоните [ТЕЛЕФОН]", ["queue", "rudeness"], "negative"),
    ("q2", "szn", "yandex", datetime(2025, 4, 1, 9, tzinfo=UTC), 2,
     "Не дозвониться никак", "Не дозвониться никак", ["phone"], "negative"),
    ("q3", "szn", "pos", datetime(2024, 6, 1, 9, tzinfo=UTC), None,
     "Очередь огромная", "Очередь огромная", ["queue"], "negative"),
    ("z1", "zags", "yandex", datetime(2025, 5, 5, 9, tzinfo=UTC), 5,
     "Спасибо Светлане Ивановне!", "Спасибо [ФИО]!", [], "positive"),
    ("z2", "zags", "terminal", datetime(2025, 6, 5, 9, tzinfo=UTC), 1,
     "перерыв 2 часа", "перерыв 2 часа", ["schedule"], "negative"),
]
# The sentence behind a model category, as (masked, raw) fragments of the item's texts.
EVIDENCE = {"q1": {"queue": ("Очередь на 3 часа", "Очередь на 3 часа"),
                   "rudeness": ("[ФИО] нахамила", "Иванова С.И. нахамила")}}


def _evidence(key: str, raw: str, masked: str) -> dict[str, list[dict[str, object]]]:
    out = {}
    for category, (in_masked, in_raw) in EVIDENCE.get(key, {}).items():
        m, r = masked.index(in_masked), raw.index(in_raw)
        out[category] = [{"start": r, "end": r + len(in_raw), "masked_start": m,
                          "masked_end": m + len(in_masked), "score": 0.9}]
    return out


def seed() -> Seeded:
    from api.tokens import create_token

    ids: dict[str, int] = {}
    with session_scope() as session:
        tokens = {role: create_token(session, role, f"test-{role}")[1]
                  for role in ("viewer", "analyst", "admin")}
        run = IngestRun(kind="yandex", status="ok", n_new=5)
        session.add(run)
        for key, org_code, kind, at, rating, raw, masked, cats, polarity in ITEMS:
            org, _ = ensure_organisation(session, org_code, {"szn": "Соцзащита", "zags": "ЗАГС"}[org_code])
            src = ensure_source(session, org, kind)
            fb = Feedback(source_id=src.id, external_id=key, published_at=at, rating=rating,  # type: ignore[arg-type]
                          text=raw, text_masked=masked, content_hash=key, classified_hash=key,
                          polarity=polarity, polarity_origin="model", model_version="test",
                          evidence=_evidence(key, raw, masked), uncertainty=0.1 * len(ids))
            session.add(fb)
            session.flush()
            ids[key] = fb.id  # type: ignore[assignment]
            for cat in cats:
                session.add(Classification(feedback_id=fb.id, category=cat, probability=0.9,  # type: ignore[arg-type]
                                           origin="model", model_version="test"))
        session.add(EmployeeMention(feedback_id=ids["z1"], name="Светлана Ивановна", polarity="positive"))
        session.add(EmployeeMention(feedback_id=ids["q1"], name="Иванова С.И.", polarity="negative"))
    return Seeded(tokens, ids)
