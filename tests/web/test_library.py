"""The shared library (docs/workspace.md): decks and plans visible to the workspace and to
nobody else, "Mine" / "Workspace" with owner names, tags and title search, forks with credit
(and new question identities), the tags-and-description form, and what is shared beyond the
library: people and groups, results, and the retention dashboard (viewers included)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizroom import decks, library, models, plans
from quizroom.app import database
from tests.conftest import sample_deck
from tests.retention.factories import T0, add_room, add_two_sessions, q
from tests.web.workspace_world import count, make_team, sample_plan, sign_in


@pytest.fixture
def team(app):
    return make_team(app)


def as_(app, trainer_id):
    return sign_in(app.test_client(), trainer_id)


def tagged_deck(app, owner: int, title: str, tags: list[str]) -> models.Deck:
    row = decks.create_deck(app, owner, dict(sample_deck(2), title=title))
    return decks.DECKS.set_tags(app, owner, row.id, tags)


# ------------------------------------------------------------------ visibility
def test_the_workspace_sees_a_deck_with_its_owner_and_outsiders_see_nothing(app, team):
    deck = tagged_deck(app, team.trainer, "Git basics", ["Git", "onboarding"])
    colleague, viewer, outsider = as_(app, team.colleague), as_(app, team.viewer), as_(app, team.outsider)

    mine = colleague.get("/decks").text
    assert "Git basics" not in mine and "<h1>My decks</h1>" in mine
    shared = colleague.get("/decks?show=workspace").text
    assert "Git basics" in shared and "<td>Tess Trainer</td>" in shared
    assert f'action="/decks/{deck.id}/fork"' in shared and f'action="/decks/{deck.id}/start"' in shared
    assert f'href="/decks/{deck.id}/edit"' not in shared and f'action="/decks/{deck.id}/delete"' not in shared

    seen = viewer.get("/decks").text  # a viewer lands on the workspace's decks
    assert "<h1>Workspace decks</h1>" in seen and "Git basics" in seen
    assert "/start" not in seen and "/fork" not in seen and "New deck" not in seen

    listed = colleague.get("/api/decks?scope=workspace").json["decks"]
    assert [(d["title"], d["owner"], d["tags"]) for d in listed] == [
        ("Git basics", "Tess Trainer", ["Git", "onboarding"])
    ]
    assert colleague.get("/api/decks").json["decks"] == []  # "mine" stays the default

    assert "Git basics" not in outsider.get("/decks?show=workspace").text
    assert outsider.get("/api/decks?scope=workspace").json["decks"] == []
    assert outsider.get(f"/decks/{deck.id}").status_code == 404
    assert outsider.get(f"/api/decks/{deck.id}").status_code == 404


def test_only_the_owner_and_admins_change_a_deck(app, team):
    deck = decks.create_deck(app, team.trainer, sample_deck(2))
    changed = dict(sample_deck(2), title="Changed")
    refused = as_(app, team.colleague).put(f"/api/decks/{deck.id}", json=changed)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert as_(app, team.colleague).post(f"/decks/{deck.id}/delete", data={"confirm": "yes"}).status_code == 403
    assert decks.get_deck(app, team.trainer, deck.id).title == "Sample deck"
    assert as_(app, team.admin).put(f"/api/decks/{deck.id}", json=changed).status_code == 200
    assert decks.get_deck(app, team.trainer, deck.id).title == "Changed"
    assert as_(app, team.admin).delete(f"/api/decks/{deck.id}").status_code == 204
    assert count(app, models.Deck, id=deck.id) == 0


# ------------------------------------------------------------------ tags and search
def test_tags_are_cleaned_case_insensitively_and_bounded():
    assert library.clean_tags(" Git, onboarding ,git,, Safety first ") == ["Git", "onboarding", "Safety first"]
    assert library.clean_tags(["A", "a", "b"]) == ["A", "b"]
    with pytest.raises(library.TagsInvalid, match="at most 8 tags"):
        library.clean_tags(",".join(f"t{i}" for i in range(9)))
    with pytest.raises(library.TagsInvalid, match="too long"):
        library.clean_tags("x" * 31)
    with pytest.raises(library.TagsInvalid):
        library.clean_tags([1, 2])
    assert library.matches("Git basics", ["GIT"], tag="git", search="BAS git")
    assert not library.matches("Git basics", ["git"], tag="safety")
    assert not library.matches("Git basics", [], search="rebase")


def test_the_library_filters_by_tag_and_title(app, team):
    tagged_deck(app, team.trainer, "Git basics", ["Git"])
    tagged_deck(app, team.colleague, "Git rebasing", ["git", "advanced"])
    tagged_deck(app, team.colleague, "Fire safety", ["Safety"])
    client = as_(app, team.viewer)
    by_tag = client.get("/decks?show=workspace&tag=GIT").text
    assert "Git basics" in by_tag and "Git rebasing" in by_tag and "Fire safety" not in by_tag
    by_title = client.get("/decks?show=workspace&q=rebas").text
    assert "Git rebasing" in by_title and "Git basics" not in by_title
    both = client.get("/decks?show=workspace&tag=git&q=basics").text
    assert "Git basics" in both and "Git rebasing" not in both
    nothing = client.get("/decks?show=workspace&q=kubernetes").text
    assert "No deck matches this filter." in nothing
    assert '<option value="advanced">advanced</option>' in by_tag  # the tags in use, one spelling each


def test_the_owner_sets_description_and_tags_and_bad_tags_change_nothing(app, team):
    deck = decks.create_deck(app, team.trainer, sample_deck(2))
    owner = as_(app, team.trainer)
    saved = owner.post(f"/decks/{deck.id}/details", data={"description": "For new joiners", "tags": "Git, basics"})
    assert saved.status_code == 302
    row = decks.get_deck(app, team.trainer, deck.id)
    assert (row.document["description"], row.tags) == ("For new joiners", ["Git", "basics"])
    page = as_(app, team.colleague).get(f"/decks/{deck.id}").text
    assert "For new joiners" in page and "f-tags" not in page  # read-only for a colleague

    bad = owner.post(f"/decks/{deck.id}/details", data={"description": "Other", "tags": ",".join("abcdefghi")})
    assert bad.status_code == 400 and "Use at most 8 tags (you gave 9)." in bad.text
    assert 'id="f-tags-error"' in bad.text and 'aria-invalid="true"' in bad.text
    row = decks.get_deck(app, team.trainer, deck.id)
    assert (row.document["description"], row.tags) == ("For new joiners", ["Git", "basics"])

    api = owner.put(f"/api/plans/{plans.create_plan(app, team.trainer, sample_plan()).id}/tags", json={"tags": "x"})
    assert api.status_code == 200 and api.json["tags"] == ["x"]
    assert as_(app, team.colleague).post(f"/decks/{deck.id}/details", data={"tags": "mine"}).status_code == 403


# ------------------------------------------------------------------ forks
def test_a_fork_is_the_forker_s_own_copy_with_credit_and_new_question_identities(app, team):
    original = tagged_deck(app, team.trainer, "Git basics", ["Git"])
    colleague = as_(app, team.colleague)
    response = colleague.post(f"/decks/{original.id}/fork")
    assert response.status_code == 302
    fork_id = int(response.location.rsplit("/", 1)[1])
    with database(app).read() as s:
        fork = s.get(models.Deck, fork_id)
    assert (fork.trainer_id, fork.title, fork.tags) == (team.colleague, "Git basics", ["Git"])
    assert (fork.forked_from_id, fork.forked_from_title, fork.forked_from_owner) == (
        original.id,
        "Git basics",
        "Tess Trainer",
    )
    old_uids = [q["uid"] for q in original.document["questions"]]
    new_uids = [q["uid"] for q in fork.document["questions"]]
    assert [q["text"] for q in fork.document["questions"]] == [q["text"] for q in original.document["questions"]]
    assert set(new_uids).isdisjoint(old_uids) and len(set(new_uids)) == len(new_uids)

    page = colleague.get(f"/decks/{fork_id}").text
    assert "Forked from “Git basics” by Tess Trainer" in page
    assert "Forked from “Git basics” by Tess Trainer" in colleague.get("/decks").text
    assert colleague.get(f"/decks/{fork_id}/edit").status_code == 200  # theirs to change
    assert as_(app, team.trainer).get(f"/decks/{fork_id}/edit").status_code == 403  # not the original owner's
    assert decks.get_deck(app, team.trainer, original.id).document == original.document

    plan = plans.create_plan(app, team.trainer, sample_plan())
    forked_plan = colleague.post(f"/api/plans/{plan.id}/fork").json
    assert forked_plan["forked_from"] == "forked from “Workshop” by Tess Trainer"
    kinds = [(a["kind"], a["uid"]) for a in forked_plan["plan"]["activities"]]
    originals = [(a["kind"], a["uid"]) for a in plan.document["activities"]]
    assert kinds[0][1] != originals[0][1] and kinds[1:] == originals[1:]  # questions new, polls and boards kept


def test_viewers_read_but_neither_fork_nor_run(app, team):
    deck = decks.create_deck(app, team.trainer, sample_deck(2))
    viewer = as_(app, team.viewer)
    assert viewer.get(f"/decks/{deck.id}").status_code == 200
    assert viewer.get(f"/decks/{deck.id}/export.json").json["title"] == "Sample deck"
    assert viewer.post(f"/decks/{deck.id}/fork").status_code == 403
    assert viewer.post(f"/decks/{deck.id}/start").status_code == 403
    assert count(app, models.Deck) == 1 and count(app, models.Room) == 0


# ------------------------------------------------------------------ shared beyond the library
def test_any_trainer_runs_a_room_for_a_colleague_s_group(app, team):
    from quizroom.people import people_of

    group = people_of(app).create_group(team.trainer, "Team A")
    people_of(app).create_person(team.trainer, "Ana Lima", "ana@example.org", group.id)
    deck = decks.create_deck(app, team.colleague, sample_deck(2))
    colleague = as_(app, team.colleague)
    assert "Ana Lima" in colleague.get(f"/groups/{group.id}").text
    started = colleague.post(f"/decks/{deck.id}/start", data={"group_id": str(group.id)})
    assert started.status_code == 302 and "/stage" in started.location
    with database(app).read() as s:
        room = s.query(models.Room).one()
    assert (room.trainer_id, room.group_id) == (team.colleague, group.id)
    assert as_(app, team.outsider).get(f"/groups/{group.id}").status_code == 404

    results = as_(app, team.viewer).get("/results").text  # results are the workspace's too
    assert "Cole Colleague" in results and "Sample deck" in results
    assert "Sample deck" not in as_(app, team.outsider).get("/results").text


def test_the_retention_dashboard_covers_the_workspace_for_viewers_who_cannot_post(app, team):
    db = database(app)
    later = [(n, pos, 0, True, 900, 3000) for n in (1, 2) for pos in (0, 1, 2)]
    add_two_sessions(db, team.trainer, later=later)
    add_room(  # the colleague runs the same deck for Ana (people are the workspace's)
        db,
        room_id=3,
        start=T0 + timedelta(days=14),
        activities=[q("qa", topics=["Safety"])],
        people=[(1, 1, 0, False)],
        answers=[(1, 0, 1, False, 0, 5000)],
        trainer_id=team.colleague,
        deck_id=10,
    )
    viewer = as_(app, team.viewer)
    board = viewer.get("/retention")
    assert board.status_code == 200
    assert "All sessions of your workspace" in board.text
    for title in ("Room 1", "Room 2", "Room 3"):
        assert f'<th scope="row">{title}</th>' in board.text
    assert "Build a review deck" not in board.text  # no review round for viewers
    assert viewer.get("/retention/people/1").status_code == 200
    assert viewer.get("/retention/export/people.csv").status_code == 200
    refused = viewer.post("/retention/review", data={"mode": "deck", "size": "5"})
    assert refused.status_code == 403
    assert count(app, models.Deck) == 1  # no review deck was made

    trainer_board = as_(app, team.trainer).get("/retention").text  # trainers see the workspace too
    assert '<th scope="row">Room 3</th>' in trainer_board
    outsider = as_(app, team.outsider)
    assert '<th scope="row">Room 1</th>' not in outsider.get("/retention").text
    assert outsider.get("/retention/people/1").status_code == 404
    assert outsider.get("/retention?deck=10").status_code == 404


def test_the_plan_editor_offers_the_workspace_s_decks_after_your_own(app, team):
    """Questions from any deck of the workspace may join a plan (its uids kept, like a run of
    the colleague's deck); an outsider's deck is never offered."""
    tagged_deck(app, team.trainer, "Git basics", [])
    tagged_deck(app, team.colleague, "My own quiz", [])
    theirs = tagged_deck(app, team.outsider, "Outside deck", [])
    colleague = as_(app, team.colleague)
    page = colleague.get("/plans/new").text
    own_group = page.index('<optgroup label="Your decks">')
    shared_group = page.index('<optgroup label="Workspace decks">')
    assert own_group < page.index("My own quiz (2 questions)") < shared_group
    assert shared_group < page.index("Git basics, by Tess Trainer (2 questions)")
    assert "Outside deck" not in page
    chosen = [o for o in page.split("<option")[1:] if "Git basics" in o][0]
    deck_id = int(chosen.split('value="')[1].split('"')[0])
    questions = colleague.get(f"/api/decks/{deck_id}").json["deck"]["questions"]  # what the picker reads
    assert [q["uid"] for q in questions] == ["q0", "q1"]
    assert colleague.get(f"/api/decks/{theirs.id}").status_code == 404


def test_the_plan_editor_says_when_no_deck_exists_anywhere(app, team):
    page = as_(app, team.colleague).get("/plans/new").text
    assert "Neither you nor your workspace has a deck yet." in page
    assert 'id="deck-select"' not in page
