"""Rate limits: per-tenant token bucket and per-conversation sliding windows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.delivery.limits import RateLimiter, SlidingWindows, TeamsLimits


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_tenant_limit_allows_the_rate_within_a_second_spread_out_then_waits():
    now = FakeTime()
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=50, margin=0.0), now)
    sends = []
    for i in range(50):
        while (wait := limiter.try_acquire("t", f"c{i}")) > 0:
            now.t += wait
        sends.append(now.t)
    assert sends[-1] - sends[0] < 1.0  # the whole allowance fits in one second...
    assert max(sum(1 for t in sends if start <= t < start + 0.1) for start in sends) <= 5  # ...spread out
    assert limiter.try_acquire("other-tenant", "c-x") == 0
    wait = limiter.try_acquire("t", "c-next")
    assert abs(now.t + wait - (sends[0] + 1.0)) < 1e-9  # the 51st waits for the first to leave the window


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
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=rate), now)
    sends = []
    for i in range(count):
        while (wait := limiter.try_acquire("t", f"conv-{i}")) > 0:
            now.t += wait
        sends.append(now.t)
    # Never more than `rate` in any one-second window.
    for i in range(rate, len(sends)):
        assert sends[i] - sends[i - rate] >= 1.0 - 1e-6
