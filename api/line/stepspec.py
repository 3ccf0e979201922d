"""What a dialogue step accepts: commands, free text, a location, a photo, worker results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from api.line.model import (
    DialogueContext,
    DialogueState,
    ImageEvent,
    LocationChecked,
    LocationEvent,
    StepResult,
)
from api.line.postback import Command

CommandHandler = Callable[[DialogueState, Command, DialogueContext], StepResult]
TextHandler = Callable[[DialogueState, str, DialogueContext], StepResult]
LocationHandler = Callable[[DialogueState, LocationEvent, DialogueContext], StepResult]
ImageHandler = Callable[[DialogueState, ImageEvent, DialogueContext], StepResult]
CheckedHandler = Callable[[DialogueState, LocationChecked, DialogueContext], StepResult]
# A worker result (ItemsFound, BookingDone ...) -> the next step; keyed by the event's type.
ResultHandler = Callable[[DialogueState, Any, DialogueContext], StepResult]


@dataclass(frozen=True)
class StepSpec:
    """What a step accepts; anything else gets the step's hint."""

    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    on_text: TextHandler | None = None
    on_location: LocationHandler | None = None
    on_image: ImageHandler | None = None
    on_checked: CheckedHandler | None = None
    results: Mapping[type[Any], ResultHandler] = field(default_factory=dict)
