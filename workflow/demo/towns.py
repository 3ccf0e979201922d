"""The demo towns ``machi demo load`` knows, by JIS code: each loader is idempotent."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from workflow.demo.town import DemoLoadResult, load_demo_town

DemoLoader = Callable[[Session], DemoLoadResult]

DEMO_TOWNS: dict[str, DemoLoader] = {
    "13202": load_demo_town,  # 立川市 (data/tachikawa), host tachikawa.localhost
}
