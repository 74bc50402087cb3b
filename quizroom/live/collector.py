"""Keep Python's full garbage collections out of answer bursts.

CPython's cycle collector now and then walks every tracked object. At 2,000 participants
(their connections, green threads, queues, the room) one such walk blocks the event loop
for 100-300 ms, and since the collector starts them by allocation counts they land where
allocation is fastest: in the middle of a question, as answers pour in
(docs/performance.md). Nearly all of those objects live as long as the room, and the
walk finds almost no garbage among them.

So when a question or an activity opens, whatever exists is frozen (``gc.freeze``): moved
out of the collector's sight. Young objects are still collected as usual, and nothing is
freed later than it would be by reference counting; only reference cycles among frozen
objects wait. They are collected (``gc.unfreeze`` and one full collection) once the
process has had nothing open for ``settle`` seconds (the reveal has gone out), at most
every ``interval`` seconds, and in any case after ``longest`` seconds, which bounds what
can wait.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


class Collector:
    def __init__(
        self,
        enabled: bool = True,
        *,
        settle: float = 3.0,
        interval: float = 60.0,
        longest: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.enabled = enabled
        self.settle = settle
        self.interval = interval
        self.longest = longest
        self.clock = clock
        self.frozen_since: float | None = None  # the first freeze since the last full collection
        self.busy_at = 0.0  # when something was last open
        self.collected_at = clock()
        self.full_collections = 0

    def opening(self) -> None:
        """A question or an activity opens: freeze what exists now (after a pass over the
        young generations, so that short-lived cycles made just before are not frozen)."""
        if not self.enabled:
            return
        gc.collect(1)
        gc.freeze()
        self.busy_at = self.clock()
        if self.frozen_since is None:
            self.frozen_since = self.busy_at

    def tick(self, busy: bool) -> bool:
        """From the ticker (``busy``: a question or activity is open in this process):
        collect what waited, at a quiet moment. True if it collected."""
        if not self.enabled:
            return False
        now = self.clock()
        if busy:
            self.busy_at = now
        if self.frozen_since is None:
            return False
        quiet = now - self.busy_at >= self.settle and now - self.collected_at >= self.interval
        if not quiet and now - self.frozen_since < self.longest:
            return False
        gc.unfreeze()
        gc.collect()
        self.frozen_since = None
        self.collected_at = self.clock()
        self.full_collections += 1
        return True
