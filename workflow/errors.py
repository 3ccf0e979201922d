"""Domain errors: a stable code, the field concerned and the values a sentence needs.

No words here. The edge (``api.errors`` for JSON, the pages, the LINE dialogue) turns an
error into Japanese with ``workflow.texts.sentences.error_text``, so each limit is written
once, as a constant, and the sentence reads it from ``params``.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class of every domain error.

    ``kind`` names the family (it picks the HTTP status and is the JSON ``error``);
    ``code`` names the case (a short English identifier, e.g. ``description_too_long``) and
    picks the sentence; ``params`` are the values the sentence formats in.
    """

    kind = "workflow_error"

    def __init__(self, code: str, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


class NotFoundError(WorkflowError):
    kind = "not_found"


class OutsideAreaError(WorkflowError):
    kind = "outside_area"


class InvalidInputError(WorkflowError):
    kind = "invalid_input"


class CapacityFullError(WorkflowError):
    kind = "capacity_full"


class TransitionError(WorkflowError):
    kind = "illegal_transition"

    def __init__(self, code: str, allowed: tuple[str, ...], **params: object) -> None:
        super().__init__(code, field="status", **params)
        self.allowed = allowed


class ForbiddenError(WorkflowError):
    """The acting staff member may not touch this object (another department)."""

    kind = "forbidden"
