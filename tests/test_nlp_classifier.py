"""The shipped model on texts written for these tests (not from the training corpus):
each category, negation and praise, mixed texts, out-of-scope complaints, empty input."""

from __future__ import annotations

import pytest

from nlp.classifier import Classifier
from nlp.training import LABELS


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load(ner=False)


@pytest.mark.parametrize(("text", "category"), [
    ("Отстояла в очереди к окну почти три часа, хотя пришла к открытию.", "queue"),
    ("Полдня в коридоре среди толпы, люди стоят с утра.", "queue"),
    ("Неделю звоню в отдел — никто не берёт трубку, всё время длинные гудки.", "phone"),
    ("Дозвониться до паспортного стола невозможно, постоянно занято.", "phone"),
    ("Сотрудница в окне нахамила и накричала на пожилую женщину.", "rudeness"),
    ("Разговаривают с людьми свысока, хамство на каждом шагу.", "rudeness"),
    ("Специалист сама не знает, какие документы нужны, каждый раз говорит разное.", "competence"),
    ("В свидетельстве сделали ошибку в фамилии, теперь переделывать.", "competence"),
    ("Ушли на обед на полтора часа раньше времени, окна закрыты.", "schedule"),
    ("Принимают только по вторникам с 9 до 12, работающему человеку не попасть.", "schedule"),
    ("В зале ожидания душно, сесть негде, стульев нет.", "premises"),
    ("Вход на второй этаж без пандуса, с коляской не подняться.", "premises"),
    ("Терминал электронной очереди сломан, талоны не выдаёт.", "booking"),
    ("Записаться на приём невозможно: свободных слотов нет на месяц вперёд.", "booking"),
    ("На сайте указан неверный график, на стенде никакой информации о документах.", "information"),
    ("Нигде не написано, какие справки нужно принести, узнать негде.", "information"),
    ("Паспорт обещали через 10 дней, прошло два месяца — до сих пор не готов.", "timeliness"),
    ("Подала заявление в марте, ответа нет до сих пор.", "timeliness"),
    ("Гоняют из кабинета в кабинет, в пятый раз прихожу за одной справкой.", "bureaucracy"),
    ("Требуют справку, которую по закону давно не нужно предоставлять.", "bureaucracy"),
    ("Охранник предложил пройти без очереди за тысячу рублей.", "corruption"),
    ("За ксерокопию паспорта взяли деньги без чека, хотя это бесплатно.", "corruption"),
    ("На Госуслугах заявление висит с ошибкой, личный кабинет не открывается.", "online"),
    ("Подала электронно через портал, а в отделе говорят, что заявление не дошло.", "online"),
])
def test_each_category(clf: Classifier, text: str, category: str) -> None:
    result = clf.classify(text)
    assert category in result.categories, result.scores
    assert result.polarity in ("negative", "mixed")


@pytest.mark.parametrize(("text", "absent"), [
    ("Очереди не было, приняли сразу.", "queue"),
    ("Пришла без очереди, всё сделали за десять минут.", "queue"),
    ("Очередей нет, всё быстро и чётко.", "queue"),
    ("Дозвонилась с первого раза, всё подсказали.", "phone"),
    ("Трубку взяли сразу, ответили на все вопросы.", "phone"),
    ("Никто не нахамил, все вежливые и внимательные.", "rudeness"),
    ("Лишних справок не требовали, приняли с первого раза.", "bureaucracy"),
    ("Записалась через Госуслуги за пять минут, очень удобно.", "online"),
])
def test_negated_and_praised_aspects_are_not_complaints(clf: Classifier, text: str, absent: str) -> None:
    result = clf.classify(text, rating=5)
    assert absent not in result.categories, result.scores
    assert result.polarity == "positive"


@pytest.mark.parametrize(("text", "expected"), [
    ("Сотрудница очень вежливая, всё объяснила, спасибо ей. Но в очереди простояли два с половиной часа.",
     {"queue"}),
    ("Очереди не было, приняли быстро, но в зале такая духота, что чуть не упала в обморок, и сесть негде.",
     {"premises"}),
])
def test_mixed_texts(clf: Classifier, text: str, expected: set[str]) -> None:
    result = clf.classify(text)
    assert expected <= set(result.categories)
    assert result.polarity == "mixed"


@pytest.mark.parametrize("text", [
    "Пенсия 12 тысяч — как на неё прожить? Законы пишут люди, которые не знают жизни.",
    "Размер детского пособия смешной, государству на семьи наплевать.",
])
def test_out_of_scope_complaints_get_no_category(clf: Classifier, text: str) -> None:
    result = clf.classify(text)
    assert result.categories == []
    assert result.polarity == "negative"


@pytest.mark.parametrize("text", ["", "   ", "😀😀👍", "Very good service, thank you!", "12345", None])
def test_nothing_russian_to_classify(clf: Classifier, text: str | None) -> None:
    result = clf.classify(text)
    assert result.categories == []
    assert result.polarity == "neutral"
    assert set(result.scores) == set(LABELS)


def test_batch_matches_single(clf: Classifier) -> None:
    texts = ["Очередь три часа", "Спасибо, всё отлично", ""]
    batch = clf.classify_batch(texts)
    single = [clf.classify(t) for t in texts]
    assert [r.categories for r in batch] == [r.categories for r in single]
    assert [r.scores for r in batch] == [r.scores for r in single]


def test_rating_moves_polarity(clf: Classifier) -> None:
    text = "Забрала свидетельство о рождении."  # a plain fact: the stars decide
    assert clf.classify(text, rating=5).polarity in ("positive", "neutral")
    assert clf.classify(text, rating=1).polarity == "negative"
    assert clf.classify("Всё сделали быстро.", rating=5).polarity == "positive"


def test_a_positive_text_carries_no_category(clf: Classifier) -> None:
    text = ("Подала заявление 11 марта, по регламенту десять рабочих дней, постановление получила "
            "24 марта — всё в срок. Спасибо отделу, очень довольна!")
    result = clf.classify(text, rating=5)
    assert result.polarity == "positive" and result.categories == [] and result.evidence == {}


def test_scores_are_probabilities(clf: Classifier) -> None:
    result = clf.classify("Очередь огромная, стульев нет")
    assert all(0.0 <= v <= 1.0 for v in result.scores.values())
    assert set(result.categories) == {"queue", "premises"}  # each score cleared its category's threshold
    labels = clf.model.labels
    assert all(result.scores[c] >= clf.model.thresholds[labels.index(c)] for c in result.categories)
