"""Rate limits: per-tenant token bucket and per-conversation sliding windows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.delivery.limits import RateLimiter, SlidingWindows, TeamsLimits, TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_token_bucket_allows_a_burst_then_the_rate():
    now = FakeTime()
    bucket = TokenBucket(rate=50, capacity=50, now=now)
    for _ in range(50):
        assert bucket.wait_time() == 0
        bucket.take()
    assert abs(bucket.wait_time() - 1 / 50) < 1e-9
    now.t += 0.1
    granted = 0
    while bucket.wait_time() == 0:
        bucket.take()
        granted += 1
    assert granted == 5


def test_sliding_windows_enforce_every_window():
    now = FakeTime()
    windows = SlidingWindows(TeamsLimits().per_conversation, now)
    for _ in range(7):
        assert windows.wait_time("c") == 0
        windows.record("c")
    assert abs(windows.wait_time("c") - 1.0) < 1e-9
    assert windows.wait_time("other") == 0
    now.t += 1.0
    windows.record("c")  # 8th within 2 s
    assert abs(windows.wait_time("c") - 1.0) < 1e-9  # the 8-per-2s window: wait for the first to age out


def test_pause_holds_a_conversation_back():
    now = FakeTime()
    windows = SlidingWindows(((7, 1.0),), now)
    windows.pause("c", 5)
    assert windows.wait_time("c") == 5
    now.t += 5
    assert windows.wait_time("c") == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=3.0, allow_nan=False), min_size=1, max_size=150))
def test_a_limiter_that_is_obeyed_never_breaks_a_teams_window(gaps):
    now = FakeTime()
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=50), now)
    sends = []
    for gap in gaps:
        now.t += gap
        while (wait := limiter.try_acquire("t", "conv")) > 0:
            now.t += wait
        sends.append(now.t)
    for limit, seconds in TeamsLimits().per_conversation:
        for i in range(limit, len(sends)):
            assert sends[i] - sends[i - limit] >= seconds - 1e-6


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=100))
def test_tenant_rate_is_never_exceeded(count, rate):
    now = FakeTime()
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=rate, per_tenant_burst=rate), now)
    start = now.t
    for i in range(count):
        while (wait := limiter.try_acquire("t", f"conv-{i}")) > 0:
            now.t += wait
    elapsed = now.t - start
    # A full bucket allows `rate` at once; everything after that goes at `rate` per second.
    assert count <= rate + elapsed * rate + 1e-6
