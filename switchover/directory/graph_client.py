"""Talking to Microsoft Graph: the client, its credential, and GET with paging and error mapping.

Requests are built by the SDK's request builders and sent through its request
adapter (auth, retry middleware, OData error mapping), but response bodies are
read as JSON here (see :mod:`switchover.directory.graph` for why). Used by the
Graph directory and by the readiness reads.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core import GraphClientFactory

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.core.credentials_async import AsyncTokenCredential

    from switchover.settings import Settings


class GraphUnavailable(Exception):
    """Graph could not answer (timeout, 5xx after retries, throttled past retries, auth)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GraphForbidden(GraphUnavailable):
    """Graph answered 403: the app lacks the permission (or the tenant the licence) for this call."""


def build_graph_client(
    credential: TokenCredential | AsyncTokenCredential,
    *,
    base_url: str = "https://graph.microsoft.com/v1.0",
    timeout_seconds: float = 30.0,
    max_retries: int = 3,
) -> GraphServiceClient:
    """A ``GraphServiceClient`` for ``base_url`` with the SDK's default middleware.

    The default pipeline includes the kiota ``RetryHandler`` (429/503/504, honours
    ``Retry-After``) and the redirect, URL-replace and telemetry handlers. Tokens are
    requested only for the host of ``base_url``.

    Args:
        credential: an azure-identity credential (sync or async).
        base_url: Graph root including the version; tests pass a loopback fake.
        timeout_seconds: per HTTP request (each retry gets its own).
        max_retries: retries after the first attempt, per request.
    """
    base_url = base_url.rstrip("/")
    http = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(timeout_seconds, connect=10.0))
    options: dict[str, Any] = {RetryHandlerOption.get_key(): RetryHandlerOption(delay=0, max_retries=max_retries)}
    http = GraphClientFactory.create_with_default_middleware(client=http, options=options)
    host = urlparse(base_url).hostname or ""
    auth = AzureIdentityAuthenticationProvider(credential, allowed_hosts=[host])
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)


async def close_graph_client(client: GraphServiceClient) -> None:
    """Close the connections of a client made by :func:`build_graph_client`."""
    http = getattr(client.request_adapter, "_http_client", None)
    if http is None:
        return
    # msgraph-core's AsyncGraphTransport does not close the transport it wraps; close it here.
    inner = getattr(http._transport, "transport", None)
    await http.aclose()
    if isinstance(inner, httpx.AsyncBaseTransport):
        await inner.aclose()


def credential_from_settings(settings: Settings) -> AsyncTokenCredential:
    """The app-only credential the settings choose: managed identity, certificate or client secret."""
    from azure.identity.aio import CertificateCredential, ClientSecretCredential, ManagedIdentityCredential

    if settings.graph_use_managed_identity:
        # A user-assigned identity is named by its client id; empty means system-assigned.
        return ManagedIdentityCredential(client_id=settings.graph_client_id or None)
    if not settings.graph_tenant_id or not settings.graph_client_id:
        raise ValueError("GRAPH_TENANT_ID and GRAPH_CLIENT_ID are required for the Graph directory")
    if settings.graph_certificate_path:
        return CertificateCredential(
            settings.graph_tenant_id, settings.graph_client_id, certificate_path=str(settings.graph_certificate_path)
        )
    secret = settings.graph_client_secret.get_secret_value()
    if not secret:
        raise ValueError("set GRAPH_CLIENT_SECRET, GRAPH_CERTIFICATE_PATH or GRAPH_USE_MANAGED_IDENTITY")
    return ClientSecretCredential(settings.graph_tenant_id, settings.graph_client_id, secret)


# -- reading ----------------------------------------------------------------------


async def graph_json(
    client: GraphServiceClient,
    builder: Any,
    config: RequestConfiguration[Any] | None = None,
    *,
    missing_ok: bool = False,
) -> dict[str, Any] | None:
    """GET through an SDK request builder (auth, retry middleware, OData errors); the body as JSON.

    Args:
        client: the Graph client whose request adapter sends.
        builder: any SDK request builder with ``to_get_request_information``.
        config: query parameters and options.
        missing_ok: 404 gives None instead of raising.

    Raises:
        GraphUnavailable: any other failure (after the SDK's retries).
    """
    info = builder.to_get_request_information(config)
    try:
        body: Any = await client.request_adapter.send_primitive_async(  # type: ignore[func-returns-value]
            info, "bytes", {"XXX": ODataError}
        )
    except APIError as exc:
        status = exc.response_status_code
        if missing_ok and status == 404:
            return None
        kind = GraphForbidden if status == 403 else GraphUnavailable
        raise kind(f"Graph answered {status}: {exc.primary_message or type(exc).__name__}", status) from exc
    except httpx.HTTPError as exc:
        raise GraphUnavailable(f"Graph unreachable: {type(exc).__name__}: {exc}") from exc
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError as exc:
        raise GraphUnavailable(f"Graph sent a body that is not JSON: {exc}") from exc


async def graph_pages(
    client: GraphServiceClient, builder: Any, config: RequestConfiguration[Any] | None = None
) -> list[dict[str, Any]]:
    """Every item of a collection, following ``@odata.nextLink`` (each page through the same middleware)."""
    page = await graph_json(client, builder, config) or {}
    items: list[dict[str, Any]] = list(page.get("value") or [])
    while page.get("@odata.nextLink"):
        page = await graph_json(client, builder.with_url(page["@odata.nextLink"])) or {}
        items.extend(page.get("value") or [])
    return items
