"""A whole game in real browsers: a trainer builds a deck in the editor, starts a room,
and three phones play it from the lobby to the podium.

Runs against the real server (``live_server``: eventlet, SQLite) with Debian's
Chromium. Waits only on DOM state (Playwright's ``expect``), never on sleeps.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import WAIT, axe_violations, format_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

DECK = {
    "format": "quizroom.deck",
    "version": 1,
    "title": "Browser game",
    "questions": [
        {
            "type": "single",
            "text": "Which planet is known as the red planet?",
            "time_limit": 60,
            "choices": [{"text": "Mars", "correct": True}, {"text": "Venus"}, {"text": "Jupiter"}, {"text": "Saturn"}],
        },
        {"type": "truefalse", "text": "Water boils at 100 °C at sea level.", "time_limit": 60, "correct": True},
        {
            "type": "single",
            "text": "How many legs does a spider have?",
            "time_limit": 60,
            "choices": [{"text": "Six"}, {"text": "Eight", "correct": True}, {"text": "Ten"}],
        },
    ],
}
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}
NAMES = ("Ada", "Brian", "Chen")


def build_deck_in_editor(page, base_url: str) -> None:
    """Type DECK into the deck editor the way a trainer would, and save it."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/decks/new")
    page.get_by_label("Title").fill(DECK["title"])
    cards = page.locator("#question-list > li")
    for number, spec in enumerate(DECK["questions"], start=1):
        if number > 1:
            label = {"single": "Add single choice", "truefalse": "Add true / false"}[spec["type"]]
            page.get_by_role("button", name=label).click()
        card = cards.nth(number - 1)
        card.get_by_label("Question text").fill(spec["text"])
        card.get_by_label("Time limit (seconds)").fill(str(spec["time_limit"]))
        if spec["type"] == "truefalse":
            card.get_by_label("True", exact=True).check()
            continue
        for i, choice in enumerate(spec["choices"], start=1):
            card.get_by_label(f"Answer {i}", exact=True).fill(choice["text"])
            if choice.get("correct"):
                card.get_by_label(f"Answer {i} Correct", exact=True).check()
    page.get_by_role("button", name="Save deck").click()
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=WAIT)
    expect(page).to_have_url(re.compile(r"/decks/\d+/edit$"), timeout=WAIT)


