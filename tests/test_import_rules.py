"""The package map holds: arrows point one way (README «Architecture»). Every import of
ours, at module level or inside a function, is read from the source; a new arrow that
points up fails here, not in a review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("vocabulary", "scoring", "models", "crawlers", "ingest", "nlp", "service", "api", "reports", "flows")
# package → the packages of ours it may import (itself always)
ALLOWED: dict[str, set[str]] = {
    "vocabulary": set(),
    "scoring": {"vocabulary"},
    "models": {"vocabulary"},
    "crawlers": {"vocabulary", "models", "ingest.records"},  # only the record types of ingest
    "ingest": {"vocabulary", "scoring", "models", "crawlers"},
    "nlp": {"vocabulary", "scoring", "models"},
    "service": {"vocabulary", "scoring", "models", "nlp"},
    "api": {"vocabulary", "scoring", "models", "nlp", "service"},
    "reports": {"vocabulary", "scoring", "models", "nlp", "service"},
    "flows": set(OURS),
}


def imports(package: str) -> list[tuple[str, int, str]]:
    """(file, line, module) of every absolute import of one of our packages."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                if module.split(".")[0] in OURS:
                    found.append((str(path.relative_to(ROOT)), node.lineno, module))
    return found


def allowed(package: str, module: str) -> bool:
    top = module.split(".")[0]
    return top == package or top in ALLOWED[package] or any(
        module == rule or module.startswith(rule + ".") for rule in ALLOWED[package] if "." in rule)


@pytest.mark.parametrize("package", OURS)
def test_arrows_point_one_way(package: str) -> None:
    wrong = [f"{file}:{line} imports {module}" for file, line, module in imports(package)
             if not allowed(package, module)]
    assert wrong == []


def test_nothing_imports_flows() -> None:
    users = [f"{file}:{line}" for package in OURS if package != "flows"
             for file, line, module in imports(package) if module.split(".")[0] == "flows"]
    assert users == []


@pytest.mark.parametrize(("package", "module", "ok"), [
    ("api", "flows.scores", False),
    ("reports", "flows.console", False),
    ("crawlers", "ingest.pipeline", False),
    ("crawlers", "ingest.records", True),
    ("vocabulary", "models.tables", False),
    ("service", "api.pages", False),
    ("ingest", "crawlers.pos_api", True),
])
def test_the_rule_itself(package: str, module: str, ok: bool) -> None:
    assert allowed(package, module) is ok
