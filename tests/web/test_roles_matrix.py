"""Every route of the app, and what each kind of account gets from it (docs/workspace.md).

``MATRIX`` lists every (method, endpoint) of ``app.url_map`` with a request and the status
expected for each actor, in this order:

    anonymous · viewer · trainer (owns the rows) · colleague (a trainer of the same workspace)
    · admin · outsider (a trainer of another workspace) · outsider admin (its admin)

The rows are the owning trainer's (tests/web/workspace_world.py). A route that is added
without a line here fails ``test_every_route_has_a_role_decision``: decide who may use it,
then add the line. Attendees' routes are public: every actor gets the same answer.
"""

from __future__ import annotations

import string

import pytest

from quizroom import create_app
from tests.conftest import FakeClock, sample_deck
from tests.web.workspace_world import make_team, make_world, sample_plan, sign_in

ACTORS = ("anonymous", "viewer", "trainer", "colleague", "admin", "outsider", "outsider_admin")

PAGE = "302 200 200 200 200 200 200"  # any member (the outsider sees their own workspace's)
ROW_READ = "302 200 200 200 200 404 404"  # a row of the workspace, read
ROW_RUN = "302 403 302 302 302 404 404"  # a row of the workspace, run or forked (a redirect)
ROW_EDIT = "302 403 302 403 302 404 404"  # a row, changed: its owner and admins
ROW_EDIT_PAGE = "302 403 200 403 200 404 404"
TRAINER_PAGE = "302 403 200 200 200 200 200"
TRAINER_POST = "302 403 302 302 302 302 302"
PEOPLE_READ = "302 403 200 200 200 404 404"  # people pages show personal links: no viewers
PEOPLE_POST = "302 403 302 302 302 404 404"
API_READ = "401 200 200 200 200 404 404"
API_EDIT = "401 403 200 403 200 404 404"
HOST_PAGE = "302 403 200 404 404 404 404"  # only the room's host(s)
ADMIN_ROW = "302 403 403 403 302 403 404"  # the role is checked first: never reveals
ADMIN_POST = "302 403 403 403 302 403 302"


def public(status: int) -> str:
    return " ".join([str(status)] * len(ACTORS))


