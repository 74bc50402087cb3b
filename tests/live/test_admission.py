"""Approve joiners, and participants the host removed (quizroom/live/admission.py,
docs/protocol.md *Approve joiners*): a parked join stores nothing until the host admits
it; a removed participant cannot come back under a new nickname without the host."""

from __future__ import annotations

from tests.conftest import socket_client
from tests.live.conftest import Phone, Stage
from tests.live.test_restart import restarted


def approving(stage: Stage) -> Stage:
    stage.do("host:settings", {"approve_joiners": True})
    return stage


def test_with_approve_joiners_a_join_waits_and_stores_nothing(stage):
    approving(stage)
    phone = stage.phone()
    before = stage.dump()
    ack = phone.join("Eve")
    assert ack["ok"] and ack["waiting"] is True and ack["reason"] == "approval"
    assert "me" not in ack
    assert stage.dump() == before  # nobody stored, nobody in the lobby
    assert stage.engine.participants == {}
    requests = stage.host.last("join_requests")
    assert requests == [{"id": ack["request"], "name": "Eve", "reason": "approval", "note": "asks to join"}]
    assert phone.emit("join", {"code": stage.code, "nickname": "Eve 2"})["error"]["code"] == "already_waiting"


def test_the_host_admits_a_waiting_phone(stage):
    approving(stage)
    phone = stage.phone()
    ack = phone.join("Eve")
    assert stage.command("host:admit", {"request": ack["request"], "admit": True}) == {"ok": True, "joined": True}
    admitted = phone.last("admitted")
    assert admitted["ok"] and admitted["me"]["nickname"] == "Eve" and admitted["token"] == ack["token"]
    assert [p["nickname"] for p in stage.participants()] == ["Eve"]
    assert stage.host.last("join_requests") == []
    # Admitted once, the phone resumes by its token like anyone else (no second wait).
    again = Phone(stage.app, stage.code, stage)
    assert again.join(token=ack["token"])["resumed"] is True


def test_the_host_refuses_a_waiting_phone(stage):
    approving(stage)
    phone = stage.phone()
    ack = phone.join("Eve")
    before = stage.dump()
    assert stage.command("host:admit", {"request": ack["request"], "admit": False}) == {"ok": True}
    assert phone.last("refused") == {"reason": "The host did not let you in."}
    assert stage.dump() == before
    assert stage.command("host:admit", {"request": ack["request"], "admit": True})["error"]["code"] == "unknown_request"


def test_a_phone_that_leaves_while_waiting_is_dropped_from_the_list(stage):
    approving(stage)
    stay, leave = stage.phone(), stage.phone()
    kept = stay.join("Stay")
    gone = leave.join("Leave")
    assert len(stage.host.last("join_requests")) == 2
    leave.disconnect()
    assert [r["id"] for r in stage.host.last("join_requests")] == [kept["request"]]
    assert stage.command("host:admit", {"request": gone["request"], "admit": True})["error"]["code"] == (
        "unknown_request"
    )


def test_only_the_host_admits(stage):
    approving(stage)
    waiting = stage.phone()
    ack = waiting.join("Eve")
    stage.do("host:settings", {"approve_joiners": False})
    mallory = stage.phone("Mallory")
    before = stage.dump()
    for sender in (mallory, Phone(stage.app, stage.code)):
        refused = sender.emit("host:admit", {"request": ack["request"], "admit": True})
        assert refused["error"]["code"] == "not_host"
    assert stage.dump() == before and waiting.last("admitted") is None


def test_bad_admit_payloads_change_nothing(stage):
    approving(stage)
    ack = stage.phone().join("Eve")
    before = stage.dump()
    request = ack["request"]
    bad = ({"request": request}, {"request": "1", "admit": True}, {"request": request, "admit": 1}, "admit")
    for payload in (*bad, {"request": request, "admit": True, "extra": 1}):
        assert stage.command("host:admit", payload)["error"]["code"] == "bad_payload", payload
    assert stage.dump() == before and len(stage.host.last("join_requests")) == 1


def test_admitting_past_the_cap_keeps_them_waiting(app, stage):
    app.config["MAX_PARTICIPANTS"] = 1
    approving(stage)
    ack = stage.phone().join("Eve")
    bo = stage.phone().join("Bo")
    assert stage.command("host:admit", {"request": bo["request"], "admit": True})["joined"] is True
    assert stage.command("host:admit", {"request": ack["request"], "admit": True})["error"]["code"] == "room_full"
    assert [r["id"] for r in stage.host.last("join_requests")] == [ack["request"]]


def test_a_removed_participant_needs_the_host_to_come_back_under_a_new_name(stage):
    """Approve joiners is off: only the removed phone has to wait."""
    eve = stage.phone("Eve")
    stage.do("host:remove", {"participant": eve.id})
    assert Phone(stage.app, stage.code).join(token=eve.token)["error"]["code"] == "removed"
    back = Phone(stage.app, stage.code)
    before = stage.dump()
    ack = back.join("Not Eve", token=eve.token)
    assert ack["waiting"] is True and ack["reason"] == "removed" and ack["token"] != eve.token
    assert stage.dump() == before
    assert stage.phone("Bo").id is not None  # everyone else still walks in


def test_a_removed_participant_is_recognised_by_the_browser_without_a_token(app, stage):
    """The play page gives each browser a device id (session cookie); a removed participant
    who clears the phone's storage and joins again from that browser waits for the host."""
    browser = app.test_client()
    assert browser.get(f"/j/{stage.code}").status_code == 200
    phone = Phone(app, stage.code, stage)
    phone.sio = socket_client(app, browser)
    assert phone.join("Eve")["ok"]
    stage.do("host:remove", {"participant": phone.id})
    again = Phone(app, stage.code, stage)
    again.sio = socket_client(app, browser)
    ack = again.join("Totally new")
    assert ack["waiting"] is True and ack["reason"] == "removed"
    other_browser = app.test_client()
    assert other_browser.get(f"/j/{stage.code}").status_code == 200
    stranger = Phone(app, stage.code, stage)
    stranger.sio = socket_client(app, other_browser)
    assert stranger.join("Someone else")["ok"] and "waiting" not in stranger.acks[-1]


def test_approve_joiners_survives_a_restart(stage, tmp_path, clock):
    approving(stage)
    assert stage.host.last("state")["settings"]["approve_joiners"] is True
    again = restarted(stage, tmp_path, clock)
    assert again.engine.settings.approve_joiners is True
    assert again.attached["state"]["settings"]["approve_joiners"] is True
    assert again.phone().join("Eve")["waiting"] is True


def test_phones_are_not_told_the_room_setting(stage):
    approving(stage)
    ana = stage.phone()
    ack = ana.join("Ana")
    stage.command("host:admit", {"request": ack["request"], "admit": True})
    assert "approve_joiners" not in ana.last("admitted")["state"]["settings"]


def test_a_locked_room_queues_nobody(stage):
    approving(stage)
    stage.do("host:lock", {"locked": True})
    before = stage.dump()
    assert stage.phone().join("Eve")["error"]["code"] == "room_locked"
    assert stage.host.last("join_requests") is None and stage.dump() == before
