"""The Jinja2 environment (autoescaping on) shared by every HTML route."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from maps.colours import STATUS_COLOURS, STATUS_LABELS_JA
from workflow.texts.sentences import error_text

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals["STATUS_COLOURS"] = dict(STATUS_COLOURS)
templates.env.globals["STATUS_LABELS_JA"] = dict(STATUS_LABELS_JA)
templates.env.globals["error_text"] = error_text  # a workflow error's sentence
