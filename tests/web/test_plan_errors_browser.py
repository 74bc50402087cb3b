"""The agenda editor shows what the server refused (static/js/editor-errors.js, shared with
the deck editor): a message under each field, the field marked invalid, and a summary whose
links move focus to the field; a good save clears them all."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import WAIT, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

page = trainer_page(1200)  # signed in; must end without script errors or CSP violations


def test_refused_plan_shows_its_problems_by_their_fields(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/plans/new")
    expect(page.locator("html")).to_have_attribute("data-editor-ready", "true")
    page.get_by_role("button", name="Add poll").click()
    poll = page.locator("#activity-list > li").last
    poll.get_by_label("Option 1").fill("Only one")
    page.get_by_role("button", name="Save plan").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible(timeout=WAIT)
    expect(page.locator("#error-summary-title")).to_have_text("The plan was not saved: there are 4 problems")
    expect(page.locator("#error-summary-list li")).to_have_text(
        [
            "Title: title is empty",
            "Item 1 › text: text is empty",
            "Item 1 › option 2: text is empty",
            "Item 1 › option 3: text is empty",
        ]
    )
    assert page.evaluate("document.activeElement.id") == "error-summary"
    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    message = page.locator("#" + title.get_attribute("aria-describedby"))
    expect(message).to_have_text(re.compile(r"title is empty$"))
    expect(poll.locator("[data-path='activities.0.text']")).to_have_attribute("aria-invalid", "true")

    summary.get_by_role("link", name="Title: title is empty").click()
    assert page.evaluate("document.activeElement.id") == "plan-title"

    title.fill("Retro")
    expect(title).not_to_have_attribute("aria-invalid", "true")  # typing clears the field's message
    poll.get_by_label("Poll question").fill("How was the sprint?")
    poll.get_by_label("Option 2").fill("Another")
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=WAIT)
    expect(summary).to_be_hidden()
    expect(page.locator(".field-error")).to_have_count(0)
    expect(page.locator("[aria-invalid]")).to_have_count(0)
