"""Readiness read from Microsoft Graph: MFA registration and, where the plan asks, Intune device compliance.

Graph sources:
- ``GET /reports/authenticationMethods/userRegistrationDetails`` (``isMfaRegistered``,
  ``methodsRegistered``), listed whole during a sync and per user on demand
  (``AuditLog.Read.All``).
- ``GET /deviceManagement/managedDevices`` (``userId``, ``complianceState``)
  (``DeviceManagementManagedDevices.Read.All``), only when ``plan.readiness.device_compliance``.

A user with no managed device has ``device_compliant = None`` (unknown, not a
failure): in most waves PCs are not enrolled before cutover. What the product
makes of it is :mod:`switchover.readiness`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.device_management.managed_devices.managed_devices_request_builder import (
    ManagedDevicesRequestBuilder,
)
from msgraph.generated.reports.authentication_methods.user_registration_details.user_registration_details_request_builder import (  # noqa: E501
    UserRegistrationDetailsRequestBuilder,
)

from switchover.directory.base import Readiness
from switchover.directory.graph_client import GraphForbidden, graph_json, graph_pages

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from switchover.plan.model import ReadinessChecks

log = logging.getLogger(__name__)

REGISTRATION_SELECT = ["id", "isMfaRegistered", "methodsRegistered"]
DEVICE_SELECT = ["id", "userId", "complianceState"]
PAGE_SIZE = 999


def _methods(details: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(m) for m in details.get("methodsRegistered") or ())


def _compliance(devices: Iterable[dict[str, Any]]) -> bool | None:
    states = [d.get("complianceState") for d in devices]
    if not states:
        return None
    return all(s == "compliant" for s in states)


async def fetch_readiness(
    client: GraphServiceClient, user_ids: Iterable[str], checks: ReadinessChecks, now: dt.datetime
) -> dict[str, Readiness]:
    """Readiness of every user in ``user_ids`` from two paged listings (not one call per user).

    Raises:
        GraphUnavailable: when Graph fails (after the SDK's retries).
    """
    mfa: dict[str, dict[str, Any]] = {}
    mfa_known = checks.mfa
    if checks.mfa:
        builder = client.reports.authentication_methods.user_registration_details
        query = UserRegistrationDetailsRequestBuilder.UserRegistrationDetailsRequestBuilderGetQueryParameters(
            select=REGISTRATION_SELECT, top=PAGE_SIZE
        )
        try:
            for d in await graph_pages(client, builder, RequestConfiguration(query_parameters=query)):
                if d.get("id"):
                    mfa[d["id"]] = d
        except GraphForbidden as exc:
            # Without AuditLog.Read.All (or the Entra ID P1/P2 licence) the directory still works; MFA is unknown.
            log.warning("MFA registration not readable; readiness stays unknown", extra={"error": str(exc)})
            mfa_known = False
    devices: dict[str, list[dict[str, Any]]] = {}
    devices_known = checks.device_compliance
    if checks.device_compliance:
        try:
            devices = await _devices(client)
        except GraphForbidden as exc:
            log.warning("Intune devices not readable; compliance stays unknown", extra={"error": str(exc)})
            devices_known = False
    out: dict[str, Readiness] = {}
    for uid in user_ids:
        details = mfa.get(uid)
        registered = bool(details.get("isMfaRegistered")) if details is not None else None
        out[uid] = Readiness(
            user_id=uid,
            mfa_registered=registered if mfa_known else None,
            methods=_methods(details) if details is not None else (),
            device_compliant=_compliance(devices.get(uid, ())) if devices_known else None,
            checked_at=now,
        )
    return out


async def _devices(client: GraphServiceClient, user_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
    builder = client.device_management.managed_devices
    query = ManagedDevicesRequestBuilder.ManagedDevicesRequestBuilderGetQueryParameters(
        select=DEVICE_SELECT, top=PAGE_SIZE, filter=f"userId eq '{user_id}'" if user_id else None
    )
    devices: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for dev in await graph_pages(client, builder, RequestConfiguration(query_parameters=query)):
        owner = dev.get("userId")
        if owner and (user_id is None or owner == user_id):
            devices[owner].append(dev)
    return devices


async def fetch_user_readiness(
    client: GraphServiceClient, user_id: str, checks: ReadinessChecks, now: dt.datetime
) -> Readiness | None:
    """One user's readiness asked of Graph now; None if Graph does not know the user."""
    mfa_registered: bool | None = None
    methods: tuple[str, ...] = ()
    if checks.mfa:
        item = client.reports.authentication_methods.user_registration_details.by_user_registration_details_id(user_id)
        details = await graph_json(client, item, missing_ok=True)
        if details is None:
            return None
        mfa_registered = bool(details.get("isMfaRegistered"))
        methods = _methods(details)
    compliant: bool | None = None
    if checks.device_compliance:
        compliant = _compliance((await _devices(client, user_id)).get(user_id, ()))
    return Readiness(user_id, mfa_registered, methods, compliant, now)
