"""An error's sentence: the use case gives a code and values, the catalogues give the words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from workflow.errors import WorkflowError
from workflow.texts import crew, platform, staff, towns
from workflow.texts.resident import errors as resident

Sentence = str | Callable[..., str]

# Codes are unique across audiences (a test checks it): one code, one sentence.
SENTENCES: Final[Mapping[str, Sentence]] = MappingProxyType(
    {**resident.ERRORS, **staff.ERRORS, **crew.ERRORS, **towns.ERRORS, **platform.ERRORS}
)


def error_text(error: WorkflowError) -> str:
    """The Japanese sentence for ``error``, its ``params`` (and ``field``) formatted in.

    Raises:
        KeyError: no sentence for the error's code (``tests/unit/test_text_catalogue.py``
            keeps every code raised in ``workflow`` covered).
    """
    sentence = SENTENCES[error.code]
    if callable(sentence):
        return sentence(**error.params)
    return sentence.format(**{"field": error.field, **error.params})
