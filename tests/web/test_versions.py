"""Deck version history: every save is a version (who, when, the document, what changed),
the history pages, restoring, decks saved before history was kept, and who may see it."""

from __future__ import annotations

import copy
import io
import json

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from quizroom import accounts, models, versions
from tests.conftest import sample_deck


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Accounts made here hash with a cheap method: these tests are about decks, not passwords."""
    monkeypatch.setattr(accounts, "generate_password_hash", lambda p: generate_password_hash(p, "pbkdf2:sha256:1000"))


def create(client, document) -> int:
    response = client.post("/api/decks", json=document)
    assert response.status_code == 201, response.json
    return response.json["id"]


def save(client, deck_id: int, document) -> dict:
    response = client.put(f"/api/decks/{deck_id}", json=document)
    assert response.status_code == 200, response.json
    return response.json["deck"]


def stored_versions(app, deck_id: int) -> list[models.DeckVersion]:
    with app.extensions["quizroom.db"].read() as s:
        query = sa.select(models.DeckVersion).where(models.DeckVersion.deck_id == deck_id)
        return list(s.scalars(query.order_by(models.DeckVersion.number)))


def deck_document(app, deck_id: int) -> dict:
    with app.extensions["quizroom.db"].read() as s:
        return s.get(models.Deck, deck_id).document


def sign_in(app, email: str, password: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


@pytest.fixture
def other(app):
    """A trainer of another workspace."""
    accounts.create_trainer(app, email="other@example.com", name="Oscar Other", password="other password")
    return sign_in(app, "other@example.com", "other password")


@pytest.fixture
def colleague(app, trainer):
    """A trainer of the same workspace (may read the deck, not change it)."""
    with app.extensions["quizroom.db"].transaction() as s:
        s.add(
            models.Trainer(
                email="colleague@example.com",
                name="Cleo Colleague",
                password_hash=generate_password_hash("colleague password", method="pbkdf2:sha256:1000"),
                workspace_id=trainer.workspace_id,
                role="trainer",
            )
        )
    return sign_in(app, "colleague@example.com", "colleague password")


def test_every_save_is_a_version_with_who_when_and_what_changed(app, logged_in, clock):
    deck_id = create(logged_in, sample_deck(3))
    clock.advance(3600)
    document = copy.deepcopy(deck_document(app, deck_id))
    document["title"] = "Sample deck, take two"
    document["questions"][1]["text"] = "Question one, fixed?"  # a typo fix: same uid
    document["questions"].append({"type": "truefalse", "text": "Is this new?", "correct": True})
    del document["questions"][0]
    save(logged_in, deck_id, document)
    save(logged_in, deck_id, deck_document(app, deck_id))  # nothing changed: no version

    first, second = stored_versions(app, deck_id)
    assert (first.number, first.kind, first.trainer_name, first.changes) == (1, "created", "Tess Trainer", [])
    assert first.document["title"] == "Sample deck" and len(first.document["questions"]) == 3
    assert (second.number, second.kind, second.title) == (2, "edited", "Sample deck, take two")
    assert second.document == deck_document(app, deck_id)
    assert (second.created_at - first.created_at).total_seconds() == pytest.approx(3600)  # the app's clock
    new_uid = second.document["questions"][-1]["uid"]
    assert sorted((c["change"], c.get("uid")) for c in second.changes) == [
        ("added", new_uid),
        ("edited", "q1"),
        ("removed", "q0"),
        ("title", None),
    ]


def test_history_page_lists_versions_newest_first_with_the_name_at_the_time(app, logged_in, trainer):
    deck_id = create(logged_in, sample_deck(2))
    document = copy.deepcopy(deck_document(app, deck_id))
    document["questions"].reverse()
    save(logged_in, deck_id, document)
    with app.extensions["quizroom.db"].transaction() as s:
        s.get(models.Trainer, trainer.id).name = "Tess Renamed"
    document["questions"][0]["points"] = 2000
    save(logged_in, deck_id, document)

    page = logged_in.get(f"/decks/{deck_id}/history")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [r.split("Version ")[1].split("<")[0] for r in rows] == ["3", "2", "1"]
    assert "Tess Renamed" in rows[0] and "1 edited" in rows[0]
    assert "Tess Trainer" in rows[1] and "1 moved" in rows[1]
    assert "Tess Trainer" in rows[2] and "Created" in rows[2]


def test_a_version_page_shows_its_questions_read_only_and_escaped(app, logged_in):
    document = sample_deck(2)
    document["questions"][0]["text"] = "Is <script>alert(1)</script> text?"
    document["questions"][1] = {"uid": "tf", "type": "truefalse", "text": "True or false?", "correct": False}
    deck_id = create(logged_in, document)
    page = logged_in.get(f"/decks/{deck_id}/history/1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Is &lt;script&gt;alert(1)&lt;/script&gt; text?" in html and "<script>alert" not in html
    assert "right (correct)" in html and "The statement is <strong" in html and "false</strong>" in html
    assert "<code>tf</code>" in html
    assert "Restore this version" not in html  # it is the current content
    assert logged_in.get(f"/decks/{deck_id}/history/2").status_code == 404


def test_import_and_copy_are_labelled(app, logged_in):
    data = json.dumps(sample_deck(1)).encode()
    imported = logged_in.post(
        "/decks/import", data={"file": (io.BytesIO(data), "deck.json")}, content_type="multipart/form-data"
    )
    assert imported.status_code == 302
    deck_id = int(imported.headers["Location"].rstrip("/edit").rsplit("/", 1)[1])
    assert [v.kind for v in stored_versions(app, deck_id)] == ["imported"]
    assert "Imported" in logged_in.get(f"/decks/{deck_id}/history").get_data(as_text=True)
    assert logged_in.post(f"/decks/{deck_id}/duplicate").status_code == 302
    with app.extensions["quizroom.db"].read() as s:
        copy_id = s.scalar(sa.select(sa.func.max(models.Deck.id)))
    assert copy_id != deck_id and [v.kind for v in stored_versions(app, copy_id)] == ["copied"]
    assert "Created as a copy" in logged_in.get(f"/decks/{copy_id}/history").get_data(as_text=True)


def test_restore_makes_a_new_version_with_the_old_content_and_uids(app, logged_in):
    deck_id = create(logged_in, sample_deck(3))
    original = deck_document(app, deck_id)
    document = copy.deepcopy(original)
    document["questions"] = document["questions"][:1]
    document["questions"][0]["text"] = "Only one left?"
    save(logged_in, deck_id, document)

    page = logged_in.get(f"/decks/{deck_id}/history/1").get_data(as_text=True)
    assert f'action="/decks/{deck_id}/history/1/restore"' in page and "Restore this version" in page
    restored = logged_in.post(f"/decks/{deck_id}/history/1/restore")
    assert restored.status_code == 302 and restored.headers["Location"].endswith(f"/decks/{deck_id}/history")

    assert deck_document(app, deck_id) == original  # every uid back as it was
    third = stored_versions(app, deck_id)[-1]
    assert (third.number, third.kind, third.restored_from) == (3, "restored", 1)
    assert sorted(c["change"] for c in third.changes) == ["added", "added", "edited"]
    assert "Restored version 1" in logged_in.get(f"/decks/{deck_id}/history").get_data(as_text=True)
    # restoring what the deck already holds changes nothing
    assert logged_in.post(f"/decks/{deck_id}/history/3/restore").status_code == 302
    assert len(stored_versions(app, deck_id)) == 3


def test_restore_needs_the_csrf_token(app, logged_in):
    deck_id = create(logged_in, sample_deck(2))
    save(logged_in, deck_id, sample_deck(1))
    app.config["WTF_CSRF_ENABLED"] = True
    refused = logged_in.post(f"/decks/{deck_id}/history/1/restore")
    assert refused.status_code == 400
    assert len(deck_document(app, deck_id)["questions"]) == 1 and len(stored_versions(app, deck_id)) == 2


def test_another_workspace_sees_nothing_and_a_colleague_cannot_restore(app, logged_in, other, colleague):
    deck_id = create(logged_in, sample_deck(2))
    save(logged_in, deck_id, sample_deck(1))
    for response in (
        other.get(f"/decks/{deck_id}/history"),
        other.get(f"/decks/{deck_id}/history/1"),
        other.post(f"/decks/{deck_id}/history/1/restore"),
        logged_in.get("/decks/9999/history"),
    ):
        assert response.status_code == 404
    assert colleague.get(f"/decks/{deck_id}/history").status_code == 200
    page = colleague.get(f"/decks/{deck_id}/history/1").get_data(as_text=True)
    assert "Restore this version" not in page
    assert colleague.post(f"/decks/{deck_id}/history/1/restore").status_code == 403
    assert len(deck_document(app, deck_id)["questions"]) == 1 and len(stored_versions(app, deck_id)) == 2
    anonymous = app.test_client()
    assert anonymous.get(f"/decks/{deck_id}/history").status_code == 302  # to the sign-in page


def legacy_deck(app, trainer_id: int) -> int:
    """A deck stored before version history existed: a row and no versions."""
    from quizroom.engine import parse_deck

    with app.extensions["quizroom.db"].transaction() as s:
        row = models.Deck(trainer_id=trainer_id, title="Old deck", document=parse_deck(sample_deck(2)).to_document())
        s.add(row)
        s.flush()
        return row.id


def test_a_deck_from_before_history_gets_version_1_when_its_history_is_opened(app, logged_in, trainer):
    deck_id = legacy_deck(app, trainer.id)
    assert stored_versions(app, deck_id) == []
    html = logged_in.get(f"/decks/{deck_id}/history").get_data(as_text=True)
    (first,) = stored_versions(app, deck_id)
    assert (first.number, first.kind, first.trainer_name) == (1, "existing", "Tess Trainer")
    assert first.document == deck_document(app, deck_id)
    assert "Saved before history was kept" in html
    logged_in.get(f"/decks/{deck_id}/history")
    assert len(stored_versions(app, deck_id)) == 1  # only once


def test_the_first_save_of_a_deck_from_before_history_keeps_its_old_content_as_version_1(app, logged_in, trainer):
    deck_id = legacy_deck(app, trainer.id)
    before = deck_document(app, deck_id)
    document = copy.deepcopy(before)
    document["questions"][0]["text"] = "Reworded?"
    save(logged_in, deck_id, document)
    first, second = stored_versions(app, deck_id)
    assert (first.kind, first.document) == ("existing", before)
    assert (second.kind, [c["change"] for c in second.changes]) == ("edited", ["edited"])


def test_only_the_newest_versions_are_kept(app, logged_in, monkeypatch):
    monkeypatch.setattr(versions, "KEEP", 3)
    deck_id = create(logged_in, sample_deck(1))
    for n in range(4):
        document = sample_deck(1)
        document["questions"][0]["text"] = f"Round {n}?"
        save(logged_in, deck_id, document)
    assert [v.number for v in stored_versions(app, deck_id)] == [3, 4, 5]
    html = logged_in.get(f"/decks/{deck_id}/history").get_data(as_text=True)
    assert "Version 5" in html and "Version 2<" not in html


def test_deleting_a_deck_deletes_its_history(app, logged_in):
    deck_id = create(logged_in, sample_deck(1))
    save(logged_in, deck_id, sample_deck(2))
    assert logged_in.delete(f"/api/decks/{deck_id}").status_code == 204
    assert stored_versions(app, deck_id) == []


def test_the_editor_links_to_the_history(app, logged_in):
    deck_id = create(logged_in, sample_deck(1))
    html = logged_in.get(f"/decks/{deck_id}/edit").get_data(as_text=True)
    assert f'href="/decks/{deck_id}/history"' in html
