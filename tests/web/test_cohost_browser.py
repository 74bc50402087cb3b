"""Co-hosts from the presenter view in a real browser (docs/cohosts.md), through the code the
stage and the presenter view share (static/js/host-room.js): the owner's presenter view
refuses an e-mail that is no colleague's (the message by the form, not in the toast), adds a
colleague, who opens the stage; the owner removes them again, and their stage stops at once
with the reason."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TRAINER_PASSWORD, sample_deck
from tests.e2e.browser import WatchedPage, sign_in
from tests.e2e.test_handover import COHOST_EMAIL, add_colleague  # Bo, the owner's colleague

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def sign_in_as_bo(page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address").fill(COHOST_EMAIL)
    page.get_by_label("Password").fill(TRAINER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/decks$"))


def test_owner_adds_and_removes_a_cohost_whose_stage_stops(browser, live_server):
    from playwright.sync_api import expect

    add_colleague(live_server.db_path)
    code = live_server.start_room(sample_deck(2))["code"]
    owner = WatchedPage(browser, viewport={"width": 900, "height": 900})
    colleague = WatchedPage(browser, viewport={"width": 1280, "height": 800})
    try:
        view = owner.page
        sign_in(view, live_server.url)
        view.goto(f"{live_server.url}/rooms/{code}/presenter")
        expect(view.locator("#presenter")).to_have_attribute("data-phase", "lobby")

        email = view.get_by_label("or their e-mail address")
        email.fill("nobody@example.com")
        view.get_by_role("button", name="Add co-host").click()
        expect(view.locator("#pv-add-error")).to_have_text(
            "No colleague of your workspace who runs rooms has that account."
        )
        expect(email).to_have_attribute("aria-invalid", "true")
        expect(view.locator("#pv-status")).to_have_text("")  # said by the form, not again in the toast

        email.fill("")
        view.get_by_label("A colleague").select_option(label=f"Bo Cohost ({COHOST_EMAIL})")
        view.get_by_role("button", name="Add co-host").click()
        expect(view.locator("#pv-status")).to_have_text("Co-host added.")
        expect(view.get_by_test_id("pv-team").locator("li")).to_have_count(2)

        stage = colleague.page
        sign_in_as_bo(stage, live_server.url)
        stage.goto(f"{live_server.url}/rooms/{code}/stage")
        expect(stage.locator("#stage")).to_have_attribute("data-phase", "lobby")
        expect(stage.get_by_test_id("stage-presenter")).to_have_text("Presented by Tess Trainer")

        view.get_by_role("button", name="Remove Bo Cohost").click()
        expect(view.locator("#pv-confirm-title")).to_have_text("Remove Bo Cohost as co-host?")
        view.locator("#pv-confirm-ok").click()
        expect(view.get_by_test_id("pv-team").locator("li")).to_have_count(1)

        expect(stage.locator("#stage")).to_have_attribute("data-phase", "error")
        expect(stage.locator("#error-text")).to_have_text("You are no longer a host of this room.")
        expect(stage.locator("#controls")).to_be_hidden()
        expect(stage.locator("#stage-connection")).to_be_hidden()  # stopped, not reconnecting
    finally:
        colleague.close()
        owner.close()
