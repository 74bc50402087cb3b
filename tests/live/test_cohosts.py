"""Co-hosts, hand-over and the presenter view over Socket.IO (docs/cohosts.md): a co-host
controls the room with a key of their own, others cannot, removal revokes at once, the
team survives a restart, and presenter notes reach presenter views only."""

from __future__ import annotations

import json

import pytest

from quizroom import cohosts, models
from quizroom.live import hosts
from tests.conftest import sample_deck
from tests.live.conftest import Client, Phone, Stage
from tests.live.test_restart import restarted

NOTES = "Ask who has merged on a Friday. Zyxwvut-secret-note"


@pytest.fixture
def team(app, trainer_id) -> dict[str, int]:
    """The room owner (trainer_id) with colleagues in one workspace, a viewer, and a
    trainer of another workspace."""
    with app.extensions["quizroom.db"].transaction() as s:
        ours, theirs = models.Workspace(name="Ours"), models.Workspace(name="Theirs")
        s.add_all([ours, theirs])
        s.flush()
        owner = s.get(models.Trainer, trainer_id)
        owner.workspace_id, owner.role = ours.id, "admin"
        people = {
            "bo": models.Trainer(email="bo@example.com", name="Bo", password_hash="!", workspace_id=ours.id),
            "cy": models.Trainer(email="cy@example.com", name="Cy", password_hash="!", workspace_id=ours.id),
            "vi": models.Trainer(email="vi@example.com", name="Vi", password_hash="!", workspace_id=ours.id),
            "ex": models.Trainer(email="ex@example.com", name="Ex", password_hash="!", workspace_id=theirs.id),
        }
        for name, row in people.items():
            row.role = {"vi": "viewer"}.get(name, "trainer")
        s.add_all(people.values())
        s.flush()
        return {"owner": trainer_id, **{name: row.id for name, row in people.items()}}


def host_key(stage: Stage, trainer_id: int) -> str:
    """The key the pages of this trainer carry (what a non-host could never be given)."""
    key = hosts.key_for(stage.live, stage.room, trainer_id)
    return key if key is not None else hosts._cohost_key(stage.live, stage.room, trainer_id)


def attach(stage: Stage, trainer_id: int, view: str = "stage") -> tuple[Client, dict]:
    client = Client(stage.app)
    return client, client.emit("host:attach", {"code": stage.code, "key": host_key(stage, trainer_id), "view": view})


def team_rows(stage: Stage) -> str:
    tables = ("room_hosts", "room_handovers")
    return json.dumps({t: stage.rows(f"SELECT * FROM {t} ORDER BY id") for t in tables}, default=str)  # noqa: S608


def test_a_cohost_added_by_email_controls_the_room(stage, team):
    ana, _bob = stage.phone("Ana"), stage.phone("Bob")
    assert stage.command("host:cohost_add", {"email": " BO@example.com "}) == {"ok": True}
    view = stage.host.last("hosts")
    assert view["cohosts"] == [{"id": team["bo"], "name": "Bo"}] and view["presenter"]["name"] == "Host"
    assert stage.rows("SELECT trainer_id, added_by FROM room_hosts") == [
        {"trainer_id": team["bo"], "added_by": team["owner"]}
    ]

    bo, ack = attach(stage, team["bo"])
    assert ack["ok"] and ack["you"] == team["bo"] and ack["state"]["phase"] == "lobby"
    assert ack["team"]["owner"] == {"id": team["owner"], "name": "Host"}
    for event, data in [
        ("host:settings", {"approve_joiners": False}),
        ("host:lock", {"locked": True}),
        ("host:lock", {"locked": False}),
        ("host:start", None),
        ("host:pause", None),
        ("host:resume", None),
        ("host:add_time", None),
    ]:
        assert (bo.emit(event, data) if data else bo.emit(event)) == {"ok": True}, event
    assert ana.answer(0)["ok"]
    assert bo.emit("host:next") == {"ok": True}  # reveal
    assert stage.engine.phase == "reveal"
    assert stage.host.last("state")["phase"] == "reveal"  # the owner's stage follows the co-host
    assert bo.emit("host:remove", {"participant": ana.id}) == {"ok": True}
    assert bo.emit("host:end") == {"ok": True}
    assert stage.engine.phase == "ended"


