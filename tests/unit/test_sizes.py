"""Size limits (STYLE.md): no module over 300 lines, no function over 50, outside tests.

Generated Alembic migrations are exempt; there are no other exceptions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[2]
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50
SKIPPED_TOP = frozenset({"tests", "var", "build"})  # and hidden folders such as .venv
MIGRATIONS = "geo/migrations/"


def source_files(root: Path) -> Iterator[Path]:
    """Every Python module under ``root`` that the limits apply to."""
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        hidden = any(part.startswith(".") for part in relative.parts)
        if hidden or relative.parts[0] in SKIPPED_TOP:
            continue
        if not relative.as_posix().startswith(MIGRATIONS):
            yield path


def long_modules(root: Path) -> list[str]:
    """``path (lines)`` of each module over ``MAX_MODULE_LINES``."""
    found = []
    for path in source_files(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(root).as_posix()} ({lines})")
    return found


def long_functions(root: Path) -> dict[str, int]:
    """``path:name`` -> lines (``def`` to the last line) of each function over the limit."""
    found = {}
    for path in source_files(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[f"{path.relative_to(root).as_posix()}:{node.name}"] = lines
    return found


def test_no_module_is_over_300_lines() -> None:
    assert long_modules(ROOT) == []


def test_no_function_is_over_50_lines() -> None:
    assert long_functions(ROOT) == {}


def test_the_limits_catch_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (package / "big.py").write_text("def too_long() -> None:\n" + body, encoding="utf-8")
    (package / "fine.py").write_text("def short() -> None:\n    pass\n", encoding="utf-8")
    filler = "".join(f"X{i} = {i}\n" for i in range(MAX_MODULE_LINES + 1))
    (package / "huge.py").write_text(filler, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "huge_test.py").write_text(filler, encoding="utf-8")

    assert long_functions(tmp_path) == {"pkg/big.py:too_long": MAX_FUNCTION_LINES + 1}
    assert long_modules(tmp_path) == [f"pkg/huge.py ({MAX_MODULE_LINES + 1})"]
