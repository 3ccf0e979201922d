"""CSRF for residents' forms (no login): a signed double-submit token.

The form page sets a random nonce in an HttpOnly, SameSite=Strict cookie scoped to ``/r``
and puts the nonce, signed with the secret key and timestamped, in the form. A submission
is accepted only when the signature holds, the token is younger than ``MAX_AGE_S`` and it
signs the nonce of the cookie the browser sent: another site can neither read the cookie
nor forge the signature.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from machi.settings import Settings

COOKIE: Final = "machi_r_csrf"
COOKIE_PATH: Final = "/r"
MAX_AGE_S: Final = 2 * 3600
_SALT: Final = "resident-form"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=_SALT)


def _nonce_of(request: Request) -> str | None:
    nonce = request.cookies.get(COOKIE)
    return nonce if nonce and 16 <= len(nonce) <= 64 else None


@dataclass(frozen=True)
class FormToken:
    nonce: str  # goes to the cookie
    token: str  # goes into the form (``csrf_token``)

    def set_cookie(self, response: Response, settings: Settings) -> None:
        """Put the nonce cookie on the page's response."""
        response.set_cookie(
            COOKIE,
            self.nonce,
            max_age=MAX_AGE_S,
            httponly=True,
            samesite="strict",
            secure=settings.env == "production",
            path=COOKIE_PATH,
        )


def form_token(request: Request, settings: Settings) -> FormToken:
    """A token for a form page; the browser's nonce is kept when it has one (several tabs)."""
    nonce = _nonce_of(request) or secrets.token_urlsafe(24)
    return FormToken(nonce, str(_serializer(settings).dumps(nonce)))


def form_token_ok(request: Request, settings: Settings, token: str | None) -> bool:
    """True when ``token`` is ours, fresh, and signs the nonce of the request's cookie."""
    nonce = _nonce_of(request)
    if not nonce or not token:
        return False
    try:
        signed = _serializer(settings).loads(token, max_age=MAX_AGE_S)
    except BadSignature:
        return False
    return isinstance(signed, str) and hmac.compare_digest(signed, nonce)
