"""Teams rate limits for proactive sends, as a small non-blocking domain module.

Teams enforces two kinds of limit on a bot (PLATFORM.md, learn.microsoft.com
``bots/how-to/rate-limit``): per app per tenant (a steady rate, 50 requests/s by
default) and per conversation (7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per
hour, all at once). Teams counts a request when it arrives, which is somewhere
between the moment it leaves and the moment its answer comes back. So a request
takes its slot as it leaves (the engine: just before the HTTP request, after the
row's ``sending`` mark is committed), counts in every window as long as it is on
its way, and from its answer on by the time of the answer (see :class:`RateLimiter`).

Why not ``aiolimiter`` or ``limits``: both read the process clock themselves
and ``aiolimiter`` blocks the caller inside ``acquire``. The delivery engine
needs to ask "how long until conversation X may be sent to?" without blocking
(so one slow conversation never holds up the others) and tests drive time
with a :class:`~switchover.clock.ManualClock`. Both needs fit in the lines
below, which take time from an injected ``now`` function.
"""

from __future__ import annotations

import bisect
import collections
import heapq
import math
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
    window a little, because requests reach Teams with some jitter after they leave.
    ``ahead`` is how far ahead (in seconds of the tenant's rate) sends may be made
    ready (marked ``sending``) before their slot comes up.
    """

    per_tenant_per_second: float = 50.0
    # (messages, seconds): every window must allow a send.
    per_conversation: tuple[tuple[int, float], ...] = field(default=((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0)))
    margin: float = 0.02
    ahead: float = 0.5


class SlidingWindows:
    """Several sliding-window limits on one key (a tenant, a conversation), checked together.

    What takes room in a window:

    * a request *on its way* (:meth:`leave` until :meth:`done`): it may be arriving right
      now, so it counts in every window;
    * a *done* request, by the time its answer came (:meth:`done`; :meth:`record` for
      one counted when it leaves), for the window's length: it arrived by then;
    * an *admitted* request that has not left yet (:meth:`reserve` until :meth:`leave`
      or :meth:`release`), when asking whether another may be admitted;
    * a *hold*: Teams refused a request with 429, so one place stays taken until its
      ``Retry-After`` has passed (:meth:`hold`), on top of the refused request itself.
    """

    def __init__(self, windows: tuple[tuple[int, float], ...], now: Now) -> None:
        self.windows = tuple(sorted(windows, key=lambda w: w[1]))
        self._now = now
        self._longest = max(s for _, s in self.windows)
        self._keep = max(n for n, _ in self.windows)
        self._sends: dict[str, collections.deque[float]] = {}
        self._holds: dict[str, list[float]] = {}  # key -> sorted ends of holds
        self._admitted: collections.Counter[str] = collections.Counter()
        self._on_the_way: collections.Counter[str] = collections.Counter()
        self._paused_until: dict[str, float] = {}

    def wait_time(self, key: str, *, count_admitted: bool = True) -> float | None:
        """Seconds until one more request to ``key`` fits every window; None while it only waits
        for requests admitted or on their way (no matter of time: wait for one to be done,
        to leave or to be released).

        ``count_admitted=False`` asks for a request that was admitted itself, about to leave.
        """
        t = self._now()
        wait = max(0.0, self._paused_until.get(key, 0.0) - t)
        if wait <= EPSILON:
            self._paused_until.pop(key, None)
        sends = self._sends.get(key)
        if sends:
            while sends and sends[0] <= t - self._longest:
                sends.popleft()
            if not sends:
                del self._sends[key]
                sends = None
        holds = self._holds.get(key)
        if holds:
            del holds[: bisect.bisect_right(holds, t)]
            if not holds:
                del self._holds[key]
                holds = None
        now_taken = self._on_the_way.get(key, 0) + (self._admitted.get(key, 0) if count_admitted else 0)
        if sends or holds or now_taken:
            for limit, seconds in self.windows:
                room = limit - now_taken  # done requests and holds that may be in the window besides a new one
                if room <= 0:
                    return None
                # When each done request or hold in this window stops taking room, soonest first.
                taken = list(heapq.merge((s + seconds for s in sends or () if s + seconds > t), holds or ()))
                if len(taken) >= room:
                    # The one that has to end before another fits.
                    wait = max(wait, taken[len(taken) - room] - t)
        return wait if wait > EPSILON else 0.0

    def reserve(self, key: str) -> None:
        """Admit one request to ``key``: it counts as arriving now until it leaves or is released."""
        self._admitted[key] += 1

    def release(self, key: str) -> None:
        """An admitted request to ``key`` will not leave (after all)."""
        _take_one(self._admitted, key)

    def leave(self, key: str, *, admitted: bool) -> None:
        """A request to ``key`` leaves now (``admitted``: one that was reserved); it counts until :meth:`done`."""
        if admitted:
            _take_one(self._admitted, key)
        self._on_the_way[key] += 1

    def done(self, key: str) -> None:
        """The answer to a request on its way to ``key`` came back (or it failed): it counts from now."""
        _take_one(self._on_the_way, key)
        self.record(key)

    def record(self, key: str) -> None:
        """Count one request to ``key`` as arrived now."""
        sends = self._sends.setdefault(key, collections.deque(maxlen=self._keep))
        sends.append(self._now())

    def hold(self, key: str, seconds: float) -> None:
        """Keep one place in every window of ``key`` taken for ``seconds`` (a 429's ``Retry-After``)."""
        bisect.insort(self._holds.setdefault(key, []), self._now() + seconds)

    def pause(self, key: str, seconds: float) -> None:
        """Hold ``key`` back altogether (Teams answered 429 with ``Retry-After``)."""
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), self._now() + seconds)

    def admitted(self, key: str) -> int:
        """Admitted requests to ``key`` that have not left yet."""
        return self._admitted.get(key, 0)

    def on_the_way(self, key: str) -> int:
        """Requests to ``key`` that left and are not answered yet."""
        return self._on_the_way.get(key, 0)

    def __len__(self) -> int:
        return len(self._sends)


