"""Parsing recorded Yandex review pages: captcha check + state JSON + review items, per page.

Two sets: the demo's recorded pages (50 reviews each, the state as `render_page` writes it)
and the same pages padded to the size of a real page (Yandex's SSR state also carries the
map's config, the organisation card and other blocks: ~1 MB of JSON in all). Target: ≥ 200
recorded pages/s.

    python -m bench.bench_parse [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crawlers.yandex.items import review_item
from crawlers.yandex.page import STATE_SCRIPT, is_captcha, parse_page

REAL_STATE_BYTES = 1_000_000


def process(html: str) -> int:
    """What the spider does with a page: captcha check, parse, map every review."""
    if is_captcha(html, "https://yandex.ru/maps/org/x/1/reviews/?page=1"):
        raise AssertionError("a recorded page taken for a captcha")
    page = parse_page(html, "страница")
    return sum(1 for i, raw in enumerate(page.reviews) if review_item(raw, "1", 1, i))


def recorded_pages() -> list[str]:
    from ingest.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        build_demo(Path(tmp))
        return [p.read_text("utf-8") for p in sorted(Path(tmp).glob("yandex/*/page-*.html"))]


def padded(html: str, size: int = REAL_STATE_BYTES) -> str:
    """The page with filler blocks in its state, as big as a real one."""
    match = STATE_SCRIPT.search(html)
    assert match is not None
    state = json.loads(match.group("json"))
    block = {"id": "x" * 16, "title": "Организация", "coordinates": [37.6, 55.7], "features": list(range(40))}
    state["config"]["blocks"] = [block] * (size // len(json.dumps(block)))
    data = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    return html[:match.start("json")] + data + html[match.end("json"):]


def rate(pages: list[str], fn: Callable[[str], int], seconds: float) -> tuple[float, int]:
    """Pages per second over at least `seconds`, best of three rounds."""
    best = 0.0
    reviews = 0
    for _ in range(3):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            for html in pages:
                reviews += fn(html)
            done += len(pages)
        best = max(best, done / (time.perf_counter() - start))
    return best, reviews


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args(argv if argv is not None else [])
    pages = recorded_pages()
    kb = sum(len(p.encode()) for p in pages) / len(pages) / 1024
    speed, _ = rate(pages, process, args.seconds)
    print(f"Записанные страницы ({len(pages)} шт., в среднем {kb:.0f} КБ): {_n(speed)} страниц/с "
          f"(≈ {_n(speed * 50)} отзывов/с; цель ≥ 200 страниц/с)")
    big = [padded(p) for p in pages[:6]]
    mb = sum(len(p.encode()) for p in big) / len(big) / 1024 / 1024
    speed, _ = rate(big, process, args.seconds)
    print(f"Страницы размера настоящих (~{mb:.1f} МБ): {_n(speed)} страниц/с")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
