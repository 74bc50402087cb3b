"""Group commit: writes that arrive within a few milliseconds share one transaction.

Every answer must be committed before it is acknowledged, and a commit costs far more
than the rows in it (a SQLAlchemy session, BEGIN, INSERT, COMMIT). When hundreds of
phones answer in the same second, committing each answer on its own keeps the one
server process busy with transactions, and acknowledgements queue up behind them.

Here each caller adds its rows and waits. The first caller to find nobody writing
becomes the *leader*: it waits ``window`` seconds (so that answers arriving right now,
each handled by its own green thread, can join), takes everything queued, writes it in
one transaction, wakes every caller in that batch, and hands the lead to the first
caller that queued meanwhile. A caller returns only once its rows are committed, or
raises if they could not be; a failed batch is retried row set by row set, so one bad
set fails alone.

No background thread: under eventlet or gevent the waits are green (monkey-patched
``threading`` and ``time``); under plain threads they are real. With ``window`` 0 the
leader does not wait, but callers that queue during its write still share the next
transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")


class NotWritten(RuntimeError):
    """The batch's leader stopped before its transaction finished."""


class _Ticket(Generic[Item]):
    """One caller's item. ``wake`` is a lock held until the caller may go on: cheaper to
    make than an Event, which matters when 2,000 answers each make one (green under eventlet)."""

    __slots__ = ("item", "wake", "lead", "error")

    def __init__(self, item: Item):
        self.item = item
        self.wake = threading.Lock()
        self.wake.acquire()
        self.lead = False
        self.error: BaseException | None = None


class GroupCommit(Generic[Item]):
    def __init__(
        self,
        write: Callable[[Sequence[Item]], None],
        window: float = 0.002,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.write = write  # commits all the items in one transaction, or raises
        self.window = window
        self.sleep = sleep
        self._lock = threading.Lock()
        self._queue: list[_Ticket[Item]] = []
        self._leading = False
        self.batches = 0  # transactions written (for tests and benchmarks)
        self.items = 0

    def submit(self, item: Item) -> None:
        """Block until ``item`` is committed; raise what its write raised if it was not."""
        ticket = _Ticket(item)
        with self._lock:
            self._queue.append(ticket)
            if not self._leading:
                self._leading = ticket.lead = True
        if not ticket.lead:
            ticket.wake.acquire()  # released once written, or when handed the lead
        if ticket.lead:  # first in, or handed the lead by the previous batch
            self._lead(ticket)
        if ticket.error is not None:
            raise ticket.error

    def _lead(self, me: _Ticket[Item]) -> None:
        if self.window > 0:
            self.sleep(self.window)
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._write(batch)
        finally:
            with self._lock:
                if self._queue:
                    successor = self._queue[0]
                    successor.lead = True
                    successor.wake.release()
                else:
                    self._leading = False
            for ticket in batch:
                if ticket is not me:  # the leader's own ticket was never waited on
                    ticket.wake.release()

    def _write(self, batch: list[_Ticket[Item]]) -> None:
        for ticket in batch:  # until proven written: a leader killed mid-write acknowledges nothing
            ticket.error = NotWritten("the write was interrupted")
        try:
            self.write([t.item for t in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0].error = error
                return
        else:
            self._written(batch)
            return
        for ticket in batch:  # isolate the item that broke the batch
            try:
                self.write([ticket.item])
            except Exception as error:
                ticket.error = error
            else:
                self._written([ticket])

    def _written(self, tickets: list[_Ticket[Item]]) -> None:
        for ticket in tickets:
            ticket.error = None
        self.items += len(tickets)
        self.batches += 1