def _take_one(counter: collections.Counter[str], key: str) -> None:
    left = counter.get(key, 0) - 1
    if left < 0:
        raise RuntimeError(f"no request to {key!r} to take back")
    if left:
        counter[key] = left
    else:
        del counter[key]


class RateLimiter:
    """Per-tenant and per-conversation sliding windows, kept where requests arrive.

    A request that has left may arrive at Teams at any moment until its answer comes
    back, so it counts as arriving *now* in every window while it is on its way, and
    by the time of its answer once it is done. Whatever delays it between here and
    Teams (a busy event loop, the network), no window can hold more at Teams than here.

    Three steps per outbox row, so that a slot is taken at the moment the request leaves
    (whatever the database does before) while a long wait never happens after the row
    is marked ``sending``:

    1. :meth:`admit` (the row only ``claimed``): waits out everything that can be long
       (a conversation's windows and ``Retry-After`` pause) and reserves a place in the
       conversation; at most ``ahead`` seconds' worth of the tenant's rate may be admitted
       and not yet gone, so what follows is short;
    2. :meth:`depart` (after the ``sending`` mark is committed, just before the HTTP
       request): takes the slot in the tenant's and the conversation's windows;
    3. :meth:`done` once the answer is in (whatever it was).

    :meth:`acquire` takes a slot without admission (requests with no ``sending`` mark);
    :meth:`release` gives an admission back unused.
    """

    def __init__(self, limits: TeamsLimits, now: Now) -> None:
        self.limits = limits
        self._now = now
        per_second = max(1, int(limits.per_tenant_per_second))
        self.tenants = SlidingWindows(((per_second, 1.0 + limits.margin),), now)
        # Spread over the second as well (a fifth of the allowance per 100 ms, counted as requests
        # leave): sends made ready together by one commit leave a few at a time, not all at once.
        # Not one request every 1/rate s: each late wake-up would then be lost for good; for the
        # same reason not a tenth (each late wake-up holds back the next tenth of a second).
        self.spread = SlidingWindows(((max(1, per_second // 5), 0.1),), now)
        self.conversations = SlidingWindows(
            tuple((n, seconds + limits.margin) for n, seconds in limits.per_conversation), now
        )
        self.ahead = max(1, math.ceil(limits.per_tenant_per_second * limits.ahead))

    def admit(self, tenant_id: str, conversation_key: str) -> float | None:
        """Reserve a place for a request to this conversation and return 0, or return how long
        to wait and take nothing (None: until a request is done, leaves or is released)."""
        wait = self.conversations.wait_time(conversation_key)
        if wait is None or wait > 0:
            return wait
        if self.tenants.admitted(tenant_id) >= self.ahead:
            return None
        # Not while 429s hold the tenant back (a wait for the rate, at most a window, is fine).
        tenant = self.tenants.wait_time(tenant_id, count_admitted=False)
        if tenant is not None and tenant > 1.0 + self.limits.margin:
            return tenant
        self.tenants.reserve(tenant_id)
        self.conversations.reserve(conversation_key)
        return 0.0

    def depart(self, tenant_id: str, conversation_key: str) -> float | None:
        """For an admitted request: take its slot now and return 0, or return how long to wait
        (None: until a request on its way is done)."""
        return self._take(tenant_id, conversation_key, admitted=True)

    def acquire(self, tenant_id: str, conversation_key: str) -> float | None:
        """Take a slot now for a request that was not admitted (see :meth:`depart`)."""
        return self._take(tenant_id, conversation_key, admitted=False)

    def done(self, tenant_id: str, conversation_key: str) -> None:
        """The request that took a slot has been answered (or failed): it counts from now."""
        self.tenants.done(tenant_id)
        self.conversations.done(conversation_key)

    def release(self, tenant_id: str, conversation_key: str) -> None:
        """An admitted request will not leave (its row was lost, or it will be tried later)."""
        self.tenants.release(tenant_id)
        self.conversations.release(conversation_key)

    def throttled(self, tenant_id: str, conversation_key: str, retry_after: float) -> None:
        """Teams answered 429: the conversation waits ``retry_after``, and the tenant keeps one
        slot fewer for as long, so a run of 429s (the tenant over its limit at Teams, whatever was
        counted here) slows every send, down to a stop when a window's worth is refused."""
        self.conversations.pause(conversation_key, retry_after)
        self.tenants.hold(tenant_id, retry_after)

    def _take(self, tenant_id: str, conversation_key: str, *, admitted: bool) -> float | None:
        waits = (
            self.tenants.wait_time(tenant_id, count_admitted=False),
            self.spread.wait_time(tenant_id),
            self.conversations.wait_time(conversation_key, count_admitted=not admitted),
        )
        if None in waits:
            return None
        wait = max(w for w in waits if w is not None)
        if wait > 0:
            return wait
        self.tenants.leave(tenant_id, admitted=admitted)
        self.spread.record(tenant_id)
        self.conversations.leave(conversation_key, admitted=admitted)
        return 0.0

    # -- one step, counted as the request leaves (callers that do not follow the answer) ------

    def wait_time(self, tenant_id: str, conversation_key: str) -> float | None:
        """Seconds until a request to this conversation of this tenant is allowed (None: see :meth:`admit`)."""
        waits = (
            self.tenants.wait_time(tenant_id, count_admitted=False),
            self.spread.wait_time(tenant_id),
            self.conversations.wait_time(conversation_key),
        )
        return None if None in waits else max(w for w in waits if w is not None)

    def try_acquire(self, tenant_id: str, conversation_key: str) -> float | None:
        """Take a slot now, counted from now, and return 0; or return how long to wait and take nothing."""
        wait = self.wait_time(tenant_id, conversation_key)
        if wait is None or wait > 0:
            return wait
        self.tenants.record(tenant_id)
        self.spread.record(tenant_id)
        self.conversations.record(conversation_key)
        return 0.0
