"""Authentication errors are clean 401s: every missing, malformed or forged Authorization header.

The app runs with an app id and the BOTFRAMEWORK_* settings of a loopback Bot
Connector (as a sovereign-cloud deployment would), in every test mode, and is
asked over real HTTP, and for bytes no HTTP client would send, over a raw socket.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.app import TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

APP_ID = "5b7e9c1d-2a3f-4e6b-8c0d-1f2e3a4b5c6d"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(claims: dict) -> str:
    """An ``alg=none`` JWT: a header, claims and an empty signature."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _in_ten_minutes() -> int:
    return int((dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)).timestamp())


@pytest.fixture
async def authenticated(tmp_path, clock):
    """The app with an app id and BOTFRAMEWORK_* settings, a provider and a token-checking connector."""
    identity = LoopbackIdentity(APP_ID).start()
    async with LoopbackConnector(require_token=identity.bot_token) as connector:
        runner, running = await start_app(make_settings(tmp_path, identity=identity), clock, identity=identity)
        try:
            async with aiohttp.ClientSession() as session:
                yield TeamsClient(running, connector, session, identity=identity)
        finally:
            await runner.cleanup()
            identity.stop()


def _good_claims(identity: LoopbackIdentity, url: str) -> dict:
    return jwt.decode(identity.channel_token(url), options={"verify_signature": False})


def _other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# Each shape: the Authorization header (None: no header at all), from the provider and the connector URL.
SHAPES: dict[str, Callable[[LoopbackIdentity, str], str | None]] = {
    "no header": lambda i, u: None,
    "empty": lambda i, u: "",
    "blank": lambda i, u: "   ",
    "Bearer alone": lambda i, u: "Bearer",
    "Bearer and a space": lambda i, u: "Bearer ",
    "another scheme": lambda i, u: "Basic dXNlcjpwYXNz",
    "a token without a scheme": lambda i, u: i.channel_token(u),
    "Bearer and garbage": lambda i, u: "Bearer not-a-token",
    "three dots of garbage": lambda i, u: "Bearer a.b.c",
    "not base64": lambda i, u: "Bearer !!!.@@@.###",
    "header not JSON": lambda i, u: "Bearer bm9wZQ.e30.c2ln",
    "claims not an object": lambda i, u: f"Bearer {_b64({'alg': 'RS256', 'kid': i.kid})}.WzEsMl0.c2ln",
    "non-ASCII": lambda i, u: "Bearer \u00e9t\u00e9.\u00fc.\u00df",
    "two tokens": lambda i, u: f"Bearer {i.channel_token(u)} {i.channel_token(u)}",
    "alg none without iss": lambda i, u: f"Bearer {_unsigned({'aud': APP_ID, 'exp': _in_ten_minutes()})}",
    "alg none with iss": lambda i, u: f"Bearer {_unsigned(_good_claims(i, u))}",
    "alg none with the emulator's iss": lambda i, u: (
        "Bearer "
        + _unsigned({"iss": EMULATOR_ISSUER, "ver": "1.0", "appid": APP_ID, "aud": APP_ID, "exp": _in_ten_minutes()})
    ),
    "RS256 without iss": lambda i, u: (
        "Bearer "
        + jwt.encode(
            {k: v for k, v in _good_claims(i, u).items() if k != "iss"},
            i._key,
            algorithm="RS256",
            headers={"kid": i.kid},
        )
    ),
    "expired": lambda i, u: f"Bearer {i.channel_token(u, lifetime=dt.timedelta(hours=-2))}",
    "wrong audience": lambda i, u: f"Bearer {i.channel_token(u, audience='another-bot')}",
    "wrong issuer": lambda i, u: f"Bearer {i.channel_token(u, issuer='https://evil.example')}",
    "signed with another key": lambda i, u: f"Bearer {i.channel_token(u, key=_other_key())}",
    "HS256 under a published key id": lambda i, u: (
        "Bearer "
        + jwt.encode(
            _good_claims(i, u), "a-guessed-shared-secret-of-32-bytes-or-more", algorithm="HS256", headers={"kid": i.kid}
        )
    ),
    "for another service URL": lambda i, u: f"Bearer {i.channel_token('https://evil.example/')}",
}


async def _post(teams: TeamsClient, authorization: str | None) -> tuple[int, dict, str]:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    body = json.dumps(teams.activity(person("vanessa.fox"), text="help"))
    async with teams.session.post(f"{teams.app.url}/api/messages", data=body, headers=headers) as resp:
        return resp.status, await resp.json(), resp.headers.get("WWW-Authenticate", "")


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_every_missing_malformed_or_forged_token_gets_a_clean_401(authenticated, shape: str) -> None:
    teams = authenticated
    status, body, challenge = await _post(teams, SHAPES[shape](teams.identity, teams.connector.url))
    assert status == 401, body
    assert body["error"].startswith("unauthorized: ")
    assert challenge == "Bearer"
    assert teams.connector.received == []  # nothing answered
    assert await teams.say("vanessa.fox", "help")  # and a real token still works


async def test_a_request_with_no_or_an_empty_authorization_header_gets_401_not_500(authenticated) -> None:
    teams = authenticated
    for header in (None, ""):
        status, body, _ = await _post(teams, header)
        assert (status, body) == (
            401,
            {"error": "unauthorized: no Authorization header: the Bot Connector sends 'Bearer <token>'"},
        )
    assert teams.connector.received == []


async def test_an_alg_none_token_without_an_issuer_gets_401_not_500(authenticated) -> None:
    teams = authenticated
    token = _unsigned({"aud": APP_ID, "serviceurl": teams.connector.url, "exp": _in_ten_minutes()})
    status, body, _ = await _post(teams, f"Bearer {token}")
    assert status == 401
    assert "'none'" in body["error"]
    assert teams.connector.received == []


@pytest.mark.parametrize(
    "header",
    [b"Authorization: Bearer \xff\xfe.\xff.\xff", b"Authorization: \xc3\xa9", b"Authorization: Bearer \x01\x02.a.b"],
    ids=["latin-1 bytes", "UTF-8 non-ASCII", "control characters"],
)
async def test_raw_bytes_in_the_authorization_header_get_401_over_a_socket(authenticated, header: bytes) -> None:
    teams = authenticated
    url = urlsplit(teams.app.url)
    body = json.dumps(teams.activity(person("vanessa.fox"), text="help")).encode()
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(
            b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + header
            + b"\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + body
        )
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    status_line = response.split(b"\r\n", 1)[0]
    # Control characters are refused by the HTTP parser itself (400), before any token is looked at.
    expected = b"400" if b"\x01" in header else b"401"
    assert status_line.split(b" ")[1] == expected, response[:300]
    assert teams.connector.received == []
