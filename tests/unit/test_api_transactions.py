"""Transactions begin in workflow only: nothing under api/ begins, commits or rolls back.

The web layer calls use cases (and ``workflow.db.unit_of_work``); a ``.begin(`` or
``.commit(`` written in api/ would split a use case's writes over several transactions.
"""

from __future__ import annotations

import ast

from machi.settings import PROJECT_ROOT

TRANSACTION_CALLS = frozenset({"begin", "begin_nested", "commit", "rollback"})


def transaction_calls(source: str) -> list[tuple[int, str]]:
    """Line and method name of every ``x.begin(...)``-like call in ``source``."""
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in TRANSACTION_CALLS
    ]


def test_scan_finds_transaction_calls() -> None:
    source = "with session.begin():\n    pass\nsession.commit()\nengine.begin().close()\n"
    assert sorted(transaction_calls(source)) == [(1, "begin"), (3, "commit"), (4, "begin")]


def test_api_never_begins_or_commits() -> None:
    found = {
        f"{path.relative_to(PROJECT_ROOT)}:{line}": name
        for path in sorted((PROJECT_ROOT / "api").rglob("*.py"))
        for line, name in transaction_calls(path.read_text(encoding="utf-8"))
    }
    assert found == {}, "use workflow.db.unit_of_work or a workflow use case instead"
