"""Diagrams of the report, drawn with matplotlib (Agg backend) into PNG bytes."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BLUE, GREY, RED = "#1f5fa8", "#9aa7b5", "#b3261e"


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _wrap(labels: Sequence[str], width: int = 28) -> list[str]:
    return ["\n".join(textwrap.wrap(label, width)) or label for label in labels]


def bars(labels: Sequence[str], values: Sequence[float | None], title: str = "",
         previous: Sequence[float | None] | None = None, unit: str = "%",
         current_label: str = "", previous_label: str = "") -> bytes:
    """Horizontal bars of one indicator per office (and the previous period beside it)."""
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7.5, 0.6 + 0.55 * n * (2 if previous else 1)))
    ys = range(n)
    height = 0.38 if previous else 0.6
    current = [v or 0 for v in values]
    ax.barh([y - (height / 2 if previous else 0) for y in ys], current, height, color=BLUE,
            label=current_label or None)
    if previous:
        ax.barh([y + height / 2 for y in ys], [v or 0 for v in previous], height, color=GREY,
                label=previous_label or None)
    for y, v in zip(ys, values, strict=True):
        text = "нет данных" if v is None else f"{v:.1f}{unit}".replace(".", ",")
        ax.text((v or 0) + 0.8, y - (height / 2 if previous else 0), text, va="center", fontsize=8)
    ax.set_yticks(list(ys), _wrap(labels))
    ax.invert_yaxis()
    ax.set_xlim(0, 110 if unit == "%" else max([*current, 1]) * 1.2)
    if title:
        ax.set_title(title, fontsize=10)
    if previous and (current_label or previous_label):
        ax.legend(fontsize=8, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def heatmap(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float]],
            title: str = "") -> bytes:
    """The pain map: offices × categories, shares in % written in the cells."""
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.55 * len(rows)))
    ax.imshow(values, cmap="Reds", aspect="auto", vmin=0)
    ax.set_xticks(range(len(columns)), _wrap(columns, 16), rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), _wrap(rows, 34), fontsize=8)
    top = max((v for row in values for v in row), default=0) or 1
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v > top * 0.6 else "black")
    if title:
        ax.set_title(title, fontsize=10)
    return _png(fig)
