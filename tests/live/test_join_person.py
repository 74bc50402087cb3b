"""Joining as a known person (docs/protocol.md, ``join`` with ``person``): by personal link,
by picking a name from a group's roster, or by opting in with name + e-mail. Every refusal
changes nothing; a person holds at most one seat per room; links survive a restart."""

from __future__ import annotations

import json

import pytest

from quizroom.engine import parse_deck
from quizroom.people import people_of
from tests.conftest import sample_deck
from tests.live.conftest import Phone, Stage
from tests.live.test_restart import restarted


@pytest.fixture
def people(app):
    return people_of(app)


@pytest.fixture
def team(people, trainer_id):
    """A group with Ana (e-mail known) and Bo; Cy is the trainer's but not in the group."""
    group = people.create_group(trainer_id, "Team A")
    ana = people.create_person(trainer_id, "Ana Lima", "ana@example.org", group.id)
    bo = people.create_person(trainer_id, "Bo", None, group.id)
    cy = people.create_person(trainer_id, "Cy", "cy@example.org")
    return {"group": group, "ana": ana, "bo": bo, "cy": cy}


@pytest.fixture
def group_stage(app, clock, trainer_id, team) -> Stage:
    deck = parse_deck(sample_deck(3))
    room, key = app.extensions["quizroom.live"].open_room(
        trainer_id=trainer_id, deck_id=None, title=deck.title, activities=deck.questions, group_id=team["group"].id
    )
    return Stage(app, clock, room, key)


def join(stage: Stage, person: dict, **fields) -> tuple[Phone, dict]:
    phone = stage.phone()
    ack = phone.emit("join", {"code": stage.code, "person": person, **fields})
    phone.acks.append(ack)
    if ack.get("ok"):
        phone.token, phone.id = ack["token"], ack["me"]["id"]
    return phone, ack


def full_dump(stage: Stage) -> str:
    tables = ("rooms", "participants", "answers", "people", "group_members")
    return json.dumps({t: stage.rows(f"SELECT * FROM {t} ORDER BY 1") for t in tables}, default=str)  # noqa: S608


def person_of(stage: Stage, number: int) -> int | None:
    return stage.rows(
        "SELECT person_id FROM participants WHERE room_id = :r AND number = :n", r=stage.room.id, n=number
    )[0]["person_id"]


# ------------------------------------------------------------------ personal link
def test_personal_link_joins_as_the_person(group_stage, team):
    ana = team["ana"]
    phone, ack = join(group_stage, {"key": ana.link_key})
    assert ack["ok"] and ack["resumed"] is False
    assert ack["person"] == {"name": "Ana Lima"} and ack["me"]["nickname"] == "Ana Lima"
    assert person_of(group_stage, phone.id) == ana.id
    assert group_stage.room.people == {phone.id: ana.id}
    assert "ana@example.org" not in json.dumps(phone.acks)  # no e-mail ever goes to a phone


def test_a_personal_link_works_in_any_room_of_the_trainer(stage, team):
    """Also in a room not run for a group, and with a nickname of one's own."""
    phone, ack = join(stage, {"key": team["cy"].link_key}, nickname="Cee")
    assert ack["ok"] and ack["me"]["nickname"] == "Cee" and ack["person"] == {"name": "Cy"}
    assert person_of(stage, phone.id) == team["cy"].id


def test_the_name_is_shortened_and_numbered_when_taken(stage, people, trainer_id):
    stage.phone("Ana Lima")
    ana = people.create_person(trainer_id, "Ana Lima")
    long = people.create_person(trainer_id, "Maximiliane Oberhauser-Wittgenstein")
    assert join(stage, {"key": ana.link_key})[1]["me"]["nickname"] == "Ana Lima 2"
    assert join(stage, {"key": long.link_key})[1]["me"]["nickname"] == "Maximiliane Oberhaus"
    twin = people.create_person(trainer_id, "Maximiliane Oberhauser-Wittgenstein Jr")
    assert join(stage, {"key": twin.link_key})[1]["me"]["nickname"] == "Maximiliane Oberha 2"


