"""The indexed client manager behaves exactly like python-socketio's, minus the scan."""

from __future__ import annotations

import itertools

import pytest
import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from quizroom.live.socket_rooms import IndexedRooms, Manager, manager

NAMESPACES = ("/", "/other")
ROOMS = ("r1", "r2", "123456/players", "123456/p/1")


class FakeEio:
    def __init__(self):
        self.ids = itertools.count(1)

    def generate_id(self):
        return f"s{next(self.ids)}"


class FakeServer:
    """What the managers use of a python-socketio server in these operations."""

    packet_class = socketio.packet.Packet

    def __init__(self):
        self.eio = FakeEio()


def make(cls):
    made = cls()
    made.set_server(FakeServer())
    return made


def state(m) -> tuple:
    rooms = {ns: {room: dict(members) for room, members in by_room.items()} for ns, by_room in m.rooms.items()}
    callbacks = {sid: sorted(k for k in ids if k != 0) for sid, ids in m.callbacks.items()}
    return rooms, callbacks, m.pending_connect, m.pending_disconnect


operation = st.one_of(
    st.tuples(st.just("connect"), st.sampled_from(NAMESPACES), st.integers(0, 5)),
    st.tuples(st.just("enter"), st.integers(0, 8), st.sampled_from(ROOMS)),
    st.tuples(st.just("leave"), st.integers(0, 8), st.sampled_from(ROOMS)),
    st.tuples(st.just("close"), st.sampled_from(NAMESPACES), st.sampled_from(ROOMS)),
    st.tuples(st.just("callback"), st.integers(0, 8), st.none()),
    st.tuples(st.just("pre_disconnect"), st.integers(0, 8), st.none()),
    st.tuples(st.just("disconnect"), st.integers(0, 8), st.none()),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(operation, max_size=60))
def test_same_rooms_as_python_socketio(operations):
    theirs, ours = make(socketio.Manager), make(Manager)
    sids: list[tuple[str, str]] = []  # (namespace, sid), the same in both managers
    for op, a, b in operations:
        if op == "connect":
            sid = theirs.connect(f"e{b}", a)
            assert ours.connect(f"e{b}", a) == sid
            if sid is not None:
                sids.append((a, sid))
            continue
        if op == "close":
            for m in (theirs, ours):
                m.close_room(b, a)
            continue
        if not sids:
            continue
        namespace, sid = sids[a % len(sids)]
        refused = []
        for m in (theirs, ours):
            if op == "enter":
                try:
                    m.enter_room(sid, namespace, b)
                except (KeyError, ValueError) as error:  # a disconnected sid, or its own room
                    refused.append(type(error))
            elif op == "leave":
                m.leave_room(sid, namespace, b)
            elif op == "callback":
                m._generate_ack_id(sid, print)
            elif op == "pre_disconnect" and m.is_connected(sid, namespace):
                m.pre_disconnect(sid, namespace)
            elif op == "disconnect":
                m.disconnect(sid, namespace)
        assert len(refused) in (0, 2) and len(set(refused)) <= 1
        assert state(ours) == state(theirs)
        for namespace, sid in sids:
            assert sorted(ours.get_rooms(sid, namespace)) == sorted(theirs.get_rooms(sid, namespace))


class NoScan(dict):
    """A namespace's rooms that refuse to be walked: a disconnect must not need to."""

    def items(self):
        raise AssertionError("walked every room")

    def copy(self):
        raise AssertionError("copied every room")


def test_a_disconnect_touches_only_the_clients_rooms():
    m = make(Manager)
    sids = [m.connect(f"e{i}", "/") for i in range(200)]
    for i, sid in enumerate(sids):
        m.enter_room(sid, "/", "123456/players")
        m.enter_room(sid, "/", f"123456/p/{i}")
    m.rooms["/"] = NoScan(m.rooms["/"])
    for sid in sids[:-1]:
        m.disconnect(sid, "/")
    assert dict(m.rooms["/"]["123456/players"]) == {sids[-1]: "e199"}
    assert set(m.rooms["/"]) == {None, sids[-1], "123456/players", "123456/p/199"}
    assert len(m.rooms_of) == 1


def test_python_socketio_still_walks_every_room():
    """The reason for the index: if this starts passing without it, the index can go."""
    m = make(socketio.Manager)
    sid = m.connect("e1", "/")
    m.rooms["/"] = NoScan(m.rooms["/"])
    with pytest.raises(AssertionError, match="every room"):
        m.disconnect(sid, "/")


def test_redis_url_gives_the_redis_manager():
    assert isinstance(manager(None), Manager)
    redis = manager("redis://127.0.0.1:6379/0")
    assert isinstance(redis, socketio.RedisManager)
    assert isinstance(redis, IndexedRooms)
