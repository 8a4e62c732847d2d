"""`painmap classify` (JSONL in → JSONL out, no database) and `painmap evaluate` (figures
against a gold file)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from flows.console import console, err_console, progress
from nlp.jsonl import json_object, text_field
from vocabulary.errors import UserError

BATCH = 512
IN_HELP = "JSONL: {id, text[, rating]}; «-» — stdin."
OUT_HELP = "JSONL с результатами; «-» — stdout."
NO_NER_HELP = "Имена только по шаблонам, без NER (быстрее)."


def _read_items(handle: IO[str], name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object); a bad line is an error naming the file, line and field."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        where = f"{name}, строка {number}"
        item = json_object(line, where, ("text",))
        text_field(item, where)
        rating = item.get("rating")
        if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int | float)):
            raise UserError(f"{where}, поле «rating»: ожидается число или null")
        yield number, item


@contextmanager
def _open_in(path: str) -> Iterator[tuple[IO[str], str]]:
    if path == "-":
        yield sys.stdin, "stdin"
        return
    p = Path(path)
    if not p.exists():
        raise UserError(f"Файл не найден: {p}")
    with p.open(encoding="utf-8-sig") as fh:
        yield fh, str(p)


@contextmanager
def _open_out(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            yield fh
        tmp.replace(p)  # a failed run never leaves a half-written output file
    finally:
        tmp.unlink(missing_ok=True)


def _classify_stream(src: IO[str], name: str, out: IO[str], clf: Any, batch_size: int) -> int:
    batch: list[dict[str, Any]] = []
    done = 0
    with progress() as bar:
        task = bar.add_task("Классификация", total=None)
        for _, item in _read_items(src, name):
            batch.append(item)
            if len(batch) >= batch_size:
                done += _flush(batch, out, clf)
                bar.update(task, completed=done)
                batch = []
        if batch:
            done += _flush(batch, out, clf)
            bar.update(task, completed=done)
    return done


def _flush(batch: list[dict[str, Any]], out: IO[str], clf: Any) -> int:
    results = clf.classify_batch([b.get("text") for b in batch], [b.get("rating") for b in batch])
    for item, result in zip(batch, results, strict=True):
        out.write(json.dumps({**item, **result.as_dict()}, ensure_ascii=False) + "\n")
    return len(batch)


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify(
        input_path: Annotated[str, typer.Option("--input", "-i", help=IN_HELP)],
        output_path: Annotated[str, typer.Option("--output", "-o", help=OUT_HELP)],
        no_ner: Annotated[bool, typer.Option("--no-ner", help=NO_NER_HELP)] = False,
        no_mask: Annotated[bool, typer.Option("--no-mask", help="Не маскировать персональные данные.")]
        = False,
        model: Annotated[Path | None, typer.Option("--model", help="Файл модели (по умолчанию встроенная).")]
        = None,
        batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Размер пакета.")] = BATCH,
    ) -> None:
        """Классифицировать тексты отзывов: категории болей, тональность, маскирование, упоминания."""
        from nlp.classifier import Classifier

        clf = Classifier.load(model, mask=not no_mask, ner=not no_ner)
        with _open_in(input_path) as (src, name), _open_out(output_path) as out:
            n = _classify_stream(src, name, out, clf, batch_size)
        err_console.print(f"Классифицировано текстов: {n} (модель {clf.version}).")

    @app.command("evaluate")
    def evaluate(
        gold: Annotated[Path, typer.Option("--gold", "-g", help="JSONL с эталонной разметкой.")],
        as_json: Annotated[bool, typer.Option("--json", help="Вывести один объект JSON.")] = False,
        model: Annotated[Path | None, typer.Option("--model", help="Файл модели (по умолчанию встроенная).")]
        = None,
    ) -> None:
        """Оценить качество модели на размеченном наборе (точность, полнота, F1, тональность)."""
        from nlp.classifier import Classifier
        from nlp.evaluation import evaluation_of
        from nlp.training import read_labelled

        if not gold.exists():
            raise UserError(f"Файл не найден: {gold}")
        clf = Classifier.load(model, mask=False)
        ev = evaluation_of(clf, read_labelled(gold), BATCH)
        if as_json:
            sys.stdout.write(json.dumps(ev.as_dict(), ensure_ascii=False, indent=2) + "\n")
            return
        _print_evaluation(ev, gold, clf.version)


def _print_evaluation(ev: Any, gold: Path, version: str) -> None:
    from rich.table import Table

    from nlp.categories import TITLES

    table = Table(title=f"Качество на {gold.name} ({ev.n} текстов, модель {version})")
    for col in ("Категория", "Код", "Точность", "Полнота", "F1", "Примеров"):
        table.add_column(col, justify="left" if col in ("Категория", "Код") else "right")
    for code, m in ev.per_category.items():
        table.add_row(TITLES.get(code, code), code, f"{m['precision']:.3f}", f"{m['recall']:.3f}",
                      f"{m['f1']:.3f}", str(m["support"]))
    console.print(table)
    console.print(f"micro-F1: {ev.micro_f1:.3f}   macro-F1: {ev.macro_f1:.3f}   "
                  f"точность тональности: {ev.polarity_accuracy:.3f}")
    if ev.evidence_accuracy is not None:
        console.print(f"Обоснование указывает на фрагмент эталонной разметки: {ev.evidence_accuracy:.3f} "
                      "(доля верно найденных категорий)")
