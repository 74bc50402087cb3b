"""The deck import page with every format: real sample files through the Flask test client.
A good file creates one deck with the expected questions; a bad one lists every problem by
row (or GIFT question and line) and creates nothing."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.importers import test_gift, test_kahoot
from tests.importers.helpers import EXAMPLE_CSV, deck_count, listed_errors, sample, upload, without_uids


@pytest.fixture
def decks_before(client) -> int:
    return deck_count(client)


def imported(client, data: bytes, filename: str) -> dict:
    response = upload(client, data, filename)
    assert response.status_code == 302, listed_errors(response.text)
    deck_id = int(re.search(r"/decks/(\d+)/edit", response.location).group(1))
    return client.get(f"/api/decks/{deck_id}").json["deck"]


def canonical(question: dict) -> dict:
    """A question as quizroom saves it (defaults filled in)."""
    out = {"time_limit": 20, "points": 1000, **question}
    if out["type"] == "poll":
        out["points"] = 0
    return out


def test_the_page_offers_every_format_and_the_example(client):
    page = client.get("/decks/import").text
    assert 'accept=".json,.xlsx,.csv,.gift,.txt"' in page
    assert "Kahoot quiz template" in page and "GIFT" in page
    link = re.search(r'href="(/static/examples/quizroom-questions\.csv)" download', page).group(1)
    example = client.get(link)
    assert example.status_code == 200
    assert example.data == EXAMPLE_CSV.read_bytes()


def test_a_kahoot_template_becomes_a_deck(client):
    deck = imported(client, sample("kahoot-git-basics.xlsx"), "kahoot-git-basics.xlsx")
    assert deck["title"] == "kahoot-git-basics"
    assert without_uids(deck) == [canonical(q) for q in test_kahoot.EXPECTED]
    assert all(re.fullmatch(r"q_[0-9a-f]{12}", q["uid"]) for q in deck["questions"])


def test_the_example_csv_becomes_a_deck(client, decks_before):
    deck = imported(client, EXAMPLE_CSV.read_bytes(), "quizroom-questions.csv")
    assert [q["type"] for q in deck["questions"]] == [
        "single",
        "multi",
        "truefalse",
        "typed",
        "slider",
        "order",
        "poll",
    ]
    assert deck["questions"][1]["topics"] == ["Remotes", "Sync"]
    assert deck_count(client) == decks_before + 1


def test_a_gift_file_becomes_a_deck(client):
    deck = imported(client, sample("git-basics.gift"), "git basics.txt")  # .txt is read as GIFT
    assert deck["title"] == "git basics"
    assert without_uids(deck) == [canonical(q) for q in test_gift.EXPECTED]


def test_a_json_deck_still_imports(client):
    deck = imported(client, b'{"title": "Plain", "questions": []}', "plain.json")
    assert deck["title"] == "Plain"


@pytest.mark.parametrize(
    ("name", "upload_as", "expected"),
    [
        ("kahoot-malformed.xlsx", "kahoot-malformed.xlsx", test_kahoot.MALFORMED),
        (
            "malformed.csv",
            "malformed.csv",
            [
                "Row 3 › type: “essay” is not a question type (single, multi, truefalse, typed, slider, order or poll)",
                "Row 4 › correct: a single-choice question has one correct answer (use type multi)",
                "Row 5 › correct: “maybe” is not true or false",
                "Row 6 › correct: give the correct number",
                "Row 7 › correct: leave it empty for a typed question: every answer is accepted",
                "Row 8 › points: “500” is not 0, 1000 or 2000",
                "Row 9 › answers: needs 2 to 6 entries",
                "Row 10 › topics: at most 5 topics",
                "Row 11 › item 2: text is too long (at most 120)",
                "Row 12 › time_limit: “2 min” is not a number of seconds",
            ],
        ),
        (
            "malformed.gift",
            "malformed.gift",
            [
                "Question 2 “matching” (line 5): matching questions are not supported",
                "Question 3 “essay” (line 10): essay questions are not supported: there is no answer to check",
                "Question 4 (line 12): has no answer block {…}: descriptions (text without answers) are not imported",
                "Question 5 “no right” (line 14): no answer is right: mark one with = (or a positive %weight%)",
                "Question 6 “unclosed” (line 16): the answer block is not closed: “{” without “}”",
                "Question 7 “number” (line 18): “lots” is not a number",
                "Question 8 “one choice” (line 20) › answer 2: text is empty",
                "Category (line 22): “Tools, tips and tricks” cannot be a topic: it contains a comma",
                "Question 9 (line 24): the title ::…:: is not closed",
            ],
        ),
    ],
)
def test_a_malformed_file_lists_every_problem_and_creates_nothing(client, name, upload_as, expected, decks_before):
    response = upload(client, sample(name), upload_as)
    assert response.status_code == 400
    assert f"“{upload_as}” was not imported: {len(expected)} problems" in " ".join(response.text.split())
    assert listed_errors(response.text) == expected
    assert deck_count(client) == decks_before


def test_too_many_problems_are_counted_not_listed(client, decks_before):
    rows = "".join(f"Question {i}?,a,b,9\n" for i in range(80))
    response = upload(client, ("question,answer1,answer2,correct\n" + rows).encode(), "many.csv")
    assert response.status_code == 400
    assert "80 problems" in response.text
    listed = listed_errors(response.text)
    assert len(listed) == 51 and listed[-1] == "… and 30 more problems not listed: fix these first."
    assert deck_count(client) == decks_before


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "old.xls",
            "this is an old Excel file (.xls): save it as an Excel Workbook (.xlsx) and import that",
        ),
        (
            b"%PDF-1.4",
            "slides.pdf",
            "cannot tell the format of “slides.pdf”: import a quizroom deck (.json), a Kahoot quiz template (.xlsx), "
            "a question CSV (.csv) or a GIFT file (.gift or .txt)",
        ),
        (b"question\n", "renamed.xlsx", "the file is not an Excel workbook (.xlsx): it could not be opened"),
        (b"  \n", "empty.csv", "the file is empty"),
    ],
)
def test_files_that_cannot_be_read_at_all(client, data, filename, message, decks_before):
    response = upload(client, data, filename)
    assert response.status_code == 400
    assert listed_errors(response.text) == [message]
    assert deck_count(client) == decks_before


def test_a_zip_bomb_named_csv_is_still_treated_as_a_workbook_and_refused(client, decks_before):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 * 1024 * 1024))
    response = upload(client, out.getvalue(), "questions.csv")
    assert response.status_code == 400
    assert listed_errors(response.text) == [
        "the workbook is packed suspiciously tightly (a zip bomb?): it was not opened"
    ]
    assert deck_count(client) == decks_before


def test_the_upload_limit_applies(site, client, decks_before, monkeypatch):
    monkeypatch.setitem(site.app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = upload(client, b"question,answer1,answer2,correct\n" + b"Q?,a,b,1\n" * 10_000, "huge.csv")
    assert response.status_code == 413
    assert "the file is too large" in response.text
    assert deck_count(client) == decks_before


def test_hostile_text_is_escaped_on_the_error_page(client):
    response = upload(client, b"question,answer1,answer2,correct\n<script>alert(1)</script>,a,b,<img src=x>\n", "x.csv")
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text and "<img src=x>" not in response.text
    assert listed_errors(response.text) == [
        "Row 2 › correct: “<img” is not an answer number (use 1 to 6, e.g. 1 or 1,3)"
    ]


def test_plans_still_take_json_only(client):
    page = client.get("/plans/import").text
    assert 'accept=".json,application/json"' in page and "Kahoot" not in page
    response = upload(client, EXAMPLE_CSV.read_bytes(), "q.csv").status_code  # the deck page takes it
    assert response == 302
    plan = client.post(
        "/plans/import",
        data={"file": (io.BytesIO(EXAMPLE_CSV.read_bytes()), "q.csv")},
        content_type="multipart/form-data",
    )
    assert plan.status_code == 400 and "not valid JSON" in plan.text
