"""python-socketio's client managers, with disconnects that do not scan every room.

python-socketio finds the rooms of a disconnecting client by testing every room of the
namespace, and every client has a room of its own, so each disconnect costs time in
proportion to everyone connected: when 2,000 phones leave at once (the room ends, the
venue's Wi-Fi drops) that is millions of look-ups, seconds during which the process
answers nobody. These managers also remember each client's rooms, so a disconnect only
touches the rooms the client is in. Everything else is python-socketio's own code.
"""

from __future__ import annotations

import socketio


class IndexedRooms:
    """Mixin for a python-socketio ``Manager`` (or a subclass such as ``RedisManager``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rooms_of: dict[tuple[str, str], set] = {}  # (namespace, sid) -> its rooms (None: connected)

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self.rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self.rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self.rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        """``BaseManager.basic_disconnect``, with the client's rooms taken from the index."""
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.rooms_of.pop((namespace, sid), None)
        if sid in self.callbacks:
            del self.callbacks[sid]
        for pending in (self.pending_connect, self.pending_disconnect):
            if namespace in pending and sid in pending[namespace]:
                pending[namespace].remove(sid)
                if len(pending[namespace]) == 0:
                    del pending[namespace]

    def get_rooms(self, sid, namespace):
        return [room for room in self.rooms_of.get((namespace, sid), ()) if room is not None]


class Manager(IndexedRooms, socketio.Manager):
    """One process: rooms in memory."""


class RedisManager(IndexedRooms, socketio.RedisManager):
    """Several workers: emits travel through Redis (docs/deployment.md)."""


def manager(redis_url: str | None) -> socketio.Manager:
    return RedisManager(redis_url, channel="flask-socketio") if redis_url else Manager()
