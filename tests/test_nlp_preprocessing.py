"""Normalisation, lemmas, negation scope and lexicon patterns: the deterministic parts."""

from __future__ import annotations

import pytest

from nlp.document import analyse
from nlp.lexicon import Lexicon, pains, parse_pattern
from nlp.negation import scope
from nlp.normalizer import emoji_balance, normalize


@pytest.mark.parametrize(("raw", "expected"), [
    ("Ёлки, всё плохо", "Елки, все плохо"),
    ("Очередь ОООООЧЕНЬ большая!!!!!", "Очередь ОЧЕНЬ большая!"),
    ("ужас.Никому не советую", "ужас. Никому не советую"),
    ("слово ,слово", "слово, слово"),
    ("MФЦ закрыт", "МФЦ закрыт"),  # Latin M inside a Russian word
    ("Спасибо 😍😍 всё отлично", "Спасибо все отлично"),
    ("ну и что......", "ну и что…"),
    ("почта ivan.petrov@mail.ru", "почта ivan.petrov@mail.ru"),
    ("", ""),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_emoji_balance() -> None:
    assert emoji_balance("😍👍 но 😡") == (2, 1)


@pytest.mark.parametrize(("text", "lemmas"), [
    ("разя делал запрос", ["раз", "я", "делать", "запрос"]),
    ("немогу дозвонится", ["не", "мочь", "дозвониться"]),
    ("неработает терминал", ["не", "работать", "терминал"]),
    ("щас оч долго", ["сейчас", "очень", "долго"]),
])
def test_spelling_and_merged_words(text: str, lemmas: list[str]) -> None:
    assert analyse(text).lemmas == lemmas


def _negated(text: str) -> set[str]:
    doc = analyse(text)
    return {lem for lem, neg in zip(doc.lemmas, doc.negated, strict=True) if neg}


@pytest.mark.parametrize(("text", "negated", "not_negated"), [
    ("очереди не было", {"очередь"}, set()),
    ("без очереди", {"очередь"}, set()),
    ("очередей нет", {"очередь"}, set()),
    ("стульев нет, но очередь огромная", {"стул"}, {"очередь", "огромный"}),
    ("никто не нахамил", {"нахамить"}, {"никто"}),
    ("не могу дозвониться, однако очередь небольшая", {"мочь", "дозвониться"}, {"очередь"}),
    ("дозвонилась с первого раза", set(), {"дозвониться", "первый"}),
    ("отсутствие информации на сайте", {"информация"}, set()),
    ("ни стульев, ни кулера", {"стул", "кулер"}, set()),
])
def test_negation_scope(text: str, negated: set[str], not_negated: set[str]) -> None:
    found = _negated(text)
    assert negated <= found
    assert not (not_negated & found)


def test_scope_stops_at_clause_punctuation() -> None:
    assert scope(["не", "быть", ",", "очередь"]) == [False, True, False, False]


def _fires(pattern: str, text: str) -> bool:
    lex = Lexicon([parse_pattern(("x", "complaint"), pattern)])
    return bool(lex.fired(analyse(text)))


@pytest.mark.parametrize(("pattern", "text", "fires"), [
    ("очередь", "очередь огромная", True),
    ("очередь", "очереди не было", False),
    ("~очередь", "очереди не было", True),
    ("~очередь", "без очереди", True),
    ("трубка ~брать", "трубку никто не берёт", True),
    ("трубка ~брать", "трубку взяли сразу", False),
    ("дозвониться невозможно", "дозвониться невозможно", True),
    ("дозвониться невозможно", "невозможно было дозвониться", True),
    ("хам*", "сплошное хамство", True),
    ("терминал ~работать|сломаться", "терминал сломался", True),
    ("терминал ~работать|сломаться", "терминал работает", False),
    ("ждать <num> час", "ждали 3 часа", True),
    ("ждать час", "ждали, а через час ушли", False),  # different clauses
])
def test_lexicon_patterns(pattern: str, text: str, fires: bool) -> None:
    assert _fires(pattern, text) is fires


@pytest.mark.parametrize(("text", "category", "side"), [
    ("Простояли в очереди три часа", "queue", "complaint"),
    ("Очереди не было совсем", "queue", "praise"),
    ("Невозможно дозвониться, трубку не берут", "phone", "complaint"),
    ("Никто не нахамил, все вежливые", "rudeness", "praise"),
    ("Сотрудница нахамила и накричала", "rudeness", "complaint"),
    ("Стульев нет, душно", "premises", "complaint"),
    ("Терминал электронной очереди не работает", "booking", "complaint"),
    ("Попросили денег за ускорение", "corruption", "complaint"),
    ("Госуслуги выдают ошибку, заявление не отправляется", "online", "complaint"),
])
def test_pain_lexicon_sides(text: str, category: str, side: str) -> None:
    assert pains().scores(analyse(text)).get((category, side), 0) > 0


def test_every_lexicon_category_is_a_taxonomy_code() -> None:
    from nlp.categories import CODES

    assert {name for name, _ in pains().keys} == set(CODES)


def test_batch_negation_matches_the_token_loop() -> None:
    """`Vectorised` (the hot path) gives the same scopes and clause breaks as `structure`
    on every unit of a sample of both corpora, plus the cases above."""
    import numpy as np

    from nlp.document import read
    from nlp.negation import Vectorised, structure
    from nlp.training import load_corpus, load_validation

    texts = [e.text for e in load_validation()[::5]] + [e.text for e in load_corpus()[::40]]
    texts += ["очереди не было", "ни стульев, ни кулера", "не могу дозвониться, однако очередь небольшая",
              "стульев нет, но очередь огромная", "Нет. Не было! Без"]
    docs = [d for t in texts for d in read(t).docs]
    ids = np.array([i for d in docs for i in d.ids], dtype=np.int64)
    unit = np.repeat(np.arange(len(docs)), [d.n_tokens for d in docs])
    negated, clauses = Vectorised()(ids, unit)
    start = 0
    for d in docs:
        want_negated, want_clauses = structure(d.lemmas)
        stop = start + d.n_tokens
        assert negated[start:stop].tolist() == want_negated, d.lemmas
        got = clauses[start:stop]
        # the same clause breaks (numbers differ by an offset per unit)
        assert (np.diff(got) == np.diff(np.array(want_clauses, dtype=np.int64))).all(), d.lemmas
        start = stop
    assert start == len(ids) > 10_000
