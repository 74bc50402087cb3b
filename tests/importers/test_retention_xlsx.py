"""XLSX downloads of the retention dashboard's tables and of the review links, from the CSV's rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.importers.xlsx_checks import assert_layout, assert_same_table, csv_of, workbook_of
from tests.retention.factories import T0, add_two_sessions


@pytest.fixture(scope="module")
def seeded(site):
    """Two sessions a week apart for a group of three; a question whose text is a formula."""
    later = (
        [(n, 0, 0, True, 900, 2000) for n in (1, 2, 3)]
        + [(1, 1, 0, True, 900, 2000), (2, 1, 2, False, 0, 2000), (3, 1, 2, False, 0, 2000)]
        + [(n, 2, 0, True, 900, 2000) for n in (1, 2)]
    )
    add_two_sessions(site.app.extensions["quizroom.db"], site.trainer.id, later=later, qc_text="=HYPERLINK(1)")
    site.clock.now = (T0 + timedelta(days=14)).timestamp()
    return site


@pytest.mark.parametrize(
    ("table", "query"),
    [("questions", "deck=10"), ("topics", "group=20"), ("people", "group=20&threshold=99"), ("engagement", "group=20")],
)
def test_each_table_as_xlsx_agrees_with_the_csv(client, seeded, table, query):
    response = client.get(f"/retention/export/{table}.xlsx?{query}")
    sheet = workbook_of(response).active
    assert response.headers["Content-Disposition"] == f'attachment; filename="retention-{table}-2026-03-16.xlsx"'
    assert sheet.title == table.capitalize()
    assert_layout(sheet)
    rows = csv_of(client.get(f"/retention/export/{table}.csv?{query}"))
    assert len(rows) > 1
    assert assert_same_table(rows, sheet) > 0  # counts and percentages stay numbers


def test_formulas_are_neutralised(client, seeded):
    sheet = workbook_of(client.get("/retention/export/questions.xlsx?deck=10")).active
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "'=HYPERLINK(1)" in texts and "=HYPERLINK(1)" not in texts


def test_unknown_table_is_404(client, seeded):
    assert client.get("/retention/export/secrets.xlsx").status_code == 404


def test_review_links_as_xlsx_agree_with_the_csv(client, seeded):
    assert client.post("/retention/review", data={"group": "20", "size": "3", "mode": "links"}).status_code == 302
    page = client.get("/retention/reviews").text
    assert 'href="/retention/reviews.csv"' in page and 'href="/retention/reviews.xlsx"' in page
    response = client.get("/retention/reviews.xlsx")
    assert response.headers["Content-Disposition"] == 'attachment; filename="review-links.xlsx"'
    sheet = workbook_of(response).active
    assert_layout(sheet)
    rows = csv_of(client.get("/retention/reviews.csv"))
    assert len(rows) == 4  # header and one link per person
    assert assert_same_table(rows, sheet) > 0


def test_dashboard_links_every_xlsx(client, seeded):
    page = client.get("/retention?group=20").text
    for table in ("questions", "topics", "people", "engagement"):
        assert f"/retention/export/{table}.xlsx?" in page
