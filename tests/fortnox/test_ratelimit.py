"""The limiter's invariant, checked on what it actually admitted (no timing assertions)."""

import threading
import time

import pytest

from fortnox_link.fortnox.ratelimit import SlidingWindowCounter, SlidingWindowLimiter


def test_counter_admits_max_calls_per_window() -> None:
    counter = SlidingWindowCounter(3, 5.0)
    assert [counter.try_admit(t) for t in (0.0, 1.0, 2.0, 3.0)] == [True, True, True, False]
    assert counter.try_admit(5.0) is True  # the call at 0.0 left the window
    assert counter.try_admit(5.5) is False


def test_counter_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        SlidingWindowCounter(0, 1.0)


def test_limiter_never_lets_more_than_max_calls_into_one_window_from_many_threads() -> None:
    limiter = SlidingWindowLimiter(5, 0.2, margin=0.0)
    sends: list[float] = []
    finishes: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(6):
            slot = limiter.acquire()
            sent = time.monotonic()
            slot.done()
            with lock:
                sends.append(sent)
                finishes.append(slot.finished_at)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sends) == 24
    # The server sees a request somewhere between send and finish; the limiter guarantees that no request was
    # sent while max_calls others had finished less than `period` earlier (or were still in flight).
    for s in sends:
        recent = [f for f in finishes if s - 0.2 < f <= s]
        assert len(recent) < 5


def test_in_flight_requests_count_until_they_finish() -> None:
    limiter = SlidingWindowLimiter(2, 0.05, margin=0.0)
    first = limiter.acquire()
    second = limiter.acquire()
    admitted = threading.Event()

    def third() -> None:
        limiter.acquire().done()
        admitted.set()

    t = threading.Thread(target=third)
    t.start()
    assert not admitted.wait(0.2)  # both slots are still in flight: no third request may go out
    first.done()
    second.done()
    assert admitted.wait(5.0)
    t.join()
