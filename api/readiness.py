"""``GET /api/readiness``: MFA registration per wave and department, for dashboards and scripts.

Bearer token: ``SWITCHOVER_API_TOKEN`` (no token configured: the route is not added).
Query: ``wave=<wave key>`` narrows to one wave.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from switchover.directory.readiness import ReadinessService
from switchover.runtime import Runtime


def setup(app: web.Application, runtime: Runtime) -> None:
    """Add ``GET /api/readiness``."""
    token = runtime.settings.api_token.get_secret_value()
    if not token:
        return

    async def readiness(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return web.json_response(
                {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": 'Bearer realm="switchover"'}
            )
        service = runtime.features.get("readiness")
        if not isinstance(service, ReadinessService):
            service = ReadinessService(runtime.plan, runtime.directory)
        wave = request.query.get("wave")
        if wave is not None and wave not in {w.key for w in runtime.plan.waves}:
            return web.json_response({"error": f"no wave {wave!r}"}, status=404)
        report = await service.report(wave)
        body = report.as_dict()
        status = getattr(runtime.directory, "status", None)
        body["directory"] = status() if callable(status) else {"ok": True, "source": "roster"}
        return web.json_response(body)

    app.router.add_get("/api/readiness", readiness)
