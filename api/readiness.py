"""Readiness and reach over HTTP, for dashboards and scripts.

``GET /api/readiness[?wave=<key>]``: MFA registration per wave and department.
``POST /api/install`` with ``{"wave": "<key>"}`` or ``{"users": ["upn", ...]}``: install
the Teams app for those people through Graph; answers who could not be reached and why
(404 when the directory is not Graph or ``TEAMS_APP_CATALOG_ID`` is unset).

Behind the API's bearer token (:mod:`api.auth`).
"""

from __future__ import annotations

from aiohttp import web

from api.auth import TENANT
from switchover.membership import members_by_wave
from switchover.services import Services


def setup(app: web.Application, services: Services) -> None:
    """Add ``GET /api/readiness`` and ``POST /api/install``."""
    plan, directory = services.plan, services.directory

    async def served_only(request: web.Request) -> web.Response | None:
        # Readiness and installs are the served tenant's; api.auth checked the token covers request[TENANT].
        served = services.plan.organisation.tenant_id or await services.tenant.settle()
        if request[TENANT] != served:
            return web.json_response({"error": "this Switchover does not serve that tenant"}, status=404)
        return None

    async def readiness(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        wave = request.query.get("wave")
        if wave is not None and wave not in {w.key for w in plan.waves}:
            return web.json_response({"error": f"no wave {wave!r}"}, status=404)
        report = await services.readiness.report(wave)
        body = report.as_dict()
        status = getattr(directory, "status", None)
        body["directory"] = status() if callable(status) else {"ok": True, "source": "roster"}
        return web.json_response(body)

    async def install(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        installer = services.installer
        if installer is None:
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
            if body["wave"] not in {w.key for w in plan.waves}:
                return web.json_response({"error": f"no wave {body['wave']!r}"}, status=404)
            users = members_by_wave(plan, await directory.all_users())[body["wave"]]
        unknown = []
        for upn in body.get("users") or []:
            user = await directory.get(str(upn))
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
