"""`painmap train`: rebuild the NLP model from the corpus in the repository, plus the
analysts' corrections from the database when one is configured."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID

from flows.commands.common import config_from
from flows.console import console, err_console, progress


def database_configured() -> bool:
    """A database is "configured" when PAINMAP_DATABASE_URL is set or the default file exists."""
    from models.settings import get_settings

    settings = get_settings()
    return bool(settings.database_url) or (settings.data_dir / "painmap.db").exists()


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        ctx: typer.Context,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Куда записать модель "
                                                    "(по умолчанию nlp.model_path или встроенная).")] = None,
        corpus: Annotated[list[Path] | None, typer.Option(
            "--corpus",
            help="Каталог с размеченными *.jsonl (можно несколько; по умолчанию корпус v2 и v1).")]
        = None,
        validation: Annotated[Path | None, typer.Option(
            "--validation",
            help="Каталог проверочного набора (пороги и оценка; по умолчанию v2/validation).")]
        = None,
        no_db: Annotated[bool, typer.Option("--no-db", help="Не брать исправления аналитиков из базы.")]
        = False,
    ) -> None:
        """Переобучить модель классификации (детерминированно: те же данные — та же модель)."""
        from nlp.model import DEFAULT_MODEL
        from nlp.training import TRAIN_DIRS, VALIDATION_DIR
        from nlp.training import train as run_training
        from vocabulary.errors import UserError

        config = config_from(ctx)
        target = output or (config.resolve(config.nlp.model_path) if config.nlp.model_path else DEFAULT_MODEL)
        corpus_dirs = list(corpus) if corpus else list(TRAIN_DIRS)
        for directory in corpus_dirs + ([validation] if validation else []):
            if not directory.is_dir():
                raise UserError(f"Каталог не найден: {directory}")
        use_db = not no_db and database_configured()
        with progress() as bar:
            tasks: dict[str, TaskID] = {}

            def step(stage: str, done: int, total: int) -> None:
                label = {"analyse": "Разбор текстов", "cv": "Перекрёстная проверка"}.get(stage, stage)
                if stage not in tasks:
                    tasks[stage] = bar.add_task(label, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            report = run_training(target, corpus_dirs, validation or VALIDATION_DIR, use_database=use_db,
                                  progress=step)
        if use_db:
            err_console.print(f"Исправлений аналитиков из базы: {report.n_analyst}.")
        console.print(f"Модель {report.version} записана в {report.path}: {report.n_corpus} текстов корпуса, "
                      f"{report.n_analyst} от аналитиков.")
        console.print(f"Перекрёстная проверка (по авторам корпуса): micro-F1 {report.cv_micro_f1:.3f}.")
        if report.validation:
            v = report.validation
            console.print(f"Проверочный набор ({report.n_validation} текстов): micro-F1 {v['micro_f1']:.3f}, "
                          f"macro-F1 {v['macro_f1']:.3f}, тональность {v['polarity_accuracy']:.3f}.")