# (method, endpoint, path, body, expected); a body is {"form": {...}} or {"json": {...}}.
MATRIX = [
    # ------------------------------------------------------------ attendees, public
    ("GET", "play.home", "/", None, public(200)),
    ("GET", "play.join_code", "/join?code={code}", None, public(302)),
    ("GET", "play.room", "/j/{code}", None, public(200)),
    ("GET", "play.roster", "/j/{code}/roster", None, public(200)),
    ("GET", "play.me", "/me/{link}", None, public(200)),
    ("GET", "review.page", "/r/not-a-token", None, public(404)),
    ("GET", "review.api_view", "/api/r/not-a-token", None, public(404)),
    ("POST", "review.api_start", "/api/r/not-a-token/start", {"json": {}}, public(404)),
    ("POST", "review.api_answer", "/api/r/not-a-token/answer", {"json": {}}, public(404)),
    ("GET", "healthz", "/healthz", None, public(200)),
    ("GET", "static", "/static/css/app.css", None, public(200)),
    ("GET", "decks.uploaded", "/uploads/not-an-upload.png", None, public(404)),
    ("GET", "stage.qr_code", "/rooms/{code}/qr.svg", None, "404 404 200 404 404 404 404"),
    ("POST", "resources.room_materials", "/j/{code}/materials", {"form": {}}, public(404)),
    ("GET", "resources.materials", "/materials/not-a-grant", None, public(404)),
    ("GET", "resources.materials_file", "/materials/not-a-grant/{resource}", None, public(404)),
    ("GET", "resources.person_file", "/me/{link}/materials/{resource}", None, public(404)),  # never attended
    # ---------------------------------------------------------------- accounts
    ("GET", "auth.login", "/login", None, "200 302 302 302 302 302 302"),
    ("POST", "auth.login", "/login", {"form": {"email": "x@example.org"}}, public(400)),
    ("POST", "auth.logout", "/logout", {"form": {}}, public(302)),
    ("GET", "auth.register", "/register", None, "200 302 302 302 302 302 302"),
    ("POST", "auth.register", "/register", {"form": {}}, public(400)),
    # ---------------------------------------------------------------- workspace
    ("GET", "workspace.index", "/workspace", None, PAGE),
    ("POST", "workspace.rename", "/workspace", {"form": {"name": "Renamed"}}, ADMIN_POST),
    ("POST", "workspace.invite", "/workspace/invitations", {"form": {"role": "viewer"}}, ADMIN_POST),
    ("POST", "workspace.revoke", "/workspace/invitations/{invitation}/revoke", {"form": {}}, ADMIN_ROW),
    ("POST", "workspace.set_role", "/workspace/members/{member}/role", {"form": {"role": "viewer"}}, ADMIN_ROW),
    ("POST", "workspace.remove", "/workspace/members/{member}/remove", {"form": {}}, "302 403 403 403 200 403 404"),
    # ---------------------------------------------------------------- decks
    ("GET", "decks.index", "/decks", None, PAGE),
    ("GET", "decks.show", "/decks/{deck}", None, ROW_READ),
    ("POST", "decks.details", "/decks/{deck}/details", {"form": {"tags": "git", "description": "d"}}, ROW_EDIT),
    ("GET", "decks.new", "/decks/new", None, TRAINER_PAGE),
    ("GET", "decks.edit", "/decks/{deck}/edit", None, ROW_EDIT_PAGE),
    ("GET", "decks.export", "/decks/{deck}/export.json", None, ROW_READ),
    ("POST", "decks.duplicate", "/decks/{deck}/duplicate", {"form": {}}, ROW_RUN),
    ("POST", "decks.fork", "/decks/{deck}/fork", {"form": {}}, ROW_RUN),
    ("POST", "decks.delete", "/decks/{deck}/delete", {"form": {}}, ROW_EDIT_PAGE),
    ("GET", "decks.import_deck", "/decks/import", None, TRAINER_PAGE),
    ("POST", "decks.import_deck", "/decks/import", {"form": {}}, "302 403 400 400 400 400 400"),
    ("GET", "decks.api_list", "/api/decks", None, "401 200 200 200 200 200 200"),
    ("POST", "decks.api_create", "/api/decks", {"json": sample_deck(1)}, "401 403 201 201 201 201 201"),
    ("GET", "decks.api_get", "/api/decks/{deck}", None, API_READ),
    ("PUT", "decks.api_update", "/api/decks/{deck}", {"json": sample_deck(2)}, API_EDIT),
    ("PUT", "decks.api_tags", "/api/decks/{deck}/tags", {"json": {"tags": ["git"]}}, API_EDIT),
    ("DELETE", "decks.api_delete", "/api/decks/{deck}", None, "401 403 204 403 204 404 404"),
    ("POST", "decks.api_duplicate", "/api/decks/{deck}/duplicate", {"json": {}}, "401 403 201 201 201 404 404"),
    ("POST", "decks.api_fork", "/api/decks/{deck}/fork", {"json": {}}, "401 403 201 201 201 404 404"),
    ("POST", "decks.api_upload", "/api/uploads", {"form": {}}, "401 403 400 400 400 400 400"),
    ("GET", "versions.history", "/decks/{deck}/history", None, ROW_READ),
    ("GET", "versions.show", "/decks/{deck}/history/1", None, ROW_READ),
    ("POST", "versions.restore", "/decks/{deck}/history/1/restore", {"form": {}}, ROW_EDIT),
    ("GET", "resources.deck_page", "/decks/{deck}/resources", None, ROW_READ),
    ("GET", "resources.trainer_download", "/decks/{deck}/resources/{resource}", None, ROW_READ),
    (
        "POST",
        "resources.add_link",
        "/decks/{deck}/resources/link",
        {"form": {"title": "T", "url": "https://e.org"}},
        ROW_EDIT,
    ),
    ("POST", "resources.add_file", "/decks/{deck}/resources/file", {"form": {}}, "302 403 400 403 400 404 404"),
    ("POST", "resources.remove", "/decks/{deck}/resources/{resource}/remove", {"form": {}}, ROW_EDIT),
    # ---------------------------------------------------------------- plans
    ("GET", "plans.index", "/plans", None, PAGE),
    ("GET", "plans.show", "/plans/{plan}", None, ROW_READ),
    ("POST", "plans.details", "/plans/{plan}/details", {"form": {"tags": "x", "description": ""}}, ROW_EDIT),
    ("GET", "plans.new", "/plans/new", None, TRAINER_PAGE),
    ("GET", "plans.edit", "/plans/{plan}/edit", None, ROW_EDIT_PAGE),
    ("GET", "plans.export", "/plans/{plan}/export.json", None, ROW_READ),
    ("POST", "plans.duplicate", "/plans/{plan}/duplicate", {"form": {}}, ROW_RUN),
    ("POST", "plans.fork", "/plans/{plan}/fork", {"form": {}}, ROW_RUN),
    ("POST", "plans.delete", "/plans/{plan}/delete", {"form": {}}, ROW_EDIT_PAGE),
    ("GET", "plans.import_plan", "/plans/import", None, TRAINER_PAGE),
    ("POST", "plans.import_plan", "/plans/import", {"form": {}}, "302 403 400 400 400 400 400"),
    ("GET", "plans.api_list", "/api/plans", None, "401 200 200 200 200 200 200"),
    ("POST", "plans.api_create", "/api/plans", {"json": sample_plan()}, "401 403 201 201 201 201 201"),
    ("GET", "plans.api_get", "/api/plans/{plan}", None, API_READ),
    ("PUT", "plans.api_update", "/api/plans/{plan}", {"json": sample_plan("Renamed")}, API_EDIT),
    ("PUT", "plans.api_tags", "/api/plans/{plan}/tags", {"json": {"tags": ["x"]}}, API_EDIT),
    ("DELETE", "plans.api_delete", "/api/plans/{plan}", None, "401 403 204 403 204 404 404"),
    ("POST", "plans.api_duplicate", "/api/plans/{plan}/duplicate", {"json": {}}, "401 403 201 201 201 404 404"),
    ("POST", "plans.api_fork", "/api/plans/{plan}/fork", {"json": {}}, "401 403 201 201 201 404 404"),
    # ---------------------------------------------------------------- rooms
    ("POST", "stage.start_room", "/decks/{deck}/start", {"form": {}}, ROW_RUN),
    ("POST", "stage.start_plan", "/plans/{plan}/start", {"form": {"group_id": "{group}"}}, ROW_RUN),
    ("POST", "stage.create_room", "/api/rooms", {"json": {"deck_id": "{deck}"}}, "401 403 201 201 201 404 404"),
    ("GET", "stage.stage", "/rooms/{code}/stage", None, HOST_PAGE),
    ("GET", "stage.presenter", "/rooms/{code}/presenter", None, HOST_PAGE),
    # ---------------------------------------------------------------- results
    ("GET", "results.index", "/results", None, PAGE),
    ("GET", "results.room", "/results/{room}", None, ROW_READ),
    ("GET", "results.room_csv", "/results/{room}.csv", None, ROW_READ),
    ("GET", "results.room_xlsx", "/results/{room}.xlsx", None, ROW_READ),
    ("GET", "results.activity_csv", "/results/{room}/activity/1.csv", None, ROW_READ),
    ("GET", "results.activity_xlsx", "/results/{room}/activity/1.xlsx", None, ROW_READ),
    ("GET", "results.activity_markdown", "/results/{room}/activity/2.md", None, ROW_READ),
    ("GET", "results.api_room", "/api/rooms/{room}/results", None, API_READ),
    # ------------------------------------------- peer feedback, trainers, programme report
    ("GET", "feedback.room", "/results/{room}/feedback", None, ROW_READ),
    (
        "POST",
        "feedback.give",
        "/results/{room}/feedback",
        {"form": {"clarity": "5", "interactivity": "4", "usefulness": "5", "attended": "yes"}},
        "302 403 403 409 409 404 404",  # its trainer may not rate it; the room is still live: 409
    ),
    ("GET", "trainers.index", "/trainers", None, PAGE),
    ("GET", "trainers.profile", "/trainers/{member}", None, ROW_READ),
    ("GET", "programme.index", "/reports/programme", None, PAGE),
    ("GET", "programme.export_csv", "/reports/programme/months.csv", None, PAGE),
    ("GET", "programme.export_xlsx", "/reports/programme/topics.xlsx", None, PAGE),
    # ---------------------------------------------------------------- retention
    ("GET", "retention.index", "/retention", None, PAGE),
    ("GET", "retention.export", "/retention/export/questions.csv", None, PAGE),
    ("GET", "retention.export_xlsx", "/retention/export/topics.xlsx", None, PAGE),
    ("GET", "retention.person", "/retention/people/{person}", None, ROW_READ),
    ("POST", "retention.review", "/retention/review", {"form": {"mode": "deck", "size": "5"}}, TRAINER_POST),
    ("GET", "retention.reviews", "/retention/reviews", None, TRAINER_PAGE),
    ("GET", "retention.reviews_csv", "/retention/reviews.csv", None, TRAINER_PAGE),
    ("GET", "retention.reviews_xlsx", "/retention/reviews.xlsx", None, TRAINER_PAGE),
    # ---------------------------------------------------------------- people and groups
    ("GET", "people.index", "/people", None, TRAINER_PAGE),
    ("POST", "people.create", "/people", {"form": {"name": "Bo {n}"}}, TRAINER_POST),
    ("POST", "people.import_roster", "/people/import", {"form": {}}, "302 403 400 400 400 400 400"),
    ("GET", "people.example_csv", "/people/example.csv", None, TRAINER_PAGE),
    ("GET", "people.person", "/people/{person}", None, PEOPLE_READ),
    ("POST", "people.update", "/people/{person}", {"form": {"name": "Ana L.", "email": ""}}, PEOPLE_POST),
    ("POST", "people.join_group", "/people/{person}/groups", {"form": {"group_id": "{group}"}}, PEOPLE_POST),
    ("POST", "people.new_link", "/people/{person}/new-link", {"form": {}}, PEOPLE_POST),
    ("GET", "people.export", "/people/{person}/export.json", None, PEOPLE_READ),
    ("POST", "people.delete", "/people/{person}/delete", {"form": {}}, PEOPLE_READ),
    ("POST", "people.create_group", "/groups", {"form": {"name": "Group {n}"}}, TRAINER_POST),
    ("GET", "people.group", "/groups/{group}", None, PEOPLE_READ),
    ("POST", "people.rename_group", "/groups/{group}", {"form": {"name": "Renamed {n}"}}, PEOPLE_POST),
    ("POST", "people.delete_group", "/groups/{group}/delete", {"form": {}}, PEOPLE_READ),
    ("POST", "people.import_into_group", "/groups/{group}/import", {"form": {}}, "302 403 400 400 400 404 404"),
    ("GET", "people.links_csv", "/groups/{group}/links.csv", None, PEOPLE_READ),
    ("POST", "people.add_member", "/groups/{group}/members", {"form": {"person_id": "{person}"}}, PEOPLE_POST),
    (
        "POST",
        "people.remove_member",
        "/groups/{group}/members/{person}/remove",
        {"form": {}},
        PEOPLE_POST,
    ),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("matrix")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path / 'test.db'}",
            "INSTANCE_DIR": str(path),
            "SECRET_KEY": "test-secret",
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": FakeClock(),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    app.extensions["quizroom.db"].dispose()


