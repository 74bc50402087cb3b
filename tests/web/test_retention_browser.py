"""The retention dashboard in a real browser: its charts render, it runs under the strict
CSP, and axe finds nothing serious or critical (also on a person's page and the links page)."""

from __future__ import annotations

import re

import pytest

from quizroom.db import Database
from tests.e2e.browser import axe_violations, format_violations, open_browser
from tests.retention.factories import add_two_sessions

pytestmark = pytest.mark.browser


def seed(db_url: str) -> None:
    """Two sessions a week apart for three people (the trainer made by live_server is id 1)."""
    db = Database(db_url)
    later = [(n, pos, 0 if n == 1 else 1, n == 1, 900 if n == 1 else 0, 4000) for n in (1, 2, 3) for pos in (0, 1, 2)]
    add_two_sessions(db, 1, later=later, qc_text="<b>Tools</b> & co", third_name="Cy <script>")
    db.dispose()


def test_dashboard_charts_render_accessibly(live_server):
    seed(live_server.db_url)
    from playwright.sync_api import expect

    with open_browser(live_server.url, viewport={"width": 1200, "height": 900}) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        page.get_by_role("link", name="Retention").click()
        page.get_by_label("Deck").select_option(label="Onboarding")
        page.get_by_label("Group").select_option(label="Team A")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(r"deck=10"))
        charts = page.locator("svg[role=img]")
        expect(charts).to_have_count(5)
        for i in range(5):
            chart = charts.nth(i)
            expect(chart).to_be_visible()
            box = chart.bounding_box()
            assert box["width"] > 200 and box["height"] > 80, box
        # Each chart draws its data: the curve has a point at day 7, the bars one per question.
        assert page.locator("#chart-curve circle, #chart-curve path, #chart-curve polyline").count() > 0
        assert page.locator("#chart-questions rect").count() >= 3
        expect(page.get_by_role("img", name=re.compile("Retention over days since first seen"))).to_be_visible()
        expect(page.locator("#questions-table")).to_contain_text("<b>Tools</b> & co")  # text, never markup
        violations = axe_violations(page)
        assert violations == [], format_violations(violations)

        page.locator("#people-table").get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=2, name="Weakest topics")).to_be_visible()
        violations = axe_violations(page)
        assert violations == [], format_violations(violations)

        page.get_by_role("button", name="Send a self-paced review").click()
        expect(page.locator(".review-link")).to_have_count(1)
        violations = axe_violations(page)
        assert violations == [], format_violations(violations)

        assert dialogs == [], dialogs  # and open_browser checks for script errors and CSP violations
