"""The presenter view in a real browser (Debian Chromium) on a phone-sized screen, beside
the stage on a laptop: the trainer types a question's notes in the deck editor, then the
presenter view shows the question, its notes, the timer and who has not answered, drives
the room while the stage follows, and passes axe (serious/critical). The notes never
appear on the stage. Two phones play over python-socketio."""

from __future__ import annotations

import re

import pytest
import socketio

from tests.e2e.browser import WAIT, WatchedPage, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}
NOTE = "Tell the Friday-deploy story"
DECK = {
    "format": "quizroom.deck",
    "version": 1,
    "title": "Presenter deck",
    "questions": [
        {
            "type": "single",
            "text": "Which day is worst for a deploy?",
            "time_limit": 120,
            "choices": [{"text": "Friday", "correct": True}, {"text": "Tuesday"}],
        },
        {"type": "truefalse", "text": "Tests make deploys boring.", "time_limit": 60, "correct": True},
    ],
}


def player(url: str, code: str, nickname: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(url, transports=["websocket"], wait_timeout=10)
    ack = client.call("join", {"code": code, "nickname": nickname}, timeout=10)
    assert ack["ok"], ack
    return client


def test_presenter_view_drives_a_question_while_the_stage_follows(browser, live_server):
    from playwright.sync_api import expect

    http = live_server.session()
    deck = http.post(f"{live_server.url}/api/decks", json=DECK, timeout=10).json()["id"]
    stage = WatchedPage(browser, viewport={"width": 1280, "height": 800})
    view = WatchedPage(browser, **PHONE)
    phones = []
    try:
        for watched in (stage, view):
            sign_in(watched.page, live_server.url)
        # The notes, typed in the editor.
        stage.page.goto(f"{live_server.url}/decks/{deck}/edit")
        notes = stage.page.locator("#question-list > li").first.get_by_label("Presenter notes (optional)")
        notes.fill(NOTE + "\nthen ask for examples")
        stage.page.get_by_role("button", name="Save deck").click()
        expect(stage.page.locator("#save-status")).to_contain_text("Saved")
        saved = http.get(f"{live_server.url}/api/decks/{deck}", timeout=10).json()["deck"]
        assert saved["questions"][0]["notes"] == NOTE + "\nthen ask for examples"
        assert "notes" not in saved["questions"][1]
        code = http.post(f"{live_server.url}/api/rooms", json={"deck_id": deck}, timeout=10).json()["code"]

        stage.page.goto(f"{live_server.url}/rooms/{code}/stage")
        expect(stage.page.locator("#stage")).to_have_attribute("data-phase", "lobby", timeout=WAIT)
        expect(stage.page.get_by_test_id("stage-presenter")).to_have_text("Presented by Tess Trainer")

        page = view.page
        page.goto(f"{live_server.url}/rooms/{code}/presenter")
        expect(page.locator("#presenter")).to_have_attribute("data-phase", "lobby", timeout=WAIT)
        expect(page.get_by_test_id("pv-notes")).to_contain_text(NOTE)  # what to say first
        phones = [player(live_server.url, code, name) for name in ("Ana", "Bo")]
        expect(page.locator("#pv-count")).to_have_text("2")
        assert_accessible(page)

        page.get_by_role("button", name="Start").click()
        expect(stage.page.locator("#stage")).to_have_attribute("data-phase", "question", timeout=WAIT)
        expect(stage.page.get_by_test_id("stage-question")).to_have_text("Which day is worst for a deploy?")
        expect(page.get_by_test_id("pv-text")).to_have_text("Which day is worst for a deploy?")
        expect(page.get_by_test_id("pv-notes")).to_have_text(NOTE + "\nthen ask for examples")
        expect(page.get_by_test_id("pv-waiting").locator("li")).to_have_text(["Ana", "Bo"])
        expect(page.get_by_test_id("pv-timer")).to_have_text(re.compile(r"^1[01]\d$"))  # 120 s, counting down

        assert phones[0].call("answer", {"question": 0, "value": 0}, timeout=10)["ok"]
        expect(page.get_by_test_id("pv-waiting").locator("li")).to_have_text(["Bo"])
        expect(page.get_by_test_id("pv-answered")).to_contain_text("1 of 2")
        assert_accessible(page)

        page.get_by_role("button", name="Pause").click()
        expect(stage.page.locator("#q-paused")).to_be_visible()
        page.get_by_role("button", name="Resume").click()
        expect(stage.page.locator("#q-paused")).to_be_hidden()
        page.get_by_role("button", name="Show answer").click()
        expect(stage.page.locator("#stage")).to_have_attribute("data-phase", "reveal", timeout=WAIT)
        expect(page.locator("#presenter")).to_have_attribute("data-phase", "reveal")
        expect(page.get_by_test_id("pv-upnext")).to_have_text("Tests make deploys boring.")

        assert NOTE not in stage.page.content()  # the projected stage never had the notes
    finally:
        for phone in phones:
            phone.disconnect()
        view.close()
        stage.close()
