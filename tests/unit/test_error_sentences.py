"""Every error code raised has a sentence, and the sentence reads the values given.

The raise sites in workflow/ and api/ are found with ``ast``: a call of any ``WorkflowError``
subclass must name its code as a string literal; its keyword arguments (but ``field``) are the
sentence's values. A template may also read ``{field}``, which every error has.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import string
from collections import defaultdict
from pathlib import Path

import pytest

import workflow
from workflow.errors import InvalidInputError, WorkflowError
from workflow.reports.create import MAX_DESCRIPTION_CHARS
from workflow.texts import crew, platform, staff, towns
from workflow.texts.resident import errors as resident
from workflow.texts.sentences import SENTENCES, Sentence, error_text

ROOT = Path(workflow.__file__).resolve().parent.parent
NOT_PARAMS = {"field"}
SCANNED = ("workflow", "api")  # api builds a few errors too (query parameters)


def _error_classes() -> set[str]:
    for module in pkgutil.walk_packages(workflow.__path__, "workflow."):
        importlib.import_module(module.name)
    found: set[str] = set()
    todo: list[type[WorkflowError]] = [WorkflowError]
    while todo:
        kind = todo.pop()
        found.add(kind.__name__)
        todo.extend(kind.__subclasses__())
    return found


ERROR_CLASSES = _error_classes()


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def raised_codes(source: str, where: str) -> dict[str, set[frozenset[str]]]:
    """Code -> the sets of parameter names it is raised with, from one module's source.

    Raises:
        AssertionError: an error is built with a code that is not a string literal.
    """
    found: dict[str, set[frozenset[str]]] = defaultdict(set)
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _called_name(node) not in ERROR_CLASSES:
            continue
        first = node.args[0] if node.args else None
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"{where}:{node.lineno}: the error code must be a string literal"
        )
        names = {k.arg for k in node.keywords if k.arg is not None} - NOT_PARAMS
        found[first.value].add(frozenset(names))
    return found


def _all_raised() -> dict[str, set[frozenset[str]]]:
    found: dict[str, set[frozenset[str]]] = defaultdict(set)
    for path in sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for code, uses in raised_codes(path.read_text("utf-8"), where).items():
            found[code] |= uses
    return found


def sentence_params(sentence: Sentence) -> frozenset[str]:
    """The values a sentence reads: its format fields, or its function's parameters."""
    if callable(sentence):
        return frozenset(inspect.signature(sentence).parameters)
    fields = (f for _, f, _, _ in string.Formatter().parse(sentence) if f)
    return frozenset(f.split(".")[0].split("[")[0] for f in fields) - NOT_PARAMS


def missing_sentences(raised: dict[str, set[frozenset[str]]]) -> set[str]:
    return set(raised) - set(SENTENCES)


def test_every_raised_code_has_a_sentence() -> None:
    assert missing_sentences(_all_raised()) == set()


def test_every_sentence_reads_exactly_the_values_raised_with_it() -> None:
    wrong = {
        code: (sorted(sentence_params(SENTENCES[code])), sorted(map(sorted, uses)))
        for code, uses in _all_raised().items()
        if code in SENTENCES and uses != {sentence_params(SENTENCES[code])}
    }
    assert wrong == {}


def test_every_sentence_is_used() -> None:
    assert set(SENTENCES) - set(_all_raised()) == set()


def test_codes_are_unique_across_audiences() -> None:
    catalogues = (resident.ERRORS, staff.ERRORS, crew.ERRORS, towns.ERRORS, platform.ERRORS)
    assert sum(len(c) for c in catalogues) == len(SENTENCES)


@pytest.mark.parametrize(
    ("source", "missing"),
    [
        ('raise InvalidInputError("no_such_code", field="x")\n', {"no_such_code"}),
        ('raise e.NotFoundError("report_not_found", field="id")\n', set()),
        ('raise ValueError("not a workflow error")\n', set()),
    ],
)
def test_the_check_finds_a_code_without_sentence(source: str, missing: set[str]) -> None:
    assert missing_sentences(raised_codes(source, "example.py")) == missing


def test_the_check_refuses_a_code_that_is_not_a_literal() -> None:
    with pytest.raises(AssertionError, match="string literal"):
        raised_codes('raise InvalidInputError(f"{kind}_too_late")\n', "example.py")


def test_a_limit_is_written_once_and_read_by_its_sentence() -> None:
    error = InvalidInputError(
        "description_too_long", field="description", max_chars=MAX_DESCRIPTION_CHARS
    )
    assert error_text(error) == f"説明は{MAX_DESCRIPTION_CHARS}文字以内でお願いします。"
    assert error.code == "description_too_long" and error.kind == "invalid_input"
