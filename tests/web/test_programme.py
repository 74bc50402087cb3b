"""The programme report page and its CSV/XLSX downloads over sessions written to the database
(tests/web/sessions_world.py): months, trainers, attendance, ratings, the month filter,
knowledge gaps from the retention model, formula-safe exports, and the workspace boundary."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.web import sessions_world as world
from tests.web.workspace_world import make_team, sign_in


@pytest.fixture
def team(app):
    return make_team(app)


@pytest.fixture
def history(app, clock, team):
    """Now is 15 Jan 2027. Git was last played 100 days ago and everyone got it wrong (a
    knowledge gap); Docker 30 days ago, wrong too (low, but covered recently)."""
    now = datetime.fromtimestamp(clock.now, UTC)
    p1, p2, p3 = (world.person(app, team.trainer) for _ in range(3))
    git = world.question("g1", ("Git",))
    docker = world.question("d1", ("Docker",))
    rooms = {
        "old": world.ended_room(app, team.trainer, datetime(2025, 12, 1, tzinfo=UTC), anonymous=9),
        "git": world.ended_room(
            app,
            team.trainer,
            now - timedelta(days=100),  # 7 Oct 2026
            title="=SUM(A1)",
            known={p1: False, p2: False},
            anonymous=1,
            questions=[git],
        ),
        "docker": world.ended_room(
            app, team.colleague, now - timedelta(days=30), known={p3: False}, anonymous=3, questions=[docker]
        ),
        "pulse": world.ended_room(
            app,
            team.trainer,
            now - timedelta(days=5),
            anonymous=2,
            survey=[{"session": 5, "trainer": 10}, {"session": 3}],
        ),
        "live": world.ended_room(app, team.colleague, now - timedelta(hours=1), anonymous=7, live=True),
    }
    world.evaluation(app, rooms["git"], team.colleague, (4, 4, 4))
    world.evaluation(app, rooms["pulse"], team.colleague, (5, 4, 3))
    world.evaluation(app, rooms["pulse"], team.admin, (5, 5, 5))
    return rooms


def as_(app, account_id):
    return sign_in(app.test_client(), account_id)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def month_cells(response, month: str) -> list[str]:
    row = re.search(rf'<tr[^>]*data-month="{month}">(.*?)</tr>', response.get_data(as_text=True), re.S).group(1)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]


def trimmed(row: list[str]) -> list[object]:
    """A row as values (numbers compared as numbers: a worksheet reads 3.0 back as 3), without
    its empty cells at the end (a worksheet does not keep them)."""
    while row and row[-1] == "":
        row = row[:-1]
    return [_value(cell) for cell in row]


def _value(cell: str) -> object:
    try:
        return float(cell)
    except ValueError:
        return cell


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_report_sums_up_the_last_twelve_months(app, team, history):
    page = as_(app, team.viewer).get("/reports/programme")
    assert page.status_code == 200
    text = text_of(page)
    assert "Programme report · Feb 2026 to Jan 2027" in text
    # month, sessions, trainers, participants, per session, people reached, peer rating, pulse rating
    assert month_cells(page, "2026-10") == ["Oct 2026", "1", "1", "3", "3.0", "3", "4.00 (1)", "–"]
    assert month_cells(page, "2026-12") == ["Dec 2026", "1", "1", "4", "4.0", "4", "–", "–"]
    # pulse: 5, 3, and 10 of 10 (5 on a 1-5 scale)
    assert month_cells(page, "2027-01") == ["Jan 2027", "1", "1", "2", "2.0", "2", "4.50 (2)", "4.33 (3)"]
    assert month_cells(page, "2026-11")[1:4] == ["0", "0", "0"]
    # Dec 2025 and the live room are left out
    assert month_cells(page, "total")[:6] == ["Whole range", "3", "2", "9", "3.0", "9"]


def test_topics_covered_versus_knowledge_gaps(app, team, history):
    page = as_(app, team.viewer).get("/reports/programme")
    rows = dict(
        re.findall(
            r'data-topic="([^"]+)">\s*<th scope="row">[^<]*</th>\s*<td>(?:<strong>)?([^<]+)',
            page.get_data(as_text=True),
        )
    )
    assert rows == {"Git": "Knowledge gap", "Docker": "Low retention, covered recently"}
    text = text_of(page)
    assert "below 70 % and that no session has covered in the last 90 days" in text
    body = page.get_data(as_text=True)
    assert body.index('data-topic="Git"') < body.index('data-topic="Docker"')  # gaps first


def test_the_month_filter(app, team, history):
    page = as_(app, team.admin).get("/reports/programme?from=2026-12&to=2027-01")
    assert re.findall(r'data-month="([\w-]+)"', page.get_data(as_text=True)) == ["2026-12", "2027-01", "total"]
    assert month_cells(page, "total")[:3] == ["Whole range", "2", "2"]
    topics = csv_rows(as_(app, team.admin).get("/reports/programme/topics.csv?from=2026-12&to=2027-01"))
    git = next(r for r in topics if r[0] == "Git")
    assert git[1:4] == ["Knowledge gap", "0", "2026-10-07"]  # no session in the range; still a gap today
    assert 'value="2026-12"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13", "From", "enter a month as YYYY-MM"),
        ("to=soon", "To", "enter a month as YYYY-MM"),
        ("from=2027-01&to=2026-01", "From", "the range starts (2027-01) after it ends (2026-01)"),
    ],
)
def test_a_bad_filter_names_the_field(app, team, query, field, message):
    client = as_(app, team.viewer)
    page = client.get(f"/reports/programme?{query}")
    assert page.status_code == 400
    assert f"{field}: {message}" in text_of(page)
    download = client.get(f"/reports/programme/months.csv?{query}")
    assert download.status_code == 400 and message in download.get_data(as_text=True)


def test_csv_and_xlsx_downloads_hold_the_same_formula_safe_rows(app, team, history):
    client = as_(app, team.viewer)
    response = client.get("/reports/programme/sessions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="quizroom-programme-sessions-2026-02-to-2027-01.csv"' in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:4] == ["date", "room_id", "title", "trainer"]
    assert [r[2] for r in rows[1:]] == ["'=SUM(A1)", "Session", "Session"]
    git = dict(zip(rows[0], rows[1], strict=True))
    assert [git[k] for k in ("trainer", "participants", "known_people", "peer_average")] == [
        "Tess Trainer",
        "3",
        "2",
        "4.0",
    ]

    months = csv_rows(client.get("/reports/programme/months.csv"))
    assert months[-1][:4] == ["total", "3", "2", "9"]

    for table in ("months", "sessions", "topics"):
        expected = csv_rows(client.get(f"/reports/programme/{table}.csv"))
        download = client.get(f"/reports/programme/{table}.xlsx")
        assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
        got = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        assert [trimmed(r) for r in got] == [trimmed(r) for r in expected], table
    assert client.get("/reports/programme/people.csv").status_code == 404


def test_another_workspace_sees_only_its_own_programme(app, team, history):
    page = as_(app, team.outsider_admin).get("/reports/programme")
    assert month_cells(page, "total")[:4] == ["Whole range", "0", "0", "0"]
    assert "Git" not in text_of(page)
