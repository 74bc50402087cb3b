"""People in real browsers (Debian Chromium via Playwright) against the real server: a
trainer imports a roster into a group, starts a room for it, and a phone picks its name;
a phone that opened its personal link joins as that person by itself. Axe checks the
people pages and the phone's join screen; every page runs under the strict CSP."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import sample_deck
from tests.e2e.browser import WatchedPage, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}
ROSTER = "name;email\nAna Lima;ana@example.org\nBo Chen;\nCyril Dubois;cyril@example.org\n"


def make_group(page, base_url: str) -> int:
    """Through the pages, as a trainer would: a group, then its roster pasted as CSV."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/people")
    assert_accessible(page)
    page.get_by_label("New group").fill("Team Nimbus")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_url(re.compile(r"/groups/\d+$"))
    group_id = int(page.url.rsplit("/", 1)[1])
    import_section = page.locator("#import")
    import_section.get_by_text("Or paste the rows").click()
    import_section.get_by_label("Roster rows (with the header row)").fill(ROSTER)
    import_section.get_by_role("button", name="Import").click()
    expect(page.locator(".flash-success")).to_contain_text("3 new people")
    expect(page.locator(".members-table tbody tr")).to_have_count(3)
    expect(page.get_by_role("button", name="Copy the link of Ana Lima")).to_be_visible()  # people.js ran
    assert_accessible(page)
    page.goto(f"{base_url}/people")
    expect(page.get_by_role("link", name="Team Nimbus").first).to_be_visible()
    assert_accessible(page)
    return group_id


def start_room(live_server, group_id: int) -> str:
    http = live_server.session()
    deck = http.post(f"{live_server.url}/api/decks", json=sample_deck(2), timeout=10)
    room = http.post(
        f"{live_server.url}/api/rooms", json={"deck_id": deck.json()["id"], "group_id": group_id}, timeout=10
    )
    assert room.status_code == 201, room.text
    return room.json()["code"]


def person_of_participants(live_server) -> list[tuple[str, int | None]]:
    with sqlite3.connect(live_server.db_path) as db:
        return list(db.execute("SELECT nickname, person_id FROM participants ORDER BY id"))


def test_pick_your_name_on_a_phone(browser, live_server):
    from playwright.sync_api import expect

    trainer = WatchedPage(browser, viewport={"width": 1100, "height": 900})
    sign_in(trainer.page, live_server.url)
    group_id = make_group(trainer.page, live_server.url)
    code = start_room(live_server, group_id)

    phone = WatchedPage(browser, **PHONE)
    page = phone.page
    page.goto(f"{live_server.url}/j/{code}")
    roster = page.get_by_test_id("roster")
    expect(roster.get_by_role("button")).to_have_count(3)
    expect(page.locator("#roster-count")).to_have_text("3 names: tap yours.")
    assert "example.org" not in page.content()  # the roster never carries e-mails
    assert_accessible(page)

    page.get_by_label("Find your name").fill("bo")
    expect(roster.get_by_role("button")).to_have_count(1)
    roster.get_by_role("button", name="Bo Chen").click()
    expect(page.locator("#roster-question")).to_have_text("Join as Bo Chen?")
    page.get_by_role("button", name="Yes, that's me").click()
    expect(page.get_by_role("heading", name="You're in!")).to_be_visible()
    expect(page.locator("#lobby-nickname")).to_have_text("Bo Chen")
    assert ("Bo Chen", 2) in person_of_participants(live_server)

    # A second phone no longer sees Bo on the list.
    other = WatchedPage(browser, **PHONE)
    other.page.goto(f"{live_server.url}/j/{code}")
    expect(other.page.get_by_test_id("roster").get_by_role("button")).to_have_count(2)
    expect(other.page.get_by_test_id("roster").get_by_role("button", name="Bo Chen")).to_have_count(0)
    other.close()
    phone.close()
    trainer.close()


def test_a_phone_with_a_personal_link_joins_as_its_person(browser, live_server):
    from playwright.sync_api import expect

    trainer = WatchedPage(browser, viewport={"width": 1100, "height": 900})
    sign_in(trainer.page, live_server.url)
    group_id = make_group(trainer.page, live_server.url)
    trainer.page.goto(f"{live_server.url}/groups/{group_id}")
    link = trainer.page.get_by_label("Personal join link of Ana Lima").input_value()
    trainer.page.locator(".members-table").get_by_role("link", name="Ana Lima").click()
    expect(trainer.page.get_by_role("heading", name="Ana Lima", exact=True)).to_be_visible()
    assert trainer.page.get_by_label("Personal join link of Ana Lima").input_value() == link
    assert_accessible(trainer.page)
    code = start_room(live_server, group_id)

    phone = WatchedPage(browser, **PHONE)
    page = phone.page
    page.goto(link)
    expect(page.get_by_role("heading", name="Hi Ana Lima")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Join Sample deck").click()
    page.wait_for_url(f"{live_server.url}/j/{code}")
    expect(page.get_by_role("heading", name="You're in!")).to_be_visible()
    expect(page.locator("#lobby-nickname")).to_have_text("Ana Lima")
    expect(page.locator("#not-you")).to_contain_text("Not Ana Lima?")
    assert ("Ana Lima", 1) in person_of_participants(live_server)

    # A reload resumes the same seat; "not you?" forgets the link and offers the form.
    page.reload()
    expect(page.locator("#lobby-nickname")).to_have_text("Ana Lima")
    page.get_by_role("button", name="Forget me on this phone").click()
    expect(page.get_by_role("heading", name="Pick your name")).to_be_visible()
    assert page.evaluate("window.localStorage.getItem('quizroom:me')") is None
    assert len(person_of_participants(live_server)) == 1
    phone.close()
    trainer.close()
