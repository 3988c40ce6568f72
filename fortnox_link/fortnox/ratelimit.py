"""Sliding-window rate limiting: 25 requests per 5 seconds per access token, as Fortnox enforces it.

`SlidingWindowLimiter` is the client side: it blocks a caller until sending one more request cannot exceed the
window. A request is counted from the moment it is sent (while in flight it counts as "now or later") until
`period` seconds after its response arrived. The server can only have received the request before the response
came back, so accounting by completion time is conservative: however latency varies, the server never sees more
than `max_calls` requests in any window of `period` seconds, and a long sync runs at the limit with no 429.

`SlidingWindowCounter` is the server side (used by the sandbox): it admits or refuses a request at one instant.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


class SlidingWindowCounter:
    """Admit at most `max_calls` events in any window of `period` seconds (not thread-safe by itself)."""

    def __init__(self, max_calls: int, period: float) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("max_calls must be >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._times: deque[float] = deque()

    def try_admit(self, now: float) -> bool:
        cutoff = now - self.period
        while self._times and self._times[0] <= cutoff:
            self._times.popleft()
        if len(self._times) >= self.max_calls:
            return False
        self._times.append(now)
        return True


class Slot:
    """One admitted request. Call `done()` when its response (or failure) has arrived."""

    __slots__ = ("_limiter", "finished_at")

    def __init__(self, limiter: SlidingWindowLimiter) -> None:
        self._limiter = limiter
        self.finished_at = math.inf

    def done(self) -> None:
        self._limiter._finish(self)


class SlidingWindowLimiter:
    """Thread-safe client-side limiter. `acquire()` blocks until a request may be sent."""

    def __init__(
        self,
        max_calls: int = 25,
        period: float = 5.0,
        *,
        margin: float = 0.05,
        clock: Clock = time.monotonic,
    ) -> None:
        if max_calls < 1 or period <= 0 or margin < 0:
            raise ValueError("max_calls must be >= 1, period > 0 and margin >= 0")
        self.max_calls = max_calls
        self.period = period
        self.margin = margin
        self._clock = clock
        self._slots: deque[Slot] = deque()
        self._cond = threading.Condition()
        self.waited_seconds = 0.0

    def acquire(self) -> Slot:
        with self._cond:
            start = self._clock()
            while True:
                now = self._clock()
                window = self.period + self.margin
                live = [s for s in self._slots if s.finished_at > now - window]
                if len(live) != len(self._slots):
                    self._slots = deque(live)
                if len(live) < self.max_calls:
                    slot = Slot(self)
                    self._slots.append(slot)
                    self.waited_seconds += now - start
                    return slot
                # Wait for the earliest finished slot to leave the window, or for an in-flight one to finish.
                finished = [s.finished_at for s in live if s.finished_at != math.inf]
                timeout = (min(finished) + window - now) if finished else None
                self._cond.wait(timeout=None if timeout is None else max(timeout, 0.0005))

    def _finish(self, slot: Slot) -> None:
        with self._cond:
            slot.finished_at = self._clock()
            self._cond.notify_all()
