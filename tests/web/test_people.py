"""People and groups: the service (roster CSV, export, delete) and the trainer's pages
(sign-in, other trainers' rows answer 404, CSRF), the start forms' group, /me, /j/<code>/roster."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from quizroom import models, results
from quizroom.people import DELETED_NICKNAME, PeopleError, RosterInvalid, parse_roster, people_of
from tests.conftest import TRAINER_EMAIL, TRAINER_PASSWORD, sample_deck
from tests.live.conftest import Phone, Stage


@pytest.fixture
def service(app):
    return people_of(app)


@pytest.fixture
def trainer_id(trainer) -> int:
    return trainer.id


@pytest.fixture
def other_trainer(app) -> int:
    with app.extensions["quizroom.db"].transaction() as s:
        row = models.Trainer(email="other@example.com", name="Other", password_hash="!")
        s.add(row)
        s.flush()
        return row.id


def rows(app, sql: str, **params) -> list[dict]:
    with app.extensions["quizroom.db"].engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]


def dump(app) -> str:
    tables = ("people", "groups", "group_members", "participants", "answers")
    return json.dumps({t: rows(app, f"SELECT * FROM {t} ORDER BY 1") for t in tables}, default=str)  # noqa: S608


# ====================================================================== roster CSV
def test_roster_with_bom_semicolons_and_crlf(app, service, trainer_id):
    group = service.create_group(trainer_id, "Team A")
    data = "\ufeffName;E-mail;Department\r\n  Ana   Lima ;ANA@Example.org;Sales\r\nBo Chen;;\r\n\r\n".encode()
    result = service.import_roster(trainer_id, data, group.id)
    assert (result.created, result.matched, result.added) == (2, 0, 2)
    people = rows(app, "SELECT * FROM people ORDER BY id")
    assert [(p["name"], p["email"], p["email_key"]) for p in people] == [
        ("Ana Lima", "ANA@Example.org", "ana@example.org"),
        ("Bo Chen", None, None),
    ]
    assert all(len(p["link_key"]) == 32 for p in people) and people[0]["link_key"] != people[1]["link_key"]
    assert [p.name for p in service.members(trainer_id, group.id)] == ["Ana Lima", "Bo Chen"]
    assert people[0]["created_at"].startswith("2027-01-15")  # the app clock, not the wall clock


def test_roster_commas_quotes_and_tabs():
    assert parse_roster('name,email\n"Lima, Ana",ana@example.org\n') == [
        parse_roster("name\tEMAIL\nLima, Ana\tana@example.org\n")[0]
    ]
    assert parse_roster('name,email\n"Lima, Ana",ana@example.org\n')[0].name == "Lima, Ana"


def test_a_bad_roster_creates_nothing_and_names_every_row(app, service, trainer_id):
    group = service.create_group(trainer_id, "Team A")
    before = dump(app)
    data = (
        "name,email\n"
        "Ana,ana@example.org\n"  # 2: fine
        ",nobody@example.org\n"  # 3: no name
        "Bo,not-an-email\n"  # 4
        f"{'x' * 81},\n"  # 5
        "Cy,ANA@example.org\n"  # 6: the e-mail of row 2
        "Di,di@example.org,extra\n"  # 7: more values than columns
        "Ed,\n"  # 8: fine
        "ed,\n"  # 9: the same name without e-mails
    )
    with pytest.raises(RosterInvalid) as raised:
        service.import_roster(trainer_id, data, group.id)
    problems = {e.row: e.message for e in raised.value.errors}
    assert set(problems) == {3, 4, 5, 6, 7, 9}
    assert "empty" in problems[3]
    assert "not-an-email" in problems[4]
    assert "at most 80" in problems[5]
    assert "row 2" in problems[6]
    assert "3 values" in problems[7] and "double quotes" in problems[7]
    assert "row 8" in problems[9]
    assert dump(app) == before


@pytest.mark.parametrize(
    ("data", "row", "words"),
    [
        (b"", None, "empty"),
        (b"email\nana@example.org\n", 1, "name"),
        (b"name,email\n", None, "nobody"),
        ("name\nAna\n".encode("utf-16"), None, "UTF-8"),
        (b"name,name\nAna,Bo\n", 1, "two"),
    ],
)
def test_roster_file_problems(data, row, words):
    with pytest.raises(RosterInvalid) as raised:
        parse_roster(data)
    first = raised.value.errors[0]
    assert first.row == row and words in first.message


def test_known_emails_map_to_the_same_person(app, service, trainer_id):
    ana = service.create_person(trainer_id, "Ana Lima", "ana@example.org")
    group = service.create_group(trainer_id, "Team A")
    result = service.import_roster(trainer_id, "name,email\nAna L.,ANA@EXAMPLE.ORG\nBo,bo@example.org\n", group.id)
    assert (result.created, result.matched, result.added) == (1, 1, 2)
    assert result.people[0] == ana.id
    assert service.get_person(trainer_id, ana.id).name == "Ana Lima"  # a known person keeps their name
    assert len(rows(app, "SELECT id FROM people")) == 2


def test_importing_a_roster_again_adds_only_newcomers(app, service, trainer_id):
    group = service.create_group(trainer_id, "Team A")
    service.import_roster(trainer_id, "name\nAna\nBo\n", group.id)
    again = service.import_roster(trainer_id, "name,email\nana,ana@example.org\nBo,\nCy,\n", group.id)
    assert (again.created, again.matched, again.added, again.emails_added) == (1, 2, 1, 1)
    members = service.members(trainer_id, group.id)
    assert [(p.name, p.email) for p in members] == [("Ana", "ana@example.org"), ("Bo", None), ("Cy", None)]


def test_a_group_never_gets_two_people_of_the_same_name(service, trainer_id):
    group = service.create_group(trainer_id, "Team A")
    service.import_roster(trainer_id, "name,email\nAna,ana@example.org\n", group.id)
    with pytest.raises(RosterInvalid) as raised:
        service.import_roster(trainer_id, "name,email\nANA,other@example.org\n", group.id)
    assert raised.value.errors[0].row == 2 and "two people called" in raised.value.errors[0].message
    other = service.create_person(trainer_id, "Ana", "third@example.org")
    with pytest.raises(PeopleError):
        service.add_member(trainer_id, group.id, other.id)
    with pytest.raises(PeopleError):
        service.create_person(trainer_id, "ana", None, group.id)


def test_people_and_groups_belong_to_their_trainer(service, trainer_id, other_trainer):
    ana = service.create_person(trainer_id, "Ana", "ana@example.org")
    group = service.create_group(trainer_id, "Team A")
    assert service.get_person(other_trainer, ana.id) is None
    assert service.get_group(other_trainer, group.id) is None
    assert service.add_member(other_trainer, group.id, ana.id) is False
    assert service.delete_person(other_trainer, ana.id) is False
    assert service.export_person(other_trainer, ana.id) is None
    with pytest.raises(RosterInvalid):
        service.import_roster(other_trainer, "name\nBo\n", group.id)
    # The same e-mail is fine for another trainer's own person.
    assert service.create_person(other_trainer, "Ana", "ANA@example.org").id != ana.id
    with pytest.raises(PeopleError) as raised:
        service.create_person(trainer_id, "Ana again", "Ana@Example.org")
    assert raised.value.field == "email" and "Ana" in raised.value.message


def test_opt_in_finds_by_email_or_creates(service, trainer_id):
    first = service.find_or_create_opt_in(trainer_id, " Ana ", "Ana@Example.org")
    again = service.find_or_create_opt_in(trainer_id, "Someone else", "ana@example.org")
    assert again.id == first.id and again.name == "Ana"
    with pytest.raises(PeopleError):
        service.find_or_create_opt_in(trainer_id, "Ana", "")
    with pytest.raises(PeopleError):
        service.find_or_create_opt_in(trainer_id, "", "x@example.org")


# ================================================================ export, delete
@pytest.fixture
def played(app, clock, service, trainer_id):
    """A room run for a group: Ana (by her personal link) and Bo (a nickname) answered
    two questions; Ana also has a self-paced review and a memory state."""
    group = service.create_group(trainer_id, "Team A")
    ana = service.create_person(trainer_id, "Ana", "ana@example.org", group.id)
    from quizroom.engine import parse_deck

    deck = parse_deck(sample_deck(2))
    room, key = app.extensions["quizroom.live"].open_room(
        trainer_id=trainer_id, deck_id=None, title="Week 1", activities=deck.questions, group_id=group.id
    )
    stage = Stage(app, clock, room, key)
    phone = Phone(app, room.code, stage)
    assert phone.emit("join", {"code": room.code, "person": {"key": ana.link_key}})["ok"]
    bo = stage.phone("Bo")
    stage.do("host:start")
    clock.advance(2)
    assert phone.answer(0)["ok"] and bo.answer(1)["ok"]
    stage.do("host:next"), stage.do("host:next")
    assert phone.answer(2)["ok"] and bo.answer(0)["ok"]
    stage.do("host:next")
    at = datetime.fromtimestamp(clock(), UTC)
    with app.extensions["quizroom.db"].transaction() as s:
        practice = models.Practice(
            trainer_id=trainer_id,
            person_id=ana.id,
            token_hash="h" * 64,
            title="Review",
            questions=[{"uid": "q1", "type": "single", "text": "Question 1?"}],
            created_at=at,
        )
        s.add(practice)
        s.flush()
        s.add(
            models.PracticeAnswer(
                practice_id=practice.id,
                person_id=ana.id,
                question_uid="q1",
                value={"v": 0},
                correct=True,
                points=900,
                response_ms=3000,
                time_limit_ms=20000,
                answered_at=at,
            )
        )
        s.add(
            models.MemoryState(
                person_id=ana.id,
                question_uid="q1",
                card={"stability": 3.1},
                stability=3.1,
                difficulty=5.0,
                reviews=2,
                lapses=1,
                last_review=at,
                due=at,
            )
        )
    return {"group": group, "ana": ana, "stage": stage, "room": room}


def test_export_has_everything_stored_about_a_person(played, service, trainer_id):
    ana, room = played["ana"], played["room"]
    document = service.export_person(trainer_id, ana.id)
    json.dumps(document)  # JSON-ready
    assert document["format"] == "quizroom.person-export"
    assert document["person"]["name"] == "Ana" and document["person"]["email"] == "ana@example.org"
    assert document["person"]["personal_link_key"] == ana.link_key
    assert document["groups"] == [{"id": played["group"].id, "name": "Team A"}]
    [session] = document["sessions"]
    assert (session["room_id"], session["title"], session["nickname"]) == (room.id, "Week 1", "Ana")
    assert session["score"] > 0 and session["date"].startswith("2027-01-15")
    answers = [(a["question_uid"], a["question_text"], a["value"], a["correct"]) for a in session["answers"]]
    assert answers == [("q0", "Question 0?", 0, True), ("q1", "Question 1?", 2, False)]
    assert [a["response_ms"] for a in session["answers"]] == [2000, 0]
    assert session["answers"][0]["points"] > 0 and all(a["answered_at"] for a in session["answers"])
    [practice] = document["practices"]
    assert practice["title"] == "Review"
    assert practice["answers"][0]["question_text"] == "Question 1?" and practice["answers"][0]["points"] == 900
    assert document["memory"][0]["question_uid"] == "q1" and document["memory"][0]["lapses"] == 1
    assert "Bo" not in json.dumps(document)  # nobody else's data


def test_delete_keeps_answers_and_aggregates_but_unlinks_them(app, played, service, trainer_id):
    ana, room = played["ana"], played["room"]
    live = app.extensions["quizroom.live"].rooms[room.code]
    assert live.people == {1: ana.id}
    report_before = results.room_report(app, trainer_id, room.id)
    answers_before = rows(app, "SELECT * FROM answers ORDER BY id")

    assert service.delete_person(trainer_id, ana.id) is True

    assert rows(app, "SELECT * FROM answers ORDER BY id") == answers_before
    report_after = results.room_report(app, trainer_id, room.id)
    summary = [
        (q.uid, q.answered, q.correct, q.average_ms, [b.count for b in q.distribution]) for q in report_before.questions
    ]
    assert summary == [
        (q.uid, q.answered, q.correct, q.average_ms, [b.count for b in q.distribution]) for q in report_after.questions
    ]
    participant = rows(app, "SELECT * FROM participants WHERE number = 1")[0]
    assert participant["person_id"] is None and participant["nickname"] == DELETED_NICKNAME
    assert rows(app, "SELECT person_id FROM practices") == [{"person_id": None}]
    assert rows(app, "SELECT person_id, points FROM practice_answers") == [{"person_id": None, "points": 900}]
    assert rows(app, "SELECT * FROM memory_states") == []
    assert rows(app, "SELECT * FROM group_members") == []
    assert rows(app, "SELECT * FROM people") == []
    assert live.people == {} and live.seats == {}  # the live room forgot the link too
    assert service.delete_person(trainer_id, ana.id) is False


# ========================================================================== pages
def test_pages_need_a_signed_in_trainer(client, app, service, other_trainer):
    person = service.create_person(other_trainer, "Ana")
    group = service.create_group(other_trainer, "Team A")
    for path in ("/people", f"/people/{person.id}", f"/groups/{group.id}", f"/people/{person.id}/export.json"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path
    assert client.post("/people", data={"name": "Eve"}).status_code == 302
    assert len(rows(app, "SELECT id FROM people")) == 1


def test_other_trainers_people_and_groups_are_404(logged_in, app, service, other_trainer):
    person = service.create_person(other_trainer, "Ana", "ana@example.org")
    group = service.create_group(other_trainer, "Team A")
    before = dump(app)
    for path in (
        f"/people/{person.id}",
        f"/people/{person.id}/export.json",
        f"/groups/{group.id}",
        f"/groups/{group.id}/links.csv",
    ):
        assert logged_in.get(path).status_code == 404, path
    posts = {
        f"/people/{person.id}": {"name": "Mine now"},
        f"/people/{person.id}/delete": {"confirm": "yes"},
        f"/people/{person.id}/new-link": {},
        f"/groups/{group.id}": {"name": "Mine now"},
        f"/groups/{group.id}/delete": {"confirm": "yes"},
        f"/groups/{group.id}/members": {"person_id": str(person.id)},
        f"/groups/{group.id}/members/{person.id}/remove": {},
        f"/groups/{group.id}/import": {"roster": "name\nMallory\n"},
        "/people/import": {"roster": "name\nMallory\n", "group_id": str(group.id)},
    }
    for path, data in posts.items():
        assert logged_in.post(path, data=data).status_code == 404, path
    assert dump(app) == before
    page = logged_in.get("/people").get_data(as_text=True)
    assert "ana@example.org" not in page and "Team A" not in page


def test_people_page_add_search_and_errors(logged_in, app):
    assert "No people yet" in logged_in.get("/people").get_data(as_text=True)
    created = logged_in.post("/people", data={"name": "Ana Lima", "email": "ana@example.org"})
    assert created.status_code == 302
    refused = logged_in.post("/people", data={"name": "Ana Two", "email": "ANA@example.org"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="add-email" name="email" type="email" value="ANA@example.org"' in page
    assert 'aria-invalid="true"' in page and "Ana Lima already has the e-mail" in page
    logged_in.post("/people", data={"name": "Bo <b>Chen</b>"})
    found = logged_in.get("/people?q=lima").get_data(as_text=True)
    assert "Ana Lima" in found and "Bo" not in found.split("<tbody>")[1]
    listing = logged_in.get("/people").get_data(as_text=True)
    assert "Bo &lt;b&gt;Chen&lt;/b&gt;" in listing and "<b>Chen" not in listing


def test_import_on_the_people_page(logged_in, app, service, trainer):
    group = service.create_group(trainer.id, "Team A")
    bad = logged_in.post("/people/import", data={"roster": "name,email\nAna,nope\n,\nBo,\n", "group_id": str(group.id)})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Nothing was imported" in page and "<strong>Row 2</strong>" in page
    assert rows(app, "SELECT id FROM people") == []
    good = logged_in.post(
        "/people/import", data={"roster": "name,email\nAna,ana@example.org\nBo,\n", "group_id": str(group.id)}
    )
    assert good.status_code == 302 and good.location.endswith(f"/groups/{group.id}")
    assert len(service.members(trainer.id, group.id)) == 2
    example = logged_in.get("/people/example.csv")
    assert example.status_code == 200 and "attachment" in example.headers["Content-Disposition"]
    assert len(parse_roster(example.data)) == 3  # the example imports as it is


def test_group_page_links_and_mail_merge_csv(logged_in, app, service, trainer):
    group = service.create_group(trainer.id, "Team A")
    service.import_roster(trainer.id, "name,email\n=cmd,evil@example.org\nAna,ana@example.org\n", group.id)
    formula, ana = service.members(trainer.id, group.id)  # by name: "=" sorts first
    page = logged_in.get(f"/groups/{group.id}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert f"http://localhost/me/{ana.link_key}" in page.get_data(as_text=True)
    links = logged_in.get(f"/groups/{group.id}/links.csv")
    assert links.headers["Cache-Control"] == "no-store"
    text = links.data.decode("utf-8-sig")
    assert text.splitlines() == [
        "name,email,link",
        f"'=cmd,evil@example.org,http://localhost/me/{formula.link_key}",  # not run as a formula
        f"Ana,ana@example.org,http://localhost/me/{ana.link_key}",
    ]


def test_person_page_edit_link_export_and_delete(logged_in, app, service, trainer):
    ana = service.create_person(trainer.id, "Ana", "ana@example.org")
    page = logged_in.get(f"/people/{ana.id}").get_data(as_text=True)
    assert f"/retention/people/{ana.id}" in page and ana.link_key in page
    assert logged_in.post(f"/people/{ana.id}", data={"name": "Ana Lima", "email": ""}).status_code == 302
    assert service.get_person(trainer.id, ana.id).email is None
    assert logged_in.post(f"/people/{ana.id}/new-link").status_code == 302
    assert service.get_person(trainer.id, ana.id).link_key != ana.link_key
    export = logged_in.get(f"/people/{ana.id}/export.json")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    assert "attachment" in export.headers["Content-Disposition"] and export.json["person"]["name"] == "Ana Lima"
    asked = logged_in.post(f"/people/{ana.id}/delete")  # no confirm: a page that asks
    assert asked.status_code == 200 and "Delete Ana Lima?" in asked.get_data(as_text=True)
    assert service.get_person(trainer.id, ana.id) is not None
    assert logged_in.post(f"/people/{ana.id}/delete", data={"confirm": "yes"}).status_code == 302
    assert service.get_person(trainer.id, ana.id) is None


def test_groups_create_rename_members_delete(logged_in, app, service, trainer):
    made = logged_in.post("/groups", data={"name": "Team A"})
    group_id = int(made.location.rsplit("/", 1)[1])
    assert logged_in.post("/groups", data={"name": " team a "}).status_code == 400  # the same name
    ana = service.create_person(trainer.id, "Ana")
    assert logged_in.post(f"/groups/{group_id}/members", data={"person_id": str(ana.id)}).status_code == 302
    added = logged_in.post("/people", data={"name": "Bo", "group_id": str(group_id), "back": "group"})
    assert added.status_code == 302 and f"/groups/{group_id}" in added.location
    assert [p.name for p in service.members(trainer.id, group_id)] == ["Ana", "Bo"]
    assert logged_in.post(f"/groups/{group_id}/members/{ana.id}/remove").status_code == 302
    assert logged_in.post(f"/groups/{group_id}", data={"name": "Team B"}).status_code == 302
    assert service.get_group(trainer.id, group_id).name == "Team B"
    assert "Delete the group" in logged_in.post(f"/groups/{group_id}/delete").get_data(as_text=True)
    assert logged_in.post(f"/groups/{group_id}/delete", data={"confirm": "yes"}).status_code == 302
    assert service.get_group(trainer.id, group_id) is None
    assert len(rows(app, "SELECT id FROM people")) == 2  # people stay


def test_csrf_stays_on(tmp_path, clock):
    from quizroom import accounts, create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.db'}",
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret",
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": clock,
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
        }
    )
    try:
        accounts.create_trainer(app, email=TRAINER_EMAIL, name="Tess", password=TRAINER_PASSWORD)
        client = app.test_client()
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
        client.post("/login", data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD, "csrf_token": token})
        assert client.post("/people", data={"name": "Ana"}).status_code == 400
        assert client.post("/groups", data={"name": "Team A"}).status_code == 400
        assert client.post("/people/import", data={"roster": "name\nAna\n"}).status_code == 400
        assert rows(app, "SELECT id FROM people") == [] and rows(app, "SELECT id FROM groups") == []
        assert client.post("/people", data={"name": "Ana", "csrf_token": token}).status_code == 302
    finally:
        app.extensions["quizroom.db"].dispose()


# ============================================================ rooms run for a group
def test_start_a_room_for_a_group(logged_in, app, service, trainer, other_trainer):
    deck_id = logged_in.post("/api/decks", json=sample_deck()).json["id"]
    group = service.create_group(trainer.id, "Team A")
    theirs = service.create_group(other_trainer, "Not yours")
    page = logged_in.get("/decks").get_data(as_text=True)
    assert f'<option value="{group.id}">For Team A</option>' in page and "Not yours" not in page

    made = logged_in.post("/api/rooms", json={"deck_id": deck_id, "group_id": group.id})
    assert made.status_code == 201
    live = app.extensions["quizroom.live"].rooms[made.json["code"]]
    assert live.group_id == group.id
    assert rows(app, "SELECT group_id FROM rooms WHERE id = :r", r=made.json["room_id"]) == [{"group_id": group.id}]
    for bad, code in ((theirs.id, "group_not_found"), ("1", "bad_request"), (True, "bad_request")):
        refused = logged_in.post("/api/rooms", json={"deck_id": deck_id, "group_id": bad})
        assert refused.status_code == 400 and refused.json["error"]["code"] == code
    rooms_before = len(rows(app, "SELECT id FROM rooms"))

    by_form = logged_in.post(f"/decks/{deck_id}/start", data={"group_id": str(group.id)})
    code = by_form.location.rsplit("/", 2)[-2]
    assert app.extensions["quizroom.live"].rooms[code].group_id == group.id
    anyone = logged_in.post(f"/decks/{deck_id}/start", data={"group_id": ""})
    assert app.extensions["quizroom.live"].rooms[anyone.location.rsplit("/", 2)[-2]].group_id is None
    refused = logged_in.post(f"/decks/{deck_id}/start", data={"group_id": str(theirs.id)}, follow_redirects=True)
    assert "Cannot start a room: no such group" in refused.get_data(as_text=True)
    assert len(rows(app, "SELECT id FROM rooms")) == rooms_before + 2


def test_roster_endpoint_lists_names_of_members_not_joined(app, client, clock, service, trainer_id):
    group = service.create_group(trainer_id, "Team A")
    service.import_roster(trainer_id, "name,email\nAna,ana@example.org\nBo,bo@example.org\n", group.id)
    from quizroom.engine import parse_deck

    live = app.extensions["quizroom.live"]
    deck = parse_deck(sample_deck(1))
    room, key = live.open_room(
        trainer_id=trainer_id, deck_id=None, title="T", activities=deck.questions, group_id=group.id
    )
    plain, _ = live.open_room(trainer_id=trainer_id, deck_id=None, title="T", activities=deck.questions)
    listed = client.get(f"/j/{room.code}/roster")
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    assert [p["name"] for p in listed.json["people"]] == ["Ana", "Bo"]
    assert "example.org" not in listed.get_data(as_text=True)  # never e-mails
    ana = listed.json["people"][0]
    stage = Stage(app, clock, room, key)
    assert stage.phone().emit("join", {"code": room.code, "person": {"id": ana["id"]}})["ok"]
    assert [p["name"] for p in client.get(f"/j/{room.code}/roster").json["people"]] == ["Bo"]
    assert client.get(f"/j/{plain.code}/roster").json["error"]["code"] == "no_roster"
    assert 'data-roster="true"' in client.get(f"/j/{room.code}").get_data(as_text=True)
    assert "data-roster" not in client.get(f"/j/{plain.code}").get_data(as_text=True)


def test_roster_lookups_of_unknown_codes_are_limited(app, client):
    app.config["CODE_LOOKUPS_PER_IP"] = 2
    assert client.get("/j/000001/roster").status_code == 404
    assert client.get("/j/000002/roster").status_code == 404
    limited = client.get("/j/000003/roster")
    assert limited.status_code == 429 and limited.json["error"]["code"] == "too_many_guesses"
    assert int(limited.headers["Retry-After"]) >= 1


def test_personal_link_page(app, client, clock, service, trainer):
    group = service.create_group(trainer.id, "Team A")
    ana = service.create_person(trainer.id, "Ana <i>Lima</i>", "ana@example.org", group.id)
    page = client.get(f"/me/{ana.link_key}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert "Hi Ana &lt;i&gt;Lima&lt;/i&gt;" in html and f'data-key="{ana.link_key}"' in html
    assert "Tess Trainer" in html and "ana@example.org" not in html
    assert 'href="/j/' not in html  # no live room for her group yet
    from quizroom.engine import parse_deck

    room, _ = app.extensions["quizroom.live"].open_room(
        trainer_id=trainer.id,
        deck_id=None,
        title="Week 2",
        activities=parse_deck(sample_deck(1)).questions,
        group_id=group.id,
    )
    html = client.get(f"/me/{ana.link_key}").get_data(as_text=True)
    assert f'href="/j/{room.code}">Join Week 2</a>' in html
    missing = client.get("/me/not-a-real-key")
    assert missing.status_code == 404 and missing.headers["Referrer-Policy"] == "no-referrer"
