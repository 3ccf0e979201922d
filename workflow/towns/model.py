"""What the town registry hands out: towns and their LINE channels (secrets kept out of reprs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Town:
    """One municipality as the registry knows it (everything here is public).

    ``id`` is the tenant id (the 5-digit JIS code as a number); ``host`` the host name its
    staff and residents use (``tachikawa.localhost``), ``public_base_url`` the base of the links
    it sends (``None``: the deployment's ``MACHI_PUBLIC_BASE_URL``), ``basemap`` ``own``,
    ``gsi`` or an XYZ URL template; a town that is not ``active`` is served no requests.
    """

    id: int
    code: str
    name: str
    prefecture: str
    phone: str
    host: str | None
    public_base_url: str | None
    basemap: str
    active: bool
    line_channel_id: str | None = None


@dataclass(frozen=True)
class LineChannel:
    """A town's LINE channel with its secret and access token in clear (never in its repr)."""

    channel_id: str | None
    secret: str = field(repr=False)
    access_token: str = field(repr=False)


@dataclass(frozen=True)
class LineChannelStatus:
    """What may be shown of a town's LINE channel: its id and whether the secrets are set."""

    channel_id: str | None
    secret_set: bool
    access_token_set: bool
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class TownEntry:
    """A row of the registry's listing: the town and whether its LINE channel is set."""

    town: Town
    line_set: bool
