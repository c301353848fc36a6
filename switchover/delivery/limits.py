"""Teams rate limits for proactive sends, as a small non-blocking domain module.

Teams enforces two kinds of limit on a bot (PLATFORM.md, learn.microsoft.com
``bots/how-to/rate-limit``): per app per tenant (a steady rate, 50 requests/s by
default) and per conversation (7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per
hour, all at once).

Why not ``aiolimiter`` or ``limits``: both read the process clock themselves
and ``aiolimiter`` blocks the caller inside ``acquire``. The delivery engine
needs to ask "how long until conversation X may be sent to?" without blocking
(so one slow conversation never holds up the others) and tests drive time
with a :class:`~switchover.clock.ManualClock`. Both needs fit in the ~70 lines
below, which take time from an injected ``now`` function.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field

EPSILON = 1e-6  # below a microsecond a wait is float noise (and a ManualClock cannot move that little)

Now = Callable[[], float]
"""Seconds on some monotonic-enough scale (tests pass a ManualClock-based one)."""


@dataclass(frozen=True, slots=True)
class TeamsLimits:
    """The limits the engine respects; defaults are Teams' documented ones.

    Both kinds are enforced as sliding windows (never more than N in any window),
    not as a token bucket: a bucket that starts full lets ``burst + rate`` through
    in the first second, which Teams answers with 429. ``margin`` widens every
    window a little, because requests reach Teams with some jitter.
    """

    per_tenant_per_second: float = 50.0
    # (messages, seconds): every window must allow a send.
    per_conversation: tuple[tuple[int, float], ...] = field(default=((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0)))
    margin: float = 0.02


class SlidingWindows:
    """Several sliding-window limits on one key (a conversation), checked together."""

    def __init__(self, windows: tuple[tuple[int, float], ...], now: Now) -> None:
        self.windows = tuple(sorted(windows, key=lambda w: w[1]))
        self._now = now
        self._longest = max(s for _, s in self.windows)
        self._keep = max(n for n, _ in self.windows)
        self._sends: dict[str, collections.deque[float]] = {}
        self._paused_until: dict[str, float] = {}

    def wait_time(self, key: str) -> float:
        """Seconds until ``key`` may be sent to without breaking any window."""
        t = self._now()
        wait = max(0.0, self._paused_until.get(key, 0.0) - t)
        sends = self._sends.get(key)
        if sends:
            while sends and sends[0] <= t - self._longest:
                sends.popleft()
            for limit, seconds in self.windows:
                if len(sends) >= limit:
                    # The send that has to age out of this window before another fits.
                    wait = max(wait, sends[-limit] + seconds - t)
            if not sends:
                del self._sends[key]
        return wait if wait > EPSILON else 0.0

    def record(self, key: str) -> None:
        """Count one send to ``key`` now."""
        sends = self._sends.setdefault(key, collections.deque(maxlen=self._keep))
        sends.append(self._now())

    def pause(self, key: str, seconds: float) -> None:
        """Hold ``key`` back (Teams answered 429 with ``Retry-After``)."""
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), self._now() + seconds)

    def __len__(self) -> int:
        return len(self._sends)


class RateLimiter:
    """Per-tenant and per-conversation sliding windows."""

    def __init__(self, limits: TeamsLimits, now: Now) -> None:
        self.limits = limits
        self._now = now
        per_second = max(1, int(limits.per_tenant_per_second))
        # Spread over the second as well (a tenth of the allowance per 100 ms): a whole second's
        # allowance sent at once reaches Teams as a burst whose edges jitter across its window.
        # Not one request every 1/rate s: each late wake-up would then be lost for good. (Measured
        # with bench/broadcast.py: a fifth per 100 ms drew more 429s and a lower rate.)
        short = max(1, per_second // 10)
        self.tenants = SlidingWindows(((per_second, 1.0 + limits.margin), (short, 0.1)), now)
        self.conversations = SlidingWindows(
            tuple((n, seconds + limits.margin) for n, seconds in limits.per_conversation), now
        )

    def wait_time(self, tenant_id: str, conversation_key: str) -> float:
        """Seconds until a request to this conversation of this tenant is allowed."""
        return max(self.tenants.wait_time(tenant_id), self.conversations.wait_time(conversation_key))

    def try_acquire(self, tenant_id: str, conversation_key: str) -> float:
        """Take a slot and return 0, or return how long to wait and take nothing."""
        wait = self.wait_time(tenant_id, conversation_key)
        if wait > 0:
            return wait
        self.tenants.record(tenant_id)
        self.conversations.record(conversation_key)
        return 0.0
