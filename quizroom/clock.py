"""The time quizroom lives by.

Everything that stamps a time (answers, joins, room start and end, reviews, the retention
dashboard's "today") reads the app's clock, never ``time.time()`` directly, so tests can
move it. ``QUIZROOM_TIME_OFFSET_FILE`` names a file holding a number of seconds to add to
the real clock (re-read whenever the file changes): an end-to-end test runs three
sessions "weeks apart" against a real server in a minute. Leave it unset in production.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime


class OffsetClock:
    """Real time plus the offset written in a file (0 while the file is missing or empty)."""

    def __init__(self, path: str):
        self.path = path
        self.offset = 0.0
        self.seen: float | None = None

    def __call__(self) -> float:
        try:
            changed = os.stat(self.path).st_mtime_ns
        except OSError:
            changed = None
        if changed != self.seen:
            self.seen = changed
            self.offset = self._read()
        return time.time() + self.offset

    def _read(self) -> float:
        try:
            with open(self.path) as handle:
                text = handle.read().strip()
            return float(text) if text else 0.0
        except (OSError, ValueError):
            return 0.0


def from_settings(config: dict) -> Callable[[], float]:
    if config.get("CLOCK"):
        return config["CLOCK"]
    path = config.get("TIME_OFFSET_FILE")
    return OffsetClock(path) if path else time.time


def clock_of(app) -> Callable[[], float]:
    return app.extensions["quizroom.clock"]


def now_of(app) -> datetime:
    """The app's current time as an aware UTC datetime."""
    return datetime.fromtimestamp(clock_of(app)(), UTC)
