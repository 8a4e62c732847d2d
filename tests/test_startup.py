"""A command that does one step starts in about a second: the heavy libraries (Prefect,
Scrapy, natasha, scikit-learn, matplotlib, FastAPI, the office formats) load only in the
commands that use them. Asserted on the import graph, not on a wall clock."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("prefect", "scrapy", "natasha", "sklearn", "scipy", "numpy", "matplotlib", "fastapi", "uvicorn",
         "docx", "openpyxl", "pymorphy3", "httpx", "alembic")
PROBE = """
import sys
sys.argv = ["painmap", *sys.argv[1:]]
from flows.cli import main
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & set(%r))), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["scores", "--help"], ["report", "--help"],
                                  ["import", "pos", "--help"], ["classify", "--help"], ["nightly", "--help"]])
def test_one_step_commands_do_not_load_heavy_libraries(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,), *args], capture_output=True, text=True,
                          timeout=60)
    loaded = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    assert loaded == "", f"painmap {' '.join(args)} loads {loaded}"