def no_serious_violations(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe found serious/critical problems on {what}:\n{format_violations(found)}"


def phase(page, name: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#stage")).to_have_attribute("data-phase", name, timeout=WAIT)


def screen(page, name: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#play")).to_have_attribute("data-screen", name, timeout=WAIT)


def pick(page, text: str) -> None:
    page.get_by_role("button", name=re.compile(rf"\b{re.escape(text)}$")).click()


def score_of(page) -> int:
    return int(page.get_by_test_id("me-score").inner_text().replace(",", "").replace("\u202f", ""))


def test_a_whole_game_from_lobby_to_podium(live_server, browser):
    from playwright.sync_api import expect

    # The trainer signs in through the real login page; the stage needs that session.
    host = browser.new_context(viewport={"width": 1280, "height": 720}, reduced_motion="reduce")
    stage = host.new_page()
    sign_in(stage, live_server.url)
    # ...builds the 3-question deck in the editor and starts a room from it.
    build_deck_in_editor(stage, live_server.url)
    stage.get_by_role("button", name="Start room").click()
    expect(stage).to_have_url(re.compile(r"/rooms/\d{6}/stage$"), timeout=WAIT)
    code = re.search(r"/rooms/(\d{6})/stage", stage.url).group(1)
    room = {"code": code, "join_url": f"{live_server.url}/j/{code}"}
    phase(stage, "lobby")
    expect(stage.get_by_test_id("room-code")).to_contain_text(f"{room['code'][:3]}")
    expect(stage.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    no_serious_violations(stage, "the stage lobby")

    # Three phones join through the join URL.
    phones = {}
    for name in NAMES:
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(room["join_url"])
        screen(phone, "join")
        if name == NAMES[0]:
            no_serious_violations(phone, "the join page")
        phone.get_by_label("Your nickname").fill(name)
        phone.get_by_role("button", name="Join").click()
        screen(phone, "lobby")
        expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
        phones[name] = phone
    ada, brian, chen = (phones[n] for n in NAMES)
    lobby = stage.get_by_test_id("lobby-list")
    for name in NAMES:
        expect(lobby.get_by_text(name, exact=True)).to_be_visible(timeout=WAIT)
    expect(stage.get_by_test_id("participant-count")).to_contain_text("3 players")

    # Question 1: the host starts with Space; Ada and Chen are right, Brian is wrong.
    stage.keyboard.press("Space")
    phase(stage, "question")
    expect(stage.get_by_test_id("stage-question")).to_have_text("Which planet is known as the red planet?")
    for phone in phones.values():
        screen(phone, "question")
    no_serious_violations(stage, "a stage question")
    no_serious_violations(ada, "a phone question")
    pick(ada, "Mars")
    screen(ada, "locked")
    expect(ada.get_by_test_id("answer-locked")).to_have_text("Answer locked in")
    expect(stage.get_by_test_id("answered-count")).to_contain_text("1")
    pick(brian, "Venus")
    pick(chen, "Mars")
    phase(stage, "reveal")  # everyone answered: the question closes early
    expect(stage.get_by_test_id("reveal-summary")).to_contain_text("3 of 3 answered")
    expect(stage.locator(".bar.is-correct")).to_contain_text("Mars")
    expect(stage.locator(".bar.is-correct")).to_contain_text("Correct")
    for phone, verdict in ((ada, "Correct"), (brian, "Incorrect"), (chen, "Correct")):
        screen(phone, "result")
        expect(phone.get_by_test_id("result")).to_have_text(verdict)
    assert score_of(ada) > 0 and score_of(chen) > 0 and score_of(brian) == 0

    # Leaderboard, then question 2 (true/false) with the arrow key.
    stage.keyboard.press("Space")
    phase(stage, "leaderboard")
    expect(stage.get_by_test_id("leaderboard").locator("li")).to_have_count(3)
    screen(brian, "leaderboard")
    expect(brian.get_by_test_id("phone-rank")).to_have_text("You're 3rd of 3")
    stage.keyboard.press("ArrowRight")
    phase(stage, "question")
    screen(ada, "question")

    # Ada answers, then reloads: she comes back locked in, with the same name and score.
    before = score_of(ada)
    pick(ada, "True")
    screen(ada, "locked")
    ada.reload()
    screen(ada, "locked")
    expect(ada.get_by_test_id("me-name")).to_have_text("Ada")
    assert score_of(ada) == before
    # Brian reloads before answering: he is back in the open question and can still answer.
    brian.reload()
    screen(brian, "question")
    expect(brian.get_by_test_id("me-name")).to_have_text("Brian")
    pick(brian, "True")
    pick(chen, "False")
    phase(stage, "reveal")
    screen(ada, "result")
    expect(ada.get_by_test_id("result")).to_have_text("Correct")
    expect(chen.get_by_test_id("result")).to_have_text("Incorrect")
    assert score_of(ada) > before

    # Question 3, then on to the podium with the keyboard.
    stage.keyboard.press("Space")
    phase(stage, "leaderboard")
    stage.keyboard.press("Space")
    phase(stage, "question")
    for phone, answer in ((ada, "Eight"), (brian, "Eight"), (chen, "Six")):
        screen(phone, "question")
        pick(phone, answer)
    phase(stage, "reveal")
    stage.keyboard.press("Space")
    phase(stage, "leaderboard")
    expect(stage.get_by_role("button", name=re.compile("Podium"))).to_be_visible()
    stage.keyboard.press("Space")
    phase(stage, "ended")

    # The podium on the stage matches what each phone shows.
    finals = {}
    for name, phone in phones.items():
        screen(phone, "ended")
        finals[name] = int(phone.get_by_test_id("final-score").inner_text().replace(",", ""))
    podium = stage.get_by_test_id("podium")
    expect(podium.locator("li")).to_have_count(3)
    shown = {}
    for i in (1, 2, 3):
        step = stage.get_by_test_id(f"podium-{i}")
        name = step.locator(".podium-name").inner_text()
        shown[name] = int(step.locator(".podium-points").inner_text().replace(",", ""))
    assert shown == finals
    ranked = sorted(finals, key=lambda n: -finals[n])
    assert stage.get_by_test_id("podium-1").locator(".podium-name").inner_text() == ranked[0]
    assert ranked[0] == "Ada"  # 3 of 3 right
    expect(ada.get_by_test_id("final-rank")).to_have_text("You finished 1st of 3")
    expect(ada.locator("#end-correct")).to_have_text("3 of 3")
    results_link = stage.get_by_test_id("results-link")
    expect(results_link).to_have_attribute("href", re.compile(r"/results/\d+$"))

    # The results were stored: the results page lists everyone with the scores they saw.
    results_link.click()
    expect(stage).to_have_url(re.compile(r"/results/\d+$"), timeout=WAIT)
    for name in finals:
        expect(stage.get_by_role("row").filter(has_text=name).first).to_be_visible()
    room_id = int(re.search(r"/results/(\d+)$", stage.url).group(1))
    stored = live_server.session().get(f"{live_server.url}/api/rooms/{room_id}/results").json()
    assert {p["nickname"]: p["score"] for p in stored["participants"]} == finals
    assert [q["answered"] for q in stored["questions"]] == [3, 3, 3]
