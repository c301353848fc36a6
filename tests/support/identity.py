"""A loopback Bot Framework identity provider, so tests can run with authentication on.

Inbound: Teams signs every activity with a JWT whose keys are published as
OpenID metadata. This serves that metadata and a JWKS (with the ``msteams``
endorsement) on 127.0.0.1, in a thread of its own, because botbuilder fetches
it with synchronous ``requests`` from inside the event loop (botbuilder-python
#2230): a server on the same loop would never answer. :meth:`channel_token`
signs tokens as the Bot Connector service would (issuer
``https://api.botframework.com``, audience = the bot's app id, ``serviceurl``
claim).

Outbound: the bot's own token for calling the Bot Connector comes from Entra ID
through msal, which only accepts https authorities it can discover at
login.microsoftonline.com. That cannot run here, so :class:`LoopbackCredentialFactory`
hands botbuilder credentials whose token this provider issued; the loopback
connector checks it on every call.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from botframework.connector.auth import MicrosoftAppCredentials, PasswordServiceClientCredentialFactory
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwk(kid: str, key: Any) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "kid": kid,
        "n": _b64(numbers.n),
        "e": _b64(numbers.e),
        "endorsements": ["msteams"],
    }


class LoopbackIdentity:
    """OpenID metadata + JWKS on loopback, and a signer for channel tokens."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.name = uuid.uuid4().hex[:12]  # tells this provider's metadata URL from any earlier one's
        self.kid = f"test-{uuid.uuid4().hex[:8]}"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._retired: list[tuple[str, Any]] = []  # (kid, key) still published after a rollover
        self.bot_token = f"bot-token-{uuid.uuid4().hex}"  # what the bot presents to the connector
        self.metadata_requests = 0  # GETs of the OpenID metadata document
        self.metadata_asked = threading.Event()  # set by each of them
        self.hold = threading.Event()  # cleared: metadata requests wait until it is set again
        self.hold.set()
        self.hold_expired = False  # a held request gave up waiting (nobody set ``hold``: a blocked loop?)
        self.failing = False  # metadata requests answered with a 500
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def metadata_url(self) -> str:
        # botbuilder keeps signing keys per metadata URL for the whole process (fetched
        # again daily, or at most hourly for an unknown key); a later provider on a
        # reused port must not be checked against this one's keys, so the URL names it.
        return f"{self.url}/v1/.well-known/openidconfiguration?provider={self.name}"

    def start(self) -> LoopbackIdentity:
        identity = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.startswith("/v1/.well-known/openidconfiguration"):
                    identity.metadata_requests += 1
                    identity.metadata_asked.set()
                    if not identity.hold.wait(5):
                        identity.hold_expired = True
                    if identity.failing:
                        self.send_error(500)
                        return
                    body = {
                        "issuer": ISSUER,
                        "authorization_endpoint": f"{identity.url}/v1/auth",
                        "jwks_uri": f"{identity.url}/v1/.well-known/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                    }
                elif self.path.startswith("/v1/.well-known/keys"):
                    body = {
                        "keys": [_jwk(kid, key) for kid, key in [(identity.kid, identity._key), *identity._retired]]
                    }
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-identity", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def roll_over_key(self) -> None:
        """Sign with a new key from now on, publishing it beside the old one, as the Bot Connector does."""
        self._retired.insert(0, (self.kid, self._key))
        self.kid = f"test-{uuid.uuid4().hex[:8]}"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def channel_token(
        self,
        service_url: str,
        *,
        audience: str | None = None,
        issuer: str = ISSUER,
        lifetime: dt.timedelta = dt.timedelta(hours=1),
        key: Any = None,
        kid: str | None = None,
    ) -> str:
        """A token as the Bot Connector signs it for an activity sent to this bot."""
        now = dt.datetime.now(dt.UTC)
        claims = {
            "iss": issuer,
            "aud": audience or self.app_id,
            "serviceurl": service_url,
            "nbf": int((now - dt.timedelta(minutes=1)).timestamp()),
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": uuid.uuid4().hex,  # every token its own (the bot remembers validated ones)
        }
        return jwt.encode(claims, key or self._key, algorithm="RS256", headers={"kid": kid or self.kid})

    def settings_overrides(self, password: str = "loopback-password") -> dict[str, Any]:
        """Settings fields that put the app in authenticated mode against this provider."""
        return {
            "app_id": self.app_id,
            "app_password": password,
            "botframework_openid_metadata_url": self.metadata_url,
            "botframework_token_issuer": ISSUER,
        }


class _LoopbackCredentials(MicrosoftAppCredentials):
    def __init__(self, app_id: str, password: str, token: str) -> None:
        super().__init__(app_id, password)
        self._token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self._token


class LoopbackCredentialFactory(PasswordServiceClientCredentialFactory):
    """botbuilder's password credential factory, with tokens from the loopback identity."""

    def __init__(self, identity: LoopbackIdentity, password: str = "loopback-password") -> None:
        super().__init__(identity.app_id, password)
        self._identity = identity

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> MicrosoftAppCredentials:
        if await self.is_authentication_disabled():
            return MicrosoftAppCredentials.empty()
        if not await self.is_valid_app_id(app_id):
            raise PermissionError(f"invalid app id {app_id!r}")
        return _LoopbackCredentials(app_id, self.password, self._identity.bot_token)