def test_a_cohost_can_be_picked_by_account_id(stage, team):
    assert stage.command("host:cohost_add", {"trainer": team["cy"]}) == {"ok": True}
    assert [c["name"] for c in stage.host.last("hosts")["cohosts"]] == ["Cy"]
    assert [c.name for c in cohosts.colleagues(stage.live.store.db, team["owner"])] == ["Bo", "Cy"]


REFUSED_ADDS = [
    ("owner", {"email": "nobody@example.com"}, "unknown_trainer"),
    ("owner", {"email": "vi@example.com"}, "unknown_trainer"),  # a viewer runs no room
    ("owner", {"email": "ex@example.com"}, "unknown_trainer"),  # another workspace
    ("owner", {"trainer": 10_000}, "unknown_trainer"),
    ("owner", {"trainer": "owner"}, "already_host"),
    ("owner", {"trainer": "bo"}, "already_host"),
    ("owner", {"trainer": 0}, "bad_payload"),
    ("owner", {"trainer": 2**60}, "bad_payload"),
    ("owner", {"trainer": True}, "bad_payload"),
    ("owner", {"email": ""}, "bad_payload"),
    ("owner", {"email": "bo@example.com", "trainer": "bo"}, "bad_payload"),
    ("owner", {}, "bad_payload"),
    ("owner", {"email": "x@example.com", "role": "admin"}, "bad_payload"),
    ("bo", {"email": "cy@example.com"}, "not_owner"),  # a co-host who is not presenting
    ("phone", {"email": "cy@example.com"}, "not_host"),
    ("stranger", {"email": "cy@example.com"}, "not_host"),
]


def test_adding_a_cohost_refused_changes_nothing(stage, team):
    stage.command("host:cohost_add", {"trainer": team["bo"]})
    phone = stage.phone("Ana")
    senders = {"owner": stage.host, "bo": attach(stage, team["bo"])[0], "phone": phone, "stranger": Client(stage.app)}
    before, hosts_before = stage.dump(), team_rows(stage)
    for client in senders.values():
        client.pull()
    for who, payload, code in REFUSED_ADDS:
        payload = {k: team.get(v, v) if k == "trainer" and isinstance(v, str) else v for k, v in payload.items()}
        ack = senders[who].emit("host:cohost_add", payload)
        assert ack["ok"] is False and ack["error"]["code"] == code, (who, payload, ack)
    assert stage.dump() == before and team_rows(stage) == hosts_before
    assert [c["name"] for c in stage.room.hosts.team.view()["cohosts"]] == ["Bo"]
    assert all(c.events("hosts") == [] for c in senders.values())


def test_a_trainer_who_is_not_a_cohost_cannot_attach_or_control(stage, team):
    stage.phone("Ana")
    before = stage.dump()
    for trainer in ("cy", "vi", "ex"):
        intruder, ack = attach(stage, team[trainer])
        assert ack["ok"] is False and ack["error"]["code"] == "not_host"
        for event in ("host:start", "host:end"):
            assert intruder.emit(event)["error"]["code"] == "not_host"
        assert intruder.emit("host:handover", {"trainer": team[trainer]})["error"]["code"] == "not_host"
        assert intruder.emit("host:cohost_add", {"trainer": team[trainer]})["error"]["code"] == "not_host"
    assert stage.engine.phase == "lobby" and stage.dump() == before


def test_removing_a_cohost_revokes_control_at_once(stage, team):
    stage.command("host:cohost_add", {"trainer": team["bo"]})
    projector, ack1 = attach(stage, team["bo"])
    phone_view, ack2 = attach(stage, team["bo"], view="presenter")
    assert ack1["ok"] and ack2["ok"]
    assert stage.command("host:cohost_remove", {"trainer": team["bo"]}) == {"ok": True}
    for client in (projector, phone_view):
        assert client.events("revoked") == [{"reason": "You are no longer a host of this room."}]
        assert not client.connected()
    assert stage.rows("SELECT * FROM room_hosts") == []
    assert stage.host.last("hosts")["cohosts"] == []
    again, ack = attach(stage, team["bo"])  # the same key no longer opens the room
    assert ack["error"]["code"] == "not_host"
    stage.do("host:start")  # the owner's stage goes on
    assert again.events("state") == []


