"""Which worker process holds which live room, when several share the load.

A live room is a state machine in one process's memory, so every request about a room
must reach the same worker. The proxy does it: nginx hashes the room code
(``hash $quizroom_room;`` in deploy/nginx.conf) and each worker holds exactly the rooms
whose code hashes to it: it restores only those after a restart, draws new codes only
among them, and refuses the others rather than build a second copy of a room
(docs/deployment.md).

``worker_of`` is nginx's generic ``hash`` (ngx_http_upstream_hash_module, not
``consistent``) for equal weights and healthy peers: the first try picks
``((crc32(key) >> 16) & 0x7fff) % peers``. tests/e2e/test_workers.py checks it against a
real nginx.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


def worker_of(code: str, workers: int) -> int:
    if workers <= 1:
        return 0
    return ((zlib.crc32(code.encode()) >> 16) & 0x7FFF) % workers


@dataclass(frozen=True)
class Partition:
    """This process's share of the rooms: worker ``index`` of ``count``."""

    index: int = 0
    count: int = 1

    def __post_init__(self):
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"worker {self.index} of {self.count} does not exist")

    def owns(self, code: str) -> bool:
        return worker_of(code, self.count) == self.index
