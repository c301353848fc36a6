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

IN_FLIGHT_POLL = 0.01  # how soon to look again when a window is full of sends still on their way

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

    def __init__(self, windows: tuple[tuple[int, float], ...], now: Now, *, until_done: bool = False) -> None:
        self.windows = tuple(sorted(windows, key=lambda w: w[1]))
        # until_done: a send counts from when its slot is taken until :meth:`done`, and from then on
        # by the time it was done. When a request reaches the far side lies somewhere in between
        # (a busy event loop can hold a request back after its slot was taken, so that it leaves
        # together with later ones); counting it that way keeps every window true at the far side.
        self._until_done = until_done
        self._in_flight: dict[str, int] = {}
        self._now = now
        self._longest = max(s for _, s in self.windows)
        self._keep = max(n for n, _ in self.windows)
        self._sends: dict[str, collections.deque[float]] = {}
        self._paused_until: dict[str, float] = {}

    def wait_time(self, key: str) -> float:
        """Seconds until ``key`` may be sent to without breaking any window."""
        t = self._now()
        wait = max(0.0, self._paused_until.get(key, 0.0) - t)
        in_flight = self._in_flight.get(key, 0)
        sends = self._sends.get(key)
        if sends or in_flight:
            if sends is None:
                sends = collections.deque()
            while sends and sends[0] <= t - self._longest:
                sends.popleft()
            for limit, seconds in self.windows:
                room = limit - in_flight  # done sends that may be in the window besides those in flight
                if room <= 0:
                    wait = max(wait, IN_FLIGHT_POLL)  # the window is full of sends not yet done
                elif len(sends) >= room:
                    # The send that has to age out of this window before another fits.
                    wait = max(wait, sends[-room] + seconds - t)
            if not sends:
                self._sends.pop(key, None)
        return wait if wait > EPSILON else 0.0

    def record(self, key: str) -> None:
        """Count one send to ``key`` now (with ``until_done``: from now until :meth:`done`)."""
        if self._until_done:
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
            return
        self._append(key)

    def done(self, key: str) -> None:
        """With ``until_done``: a send recorded for ``key`` has been answered (or has failed)."""
        if not self._until_done:
            return
        left = self._in_flight.get(key, 0) - 1
        if left > 0:
            self._in_flight[key] = left
        else:
            self._in_flight.pop(key, None)
        self._append(key)

    def _append(self, key: str) -> None:
        sends = self._sends.setdefault(key, collections.deque(maxlen=self._keep))
        sends.append(self._now())

    def pause(self, key: str, seconds: float) -> None:
        """Hold ``key`` back (Teams answered 429 with ``Retry-After``)."""
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), self._now() + seconds)

    def __len__(self) -> int:
        return len(self._sends)


class RateLimiter:
    """Per-tenant and per-conversation sliding windows.

    With ``until_done`` every window counts each request until :meth:`done` (see
    :class:`SlidingWindows`): the limits then hold where the requests arrive, whatever
    happens between taking a slot and sending (a commit, a busy event loop).
    """

    def __init__(self, limits: TeamsLimits, now: Now, *, until_done: bool = False) -> None:
        self.limits = limits
        self._now = now
        per_second = max(1, int(limits.per_tenant_per_second))
        # Spread over the second as well: a whole second's allowance sent at once reaches Teams as
        # a burst whose edges jitter across its window. Not one request every 1/rate s: each late
        # wake-up would then be lost for good. Counted until done, a request stays in the 100 ms
        # window for its round trip as well, so that window allows a fifth of the second's
        # allowance (a tenth capped the rate near 0.9 of the limit in bench/broadcast.py); counted
        # from the slot alone, a tenth (a fifth drew more 429s there).
        short = max(1, per_second // (5 if until_done else 10))
        self.tenants = SlidingWindows(((per_second, 1.0 + limits.margin), (short, 0.1)), now, until_done=until_done)
        self.conversations = SlidingWindows(
            tuple((n, seconds + limits.margin) for n, seconds in limits.per_conversation), now, until_done=until_done
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

    def done(self, tenant_id: str, conversation_key: str) -> None:
        """The request whose slot was taken has been answered or failed (see ``until_done``)."""
        self.tenants.done(tenant_id)
        self.conversations.done(conversation_key)