def test_removing_someone_who_is_not_a_cohost_is_refused(stage, team):
    stage.command("host:cohost_add", {"trainer": team["bo"]})
    before = team_rows(stage)
    for trainer, code in [(team["cy"], "unknown_cohost"), (team["owner"], "unknown_cohost"), ("x", "bad_payload")]:
        assert stage.command("host:cohost_remove", {"trainer": trainer})["error"]["code"] == code
    assert team_rows(stage) == before
    assert [c["id"] for c in stage.host.last("hosts")["cohosts"]] == [team["bo"]]


def test_handover_mid_question_changes_nothing_for_phones(stage, team):
    ana, bo_phone = stage.phone("Ana"), stage.phone("Bob")
    stage.command("host:cohost_add", {"trainer": team["bo"]})
    bo, _ = attach(stage, team["bo"])
    stage.do("host:start")
    stage.tick(1)
    assert ana.answer(0)["ok"]
    for phone in (ana, bo_phone):
        phone.pull()
    engine_before = stage.engine.snapshot()

    assert stage.command("host:handover", {"trainer": team["bo"]}) == {"ok": True}
    for client in (stage.host, bo):
        assert client.last("hosts")["presenter"] == {"id": team["bo"], "name": "Bo"}
    assert ana.pull() == [] and bo_phone.pull() == []  # phones notice nothing
    assert ana.connected() and bo_phone.connected()
    assert stage.engine.snapshot() == engine_before
    [row] = stage.rows("SELECT position, from_trainer_id, to_trainer_id FROM room_handovers")
    assert row == {"position": 0, "from_trainer_id": team["owner"], "to_trainer_id": team["bo"]}

    # The new presenter runs the room; answers before and after the hand-over count.
    assert bo_phone.answer(0)["ok"]  # everyone answered: reveal
    assert bo.emit("host:next") == {"ok": True}  # leaderboard
    assert bo.emit("host:next") == {"ok": True}  # question 1
    stage.tick(1)
    assert ana.answer(0)["ok"] and bo_phone.answer(1)["ok"]
    assert bo.emit("host:end") == {"ok": True}
    scores = {r["nickname"]: r["score"] for r in stage.participants()}
    assert scores == {"Ana": 975 + 975 + 100, "Bob": 975}  # 1 s of 20: 975 points; then a streak
    credit = cohosts.presenters_by_position(stage.live.store.db, stage.room.id)
    assert credit == {0: team["owner"], 1: team["bo"]}


def test_after_a_handover_the_new_presenter_manages_the_team(stage, team):
    stage.command("host:cohost_add", {"trainer": team["bo"]})
    bo, _ = attach(stage, team["bo"])
    assert bo.emit("host:handover", {"trainer": team["owner"]})["error"]["code"] == "not_owner"
    stage.do("host:handover", {"trainer": team["bo"]})
    assert bo.emit("host:cohost_add", {"email": "cy@example.com"}) == {"ok": True}
    assert stage.command("host:cohost_remove", {"trainer": team["bo"]})["error"]["code"] == "is_presenter"
    assert bo.emit("host:handover", {"trainer": team["bo"]})["error"]["code"] == "already_presenting"
    assert bo.emit("host:handover", {"trainer": team["ex"]})["error"]["code"] == "unknown_cohost"
    assert bo.emit("host:handover", {"trainer": team["owner"]}) == {"ok": True}  # and back
    assert stage.host.last("hosts")["presenter"]["id"] == team["owner"]
    # The previous presenter stays a co-host.
    assert [c["id"] for c in stage.host.last("hosts")["cohosts"]] == [team["bo"], team["cy"]]
    stage.do("host:end")
    assert stage.command("host:handover", {"trainer": team["bo"]})["error"]["code"] == "room_ended"
    assert stage.command("host:cohost_add", {"trainer": team["ex"]})["error"]["code"] == "room_ended"


