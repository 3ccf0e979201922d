"""Where the development workspace's read-only data lives: ``../shared`` beside the checkout.

``MACHI_SHARED_DIR`` overrides it (e.g. a CI runner that mounts the data elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

from machi.settings import PROJECT_ROOT

SHARED_DIR = Path(os.environ.get("MACHI_SHARED_DIR") or PROJECT_ROOT.parent / "shared")
LINE_WEBHOOK_FIXTURE = SHARED_DIR / "data/line/webhook.json"
"""line-bot-sdk-python's own webhook fixture (tests/v3/text/webhook.json): 28 real event shapes."""