@pytest.fixture(scope="module")
def team(app):
    return make_team(app)


@pytest.fixture(scope="module")
def shared_world(app, team):
    return make_world(app, team)


def _format(text: str, world) -> str:
    return string.Formatter().vformat(text, (), world)  # asks the world only for what the text names


def _fill(value, world, numbers: bool):
    """``"{deck}"`` -> the world's deck id (a number in JSON, text in a form)."""
    if isinstance(value, str):
        text = _format(value, world)
        return int(text) if numbers and text.isdigit() and value.startswith("{") else text
    if isinstance(value, dict):
        return {k: _fill(v, world, numbers) for k, v in value.items()}
    return value


def test_every_route_has_a_role_decision(app):
    decided = {(method, endpoint) for method, endpoint, *_ in MATRIX}
    routes = {
        (method, rule.endpoint) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - decided == set(), "routes without a role decision: add them to MATRIX"
    assert decided - routes == set(), "MATRIX lists routes that no longer exist"


@pytest.mark.parametrize(
    ("method", "endpoint", "path", "body", "expected"), MATRIX, ids=[f"{m} {e}" for m, e, *_ in MATRIX]
)
def test_each_role_gets_what_the_policy_says(app, team, shared_world, method, endpoint, path, body, expected):
    wanted = dict(zip(ACTORS, (int(code) for code in expected.split()), strict=True))
    client = app.test_client()
    got = {}
    for actor in ACTORS:
        # A request that may change something gets rows of its own; reads share one world.
        fresh = method != "GET" and wanted[actor] < 400
        world = make_world(app, team) if fresh else shared_world
        sign_in(client, None if actor == "anonymous" else getattr(team, actor))
        kwargs = {}
        if body is not None:
            if "json" in body:
                kwargs = {"json": _fill(body["json"], world, True)}
            else:
                kwargs = {"data": _fill(body["form"], world, False)}
        response = client.open(_format(path, world), method=method, **kwargs)
        got[actor] = response.status_code
    # As a line like the table's, so a failure reads: expected "302 403 ...", got "302 200 ...".
    assert " ".join(str(got[a]) for a in ACTORS) == " ".join(str(wanted[a]) for a in ACTORS), list(ACTORS)
