"""At ``machi serve`` / ``machi worker`` start: does row-level security hold the app's role.

The app connects with ``MACHI_DATABASE_URL`` as a role that owns no table and does not bypass
RLS (``machi_app``); ``MACHI_OWNER_DATABASE_URL`` is for migrations and admin commands. A
deployment that gives only one URL (as before RLS) connects the app as the owner: every
policy is then bypassed. In dev and test that is logged as a warning; in production the
commands refuse to start, naming the settings to change.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from geo.roles import rls_bypass_reasons
from machi.settings import Settings

log = logging.getLogger("machi.app_role")

HOW_TO_FIX = (
    "connect the app as the role the migrations grant ({role}): set MACHI_DATABASE_URL to "
    "that role and MACHI_OWNER_DATABASE_URL to the tables' owner (README, Settings)"
)


class AppRoleRefused(RuntimeError):
    """Production refuses an app connection that row-level security does not hold."""


def app_role_problems(settings: Settings) -> list[str]:
    """Why the app's connection bypasses row-level security (empty: it does not, or unknown).

    The database decides, not the URLs: a deployment may give only ``MACHI_DATABASE_URL``,
    naming the app role (the owner's URL then defaults to it and is simply not used).
    """
    try:
        return rls_bypass_reasons(settings.database_url)
    except SQLAlchemyError as exc:  # the database is down: the app answers 503 until it is up
        log.warning("could not check the app's database role: %s", type(exc).__name__)
        return []


def check_app_role(settings: Settings) -> str | None:
    """The warning to print when RLS would not hold the app's connection (dev, test), or None.

    Raises:
        AppRoleRefused: in production, with the reasons and what to set.
    """
    problems = app_role_problems(settings)
    if not problems:
        return None
    message = (
        "row-level security is bypassed: "
        + "; ".join(problems)
        + " -- "
        + HOW_TO_FIX.format(role=settings.app_role)
    )
    if settings.env == "production":
        raise AppRoleRefused(message)
    return message
