"""The town registry: the municipalities one deployment serves and their LINE channels.

``registry`` (look-ups and changes), ``channels`` (LINE credentials, encrypted at rest with
``secrets``), ``model`` (what they hand out), ``validate`` (what an operator may type).
"""

from workflow.towns.channels import (
    line_channel,
    line_channel_status,
    seed_from_settings,
    set_line_channel,
)
from workflow.towns.model import LineChannel, LineChannelStatus, Town, TownEntry
from workflow.towns.registry import (
    add_town,
    disable_town,
    enable_town,
    get_town,
    list_towns,
    set_town,
    town_by_host,
    town_by_id,
    town_has_boundary,
    town_overview,
)
from workflow.towns.secrets import DataKey, SecretError, SecretMismatchError, WrongDataKeyError

__all__ = [
    "DataKey",
    "LineChannel",
    "LineChannelStatus",
    "SecretError",
    "SecretMismatchError",
    "Town",
    "TownEntry",
    "WrongDataKeyError",
    "add_town",
    "disable_town",
    "enable_town",
    "get_town",
    "line_channel",
    "line_channel_status",
    "list_towns",
    "seed_from_settings",
    "set_line_channel",
    "set_town",
    "town_by_host",
    "town_by_id",
    "town_has_boundary",
    "town_overview",
]
