"""The agenda editor in a real browser: build a plan of a poll, a board, a deck question
and the pulse survey, save it, and start a room from it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sample_deck
from tests.e2e.browser import WAIT, axe_violations, format_violations, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

page = trainer_page(1200)  # signed in; must end without script errors or CSP violations


def item(page, number: int):
    return page.locator("#activity-list > li").nth(number - 1)


def test_build_a_plan_and_start_a_room_from_it(page, live_server):
    from playwright.sync_api import expect

    http = live_server.session()
    assert http.post(f"{live_server.url}/api/decks", json=sample_deck(2)).status_code == 201

    page.get_by_role("link", name="Session plans").click()
    page.get_by_role("link", name="New session plan").first.click()
    expect(page.get_by_role("heading", name="New session plan")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-editor-ready", "true")
    page.get_by_label("Title").fill("Team workshop")

    page.get_by_role("button", name="Add poll").click()
    poll = item(page, page.locator("#activity-list > li").count())
    poll.get_by_label("Poll question").fill("How do you feel today?")
    poll.get_by_label("Option 1").fill("Great")
    poll.get_by_label("Option 2").fill("Tired")

    page.get_by_role("button", name="Add board").click()
    board = item(page, page.locator("#activity-list > li").count())
    board.get_by_label("Prompt").fill("What slows our releases down?")

    page.get_by_role("button", name="Add questions from a deck").click()
    page.get_by_label("Deck", exact=True).select_option(label="Sample deck (2 questions)")
    page.get_by_label("Select all questions").check()
    page.get_by_role("button", name=re.compile(r"Add 2 selected")).click()

    page.get_by_role("button", name="Add survey").click()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

    page.get_by_role("button", name="Save plan").click()
    page.wait_for_function("() => !document.getElementById('save-status').textContent.startsWith('Saving')")
    problems = page.locator("#error-summary li").all_inner_texts()
    assert problems == [], problems
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=WAIT)
    expect(page).to_have_url(re.compile(r"/plans/\d+/edit$"))
    plan_id = int(re.search(r"/plans/(\d+)/edit", page.url).group(1))
    stored = http.get(f"{live_server.url}/api/plans/{plan_id}").json()["plan"]
    kinds = [a["kind"] for a in stored["activities"]]
    assert kinds[-4:] == ["board", "question", "question", "survey"]
    assert "poll" in kinds
    assert [a["uid"] for a in stored["activities"] if a["kind"] == "question"] == ["q0", "q1"]

    page.get_by_role("button", name="Start room").click()
    expect(page).to_have_url(re.compile(r"/rooms/\d{6}/stage$"), timeout=WAIT)
    expect(page.locator("#stage")).to_have_attribute("data-phase", "lobby", timeout=WAIT)
