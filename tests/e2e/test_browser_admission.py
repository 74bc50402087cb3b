"""Approve joiners in a real browser: the trainer switches it on from the stage, a phone
waits on its "Waiting for the host" screen, the trainer lets one person in and turns
another away; then a removed participant cannot come back from the same browser under a
new nickname without the host. axe on the stage with the waiting list open."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import sample_deck
from tests.e2e.browser import WAIT, sign_in
from tests.e2e.test_browser_game import PHONE, no_serious_violations, phase, screen

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def join(phone, url: str, nickname: str) -> None:
    phone.goto(url)
    screen(phone, "join")
    phone.get_by_label("Your nickname").fill(nickname)
    phone.get_by_role("button", name="Join").click()


def test_the_host_lets_people_in_one_by_one(live_server, browser):
    from playwright.sync_api import expect

    http = live_server.session()
    room = live_server.start_room(sample_deck(2), http=http)
    code = room["code"]
    url = f"{live_server.url}/j/{code}"
    host = browser.new_context(viewport={"width": 1280, "height": 760}, reduced_motion="reduce")
    stage = host.new_page()
    sign_in(stage, live_server.url)
    stage.goto(f"{live_server.url}/rooms/{code}/stage")
    phase(stage, "lobby")
    approve = stage.locator("#ctl-approve")
    expect(approve).to_have_attribute("aria-pressed", "false")
    stage.keyboard.press("a")
    expect(approve).to_have_attribute("aria-pressed", "true", timeout=WAIT)

    eve = browser.new_context(**PHONE).new_page()
    join(eve, url, "Eve")
    screen(eve, "waiting")
    expect(eve.get_by_test_id("waiting")).to_have_text("Waiting for the host to let you in")
    mallory = browser.new_context(**PHONE).new_page()
    join(mallory, url, "Mallory")
    screen(mallory, "waiting")
    no_serious_violations(eve, "the phone's waiting screen")

    requests = stage.get_by_test_id("join-requests")
    expect(requests).to_be_visible(timeout=WAIT)
    expect(requests).to_contain_text("Waiting to join (2)")
    no_serious_violations(stage, "the stage with people waiting")
    stage.get_by_role("button", name="Let in Eve").click()
    screen(eve, "lobby")
    expect(eve.get_by_role("heading", name="You're in!")).to_be_visible()
    expect(stage.get_by_test_id("lobby-list").get_by_text("Eve", exact=True)).to_be_visible(timeout=WAIT)
    stage.get_by_role("button", name="Turn away Mallory").click()
    screen(mallory, "message")
    expect(mallory.get_by_test_id("message")).to_have_text("The host did not let you in")
    expect(requests).to_be_hidden(timeout=WAIT)
    with sqlite3.connect(live_server.db_path) as db:  # Mallory left no trace
        assert db.execute("SELECT nickname FROM participants").fetchall() == [("Eve",)]

    # Eve reloads: she is in already, no second wait.
    eve.reload()
    screen(eve, "lobby")

    # The host removes Eve; from the same browser, under a new name, she has to ask again
    # (approve joiners is switched off first: only the removed browser waits).
    stage.keyboard.press("a")
    expect(approve).to_have_attribute("aria-pressed", "false", timeout=WAIT)
    stage.get_by_test_id("lobby-list").get_by_role("button", name=re.compile("Remove Eve")).click()
    stage.locator("#confirm-ok").click()
    screen(eve, "message")
    eve.evaluate("() => window.localStorage.clear()")
    join(eve, url, "Not Eve")
    screen(eve, "waiting")
    expect(eve.locator("#waiting-text")).to_contain_text("removed from this room earlier")
    expect(requests).to_contain_text("Not Eve", timeout=WAIT)
    expect(requests).to_contain_text("was removed earlier")
    # Someone else, from another browser, walks straight in.
    bo = browser.new_context(**PHONE).new_page()
    join(bo, url, "Bo")
    screen(bo, "lobby")
