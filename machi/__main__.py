"""``python -m machi``."""

from machi.cli import app

app()
