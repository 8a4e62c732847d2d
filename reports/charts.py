"""Diagrams of the report, drawn with matplotlib (Agg backend) into PNG bytes."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from vocabulary.numbers import number

BLUE, GREY, RED = "#1f5fa8", "#9aa7b5", "#b3261e"


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _wrap(labels: Sequence[str], width: int = 28) -> list[str]:
    return ["\n".join(textwrap.wrap(label, width)) or label for label in labels]


def _label(value: float | None, unit: str) -> str:
    return "нет данных" if value is None else number(value) + unit


def bars(labels: Sequence[str], values: Sequence[float | None], title: str = "",
         previous: Sequence[float | None] | None = None, unit: str = "%",
         current_label: str = "", previous_label: str = "") -> bytes:
    """Horizontal bars of one indicator per office (and the previous period beside it),
    each bar labelled with its value as the report writes it (two decimals, decimal comma)."""
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7.5, 0.8 + 0.55 * n * (2 if previous else 1)))
    ys = range(n)
    height = 0.38 if previous else 0.6
    shift = height / 2 if previous else 0.0
    current = [v or 0 for v in values]
    ax.barh([y - shift for y in ys], current, height, color=BLUE, label=current_label or None)
    for y, v in zip(ys, values, strict=True):
        ax.text((v or 0) + 0.8, y - shift, _label(v, unit), va="center", fontsize=8)
    if previous:
        ax.barh([y + shift for y in ys], [v or 0 for v in previous], height, color=GREY,
                label=previous_label or None)
        for y, v in zip(ys, previous, strict=True):
            ax.text((v or 0) + 0.8, y + shift, _label(v, unit), va="center", fontsize=8, color="#4a5563")
    ax.set_yticks(list(ys), _wrap(labels))
    ax.invert_yaxis()
    top = max([*current, *[v or 0 for v in previous or []], 1])
    ax.set_xlim(0, 115 if unit == "%" else top * 1.25)
    if title:
        ax.set_title(title, fontsize=10)
    if previous and (current_label or previous_label):
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
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
    fig.colorbar(ax.images[0], ax=ax, fraction=0.025, pad=0.01, label="%")
    return _png(fig)


def shares(labels: Sequence[str], parts: dict[str, Sequence[float]], colors: Sequence[str]) -> bytes:
    """One 100 % bar per office split into named parts (each a list of per-office counts),
    each part labelled with its share when it is wide enough to hold the label."""
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.5 * n))
    totals = [sum(values[i] for values in parts.values()) or 1 for i in range(n)]
    left = [0.0] * n
    for (name, values), color in zip(parts.items(), colors, strict=False):
        widths = [100.0 * v / t for v, t in zip(values, totals, strict=True)]
        ax.barh(range(n), widths, 0.6, left=left, color=color, label=name)
        for y, (x, w) in enumerate(zip(left, widths, strict=True)):
            if w >= 7:
                ax.text(x + w / 2, y, number(w, 1) + "%", ha="center", va="center", fontsize=7,
                        color="white" if color != GREY else "black")
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(list(range(n)), _wrap(labels))
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(parts), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
