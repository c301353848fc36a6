"""Sending one email through Microsoft Graph: ``POST /users/{mailbox}/sendMail``.

Graph answers ``202 Accepted`` with no body. The request goes through the msgraph-sdk request
adapter (authentication, the Graph middleware) with the SDK's own retries turned off: the email
outbox retries instead, durably, after ``Retry-After`` (:mod:`switchover.mail.outbox`), so a
throttled email never holds a worker asleep and a restart loses nothing.

Permission: ``Mail.Send`` (application), restricted to the sending mailbox by an Exchange
application access policy (docs/graph-permissions.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from kiota_abstractions.api_error import APIError
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import SendMailPostRequestBody

if TYPE_CHECKING:
    from msgraph import GraphServiceClient


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One email: from a mailbox, to one person, an HTML body."""

    mailbox: str
    to_address: str
    to_name: str | None
    subject: str
    html: str


class MailError(Exception):
    """Graph did not accept the email.

    Attributes:
        status: Graph's HTTP status (None: no answer: network, timeout).
        retry_after: seconds Graph asked to wait (429, 503), if it said.
        transient: worth trying again later (429, 5xx, no answer).
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


class MailSender(Protocol):
    """Sends one email or raises :class:`MailError`."""

    async def send(self, email: OutgoingEmail) -> None: ...


def send_mail_body(email: OutgoingEmail) -> dict[str, Any]:
    """The documented ``sendMail`` request body."""
    recipient: dict[str, Any] = {"address": email.to_address}
    if email.to_name:
        recipient["name"] = email.to_name
    return {
        "message": {
            "subject": email.subject,
            "body": {"contentType": "HTML", "content": email.html},
            "toRecipients": [{"emailAddress": recipient}],
        },
        "saveToSentItems": False,
    }


class GraphMailSender:
    """:class:`MailSender` through a Graph client (see :func:`switchover.directory.graph_client.build_graph_client`)."""

    def __init__(self, client: GraphServiceClient) -> None:
        self.client = client

    async def send(self, email: OutgoingEmail) -> None:
        builder = self.client.users.by_user_id(email.mailbox).send_mail
        info = builder.to_post_request_information(SendMailPostRequestBody())
        # The body as Graph documents it (camelCase), written by us rather than the SDK's writer.
        info.set_stream_content(json.dumps(send_mail_body(email)).encode("utf-8"), "application/json")
        info.add_request_options([RetryHandlerOption(delay=0, max_retries=0)])
        try:
            await self.client.request_adapter.send_no_response_content_async(info, {"XXX": ODataError})
        except APIError as exc:
            status = exc.response_status_code
            raise MailError(
                f"Graph answered {status}: {exc.primary_message or type(exc).__name__}",
                status=status,
                retry_after=_retry_after(exc.response_headers or {}),
            ) from exc
        except httpx.HTTPError as exc:
            raise MailError(f"Graph unreachable: {type(exc).__name__}: {exc}") from exc


def _retry_after(headers: Any) -> float | None:
    """Seconds from a ``Retry-After`` header (httpx's headers, or any mapping)."""
    for key, value in headers.items():
        if str(key).lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                return None
    return None
