"""Drive the pure dialogue the way a resident does: read what it says, tap what it offers."""

from __future__ import annotations

import json
from typing import Any

from api.line import DialogueContext, Event, PostbackEvent, StepResult, step


def said(result: StepResult) -> str:
    """All text the resident sees (text bodies, Flex alt texts and Flex contents)."""
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in result.messages)


def quick_actions(result: StepResult) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = result.messages[-1].get("quickReply", {}).get("items", [])
    return [item["action"] for item in items]


def labels(result: StepResult) -> list[str]:
    return [action.get("label", "") for action in quick_actions(result)]


def flex_actions(node: Any) -> list[dict[str, Any]]:
    """Every action inside a Flex message (buttons)."""
    if isinstance(node, dict):
        found = [node["action"]] if "action" in node else []
        return found + [a for value in node.values() for a in flex_actions(value)]
    if isinstance(node, list):
        return [a for value in node for a in flex_actions(value)]
    return []


def tap(result: StepResult, label: str, ctx: DialogueContext) -> StepResult:
    """Press the quick reply (or Flex button) with this label on the last message."""
    message = result.messages[-1]
    actions = quick_actions(result) + flex_actions(message.get("contents", {}))
    data = next(a["data"] for a in actions if a.get("label") == label and a["type"] == "postback")
    return step(result.state, PostbackEvent(data), ctx)


def feed(result: StepResult, event: Event, ctx: DialogueContext) -> StepResult:
    return step(result.state, event, ctx)
