"""routing/ stays pure: only routing/solver.py imports OR-Tools (import-linter lists modules)."""

from __future__ import annotations

import ast
from pathlib import Path

ROUTING = Path(__file__).parents[3] / "routing"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_solver_module_imports_ortools() -> None:
    importers = {p.name for p in ROUTING.glob("*.py") if "ortools" in imported_roots(p)}

    assert importers == {"solver.py"}
