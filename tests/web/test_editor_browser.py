"""The deck editor in a real browser (Debian Chromium via Playwright) against a real server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.browser import axe_violations, format_violations, trainer_page

pytestmark = pytest.mark.browser

page = trainer_page()  # signed in; must end without script errors or CSP violations


def card(page, number: int):
    return page.locator("#question-list > li").nth(number - 1)


def save_and_wait(page):
    page.get_by_role("button", name="Save deck").click()
    page.wait_for_function("() => !document.getElementById('save-status').textContent.startsWith('Saving')")


def test_build_a_deck_with_errors_shown_in_place(page, live_server):
    from playwright.sync_api import expect

    page.get_by_role("link", name="New deck").click()
    expect(page.get_by_role("heading", name="New deck")).to_be_visible()
    page.get_by_label("Title").fill("Browser deck")
    first = card(page, 1)
    first.get_by_label("Question text").fill("Which is a fruit?")
    first.get_by_label("Answer 1", exact=True).fill("Apple")
    first.get_by_label("Answer 2", exact=True).fill("Brick")
    # Answers 3 and 4 stay blank (left out on save); no correct answer marked yet.
    save_and_wait(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Question 1 › answers: mark exactly one choice correct")
    choices = first.locator("fieldset.choices")
    message = choices.locator(".field-error")
    expect(message).to_contain_text("mark exactly one choice correct")
    assert message.get_attribute("id") in choices.get_attribute("aria-describedby").split()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

    first.get_by_label("Answer 1 Correct", exact=True).check()
    page.get_by_role("button", name="Add type the answer").click()
    typed = card(page, 2)
    expect(typed.get_by_label("Question text")).to_be_focused()
    typed.get_by_label("Question text").fill("Name the pointer to the current commit")
    typed.get_by_label("Accepted answer 1").fill("HEAD")
    page.get_by_role("button", name="Add slider").click()
    slider = card(page, 3)
    slider.get_by_label("Question text").fill("How many?")
    slider.get_by_label("Correct value").fill("500")
    save_and_wait(page)
    correct = slider.get_by_label("Correct value")
    expect(correct).to_have_attribute("aria-invalid", "true")
    described = correct.get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_contain_text("must lie between min and max")
    expect(summary).to_contain_text("Question 3 › correct answer: must lie between min and max")
    expect(page.locator("#error-summary-list li")).to_have_text(
        ["Question 3 › correct answer: must lie between min and max"]
    )

    summary.get_by_role("link").click()
    expect(correct).to_be_focused()
    correct.fill("50")
    expect(correct).not_to_have_attribute("aria-invalid", "true")
    save_and_wait(page)
    expect(page.locator("#save-status")).to_contain_text("Saved")
    expect(summary).to_be_hidden()
    page.wait_for_url(re.compile(r"/decks/\d+/edit$"))
    deck_id = int(re.search(r"/decks/(\d+)/edit", page.url).group(1))
    expect(page.get_by_role("button", name="Start room")).to_be_visible()

    http = live_server.session()
    saved = http.get(f"{live_server.url}/api/decks/{deck_id}").json()["deck"]
    assert saved["title"] == "Browser deck"
    assert [q["type"] for q in saved["questions"]] == ["single", "typed", "slider"]
    assert saved["questions"][0]["choices"] == [{"text": "Apple", "correct": True}, {"text": "Brick", "correct": False}]
    assert saved["questions"][1]["accepted"] == ["HEAD"]
    uids = [q["uid"] for q in saved["questions"]]

    # Reorder with the keyboard, duplicate and delete, then save: uids stay with their questions.
    card(page, 3).get_by_role("button", name="Move up question 3").focus()
    page.keyboard.press("Enter")
    expect(card(page, 2).get_by_role("heading")).to_contain_text("Slider")
    expect(card(page, 2).get_by_role("button", name="Move up question 2")).to_be_focused()
    card(page, 1).get_by_role("button", name="Duplicate question 1").click()
    expect(page.locator("#question-list > li")).to_have_count(4)
    card(page, 4).get_by_role("button", name="Delete question 4").click()  # the typed question
    expect(page.locator("#question-list > li")).to_have_count(3)
    save_and_wait(page)
    expect(page.locator("#save-status")).to_contain_text("Saved")
    saved = http.get(f"{live_server.url}/api/decks/{deck_id}").json()["deck"]
    assert [q["type"] for q in saved["questions"]] == ["single", "single", "slider"]
    assert saved["questions"][0]["uid"] == uids[0]
    assert saved["questions"][2]["uid"] == uids[2]
    assert saved["questions"][1]["uid"] not in uids  # the copy is a new question

    # After a reload the editor shows what was stored.
    page.reload()
    expect(page.get_by_label("Title")).to_have_value("Browser deck")
    expect(card(page, 3).get_by_label("Correct value")).to_have_value("50")
    expect(card(page, 1).get_by_label("Answer 1 Correct", exact=True)).to_be_checked()


def test_order_items_and_type_change(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/decks/new")
    page.get_by_label("Title").fill("Order deck")
    first = card(page, 1)
    first.get_by_label("Question type").select_option("order")
    expect(first.get_by_role("heading")).to_contain_text("Ordering")
    first.get_by_label("Question text").fill("Put in order")
    for i, text in enumerate(["two", "one", "three"], start=1):
        first.get_by_label(f"Item {i}", exact=True).fill(text)
    first.get_by_role("button", name="Move up item 2").click()
    expect(first.get_by_label("Item 1", exact=True)).to_have_value("one")
    expect(first.get_by_role("button", name="Move up item 1")).to_be_disabled()
    save_and_wait(page)
    expect(page.locator("#save-status")).to_contain_text("Saved")
    deck_id = int(re.search(r"/decks/(\d+)/edit", page.url).group(1))
    saved = live_server.session().get(f"{live_server.url}/api/decks/{deck_id}").json()["deck"]
    assert saved["questions"][0]["items"] == ["one", "two", "three"]  # the blank 4th item is left out


@pytest.mark.parametrize("path", ["/decks", "/decks/new", "/decks/{id}/edit", "/decks/import", "/results"])
def test_trainer_pages_pass_axe(page, live_server, path):
    demo = json.loads((Path(__file__).resolve().parents[2] / "quizroom" / "demo" / "demo-deck.json").read_text())
    created = live_server.session().post(f"{live_server.url}/api/decks", json=demo)
    assert created.status_code == 201
    page.goto(f"{live_server.url}{path.format(id=created.json()['id'])}")
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_login_and_register_pass_axe(browser, live_server):
    page = browser.new_page(viewport={"width": 390, "height": 800})  # a phone
    for path in ("/login", "/register"):
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        assert violations == [], format_violations(violations)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.get_by_label("Your name").get_attribute("aria-invalid") == "true"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
