"""Readiness and reach over HTTP, for dashboards and scripts.

``GET /api/readiness[?wave=<key>]``: MFA registration per wave and department.
``POST /api/install`` with ``{"wave": "<key>"}`` or ``{"users": ["upn", ...]}``: install
the Teams app for those people through Graph; answers who could not be reached and why
(404 when the directory is not Graph or ``TEAMS_APP_CATALOG_ID`` is unset).

Bearer token: ``SWITCHOVER_API_TOKEN`` (no token configured: the routes are not added).
"""

from __future__ import annotations

import hmac

from aiohttp import web

from switchover.directory.install import AppInstaller
from switchover.membership import members_by_wave
from switchover.readiness.service import ReadinessService
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

    async def install(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return web.json_response({"error": "unauthorized"}, status=401)
        installer = runtime.features.get("installer")
        if not isinstance(installer, AppInstaller):
            return web.json_response(
                {"error": "app installation needs the Graph directory and TEAMS_APP_CATALOG_ID"}, status=404
            )
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "a JSON body is required"}, status=400)
        if not isinstance(body, dict) or not (body.get("wave") or body.get("users")):
            return web.json_response({"error": "give 'wave' (a wave key) or 'users' (UPNs)"}, status=400)
        users = []
        if body.get("wave"):
            if body["wave"] not in {w.key for w in runtime.plan.waves}:
                return web.json_response({"error": f"no wave {body['wave']!r}"}, status=404)
            users = members_by_wave(runtime.plan, await runtime.directory.all_users())[body["wave"]]
        unknown = []
        for upn in body.get("users") or []:
            user = await runtime.directory.get(str(upn))
            if user is None:
                unknown.append(str(upn))
            else:
                users.append(user)
        report = (await installer.install_all(users)).as_dict()
        report["unreachable"].extend(
            {"id": None, "upn": upn, "outcome": "not_found", "status": None, "reason": "not in the directory"}
            for upn in unknown
        )
        return web.json_response(report)

    app.router.add_get("/api/readiness", readiness)
    app.router.add_post("/api/install", install)
