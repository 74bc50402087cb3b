"""The shared library in a real browser against the real server: a colleague joins by an
invitation link and shares a tagged deck; the admin finds it under "Workspace", filters by
its tag, opens it and copies it to their decks with credit kept. Axe finds nothing serious
or critical on the library, a deck's page and the workspace page; every page runs under the
strict CSP (open_browser checks it)."""

from __future__ import annotations

import html
import re

import pytest
import requests

from tests.conftest import _csrf_from, sample_deck
from tests.e2e.browser import axe_violations, format_violations, open_browser

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def colleague_shares_a_deck(live_server) -> int:
    """Through HTTP: the admin invites a trainer, who signs up with the link and shares a deck."""
    admin = live_server.session()
    made = admin.post(f"{live_server.url}/workspace/invitations", data={"role": "trainer", "note": "Cole"}, timeout=10)
    assert made.ok, made.text[:300]
    link = html.unescape(re.search(r'value="([^"]*/register\?invite=[^"]+)"', made.text).group(1))
    colleague = requests.Session()
    token = _csrf_from(colleague.get(link, timeout=10).text)
    form = {
        "name": "Cole Colleague",
        "email": "cole@example.org",
        "password": "colleague pw",
        "confirm": "colleague pw",
    }
    signed_up = colleague.post(
        f"{live_server.url}/register",
        data={**form, "invite": link.split("invite=")[1], "csrf_token": token},
        timeout=10,
    )
    assert signed_up.ok and "/decks" in signed_up.url, signed_up.text[:300]
    colleague.headers["X-CSRFToken"] = _csrf_from(signed_up.text)
    deck = colleague.post(f"{live_server.url}/api/decks", json=dict(sample_deck(3), title="Git <basics>"), timeout=10)
    assert deck.status_code == 201, deck.text
    deck_id = deck.json()["id"]
    tagged = colleague.put(
        f"{live_server.url}/api/decks/{deck_id}/tags", json={"tags": ["Git", "Onboarding"]}, timeout=10
    )
    assert tagged.ok, tagged.text
    return deck_id


def check(page) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_the_library_finds_filters_and_forks_a_colleague_s_deck_accessibly(live_server):
    from playwright.sync_api import expect

    deck_id = colleague_shares_a_deck(live_server)
    with open_browser(live_server.url, viewport={"width": 1200, "height": 900}) as page:
        expect(page.get_by_role("heading", level=1, name="My decks")).to_be_visible()
        check(page)

        page.get_by_role("link", name=re.compile(r"^Workspace \(1\)")).click()
        table = page.locator("table.deck-table")
        expect(table.get_by_role("row", name=re.compile("Git <basics>"))).to_contain_text("Cole Colleague")
        check(page)

        page.get_by_label("Tag").select_option("Onboarding")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"tag=Onboarding"))
        expect(table.locator("tbody tr")).to_have_count(1)
        page.get_by_label("Title contains").fill("kubernetes")
        page.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("No deck matches this filter.")).to_be_visible()
        page.get_by_role("link", name="Show all").first.click()

        page.get_by_role("link", name="Git <basics>", exact=True).click()
        page.wait_for_url(re.compile(rf"/decks/{deck_id}$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Git <basics>")
        expect(page.get_by_label("Tags", exact=True)).to_have_value("Git, Onboarding")  # an admin may edit them
        check(page)

        page.get_by_role("button", name="Copy to my decks").click()
        expect(page.locator(".flash-success")).to_contain_text("forked from “Git <basics>” by Cole Colleague")
        expect(page.locator(".credit")).to_have_text("Forked from “Git <basics>” by Cole Colleague")
        assert not page.url.endswith(f"/decks/{deck_id}")
        check(page)

        page.get_by_role("link", name="Workspace", exact=True).click()
        expect(page.get_by_role("heading", level=2, name="Members")).to_be_visible()
        expect(page.locator("table.member-table")).to_contain_text("Cole Colleague")
        check(page)
