"""Resources in real browsers (Debian Chromium via Playwright) against the real server: the
trainer uploads a one-page summary to a deck, runs a room from it, ends it; the phone that
took part opens "Session materials" from its last screen and downloads the file. Axe checks
the pages; every page runs under the strict CSP (WatchedPage)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sample_deck
from tests.e2e.browser import WatchedPage, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_participant_downloads_what_the_trainer_uploaded(browser, live_server, tmp_path):
    from playwright.sync_api import expect

    http = live_server.session()
    deck_id = http.post(f"{live_server.url}/api/decks", json=sample_deck(1), timeout=10).json()["id"]

    trainer = WatchedPage(browser, viewport={"width": 1100, "height": 900}, reduced_motion="reduce")
    page = trainer.page
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/decks/{deck_id}")
    page.get_by_role("link", name="Manage resources").click()
    expect(page.get_by_role("heading", name="Resources of “Sample deck”")).to_be_visible()
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "summary.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Title (optional: the file name otherwise)").fill("One-page summary")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".flash-success")).to_contain_text("Attached “One-page summary” (summary.pdf).")
    expect(page.get_by_test_id("resource-list").get_by_role("link", name="One-page summary")).to_be_visible()
    assert_accessible(page)

    room = http.post(f"{live_server.url}/api/rooms", json={"deck_id": deck_id}, timeout=10)
    assert room.status_code == 201, room.text
    code = room.json()["code"]

    phone = WatchedPage(browser, **PHONE)
    player = phone.page
    player.goto(f"{live_server.url}/j/{code}")
    player.get_by_label("Your nickname").fill("Ada")
    player.get_by_role("button", name="Join").click()
    expect(player.locator("#play")).to_have_attribute("data-screen", "lobby")

    page.goto(f"{live_server.url}/rooms/{code}/stage")
    expect(page.locator("#stage")).to_have_attribute("data-phase", "lobby")
    page.keyboard.press("Escape")
    page.get_by_role("dialog").get_by_role("button", name="End room", exact=True).click()
    expect(page.locator("#stage")).to_have_attribute("data-phase", "ended")

    expect(player.locator("#play")).to_have_attribute("data-screen", "ended")
    token = player.evaluate(f"window.localStorage.getItem('quizroom:{code}')")
    assert token
    materials = player.get_by_role("button", name="Session materials")
    expect(materials).to_be_visible()
    assert_accessible(player)
    materials.click()
    expect(player.get_by_role("heading", name="Sample deck")).to_be_visible()
    assert re.search(r"/materials/[^/]+$", player.url) and token not in player.url
    assert_accessible(player)
    with player.expect_download() as caught:
        player.get_by_role("link", name=re.compile("One-page summary")).click()
    download = caught.value
    assert download.suggested_filename == "summary.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF

    phone.close()
    trainer.close()
