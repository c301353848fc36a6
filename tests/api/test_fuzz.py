"""The API under generated input (schemathesis): every operation of the served OpenAPI document.

For each operation, valid requests (``positive``) and requests that break the document
(``negative``: wrong types, missing fields, values out of range) go to the app over real
HTTP on loopback, with the bearer token, in both authentication modes. Every answer must
be below 500 and conform to the document: a documented status, its content type, its schema.

The budget is fixed (``EXAMPLES`` per operation and mode, derandomized: the same requests on
every run), so this adds seconds to the suite, not minutes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from switchover.clock import ManualClock
from tests.support.app import RunningApp, TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

TOKEN = "fuzz-token"
EXAMPLES = 6  # per operation and mode: about 10 s in all for both auth modes on this machine
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
async def api(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[RunningApp]:
    settings_ = make_settings(tmp_path, identity=identity, api_token=TOKEN)
    runner, running = await start_app(settings_, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            # Someone has the app: the tenant is known, so announcement routes get past their 409.
            await TeamsClient(running, connector, session).install(person("omar.reyes"))
        yield running
    finally:
        await runner.cleanup()


def fuzz(base_url: str, document: dict) -> list[str]:
    """Run every operation under generated input; returns what was exercised (``METHOD path mode``)."""
    schema = schemathesis.openapi.from_dict(document)
    ran = []
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=EXAMPLES,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def check(case: schemathesis.Case) -> None:
                    response = case.call(base_url=base_url, session=session, timeout=30)
                    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
                    case.validate_response(response, checks=CHECKS)

                check()
                ran.append(f"{operation.method.upper()} {operation.path} {mode.value}")
    return ran


async def test_every_operation_answers_generated_input_as_the_document_says(api: RunningApp) -> None:
    async with aiohttp.ClientSession() as session, session.get(api.url + "/api/openapi.json") as resp:
        document = await resp.json()
    # The requests are blocking (schemathesis uses requests); the app answers on this loop meanwhile.
    ran = await asyncio.to_thread(fuzz, api.url, document)
    assert len(ran) == 2 * sum(len(ops) for ops in document["paths"].values())
    assert any(r.startswith("POST /api/announcements ") for r in ran)
