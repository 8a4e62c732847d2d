"""`painmap demo`: write the demo region's input files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.console import console


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Каталог для демо-данных.")
        ] = Path("data/demo"),
    ) -> None:
        """Создать демо-данные: вымышленный город с тремя органами, все каналы за 2024 и 2025 годы."""
        from ingest.demo import build_demo

        with console.status("Создаю демо-данные…"):
            manifest = build_demo(out)
        console.print(f"Демо-данные записаны в {manifest.root} ({len(manifest.files)} файлов).")
        for kind, count in sorted(manifest.counts.items()):
            console.print(f"  {kind}: {count} записей")
        console.print(f"Конфигурация: {manifest.config}")
        console.print(f"Дальше: PAINMAP_CONFIG={manifest.config} painmap nightly")