def test_cohosts_and_the_presenter_survive_a_restart(stage, team, tmp_path, clock):
    ana = stage.phone("Ana")
    stage.command("host:cohost_add", {"trainer": team["bo"]})
    stage.command("host:cohost_add", {"trainer": team["cy"]})
    stage.do("host:start")
    stage.do("host:handover", {"trainer": team["bo"]})
    stage.command("host:cohost_remove", {"trainer": team["cy"]})
    bo_key, cy_key = host_key(stage, team["bo"]), hosts._cohost_key(stage.live, stage.room, team["cy"])

    again = restarted(stage, tmp_path, clock)
    try:
        assert again.attached["team"]["presenter"] == {"id": team["bo"], "name": "Bo"}
        bo = Client(again.app)
        ack = bo.emit("host:attach", {"code": again.code, "key": bo_key})
        assert ack["ok"] and ack["you"] == team["bo"]
        cy = Client(again.app)
        assert cy.emit("host:attach", {"code": again.code, "key": cy_key})["error"]["code"] == "not_host"
        phone = Phone(again.app, again.code, again)
        assert phone.join(token=ana.token)["resumed"]
        assert phone.answer(0)["ok"]  # everyone is back and answered: the reveal
        assert bo.emit("host:next") == {"ok": True}
        assert again.engine.phase == "leaderboard"
    finally:
        again.app.extensions["quizroom.db"].dispose()


def test_stage_and_presenter_view_attached_at_once_both_follow(open_room, team):
    deck = sample_deck(2)
    deck["questions"][0]["notes"] = NOTES
    stage = open_room(deck)
    view, ack = attach(stage, team["owner"], view="presenter")
    assert ack["presenter"]["current"] is None and ack["presenter"]["next"]["notes"] == NOTES
    ana, bob, cy = stage.phone("Ana"), stage.phone("Bob"), stage.phone("Cy")
    stage.tick(0.25)
    stage.do("host:start")
    stage.tick(0.25)
    for client in (stage.host, view):
        assert client.last("state")["phase"] == "question"
    shown = view.last("presenter")
    assert shown["current"] == {"position": 0, "kind": "question", "text": "Question 0?", "notes": NOTES}
    assert [p["nickname"] for p in shown["waiting"]["people"]] == ["Ana", "Bob", "Cy"]
    assert ana.answer(0)["ok"]
    stage.tick(0.25)
    waiting = view.last("presenter")["waiting"]
    assert waiting == {
        "count": 2,
        "offline": 0,
        "people": [{"id": bob.id, "nickname": "Bob"}, {"id": cy.id, "nickname": "Cy"}],
    }
    cy.disconnect()
    stage.tick(0.25)
    assert view.last("presenter")["waiting"] == {
        "count": 1,
        "offline": 1,
        "people": [{"id": bob.id, "nickname": "Bob"}],
    }
    # The presenter view drives; the stage follows.
    assert view.emit("host:next") == {"ok": True}
    assert stage.host.last("state")["phase"] == "reveal" and view.last("state")["phase"] == "reveal"


def test_presenter_notes_reach_presenter_views_only(open_room, team):
    deck = sample_deck(3)
    for question in deck["questions"]:
        question["notes"] = f"{NOTES} {question['uid']}"
    stage = open_room(deck)
    stage.command("host:cohost_add", {"trainer": team["bo"]})
    view, ack = attach(stage, team["bo"], view="presenter")
    projector, _ = attach(stage, team["bo"])  # a co-host's stage: no notes either
    phones = [stage.phone(name) for name in ("Ana", "Bob")]
    stage.do("host:start")
    for _ in range(3):
        stage.tick(0.25)
        for phone in phones:
            assert phone.answer(0)["ok"]
        stage.tick(0.25)
        stage.do("host:next")
        stage.do("host:next")
    late = Phone(stage.app, stage.code, stage)
    late.join(token=phones[0].token)
    assert stage.engine.phase == "ended"

    assert "Zyxwvut" in json.dumps([ack, *view.log])  # the presenter view did get them
    for client in (*phones, late, stage.host, projector):
        client.pull()
        received = json.dumps([*client.log, *getattr(client, "acks", [])])
        assert "Zyxwvut" not in received, "notes leaked"
    assert "Zyxwvut" not in json.dumps(stage.attached)


def test_attach_with_an_unknown_view_is_refused(stage):
    for view in ["projector", "", 5, None, ["presenter"]]:
        ack = Client(stage.app).emit("host:attach", {"code": stage.code, "key": stage.key, "view": view})
        assert ack["error"]["code"] == "bad_payload"
