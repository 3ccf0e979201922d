"""Settings for every part of Machi, read from ``MACHI_*`` environment variables.

Nothing reads the environment at import time: call :func:`get_settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from machi.proxies import Network, parse_networks

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LOCAL_PG_PORT = 54329
# The app connects as a role that owns nothing and is subject to row-level security; the
# owner of the tables runs migrations and the admin commands (docs: README "Settings").
DEV_APP_ROLE = "machi_app"
DEV_DATABASE_URL = f"postgresql+psycopg://{DEV_APP_ROLE}@127.0.0.1:{LOCAL_PG_PORT}/machi"
DEV_OWNER_DATABASE_URL = f"postgresql+psycopg://machi@127.0.0.1:{LOCAL_PG_PORT}/machi"
DEV_SECRET_KEY = "dev-secret-key-not-for-production"
DEV_LINE_CHANNEL_SECRET = "dev-channel-secret"
DEV_LINE_ACCESS_TOKEN = "dev-channel-access-token"
DEV_DATA_KEY = "dev-data-key-not-for-production"

DEV_SECRETS = {DEV_SECRET_KEY, DEV_LINE_CHANNEL_SECRET, DEV_LINE_ACCESS_TOKEN, DEV_DATA_KEY, ""}


def dev_line_credentials(code: str) -> tuple[str, str]:
    """The dev LINE channel secret and access token of demo town ``code`` (not the default's)."""
    return f"{DEV_LINE_CHANNEL_SECRET}-{code}", f"{DEV_LINE_ACCESS_TOKEN}-{code}"


# Where the app serves its own fake LINE Messaging API in dev (api/dev/line_api.py).
DEV_LINE_API_PATH = "/dev/line-api"


class Settings(BaseSettings):
    """All configuration. Names map to ``MACHI_<FIELD>`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="MACHI_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "production"] = "dev"
    database_url: str = DEV_DATABASE_URL  # the app role: machi serve, machi worker
    # The tables' owner: migrations and admin commands. Unset: MACHI_DATABASE_URL when that is
    # set (a single-URL deployment, RLS bypassed: see machi.app_role), else the dev owner.
    owner_database_url: str = ""
    db_pool_size: int = Field(default=10, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str = DEV_SECRET_KEY
    # Encrypts secrets at rest (each town's LINE channel secret and token): keep it apart from
    # database backups; changing it makes the stored secrets unreadable (set them again).
    data_key: str = DEV_DATA_KEY

    line_channel_secret: str = DEV_LINE_CHANNEL_SECRET
    line_channel_access_token: str = DEV_LINE_ACCESS_TOKEN
    line_channel_id: str | None = None  # seeds the registry with the two above
    # Set: every SDK call (api and api-data) goes here. Unset: LINE's real hosts, except in dev,
    # where it defaults to the app's own fake LINE API; set it empty for the real hosts in dev.
    line_api_base: str | None = None

    municipality_code: str = Field(default="13202", pattern=r"^\d{5,6}$")
    media_dir: Path = PROJECT_ROOT / "var" / "media"
    public_base_url: str | None = None
    # Under every map: "own" (our vector tiles from PostGIS), "gsi" (地理院タイル) or an XYZ
    # URL template; a raster that does not load falls back to our own tiles.
    basemap: str = "own"
    basemap_attribution: str = ""  # HTML attribution of a custom XYZ URL

    # Count each desk's opening map view ahead when a web process starts (towns of 5,000
    # reports or more; workflow/desk/warm_start.py).
    map_warm_start: bool = True

    duplicate_radius_m: float = Field(default=30.0, gt=0)
    worker_poll_s: float = Field(default=1.0, gt=0)
    # Threads per worker process that take LINE events (each claims its own, in order per
    # resident); the towns are served round-robin by all of them.
    worker_event_threads: int = Field(default=4, ge=1, le=32)
    # Open311: requests per minute per API key (POST) and per client address (every call);
    # 0 turns a limit off.
    open311_key_per_minute: int = Field(default=30, ge=0)
    open311_address_per_minute: int = Field(default=120, ge=0)
    # LINE delivery (workflow/line/dispatcher.py): sends in flight at once per worker process,
    # the timeout of every LINE call, how long a leased message stays reserved (renewed while
    # its send runs), and how long an undelivered message is retried before it is given up.
    line_send_concurrency: int = Field(default=16, ge=1, le=128)
    line_send_timeout_s: float = Field(default=10.0, gt=0)
    line_lease_s: float = Field(default=30.0, gt=0)
    line_give_up_after_s: float = Field(default=86400.0, gt=0)

    @property
    def municipality_id(self) -> int:
        """The served municipality's id: its JIS code (全国地方公共団体コード) as a number."""
        return int(self.municipality_code)

    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated).
    # Empty: the header is ignored and limits key on the direct peer.
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = ()

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_trusted_proxies(cls, value: object) -> object:
        if isinstance(value, str | list | tuple):
            return parse_networks(value)
        return value

    @model_validator(mode="after")
    def _owner_defaults_to_the_single_url(self) -> Settings:
        if not self.owner_database_url:
            given = "database_url" in self.model_fields_set
            self.owner_database_url = self.database_url if given else DEV_OWNER_DATABASE_URL
        return self

    @property
    def app_role(self) -> str:
        """The role row-level security applies to: the user of ``database_url``.

        ``machi_app`` when that URL names no user or the owner's (a single-URL deployment):
        migrations then still create and grant the role the app should move to.
        """
        user, owner = _url_user(self.database_url), _url_user(self.owner_database_url)
        return user if user and user != owner else DEV_APP_ROLE

    @model_validator(mode="after")
    def _dev_talks_to_the_in_app_line_api(self) -> Settings:
        if self.env == "dev" and self.line_api_base is None:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            host = f"[{host}]" if ":" in host else host
            self.line_api_base = f"http://{host}:{self.port}{DEV_LINE_API_PATH}"
        return self

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        if self.secret_key in DEV_SECRETS or len(self.secret_key) < 32:
            problems.append("MACHI_SECRET_KEY must be a random value of at least 32 characters")
        if self.data_key in DEV_SECRETS or len(self.data_key) < 32:
            problems.append("MACHI_DATA_KEY must be a random value of at least 32 characters")
        if self.line_channel_secret in DEV_SECRETS:
            problems.append("MACHI_LINE_CHANNEL_SECRET must be the channel secret from LINE")
        if self.line_channel_access_token in DEV_SECRETS:
            problems.append("MACHI_LINE_CHANNEL_ACCESS_TOKEN must be the channel access token")
        if self.database_url == DEV_DATABASE_URL:
            problems.append("MACHI_DATABASE_URL must point at the production PostGIS")
        if self.owner_database_url == DEV_OWNER_DATABASE_URL:
            problems.append("MACHI_OWNER_DATABASE_URL must point at the production PostGIS")
        if problems:
            raise ValueError("production settings refused: " + "; ".join(problems))
        return self

    @property
    def base_url(self) -> str:
        """The URL residents and crews open (QR codes, links in LINE messages)."""
        return self.public_base_url or f"http://{self.host}:{self.port}"


def _url_user(url: str) -> str | None:
    user = urlsplit(url).username
    return unquote(user) if user else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
