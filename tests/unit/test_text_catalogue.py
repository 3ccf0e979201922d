"""Japanese text in workflow/ lives in the text catalogues, nowhere else.

Every module under ``workflow/`` is parsed with ``ast``; a string literal (not a docstring;
comments are not in the tree) with Japanese characters outside ``workflow/texts/`` fails the
test, unless the module or the named constant is data, listed below with the reason.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import workflow

ROOT = Path(workflow.__file__).resolve().parent.parent
CATALOGUES = ("workflow/texts/",)
# Hiragana, katakana, CJK ideographs (and extension A), CJK punctuation, full-width forms.
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

# Whole modules that hold data (names of things), not text for people.
DATA_MODULES: dict[str, str] = {
    "workflow/demo/data.py": "the demo town's departments, categories, zones and vehicles",
    "workflow/demo/catalogue.py": "the demo town's bulky-waste items, fees and categories",
    "workflow/demo/town.py": "column names and hazard types of the open-data files it reads",
    "workflow/demo/seed_sql.py": "sample report descriptions, as residents would write them",
    "workflow/demo/kyotango_data.py": "the second demo town's names, columns, zones and logins",
    "workflow/bookings/holidays.py": "the names of Japan's national holidays",
}
# Single constants that hold data: (module, top-level name) -> reason.
DATA_NAMES: dict[tuple[str, str], str] = {
    ("workflow/bookings/catalogue.py", "QUERY_SYNONYMS"): "search vocabulary, not sentences",
    ("workflow/bookings/textnorm.py", "_DROP"): "characters dropped when normalising a query",
    ("workflow/bookings/contact.py", "_DASHES"): "dash characters people type in phone numbers",
    ("workflow/plans/views.py", "_STOPS"): "SQL that joins item lines with ×",
    ("workflow/plans/worksheets.py", "CREW_NAME_SEPARATOR"): "how crew names are stored",
}


@dataclass(frozen=True)
class Literal:
    line: int
    text: str
    owner: str | None  # the top-level name it is assigned to, if any


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _owner(statement: ast.stmt) -> str | None:
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return names[0] if len(names) == 1 else None


def japanese_literals(source: str) -> list[Literal]:
    """Every string literal with Japanese characters, docstrings left out."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for statement in tree.body:
        owner = _owner(statement)
        for node in ast.walk(statement):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and JAPANESE.search(node.value)
            ):
                found.append(Literal(node.lineno, node.value, owner))
    return found


def stray_literals(path: str, source: str) -> list[Literal]:
    """The Japanese literals of one module that belong in a catalogue."""
    if path.startswith(CATALOGUES) or path in DATA_MODULES:
        return []
    return [x for x in japanese_literals(source) if (path, x.owner) not in DATA_NAMES]


def _workflow_modules() -> list[Path]:
    return sorted((ROOT / "workflow").rglob("*.py"))


def test_no_japanese_text_outside_the_catalogues() -> None:
    strays = [
        f"{path.relative_to(ROOT)}:{x.line}: {x.text[:40]!r}"
        for path in _workflow_modules()
        for x in stray_literals(path.relative_to(ROOT).as_posix(), path.read_text("utf-8"))
    ]
    assert strays == [], "move these to workflow/texts/ (or list data below, with a reason)"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'MESSAGE = "説明は2000文字以内でお願いします。"\n',
            ["説明は2000文字以内でお願いします。"],
        ),
        ('def f(n: int) -> str:\n    return f"{n}件"\n', ["件"]),
        ('raise ValueError("ＡＢＣ")\n', ["ＡＢＣ"]),  # full-width forms count
        ('LABEL = "カタカナ"\n', ["カタカナ"]),
        ('"""モジュールの説明。"""\n', []),  # a docstring is not text for people
        ('def f() -> None:\n    """関数の説明。"""\n', []),
        ("x = 1  # 日本語のコメント\n", []),
        ('CODE = "description_too_long"\n', []),
    ],
)
def test_the_scan_finds_japanese_literals(source: str, expected: list[str]) -> None:
    assert [x.text for x in stray_literals("workflow/example.py", source)] == expected


def test_the_allow_lists_let_only_what_they_name_through() -> None:
    source = 'QUERY_SYNONYMS = {"いす": ("椅子",)}\nOTHER = "ふとん"\n'
    strays = stray_literals("workflow/bookings/catalogue.py", source)
    assert [x.text for x in strays] == ["ふとん"]
    assert stray_literals("workflow/texts/staff.py", source) == []


def test_every_allow_list_entry_still_exists() -> None:
    for path in DATA_MODULES:
        assert (ROOT / path).is_file(), path
    for path, name in DATA_NAMES:
        owners = {x.owner for x in japanese_literals((ROOT / path).read_text("utf-8"))}
        assert name in owners, f"{path}: {name} holds no Japanese any more; drop it from the list"
