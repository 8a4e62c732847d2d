"""`painmap classify` and `painmap evaluate` through the CLI, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()
ITEMS = [
    {"id": "a1", "text": "Очередь три часа, «электронная очередь» — фикция! 😡", "rating": 1},
    {"id": "a2", "text": "Спасибо Ольге Петровне, всё объяснила. Ёлки, как быстро!", "rating": 5,
     "extra": {"источник": "терминал"}},
    {"id": "a3", "text": ""},
    {"id": "a4", "text": "👍👍"},
    {"id": "a5", "text": "Дозвониться невозможно, тел. горячей линии 8-800-100-00-00 вечно занят"},
]


def _write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


def _read(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_classify_round_trips_jsonl(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", ITEMS)
    out = tmp_path / "out" / "result.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_text(encoding="utf-8")
    assert "Ёлки" in raw and "😡" in raw and "\\u" not in raw  # unicode kept as is
    rows = _read(raw)
    assert [r["id"] for r in rows] == [i["id"] for i in ITEMS]
    for item, row in zip(ITEMS, rows, strict=True):
        assert {k: row[k] for k in item} == item  # input fields untouched
        assert set(row) >= {"categories", "polarity", "scores", "text_masked", "mentions", "evidence"}
        assert set(row["evidence"]) == set(row["categories"])  # every category carries its evidence
    assert "queue" in rows[0]["categories"]
    for spans in rows[0]["evidence"].values():
        assert spans and all(ITEMS[0]["text"][e["start"]:e["end"]] for e in spans)
    assert rows[1]["text_masked"].startswith("Спасибо [ФИО],")
    assert rows[1]["mentions"][0]["name"] == "Ольга Петровна"
    assert rows[2]["categories"] == [] and rows[2]["polarity"] == "neutral"
    assert rows[3]["categories"] == [] and rows[3]["polarity"] == "neutral"
    assert "phone" in rows[4]["categories"] and "[ТЕЛЕФОН]" in rows[4]["text_masked"]


def test_classify_stdin_to_stdout() -> None:
    data = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in ITEMS[:2])
    result = runner.invoke(app, ["classify", "--input", "-", "--output", "-", "--no-ner"], input=data)
    assert result.exit_code == 0, result.output
    rows = _read(result.stdout)
    assert [r["id"] for r in rows] == ["a1", "a2"]
    assert rows[1]["text"] == ITEMS[1]["text"]


@pytest.mark.parametrize(("content", "message"), [
    ('{"id": 1, "text": "ok"}\n{"id": 2, "text": "ok"\n', "строка 2: некорректный JSON"),
    ('{"id": 1}\n', "строка 1: нет поля «text»"),
    ('{"id": 1, "text": 5}\n', "строка 1, поле «text»"),
    ('{"id": 1, "text": "ok", "rating": "пять"}\n', "строка 1, поле «rating»"),
    ('[1, 2]\n', "строка 1: ожидается объект JSON"),
])
def test_classify_bad_input_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 1
    assert isinstance(result.exception, Exception) and message in str(result.exception)
    assert str(src) in str(result.exception)
    assert list(tmp_path.iterdir()) == [src]  # no output, not even a half-written one


def test_classify_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", "--input", str(tmp_path / "nope.jsonl"), "--output", "-"])
    assert result.exit_code == 1 and "Файл не найден" in str(result.exception)


GOLD = [
    {"id": "g1", "text": "Простояли в очереди три часа, стульев нет.", "categories": ["premises", "queue"],
     "polarity": "negative", "channel": "yandex"},
    {"id": "g2", "text": "Всё быстро, вежливо, спасибо!", "categories": [], "polarity": "positive"},
    {"id": "g3", "text": "Дозвониться невозможно, никто не берёт трубку.", "categories": ["phone"],
     "polarity": "negative"},
    {"id": "g4", "text": "Нахамили в окне.", "categories": ["rudeness", "online"], "polarity": "positive"},
]


def test_evaluate_json(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.jsonl", GOLD)
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= {"per_category", "micro_f1", "macro_f1", "polarity_accuracy"}
    per = report["per_category"]
    assert per["queue"]["support"] == 1 and per["online"]["support"] == 1
    assert per["online"]["recall"] == 0.0  # the gold claims online; the text has nothing of it
    assert per["phone"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert report["polarity_accuracy"] == 0.75
    present = [c for c, m in per.items() if m["support"]]
    assert report["macro_f1"] == pytest.approx(sum(per[c]["f1"] for c in present) / len(present), abs=1e-3)


def test_evaluate_table(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.jsonl", GOLD)
    result = runner.invoke(app, ["evaluate", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    assert "micro-F1" in result.stdout and "Очереди и ожидание" in result.stdout


def test_evaluate_bad_gold(tmp_path: Path) -> None:
    bad = {"id": "x", "text": "t", "categories": ["nope"], "polarity": "negative"}
    gold = _write(tmp_path / "gold.jsonl", [bad])
    result = runner.invoke(app, ["evaluate", "--gold", str(gold)])
    assert result.exit_code == 1 and "строка 1, поле «categories»" in str(result.exception)


def test_evaluate_reads_evidence_spans(tmp_path: Path) -> None:
    text = "Пришла оформить пособие. Простояла в коридоре три часа, люди стояли даже на лестнице."
    span = [text.index("Простояла"), len(text)]
    rec = {"id": "e1", "text": text, "categories": ["queue"], "polarity": "negative",
           "evidence": {"queue": span}}
    gold = _write(tmp_path / "gold.jsonl", [rec])
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["evidence_accuracy"] == 1.0  # the story's first sentence is not it
    shown = runner.invoke(app, ["evaluate", "--gold", str(gold)])
    assert "Обоснование указывает на фрагмент эталонной разметки: 1.000" in shown.stdout


@pytest.mark.parametrize(("evidence", "message"), [
    ({"phone": [0, 5]}, "поле «evidence»"),  # a code the record does not have
    ({"queue": [5, 500]}, "поле «evidence»"),  # outside the text
])
def test_evaluate_bad_evidence(tmp_path: Path, evidence: dict[str, list[int]], message: str) -> None:
    rec = {"id": "x", "text": "Очередь огромная", "categories": ["queue"], "polarity": "negative",
           "evidence": evidence}
    gold = _write(tmp_path / "gold.jsonl", [rec])
    result = runner.invoke(app, ["evaluate", "--gold", str(gold)])
    assert result.exit_code == 1 and message in str(result.exception)
