"""The demo towns ``machi demo load`` knows, by JIS code: each loader is idempotent."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from machi.settings import Settings, dev_line_credentials
from workflow.demo.kyotango import load_kyotango
from workflow.demo.town import DemoLoadResult, load_demo_town
from workflow.towns.channels import line_channel_status, set_line_channel
from workflow.towns.secrets import DataKey

DemoLoader = Callable[[Session], DemoLoadResult]


def seed_dev_channel(session: Session, settings: Settings, code: str) -> bool:
    """In dev, give demo town ``code`` its dev LINE channel unless it has one; True if given.

    The deployment's own town takes the environment's (``seed_from_settings``); every other
    demo town gets ``dev_line_credentials(code)``, which the in-app fake LINE API accepts.
    """
    if settings.env != "dev" or code == settings.municipality_code:
        return False
    status = line_channel_status(session, int(code))
    if status is not None and status.secret_set and status.access_token_set:
        return False
    secret, token = dev_line_credentials(code)
    set_line_channel(session, int(code), None, secret, token, DataKey.from_settings(settings))
    return True


DEMO_TOWNS: dict[str, DemoLoader] = {
    "13202": load_demo_town,  # 立川市 (data/tachikawa), host tachikawa.localhost
    "26212": load_kyotango,  # 京丹後市 (data/kyotango), host kyotango.localhost
}
