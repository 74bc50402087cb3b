"""The retention dashboard, person page, CSV exports and review round (web/retention.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from quizroom import accounts, models
from tests.retention.factories import T0, add_two_sessions

pytestmark = pytest.mark.usefixtures("logged_in")


@pytest.fixture
def seeded(app, trainer, clock):
    """Two sessions a week apart for a group of three; question b is forgotten by two."""
    db = app.extensions["quizroom.db"]
    later = (
        [(n, 0, 0, True, 900, 2000) for n in (1, 2, 3)]
        + [(1, 1, 0, True, 900, 2000), (2, 1, 2, False, 0, 2000), (3, 1, 2, False, 0, 2000)]
        + [(n, 2, 0, True, 900, 2000) for n in (1, 2)]
    )  # Cy: no answer to qc
    add_two_sessions(db, trainer.id, later=later, qc_text="=HYPERLINK(1)")
    clock.now = (T0 + timedelta(days=14)).timestamp()
    return db


def test_dashboard_shows_the_figures_and_charts(client, seeded):
    page = client.get("/retention?deck=10&group=20")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'data-figure="first-rate">100 %', html)  # 9 of 9 first attempts
    assert re.search(r'data-figure="repeat-rate">67 %', html)  # 6 of 9 repeat attempts (2 wrong, 1 none)
    assert html.count("<svg") == 5
    assert "Question qb" in html and "&lt;" not in html.split("questions-table")[0][-10:]
    rows = re.findall(r'<tr data-uid="(\w+)">.*?data-figure="forgotten">(\d+)<', html, re.S)
    assert rows[0] == ("qb", "2")  # most forgotten first
    assert ("qc", "1") in rows


def test_other_trainers_scope_is_not_found(app, client, seeded):
    other = accounts.create_trainer(app, email="o@example.org", name="O", password="another-password-1")
    with seeded.transaction() as s:
        s.add(models.Group(id=99, trainer_id=other.id, name="Theirs"))
    assert client.get("/retention?group=99").status_code == 404
    assert client.get("/retention?deck=12345").status_code == 404


def test_csv_exports_are_neutralised(client, seeded):
    response = client.get("/retention/export/questions.csv?deck=10")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    for table in ("topics", "people", "engagement"):
        assert client.get(f"/retention/export/{table}.csv?group=20").status_code == 200
    assert client.get("/retention/export/secrets.csv").status_code == 404


def test_person_page_lists_history_and_weakest_topic(client, seeded):
    html = client.get("/retention/people/3").get_data(as_text=True)
    assert "Cy" in html and "Room 1" in html and "Room 2" in html
    weakest = re.search(r'id="topics-table".*?<tbody>\s*<tr><th scope="row">([^<]+)<', html, re.S).group(1)
    assert weakest in ("Safety", "Tools")
    assert client.get("/retention/people/999").status_code == 404


def test_review_deck_keeps_uids_of_the_lowest_recall_questions(app, client, seeded):
    response = client.post("/retention/review", data={"group": "20", "size": "3", "mode": "deck"})
    assert response.status_code in (302, 303)
    with seeded.read() as s:
        deck = s.scalars(sa.select(models.Deck).where(models.Deck.title.like("Review:%"))).one()
    uids = [question["uid"] for question in deck.document["questions"]]
    assert uids[0] == "qb" and sorted(uids) == ["qa", "qb", "qc"]


def test_self_paced_links_one_per_person_and_they_open(app, client, seeded):
    response = client.post("/retention/review", data={"group": "20", "size": "3", "mode": "links"})
    assert response.status_code in (302, 303)
    html = client.get("/retention/reviews").get_data(as_text=True)
    links = re.findall(r'class="review-link">(http[^<]+)<', html)
    assert len(links) == 3
    with seeded.read() as s:
        assert sorted(p.person_id for p in s.scalars(sa.select(models.Practice))) == [1, 2, 3]
    token = links[0].rsplit("/", 1)[1]
    assert client.get(f"/r/{token}").status_code == 200
    exported = client.get("/retention/reviews.csv").get_data(as_text=True)
    assert exported.count("/r/") == 3


def test_bad_review_requests_change_nothing(client, seeded):
    assert client.post("/retention/review", data={"size": "7", "mode": "deck"}).status_code == 400
    assert client.post("/retention/review", data={"person": "999", "size": "5", "mode": "deck"}).status_code == 404
    with seeded.read() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(models.Practice)) == 0
        assert s.scalar(sa.select(sa.func.count()).select_from(models.Deck)) == 1
