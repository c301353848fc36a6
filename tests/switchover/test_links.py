"""Signed links: what a chart image or an email button carries, and what it refuses."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from switchover.links import LinkError, LinkSigner, link_secret


def test_round_trip_and_purpose_binding() -> None:
    chart = LinkSigner("s3cret", "chart")
    token = chart.sign({"digest": 12, "kind": "readiness"})
    assert chart.load(token, max_age=dt.timedelta(hours=1)) == {"digest": 12, "kind": "readiness"}
    # the same secret for another purpose does not accept it
    with pytest.raises(LinkError) as refused:
        LinkSigner("s3cret", "email-ack").load(token, max_age=dt.timedelta(hours=1))
    assert refused.value.reason == "invalid"
    # nor does another instance's secret
    with pytest.raises(LinkError):
        LinkSigner("other", "chart").load(token, max_age=dt.timedelta(hours=1))


def test_tampered_and_expired_tokens_are_refused() -> None:
    signer = LinkSigner("s3cret", "chart")
    token = signer.sign({"digest": 12})
    with pytest.raises(LinkError):
        signer.load(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), max_age=dt.timedelta(hours=1))
    old = signer.sign({"digest": 1})
    time.sleep(1.1)
    with pytest.raises(LinkError) as expired:
        signer.load(old, max_age=dt.timedelta(seconds=0))
    assert expired.value.reason == "expired"


def test_random_secret_when_none_configured() -> None:
    assert link_secret("configured") == "configured"
    a, b = link_secret(""), link_secret("")
    assert a != b and len(a) >= 32
