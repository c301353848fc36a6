"""Signed, expiring links to the bot's own HTTPS endpoint.

Some things reach people outside a Teams card action: a chart image in the digest (Teams
loads card images by URL, without the bot's token), the "Got it" button of an email. Their
address carries a token that says what it is for, what it points at and until when, signed
with the instance's link secret (``SWITCHOVER_LINK_SECRET``; the same on every instance, so a
link made by one is honoured by all). ``itsdangerous`` does the signing and the timestamp.

A token is bound to its *purpose* (the salt): a chart token cannot acknowledge an email.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkError(ValueError):
    """The token is not one of ours, was made for another purpose, or has expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LinkSigner:
    """Signs and checks payloads for one purpose (``chart``, ``email-ack``, ...)."""

    secret: str
    purpose: str

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=f"switchover-link:{self.purpose}")

    def sign(self, payload: Any) -> str:
        """A URL-safe token for ``payload`` (JSON-serialisable), stamped with the current time."""
        return self._serializer().dumps(payload)

    def load(self, token: str, *, max_age: dt.timedelta) -> Any:
        """The payload, if the token is ours, for this purpose and younger than ``max_age``."""
        try:
            return self._serializer().loads(token, max_age=int(max_age.total_seconds()))
        except SignatureExpired as exc:
            raise LinkError("expired") from exc
        except BadSignature as exc:
            raise LinkError("invalid") from exc


def link_secret(configured: str) -> str:
    """The configured secret, else a random one for this process (links die with it; local mode)."""
    return configured or secrets.token_urlsafe(32)


def public_base(bot_domain: str, port: int) -> str:
    """Where people's browsers reach this instance: ``https://BOT_DOMAIN``, else loopback in local mode."""
    return f"https://{bot_domain}" if bot_domain else f"http://localhost:{port}"
