"""Rate limits: per-tenant and per-conversation sliding windows, kept where requests arrive."""

from __future__ import annotations

import heapq

from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.delivery.limits import RateLimiter, SlidingWindows, TeamsLimits
from tests.support.connector import peak_in_window


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
    assert max(sum(1 for t in sends if start <= t < start + 0.1) for start in sends) <= 10  # ...spread out
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


def test_a_request_counts_as_arriving_now_until_it_is_answered():
    now = FakeTime()
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=2, margin=0.0), now)
    assert limiter.acquire("t", "c1") == 0
    now.t += 0.5
    assert limiter.acquire("t", "c2") == 0
    now.t += 5  # long after: both still on their way, so no time will make room...
    assert limiter.acquire("t", "c3") is None
    limiter.done("t", "c1")  # ...only an answer does: c1 counts from now on, for a second
    assert limiter.acquire("t", "c3") == 1.0
    limiter.done("t", "c2")
    now.t += 0.4
    assert abs(limiter.acquire("t", "c3") - 0.6) < 1e-9  # a second after the first answer


def test_admitted_requests_keep_their_conversation_place_and_leave_in_turn():
    now = FakeTime()
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=50, margin=0.0), now)
    for _ in range(7):
        assert limiter.admit("t", "channel") == 0
    assert limiter.admit("t", "channel") is None  # 7 per second: all places taken, none gone yet
    assert limiter.admit("t", "other") == 0
    for _ in range(7):
        assert limiter.depart("t", "channel") == 0
        limiter.done("t", "channel")
    assert limiter.admit("t", "channel") == 1.0  # the first of the seven ages out of its window
    limiter.release("t", "other")
    assert limiter.tenants.admitted("t") == 0 and limiter.conversations.on_the_way("channel") == 0


def test_429s_slow_the_whole_tenant_for_their_retry_after():
    now = FakeTime()
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=3, margin=0.0), now)
    limiter.throttled("t", "c1", 5.0)
    limiter.throttled("t", "c2", 5.0)
    assert limiter.acquire("t", "c1") == 5.0  # c1 itself waits out its Retry-After
    assert limiter.acquire("t", "c3") == 0  # the tenant has one slot of three left...
    limiter.done("t", "c3")
    assert abs(limiter.acquire("t", "c4") - 1.0) < 1e-9  # ...for a second
    now.t += 5.0
    for n in (5, 6):  # once the Retry-After has passed, the held slots are free again
        assert limiter.acquire("t", f"c{n}") == 0
        now.t += 0.1  # (the spread over the second: one per 100 ms at this rate)
    limiter.throttled("t", "c7", 2.0)
    limiter.throttled("t", "c8", 2.0)
    limiter.throttled("t", "c9", 2.0)
    assert limiter.admit("t", "c10") == 2.0  # a second's worth refused: nothing is admitted meanwhile


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=0.3, allow_nan=False),  # gap before the next request is ready
            st.floats(min_value=0, max_value=0.8, allow_nan=False),  # from taking its slot to its answer
            st.floats(min_value=0, max_value=1, allow_nan=False),  # where in between it reaches Teams
            st.sampled_from(["a", "b", "c", "channel"]),
        ),
        min_size=1,
        max_size=120,
    ),
    st.integers(min_value=1, max_value=12),
)
def test_no_window_is_ever_exceeded_where_requests_arrive(requests, rate):
    """Whatever delays a request on its way (anywhere between taking its slot and its answer),
    the arrivals at Teams keep every window: checked on the arrival times, with a fake clock."""
    now = FakeTime()
    limiter = RateLimiter(TeamsLimits(per_tenant_per_second=rate), now)
    answers: list[tuple[float, int, str]] = []  # (when, order, conversation) of requests on their way
    arrivals: list[tuple[float, str]] = []

    def run_until(t: float) -> None:
        while answers and answers[0][0] <= t:
            now.t, _, conversation = heapq.heappop(answers)
            limiter.done("t", conversation)
        now.t = max(now.t, t)

    def wait(step: float | None) -> None:
        assert step is not None or answers, "waiting for an answer while nothing is on its way"
        run_until(now.t + step if step is not None else answers[0][0])

    for order, (gap, round_trip, where, conversation) in enumerate(requests):
        run_until(now.t + gap)
        while (step := limiter.admit("t", conversation)) != 0:
            wait(step)
        while (step := limiter.depart("t", conversation)) != 0:
            wait(step)
        arrivals.append((now.t + where * round_trip, conversation))
        heapq.heappush(answers, (now.t + round_trip, order, conversation))

    times = sorted(t for t, _ in arrivals)
    assert peak_in_window(times, 1.0) <= rate
    for conversation in {c for _, c in arrivals}:
        mine = sorted(t for t, c in arrivals if c == conversation)
        for limit, seconds in TeamsLimits().per_conversation:
            assert peak_in_window(mine, seconds) <= limit