def test_the_personal_link_resumes_the_seat_on_a_new_phone(group_stage, team):
    first, ack = join(group_stage, {"key": team["ana"].link_key})
    join(group_stage, {"id": team["bo"].id})  # keeps the question open after Ana answers
    group_stage.do("host:start")
    group_stage.clock.advance(1)
    assert first.answer(0)["ok"]
    first.disconnect()

    second, again = join(group_stage, {"key": team["ana"].link_key})
    assert again["ok"] and again["resumed"] is True and again["me"]["id"] == first.id
    assert again["me"]["answered_current"] is True and again["person"] == {"name": "Ana Lima"}
    assert again["token"] != first.token
    rows = [r for r in group_stage.participants() if r["person_id"] == team["ana"].id]
    assert len(rows) == 1  # one person, one seat
    from quizroom.store import token_hash

    assert rows[0]["token_hash"] == token_hash(again["token"])  # the new phone's token is stored
    assert Phone(group_stage.app, group_stage.code).join(token=first.token)["error"]["code"] == "unknown_token"
    assert Phone(group_stage.app, group_stage.code).join(token=again["token"])["resumed"] is True


def test_a_personal_link_resume_is_never_refused_by_the_limits(app, group_stage, team):
    join(group_stage, {"key": team["ana"].link_key})
    app.config["MAX_PARTICIPANTS"] = 1
    app.config["JOIN_RATE_PER_IP"] = 1
    app.extensions.pop("quizroom.limits", None)
    assert join(group_stage, {"id": team["bo"].id})[1]["error"]["code"] == "room_full"
    group_stage.do("host:lock", {"locked": True})
    assert join(group_stage, {"key": team["ana"].link_key})[1]["resumed"] is True


def test_person_joins_spend_the_join_allowance_unless_refused(app, group_stage, team):
    app.config["JOIN_RATE_PER_IP"] = 2
    assert join(group_stage, {"id": team["bo"].id})[1]["ok"]
    assert join(group_stage, {"id": team["bo"].id})[1]["error"]["code"] == "person_taken"  # spends nothing
    assert join(group_stage, {"key": "x" * 32})[1]["error"]["code"] == "unknown_person"  # spends nothing
    assert join(group_stage, {"key": team["ana"].link_key})[1]["ok"]
    before = full_dump(group_stage)
    assert join(group_stage, {"name": "Dana", "email": "dana@example.org"})[1]["error"]["code"] == "rate_limited"
    assert full_dump(group_stage) == before


def test_a_removed_seat_is_free_again(group_stage, team):
    picked, ack = join(group_stage, {"id": team["ana"].id})  # someone picked Ana's name...
    group_stage.do("host:remove", {"participant": picked.id})  # ...the trainer removed them
    real, again = join(group_stage, {"key": team["ana"].link_key})
    assert again["ok"] and again["resumed"] is False and again["me"]["id"] != picked.id
    assert group_stage.room.seats[team["ana"].id] == real.id


# ------------------------------------------------------------------ pick your name
def test_pick_your_name_from_the_roster(group_stage, team):
    phone, ack = join(group_stage, {"id": team["bo"].id})
    assert ack["ok"] and ack["me"]["nickname"] == "Bo" and ack["person"] == {"name": "Bo"}
    assert person_of(group_stage, phone.id) == team["bo"].id
    before = full_dump(group_stage)
    taken = join(group_stage, {"id": team["bo"].id})[1]
    assert taken["ok"] is False and taken["error"]["code"] == "person_taken"
    assert full_dump(group_stage) == before


