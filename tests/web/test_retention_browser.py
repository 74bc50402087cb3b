"""The retention dashboard in a real browser: its charts render, it runs under the strict
CSP, and axe finds nothing serious or critical (also on a person's page and the links page)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quizroom import models
from quizroom.db import Database
from tests.conftest import TRAINER_EMAIL, TRAINER_PASSWORD, require
from tests.e2e.browser import axe_violations, browser_available, format_violations, launch_browser, watch_csp
from tests.retention.factories import T0, add_room, q

pytestmark = pytest.mark.browser


def seed(db_url: str) -> None:
    """Two sessions a week apart for three people (the trainer made by live_server is id 1)."""
    db = Database(db_url)
    questions = [
        q("qa", topics=["Safety"]),
        q("qb", topics=["Safety"]),
        q("qc", text="<b>Tools</b> & co", topics=["Tools"]),
    ]
    with db.transaction() as s:
        s.add(
            models.Deck(
                id=10,
                trainer_id=1,
                title="Onboarding",
                document={
                    "title": "Onboarding",
                    "questions": [{k: v for k, v in spec.items() if k != "kind"} for spec in questions],
                },
            )
        )
        s.add(models.Group(id=20, trainer_id=1, name="Team A"))
        for pid, name in ((1, "Ana"), (2, "Ben"), (3, "Cy <script>")):
            s.add(models.Person(id=pid, trainer_id=1, name=name, link_key=f"key{pid}"))
        s.flush()
        for pid in (1, 2, 3):
            s.add(models.GroupMember(group_id=20, person_id=pid))
    people = [(1, 1, 0, False), (2, 2, 0, False), (3, 3, 0, False)]
    first = [(n, pos, 0, True, 900, 2000) for n in (1, 2, 3) for pos in (0, 1, 2)]
    second = [(n, pos, 0 if n == 1 else 1, n == 1, 900 if n == 1 else 0, 4000) for n in (1, 2, 3) for pos in (0, 1, 2)]
    add_room(
        db,
        room_id=1,
        start=T0,
        activities=questions,
        played=[0, 1, 2],
        people=people,
        answers=first,
        trainer_id=1,
        deck_id=10,
        group_id=20,
    )
    add_room(
        db,
        room_id=2,
        start=T0 + timedelta(days=7),
        activities=questions,
        played=[0, 1, 2],
        people=people,
        answers=second,
        trainer_id=1,
        deck_id=10,
        group_id=20,
    )
    db.dispose()


def test_dashboard_charts_render_accessibly(live_server):
    ok, reason = browser_available()
    require(ok, reason)
    seed(live_server.db_url)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        blocked = watch_csp(page)
        page.goto(f"{live_server.url}/login")
        page.get_by_label("E-mail address").fill(TRAINER_EMAIL)
        page.get_by_label("Password").fill(TRAINER_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/decks$"))

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

        assert errors == [] and dialogs == [], (errors, dialogs)
        assert blocked == [], blocked
        context.close()
        browser.close()
