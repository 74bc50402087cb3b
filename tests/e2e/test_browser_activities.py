"""An agenda in real browsers: a poll, a word cloud and a brainstorming board, run from the
stage with three phones.

The trainer saves a session plan and opens a room from it (``POST /api/plans``, then
``POST /api/rooms {"plan_id"}``); the stage (1280x720) and the phones (375x667) are real
Chromium pages on the real server (``live_server``: eventlet, SQLite), served under a strict
Content-Security-Policy (scripts and styles from the server only). Waits only on DOM state
(Playwright's ``expect``), never on sleeps.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import WAIT, axe_violations, format_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PLAN = {
    "format": "quizroom.plan",
    "version": 1,
    "title": "Release retro",
    "activities": [
        {
            "kind": "poll",
            "uid": "tool",
            "type": "single",
            "text": "Which tool do you use for code review?",
            "options": ["GitHub", "GitLab", "Gerrit"],
        },
        {"kind": "poll", "uid": "words", "type": "wordcloud", "text": "One word for our last release?"},
        {"kind": "board", "uid": "slow", "prompt": "What slows our releases down?", "columns": ["Process", "Tools"]},
    ],
}
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}
NAMES = ("Ada", "Brian", "Chen")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'"
)


# axe's injection (tests/e2e/browser.py) first tries an inline <script>, which the CSP blocks
# (then it falls back): that report is ours, not the page's. The pages' own HTML is checked
# for inline scripts separately.
AXE_INJECTION = "Executing inline script violates"


def strict_csp(context, problems: list) -> None:
    """Serve the live pages with a CSP that forbids inline scripts and styles, and
    collect what the browser blocks or reports as a script error."""

    def add_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})

    context.route(re.compile(r"/(rooms/\d{6}/stage|j/\d{6})$"), add_csp)

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text and AXE_INJECTION not in message.text
                else None
            ),
        )

    context.on("page", watch)


def no_serious_violations(page, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe found serious/critical problems on {what}:\n{format_violations(found)}"


def screen(page, name: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#play")).to_have_attribute("data-screen", name, timeout=WAIT)


def on_item(stage, phones, position: int) -> None:
    """The stage and every phone show agenda item `position` (0-based)."""
    from playwright.sync_api import expect

    expect(stage.locator("#stage")).to_have_attribute("data-phase", "activity", timeout=WAIT)
    expect(stage.locator("#view-activity")).to_have_attribute("data-position", str(position), timeout=WAIT)
    expect(stage.get_by_test_id("agenda-progress")).to_contain_text(f"{position + 1} / 3")
    for phone in phones:
        screen(phone, "activity")
        expect(phone.get_by_test_id("phone-activity-text")).to_have_text(
            stage.get_by_test_id("activity-text").inner_text(), timeout=WAIT
        )


def votes_on(page, text: str, selector: str) -> str:
    return page.locator(selector, has_text=text).get_attribute("data-votes")


def test_a_poll_a_word_cloud_and_a_board_from_an_agenda(live_server, browser):
    from playwright.sync_api import expect

    problems: list[str] = []
    http = live_server.session()
    created = http.post(f"{live_server.url}/api/plans", json=PLAN, timeout=10)
    assert created.status_code == 201, created.text
    opened = http.post(f"{live_server.url}/api/rooms", json={"plan_id": created.json()["id"]}, timeout=10)
    assert opened.status_code == 201, opened.text
    room = opened.json()
    for url in (room["stage_url"], room["join_url"]):  # nothing inline for the CSP to allow
        html = http.get(url, timeout=10).text
        assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", html), url

    # The trainer signs in and opens the stage; three phones join.
    host = browser.new_context(viewport={"width": 1280, "height": 720}, reduced_motion="reduce")
    strict_csp(host, problems)
    stage = host.new_page()
    sign_in(stage, live_server.url)
    stage.goto(room["stage_url"])
    expect(stage.locator("#stage")).to_have_attribute("data-phase", "lobby", timeout=WAIT)
    phones = []
    for name in NAMES:
        context = browser.new_context(**PHONE)
        strict_csp(context, problems)
        phone = context.new_page()
        phone.goto(room["join_url"])
        screen(phone, "join")
        phone.get_by_label("Your nickname").fill(name)
        phone.get_by_role("button", name="Join").click()
        screen(phone, "lobby")
        phones.append(phone)
    ada, brian, chen = phones
    expect(stage.get_by_test_id("participant-count")).to_contain_text("3 players")

    # 1. A single-choice poll: the chart on the stage follows every vote.
    stage.keyboard.press("Space")
    on_item(stage, phones, 0)
    expect(stage.get_by_test_id("activity-kind")).to_have_text("Poll")
    no_serious_violations(stage, "the stage during a poll")
    no_serious_violations(ada, "a phone during a poll")
    bar = stage.get_by_test_id("poll-results").locator("li")
    expect(bar).to_have_count(3)
    ada.get_by_role("button", name=re.compile(r"GitHub$")).click()
    expect(ada.get_by_test_id("phone-done")).to_contain_text("Vote received")
    expect(ada.get_by_test_id("my-vote")).to_contain_text("GitHub")
    expect(stage.locator(".pbar[data-option='0']")).to_have_attribute("data-count", "1", timeout=WAIT)
    brian.get_by_role("button", name=re.compile(r"GitHub$")).click()
    chen.get_by_role("button", name=re.compile(r"GitLab$")).click()
    expect(stage.get_by_test_id("responses")).to_have_attribute("data-count", "3", timeout=WAIT)
    expect(stage.locator(".pbar[data-option='0']")).to_contain_text("67%")
    # Chen changes his mind (allowed until voting closes): the chart moves his vote.
    chen.get_by_test_id("change-vote").click()
    chen.get_by_role("button", name=re.compile(r"Gerrit$")).click()
    expect(chen.get_by_test_id("my-vote")).to_contain_text("Gerrit")
    expect(stage.locator(".pbar[data-option='2']")).to_have_attribute("data-count", "1", timeout=WAIT)
    expect(stage.locator(".pbar[data-option='1']")).to_have_attribute("data-count", "0")
    expect(ada.get_by_test_id("phone-results").locator("[data-option='0']")).to_have_attribute("data-count", "2")

    # 2. A word cloud: "Git", "git " and "GIT" are one word.
    stage.keyboard.press("ArrowRight")
    on_item(stage, phones, 1)
    for phone, words in ((ada, ["Git", "Smooth"]), (brian, ["git "]), (chen, ["GIT", "smooth", "Late"])):
        for word in words:
            phone.get_by_label(re.compile(r"word$")).fill(word)
            phone.get_by_role("button", name="Send word").click()
            expect(phone.get_by_test_id("sent-list")).to_contain_text(word.strip())
    expect(chen.get_by_test_id("phone-done")).to_contain_text("all your words")
    expect(ada.get_by_test_id("entries-left")).to_have_text("1 more word left.")
    cloud = stage.get_by_test_id("word-cloud")
    expect(cloud.locator("[data-word='Git']")).to_have_attribute("data-count", "3", timeout=WAIT)
    expect(cloud.locator("[data-word]")).to_have_count(3)
    expect(cloud.locator("[data-word='Smooth']")).to_have_attribute("data-count", "2")
    words = cloud.locator("[data-word]")
    sizes = {
        w.get_attribute("data-word"): float(w.evaluate("n => parseFloat(getComputedStyle(n).fontSize)"))
        for w in words.all()
    }
    assert sizes["Git"] > sizes["Smooth"] > sizes["Late"]
    no_serious_violations(stage, "the stage during a word cloud")
    no_serious_violations(brian, "a phone during a word cloud")

    # 3. A board with two columns: notes from the phones...
    stage.keyboard.press("Space")
    on_item(stage, phones, 2)
    for phone, text, column in (
        (ada, "Slow CI pipelines", "Tools"),
        (brian, "Flaky tests", "Tools"),
        (chen, "Unclear ownership", "Process"),
        (ada, "No release checklist", "Process"),
    ):
        phone.get_by_label("Add a note").fill(text)
        phone.get_by_label("Column").select_option(label=column)
        phone.get_by_role("button", name="Post note").click()
        expect(phone.get_by_test_id("my-notes")).to_contain_text(text)
    expect(ada.get_by_test_id("my-notes").locator("li")).to_have_count(2)
    expect(stage.get_by_test_id("note-count")).to_have_attribute("data-count", "4", timeout=WAIT)
    tools = stage.locator(".board-col[data-column='1']")
    expect(tools.locator(".sticky")).to_have_count(2)
    # ...the host groups two of them (the keyboard way: the note's "Group with…" menu)...
    stage.get_by_role("button", name="Actions for note “Flaky tests”").click()
    stage.get_by_label("Group with…").select_option(label="Slow CI pipelines")
    group = stage.locator(".sticky-group")
    expect(group).to_have_count(1, timeout=WAIT)
    expect(group.locator(".sticky")).to_have_count(2)
    # ...and opens dot voting with 2 votes each.
    stage.get_by_label("Votes each").fill("2")
    stage.get_by_role("button", name="Open voting").click()
    expect(stage.get_by_test_id("board-phase")).to_have_attribute("data-phase", "voting", timeout=WAIT)
    for phone in phones:
        expect(phone.get_by_test_id("votes-left")).to_have_attribute("data-left", "2", timeout=WAIT)
    no_serious_violations(stage, "the stage during board voting")
    no_serious_violations(chen, "a phone during board voting")

    def vote(phone, text: str, left: int) -> None:
        phone.get_by_role("button", name=f"Vote for “{text}”").click()
        expect(phone.get_by_test_id("votes-left")).to_have_attribute("data-left", str(left))

    vote(ada, "Flaky tests", 1)
    vote(ada, "No release checklist", 0)
    expect(ada.get_by_role("button", name="Vote for “Unclear ownership”")).to_be_disabled()
    vote(brian, "No release checklist", 1)
    vote(brian, "Flaky tests", 0)
    vote(chen, "Slow CI pipelines", 1)
    chen.get_by_role("button", name="Take a vote back from “Slow CI pipelines”").click()  # changed his mind
    expect(chen.get_by_test_id("votes-left")).to_have_attribute("data-left", "2")
    vote(chen, "Flaky tests", 1)
    vote(chen, "Unclear ownership", 0)
    # A phone that reloads keeps its dots.
    ada.reload()
    screen(ada, "activity")
    expect(ada.get_by_test_id("votes-left")).to_have_attribute("data-left", "0", timeout=WAIT)
    expect(ada.locator(".pa-note-card", has_text="Flaky tests")).to_have_attribute("data-mine", "1")
    expect(stage.get_by_test_id("board-voters")).to_have_text("3 people voted", timeout=WAIT)

    # The host closes voting: notes and groups sorted by votes, with their counts, everywhere.
    stage.get_by_role("button", name="Close voting").click()
    expect(stage.get_by_test_id("board-phase")).to_have_attribute("data-phase", "closed", timeout=WAIT)
    process = stage.locator(".board-col[data-column='0'] .sticky")
    expect(process).to_have_text([re.compile("No release checklist"), re.compile("Unclear ownership")])
    expect(process.first).to_have_attribute("data-votes", "2")
    expect(process.nth(1)).to_have_attribute("data-votes", "1")
    expect(group.locator(".sticky")).to_have_text([re.compile("Flaky tests"), re.compile("Slow CI pipelines")])
    assert [votes_on(stage, t, ".sticky") for t in ("Flaky tests", "Slow CI pipelines")] == ["3", "0"]
    expect(group).to_have_attribute("data-votes", "3")
    for phone in phones:
        board = phone.get_by_test_id("phone-board")
        expect(board).to_have_attribute("data-phase", "closed", timeout=WAIT)
        expect(board.locator(".pa-note-card")).to_have_text(
            [
                re.compile("No release checklist.*2 votes"),
                re.compile("Unclear ownership.*1 vote"),
                re.compile("Flaky tests.*3 votes"),
                re.compile("Slow CI pipelines.*0 votes"),
            ]
        )
    expect(chen.get_by_role("button", name=re.compile("^Vote for"))).to_have_count(0)

    # Back (B) shows the word cloud's results again; the room then ends.
    stage.keyboard.press("b")
    expect(stage.locator("#view-activity")).to_have_attribute("data-position", "1", timeout=WAIT)
    expect(stage.get_by_test_id("word-cloud").locator("[data-word='Git']")).to_have_attribute("data-count", "3")
    stage.keyboard.press("Space")
    expect(stage.locator("#view-activity")).to_have_attribute("data-position", "2", timeout=WAIT)
    stage.keyboard.press("Space")
    expect(stage.locator("#stage")).to_have_attribute("data-phase", "ended", timeout=WAIT)
    expect(stage.get_by_role("heading", name="That's a wrap")).to_be_visible()
    screen(ada, "ended")
    expect(ada.get_by_test_id("final-rank")).to_have_text("Thanks for taking part!")
    assert not problems, "\n".join(problems)