@pytest.mark.parametrize("who", ["cy", "nobody", "other trainer's"])
def test_pick_only_a_member_of_the_rooms_group(group_stage, team, people, app, who):
    if who == "cy":
        person_id = team["cy"].id  # the trainer's, but not in the group
    elif who == "nobody":
        person_id = 9999
    else:
        from quizroom import models

        with app.extensions["quizroom.db"].transaction() as s:
            other = models.Trainer(email="o@example.com", name="O", password_hash="!")
            s.add(other)
            s.flush()
            other_id = other.id
        person_id = people.create_person(other_id, "Eve").id
    before = full_dump(group_stage)
    ack = join(group_stage, {"id": person_id})[1]
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_person"
    assert full_dump(group_stage) == before


def test_no_pick_in_a_room_without_a_group(stage, team):
    before = full_dump(stage)
    assert join(stage, {"id": team["ana"].id})[1]["error"]["code"] == "unknown_person"
    assert full_dump(stage) == before


def test_an_unknown_or_foreign_personal_link_is_refused(group_stage, people, app):
    from quizroom import models

    with app.extensions["quizroom.db"].transaction() as s:
        other = models.Trainer(email="o@example.com", name="O", password_hash="!")
        s.add(other)
        s.flush()
        other_id = other.id
    foreign = people.create_person(other_id, "Eve")
    before = full_dump(group_stage)
    for key in (foreign.link_key, "x" * 32):
        ack = join(group_stage, {"key": key})[1]
        assert ack["ok"] is False and ack["error"]["code"] == "unknown_person"
    assert full_dump(group_stage) == before


# -------------------------------------------------------------------------- opt-in
def test_opt_in_creates_the_person_with_the_participant(stage, people, trainer_id):
    phone, ack = join(stage, {"name": " Dana  Scully ", "email": "Dana@Example.org"})
    assert ack["ok"] and ack["me"]["nickname"] == "Dana Scully" and ack["person"] == {"name": "Dana Scully"}
    [person] = stage.rows("SELECT * FROM people")
    assert (person["name"], person["email"], person["email_key"]) == (
        "Dana Scully",
        "Dana@Example.org",
        "dana@example.org",
    )
    assert person["trainer_id"] == trainer_id and person_of(stage, phone.id) == person["id"]


def test_opt_in_with_a_known_email_links_the_known_person(stage, team):
    phone, ack = join(stage, {"name": "Whoever", "email": "ANA@example.org"}, nickname="Nana")
    assert ack["ok"] and person_of(stage, phone.id) == team["ana"].id
    # The name typed is shown back, never the stored one: an e-mail tells nobody whose it is.
    assert ack["person"] == {"name": "Whoever"} and "Ana Lima" not in json.dumps(ack)
    assert len(stage.rows("SELECT id FROM people")) == 3
    before = full_dump(stage)
    again = join(stage, {"name": "Ana", "email": "ana@example.org"})[1]
    assert again["error"]["code"] == "person_taken"
    assert full_dump(stage) == before


def test_a_refused_opt_in_creates_nobody(stage):
    stage.do("host:lock", {"locked": True})
    before = full_dump(stage)
    ack = join(stage, {"name": "Dana", "email": "dana@example.org"})[1]
    assert ack["error"]["code"] == "room_locked"
    assert full_dump(stage) == before
    stage.do("host:lock", {"locked": False})
    stage.phone("Dana")
    assert join(stage, {"name": "Dana", "email": "dana@example.org"}, nickname="Dana")[1]["error"]["code"] == (
        "nickname_taken"
    )
    assert stage.rows("SELECT * FROM people") == []


