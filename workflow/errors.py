"""Domain errors. Each carries the field it concerns and a Japanese message for people."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class of every domain error; ``code`` is stable, ``message_ja`` is for people."""

    code = "workflow_error"

    def __init__(self, message_ja: str, field: str | None = None) -> None:
        super().__init__(message_ja)
        self.message_ja = message_ja
        self.field = field


class NotFoundError(WorkflowError):
    code = "not_found"


class OutsideAreaError(WorkflowError):
    code = "outside_area"


class InvalidInputError(WorkflowError):
    code = "invalid_input"


class CapacityFullError(WorkflowError):
    code = "capacity_full"


class TransitionError(WorkflowError):
    code = "illegal_transition"

    def __init__(self, message_ja: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message_ja, field="status")
        self.allowed = allowed


class ForbiddenError(WorkflowError):
    """The acting staff member may not touch this object (another department)."""

    code = "forbidden"
