"""Low-level Flex Message components as JSON-able dicts (bubble, box, text, button)."""

from __future__ import annotations

from typing import Any, Final

Component = dict[str, Any]

MUTED_COLOUR: Final = "#666666"
HEADER_COLOUR: Final = "#1f4e79"


def text(content: str, **style: Any) -> Component:
    return {"type": "text", "text": content or " ", "wrap": True, **style}


def box(layout: str, contents: list[Component], **style: Any) -> Component:
    return {"type": "box", "layout": layout, "contents": contents, **style}


def separator() -> Component:
    return {"type": "separator", "margin": "md"}


def field_row(label: str, value: str, value_colour: str | None = None) -> Component:
    """One "label: value" line of a summary table."""
    value_style: dict[str, Any] = {"size": "sm", "flex": 5}
    if value_colour is not None:
        value_style.update(color=value_colour, weight="bold")
    return box(
        "baseline",
        [text(label, size="sm", color=MUTED_COLOUR, flex=2), text(value, **value_style)],
        spacing="sm",
    )


def postback_button(label: str, data: str, display_text: str, style: str) -> Component:
    action = {"type": "postback", "label": label, "data": data, "displayText": display_text}
    return {"type": "button", "style": style, "height": "sm", "action": action}


def uri_button(label: str, uri: str) -> Component:
    return {
        "type": "button",
        "style": "link",
        "height": "sm",
        "action": {"type": "uri", "label": label, "uri": uri},
    }


def bubble(
    title: str,
    body: list[Component],
    footer: list[Component] | None = None,
    title_colour: str = HEADER_COLOUR,
) -> Component:
    """Build a bubble with a coloured header line, a body column and an optional button footer."""
    contents: Component = {
        "type": "bubble",
        "header": box(
            "vertical",
            [text(title, weight="bold", size="md", color="#ffffff")],
            backgroundColor=title_colour,
        ),
        "body": box("vertical", body, spacing="sm"),
    }
    if footer:
        contents["footer"] = box("vertical", footer, spacing="sm")
    return contents