# ---------------------------------------------------------------------- bad payloads
@pytest.mark.parametrize(
    "person",
    [
        "ana",
        ["key"],
        {},
        {"key": ""},
        {"key": "k" * 101},
        {"key": 5},
        {"id": True},
        {"id": "3"},
        {"id": 0},
        {"id": 1.5},
        {"key": "x" * 32, "id": 1},
        {"name": "Ana"},
        {"email": "ana@example.org"},
        {"name": "", "email": "ana@example.org"},
        {"name": "x" * 81, "email": "ana@example.org"},
        {"name": "Ana", "email": ""},
        {"name": "Ana", "email": "not an email"},
        {"name": "Ana", "email": "ana@localhost"},
        {"name": "Ana", "email": "a" * 250 + "@example.org"},
        {"name": "Ana", "email": '"Ana" <ana@example.org>'},
        {"name": "Ana", "email": "ana@example.org", "extra": 1},
    ],
)
def test_bad_person_payloads_change_nothing(group_stage, person):
    before = full_dump(group_stage)
    ack = join(group_stage, person)[1]
    assert ack["ok"] is False and ack["error"]["code"] == "bad_payload", ack
    assert full_dump(group_stage) == before


# ---------------------------------------------------------------- restart, delete
def test_person_links_survive_a_restart(group_stage, team, tmp_path, clock):
    ana, _ = join(group_stage, {"key": team["ana"].link_key})
    bo, _ = join(group_stage, {"id": team["bo"].id})
    anon = group_stage.phone("Zed")
    again = restarted(group_stage, tmp_path, clock)
    try:
        room = again.room
        assert room.group_id == team["group"].id
        assert room.people == {ana.id: team["ana"].id, bo.id: team["bo"].id}
        assert anon.id not in room.people
        assert join(again, {"id": team["bo"].id})[1]["error"]["code"] == "person_taken"
        resumed = join(again, {"key": team["ana"].link_key})[1]
        assert resumed["resumed"] is True and resumed["me"]["id"] == ana.id
        roster = again.app.extensions["quizroom.live"].open_roster(room)
        assert roster == []  # both members have joined
    finally:
        again.app.extensions["quizroom.db"].dispose()


def test_deleting_a_person_unlinks_them_in_the_live_room(group_stage, team, people, trainer_id):
    phone, _ = join(group_stage, {"key": team["ana"].link_key})
    assert people.delete_person(trainer_id, team["ana"].id)
    assert group_stage.room.people == {} and group_stage.room.seats == {}
    assert person_of(group_stage, phone.id) is None
    assert join(group_stage, {"key": team["ana"].link_key})[1]["error"]["code"] == "unknown_person"
    assert Phone(group_stage.app, group_stage.code).join(token=phone.token)["resumed"] is True  # still playing


def test_roster_lists_members_not_seated(group_stage, team, app):
    live = app.extensions["quizroom.live"]
    assert [p.name for p in live.open_roster(group_stage.room)] == ["Ana Lima", "Bo"]
    picked, _ = join(group_stage, {"id": team["bo"].id})
    assert [p.name for p in live.open_roster(group_stage.room)] == ["Ana Lima"]
    group_stage.do("host:remove", {"participant": picked.id})
    assert [p.name for p in live.open_roster(group_stage.room)] == ["Ana Lima", "Bo"]


# ------------------------------------------------------------------ memory
def test_ending_the_room_folds_it_into_the_peoples_memory(app, group_stage, team, monkeypatch):
    """The room's end refreshes its known people's memory states (in a background task,
    run inline here); an anonymous participant gets none."""
    live = app.extensions["quizroom.live"]
    monkeypatch.setattr(live.socketio, "start_background_task", lambda task, *args: task(*args))
    ana, _ = join(group_stage, {"key": team["ana"].link_key})
    anonymous = group_stage.phone()
    assert anonymous.emit("join", {"code": group_stage.code, "nickname": "Zed"})["ok"]
    group_stage.do("host:start")
    assert ana.answer(0)["ok"]
    assert group_stage.rows("SELECT * FROM memory_states") == []
    group_stage.do("host:end")
    states = group_stage.rows("SELECT person_id, question_uid, reviews FROM memory_states")
    assert states == [{"person_id": team["ana"].id, "question_uid": group_stage.engine.activities[0].uid, "reviews": 1}]
