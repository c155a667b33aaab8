"""The layers of docs/architecture.md: every import between accord's top-level parts goes down."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "accord"

#: part -> the parts it may import (besides itself). Bundled case code (cases/<name>/case.py)
#: sits on top of analysis and is checked apart.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "io": {"errors"},
    "distributed": {"errors"},
    "execution": {"errors", "distributed"},
    "result": {"errors"},
    "models": {"errors", "execution", "distributed"},
    "scenario": {"errors", "io", "models"},
    "packages": {"errors", "io"},
    "gmcr": {"errors", "io"},
    "cases": {"errors", "io", "packages", "gmcr", "scenario"},
    "evidence": {"errors", "io", "execution", "distributed", "scenario"},
    "analysis": {"errors", "io", "execution", "distributed", "models", "scenario", "cases", "packages", "gmcr", "result"},
    "report": {"errors", "io", "models", "result"},
    "pipeline": {"errors", "io", "models", "scenario", "cases", "evidence", "analysis", "result", "report",
                 "packages", "gmcr"},
    "runs": {"errors", "io", "result", "evidence", "analysis", "pipeline", "scenario"},
    "serve": {"errors", "io", "models", "scenario", "cases", "pipeline", "report", "result"},
    "cli": set(),  # the top: may import anything
}
CASE_CODE_ALLOWED = {"errors", "io", "models", "scenario", "analysis", "packages", "gmcr", "cases"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        found.update(n.split(".")[1] for n in names if n.startswith("accord."))
    return found


def _part(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def test_every_part_is_in_the_table() -> None:
    parts = {_part(p) for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC}
    assert parts <= set(ALLOWED), parts - set(ALLOWED)


def test_imports_only_go_down_the_layers() -> None:
    wrong = []
    for path in SRC.rglob("*.py"):
        part = _part(path)
        if part not in ALLOWED or part == "cli" or path == SRC / "__init__.py":
            continue
        case_code = part == "cases" and len(path.relative_to(SRC).parts) > 2
        allowed = CASE_CODE_ALLOWED if case_code else ALLOWED[part]
        wrong += [f"{path.relative_to(SRC)} imports accord.{dst}" for dst in _imports(path) - allowed - {part}]
    assert wrong == []
