"""Rate limits and caps against join floods and room-code guessing.

Each concern has its own :class:`RateLimiter`, a token bucket per key (an IP address, a
room code): a key may spend ``limit`` tokens at once, and they refill at ``limit`` per
``period`` seconds — so "60 per minute" allows a burst of 60, then one a second. Memory
stays bounded: a bucket that has refilled is the same as no bucket and is dropped by a
sweep, and at most ``max_keys`` buckets are kept (least recently used go first).

The limiters of an app live in ``app.extensions["quizroom.limits"]`` (see :func:`for_app`),
with the live rooms' clock, so tests move time by hand.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, request

EXTENSION = "quizroom.limits"
MAX_KEYS = 100_000
_create_lock = threading.Lock()


class RateLimiter:
    """A token bucket per key. ``limit <= 0`` turns the limiter off (everything is allowed)."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float], max_keys: int = MAX_KEYS):
        self.limit = limit
        self.period = float(period)
        self.clock = clock
        self.max_keys = max_keys
        self.rate = limit / self.period if limit > 0 else 0.0  # tokens per second
        self._buckets: OrderedDict[str, list[float]] = OrderedDict()  # key -> [tokens, at]
        self._lock = threading.Lock()  # a green lock under eventlet's monkey patching
        self._next_sweep = 1024

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def _level(self, key: str, now: float) -> float:
        """Tokens the key has now (call with the lock held)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return float(self.limit)
        tokens, at = bucket
        return min(float(self.limit), tokens + max(0.0, now - at) * self.rate)

    def _store(self, key: str, tokens: float, now: float) -> None:
        if tokens >= self.limit:
            self._buckets.pop(key, None)  # full again: forget it
            return
        self._buckets[key] = [tokens, now]
        self._buckets.move_to_end(key)
        if len(self._buckets) >= self._next_sweep:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        for key in [k for k in self._buckets if self._level(k, now) >= self.limit]:
            del self._buckets[key]
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        self._next_sweep = max(1024, 2 * len(self._buckets))

    def take(self, key: str) -> bool:
        """Spend one token; False (and nothing spent) when the key has none left."""
        if not self.enabled:
            return True
        with self._lock:
            now = self.clock()
            tokens = self._level(key, now)
            if tokens < 1:
                return False
            self._store(key, tokens - 1, now)
            return True

    def refund(self, key: str) -> None:
        """Give back a token spent on something that did not happen after all."""
        if not self.enabled:
            return
        with self._lock:
            now = self.clock()
            self._store(key, min(float(self.limit), self._level(key, now) + 1), now)

    def blocked(self, key: str) -> bool:
        """True when ``take`` would refuse now (spends nothing)."""
        if not self.enabled:
            return False
        with self._lock:
            return self._level(key, self.clock()) < 1

    def retry_after(self, key: str) -> int:
        """Whole seconds until the key has a token again (at least 1)."""
        if not self.enabled:
            return 1
        with self._lock:
            missing = 1 - self._level(key, self.clock())
        return max(1, math.ceil(missing / self.rate)) if missing > 0 else 1

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass
class Limits:
    joins_per_ip: RateLimiter
    joins_per_room: RateLimiter
    code_lookups_per_ip: RateLimiter
    max_participants: int  # 0: no cap


def _setting(app: Flask, name: str, default: int) -> int:
    value = app.config.get(name)
    return default if value is None else int(value)


def create(app: Flask, clock: Callable[[], float]) -> Limits:
    return Limits(
        joins_per_ip=RateLimiter(_setting(app, "JOIN_RATE_PER_IP", 60), 60, clock),
        joins_per_room=RateLimiter(_setting(app, "JOIN_RATE_PER_ROOM", 3000), 60, clock),
        code_lookups_per_ip=RateLimiter(_setting(app, "CODE_LOOKUPS_PER_IP", 20), 60, clock),
        max_participants=max(0, _setting(app, "MAX_PARTICIPANTS", 2000)),
    )


def for_app(app: Flask) -> Limits:
    """This app's limiters, made on first use from its settings, on the live rooms' clock."""
    limits = app.extensions.get(EXTENSION)
    if limits is None:
        with _create_lock:
            limits = app.extensions.get(EXTENSION)
            if limits is None:
                limits = create(app, app.extensions["quizroom.live"].clock)
                app.extensions[EXTENSION] = limits
    return limits


def check_failed_lookup(app: Flask) -> str | None:
    """A ``host:attach`` that opened nothing (an unknown code, or a wrong key for a live room)
    spends the address's budget of failed room-code look-ups, like a ``join`` with an unknown
    code. Returns None, or the message of the refusal once the budget is spent: then unknown
    codes and wrong keys are refused alike, so the answer never tells which codes exist."""
    guesses = for_app(app).code_lookups_per_ip
    ip = client_ip(app)
    if guesses.take(ip):
        return None
    wait = guesses.retry_after(ip)
    return f"too many wrong room codes from this network; wait {wait} s, then check the code on the screen"


def _proxy_hops(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 1 if str(value).strip().lower() in ("true", "yes", "on") else 0


def client_ip(app: Flask) -> str:
    """Who is asking: the peer address, or behind ``TRUST_PROXY`` = n reverse proxies, the
    address the outermost trusted proxy saw — the n-th entry from the *right* of
    X-Forwarded-For. (The left-most entries are whatever the client sent: trusting them
    would let anyone pick a fresh "IP" per request.) Works for HTTP requests and for
    Socket.IO events (whose ``request`` is the connection's handshake)."""
    hops = _proxy_hops(app.config.get("TRUST_PROXY"))
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops][:100]
    return request.remote_addr or "unknown"
