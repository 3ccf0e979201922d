"""Who is talking in one dialogue turn, and what the turn has produced so far."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.line.model import DialogueContext, DialogueState, Message
from workflow.db import Session
from workflow.line.reports import DialogueFacts


@dataclass(frozen=True)
class Turn:
    """Who is talking and what is known, for one event."""

    session: Session
    municipality_id: int
    resident_id: int
    facts: DialogueFacts
    ctx: DialogueContext


@dataclass
class TurnResult:
    state: DialogueState | None
    messages: list[Message] = field(default_factory=list)
    report_id: int | None = None
    photo_ids: list[int] = field(default_factory=list)
