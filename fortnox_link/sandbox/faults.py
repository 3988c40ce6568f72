"""Fault injection: latency, 5xx answers, dropped connections and "commit then time out".

    sb.faults.add("latency", path="/3/invoices", delay=0.5)
    sb.faults.add("error", method="GET", path="/3/customers", status=503, times=1)
    sb.faults.add("error", status=500, rate=0.2, seed=7)         # a fifth of all requests, reproducibly
    sb.faults.add("drop", method="PUT", path="/3/invoices", times=1)  # close the socket without answering
    sb.faults.add("commit_then_timeout", method="POST", path="/3/invoices", times=1, delay=2.0)
    sb.faults.add("commit_then_timeout", method="POST", path="/3/vouchers", drop=True)
    sb.faults.clear()

Rules match on method (None = any) and a path prefix that ends at a segment boundary (`/3/invoices` matches
`/3/invoices` and `/3/invoices/7/bookkeep`, not `/3/invoicepayments`). `times` limits how often a rule fires;
`rate` makes it fire with that probability, drawn from a `random.Random(seed)`. Latency rules add up; of the other
rules the first that fires decides. `error` and `drop` happen before the request is processed (it has no effect);
`commit_then_timeout` lets the request be processed and committed, then delays the answer by `delay` seconds, or
closes the connection without answering when `drop=True`. Delays end early when the sandbox stops.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

FAULT_KINDS = ("latency", "error", "drop", "commit_then_timeout")


@dataclass(eq=False)
class FaultRule:
    kind: str
    method: str | None = None
    path: str = ""
    times: int | None = None
    rate: float | None = None
    status: int = 503
    delay: float = 0.0
    drop: bool = False
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        prefix = self.path.rstrip("/")
        return not prefix or path == prefix or path.startswith(prefix + "/")

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


@dataclass(frozen=True)
class FaultDecision:
    latency: float = 0.0
    action: FaultRule | None = None


class FaultPlan:
    """Thread-safe list of fault rules consulted for every request."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self.fired: Counter[str] = Counter()

    def add(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str = "",
        times: int | None = None,
        rate: float | None = None,
        status: int = 503,
        delay: float = 0.0,
        drop: bool = False,
        seed: int = 0,
    ) -> FaultRule:
        if kind == "5xx":
            kind = "error"
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}: one of {', '.join(FAULT_KINDS)}")
        if kind == "error" and not 400 <= status <= 599:
            raise ValueError("an injected error needs an HTTP status 400..599")
        if rate is not None and not 0.0 <= rate <= 1.0:
            raise ValueError("rate is a probability between 0 and 1")
        if times is not None and times < 0:
            raise ValueError("times must be >= 0")
        if delay < 0:
            raise ValueError("delay must be >= 0")
        rule = FaultRule(kind, method, path, times, rate, status, delay, drop, _rng=random.Random(seed))
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def decide(self, method: str, path: str) -> FaultDecision:
        latency = 0.0
        action: FaultRule | None = None
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(method, path):
                    continue
                if rule.kind != "latency" and action is not None:
                    continue
                if rule.rate is not None and rule._rng.random() >= rule.rate:
                    continue
                rule.fired += 1
                self.fired[rule.kind] += 1
                if rule.kind == "latency":
                    latency += rule.delay
                else:
                    action = rule
        return FaultDecision(latency, action)
