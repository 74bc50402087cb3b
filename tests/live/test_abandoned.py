"""Abandoned rooms (QUIZROOM_ABANDON_AFTER_HOURS): a restart ends live rooms nobody has
used for longer than the grace, and the ticker ends idle rooms nobody is connected to,
so no half-open rooms are left behind. Their answers and scores stand."""

from __future__ import annotations

from tests.live.test_restart import restarted

HOUR = 3600


def test_a_restart_ends_rooms_idle_past_the_grace_and_keeps_the_rest(open_room, tmp_path, clock):
    old = open_room()
    ana = old.phone("Ana")
    old.do("host:start")
    assert ana.answer(0)["ok"]
    clock.advance(11 * HOUR)
    fresh = open_room()  # opened 11 h later: well inside the grace
    clock.advance(2 * HOUR)  # the first room has now been idle 13 h (> 12 h by default)
    again = restarted(fresh, tmp_path, clock)
    live = again.live.rooms
    assert fresh.code in live and old.code not in live
    row = old.room_row()
    assert row["live"] == 0 and row["ended_at"] is not None
    assert old.rows("SELECT score FROM participants WHERE room_id = :r", r=old.room.id)[0]["score"] > 0
    assert len(old.answers()) == 1  # the acknowledged answer is kept


def test_the_ticker_ends_idle_rooms_nobody_is_connected_to(open_room, clock):
    busy, idle = open_room(), open_room()
    busy.phone("Ana")  # stays connected
    idle.host.disconnect()
    busy.tick(13 * HOUR)  # the sweep runs from the ticker
    rooms = busy.live.rooms
    assert busy.code in rooms and idle.code not in rooms
    assert idle.room_row()["live"] == 0
    assert busy.room_row()["live"] == 1


def test_activity_keeps_a_room_alive(open_room, clock):
    stage = open_room()
    clock.advance(11 * HOUR)
    stage.do("host:lock", {"locked": True})  # something happens 11 h in
    stage.host.disconnect()
    stage.tick(2 * HOUR)  # 13 h after opening, 2 h after the last change
    assert stage.code in stage.live.rooms and stage.room_row()["live"] == 1
