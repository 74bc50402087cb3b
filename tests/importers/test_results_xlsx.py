"""XLSX downloads of results: a room's quiz answers and each poll or board, from the CSV's rows."""

from __future__ import annotations

import re

import pytest

from tests.importers.xlsx_checks import assert_layout, assert_same_table, csv_of, workbook_of
from tests.web.test_results import FORMULA, HOSTILE, Room
from tests.web.test_session_report import PlanRoom


@pytest.fixture(scope="module")
def quiz(site):
    """A finished quiz room: three people (one nickname is a formula), a few questions."""
    room = Room(site.app, site.clock, site.trainer.id)
    for name in ("Ann", HOSTILE, FORMULA):
        room.join(name)
    room.host_do("host:start")
    room.answer("Ann", 0, 0, after=2)
    room.answer(HOSTILE, 0, 2)
    room.answer(FORMULA, 0, 0, after=3)
    room.host_do("host:next")
    room.host_do("host:next")
    room.answer("Ann", 1, [0, 1])
    room.answer(HOSTILE, 1, [0, 2])
    room.host_do("host:end")
    return room


@pytest.fixture(scope="module")
def plan(site):
    """A finished plan room: a named poll and a board with a formula note."""
    room = PlanRoom(site.app, site.clock, site.client)
    room.join("Ann", "Bob")
    room.next()  # 0: single-choice poll, named
    room.respond("Ann", "vote", value=0)
    room.respond("Bob", "vote", value=2)  # the option "=1+1"
    for _ in range(5):
        room.next()  # on to 5: the board
    room.respond("Ann", "note", text="Pairing", column=0)
    room.respond("Bob", "note", text="=cmd()", column=1)
    assert room.host.emit("host:end", {}, callback=True)["ok"]
    return room


def test_room_answers_as_xlsx_agree_with_the_csv(client, quiz):
    response = client.get(f"/results/{quiz.id}.xlsx")
    book = workbook_of(response)
    assert re.fullmatch(
        rf"attachment; filename=quizroom-results-deck-{quiz.room.code}-[0-9-]+\.xlsx",
        response.headers["Content-Disposition"],
    )
    sheet = book.active
    assert sheet.title == "Answers"
    assert_layout(sheet)
    rows = csv_of(client.get(f"/results/{quiz.id}.csv"))
    assert assert_same_table(rows, sheet) > 0  # question numbers, points, response times
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["room", "room_code", "room_date", "question_number"]
    assert isinstance(sheet["D2"].value, int)  # question_number
    people = {cell.value for cell in sheet["G"][1:]}
    assert "'" + FORMULA in people and FORMULA not in people  # neutralised like the CSV
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(("position", "kind"), [(0, "poll"), (5, "board")])
def test_poll_and_board_as_xlsx_agree_with_the_csv(client, plan, position, kind):
    response = client.get(f"/results/{plan.id}/activity/{position}.xlsx")
    sheet = workbook_of(response).active
    assert response.headers["Content-Disposition"].endswith(f"-item{position + 1}-{kind}.xlsx")
    assert sheet.title == f"Item {position + 1}"
    assert_layout(sheet)
    rows = csv_of(client.get(f"/results/{plan.id}/activity/{position}.csv"))
    assert len(rows) == 3  # header and two responses or notes
    assert assert_same_table(rows, sheet) > 0
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert {"'=1+1", "'=cmd()"} & texts and not {"=1+1", "=cmd()"} & texts


def test_pages_link_the_xlsx_beside_the_csv(client, quiz, plan):
    room_page = client.get(f"/results/{quiz.id}").text
    assert f'href="/results/{quiz.id}.csv"' in room_page and f'href="/results/{quiz.id}.xlsx"' in room_page
    plan_page = client.get(f"/results/{plan.id}").text
    assert f'href="/results/{plan.id}/activity/0.xlsx"' in plan_page
    listing = client.get("/results").text
    assert f'href="/results/{quiz.id}.xlsx"' in listing


def test_xlsx_downloads_are_private_and_404_for_missing_items(site, client, quiz, plan):
    assert client.get(f"/results/{plan.id}/activity/6.xlsx").status_code == 404  # a quiz question
    assert client.get(f"/results/{plan.id}/activity/99.xlsx").status_code == 404
    assert client.get("/results/9999.xlsx").status_code == 404
    stranger = site.app.test_client()
    for url in (f"/results/{quiz.id}.xlsx", f"/results/{plan.id}/activity/0.xlsx"):
        assert stranger.get(url).status_code == 302  # to the sign-in page
