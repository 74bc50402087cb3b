"""Stable question identity in a real browser: a typo fix keeps a question's uid, a new
meaning asks "is this still the same question?", and topics are typed with suggestions.

Debian Chromium via Playwright against a real server (see tests/e2e/browser.py).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import axe_violations, format_violations, trainer_page

pytestmark = pytest.mark.browser

DECK = {
    "title": "Identity deck",
    "questions": [
        {
            "uid": "alpha",
            "type": "single",
            "text": "Which comand records staged changes?",
            "choices": [
                {"text": "git commit", "correct": True},
                {"text": "git push", "correct": False},
                {"text": "git add", "correct": False},
            ],
        },
        {
            "uid": "beta",
            "type": "typed",
            "text": "Name the pointer to the commit you have checked out",
            "accepted": ["HEAD"],
        },
    ],
}


page = trainer_page()  # signed in; must end without script errors or CSP violations


def card(page, number: int):
    return page.locator("#question-list > li").nth(number - 1)


def stored(http, live_server, deck_id: int) -> list[dict]:
    return http.get(f"{live_server.url}/api/decks/{deck_id}").json()["deck"]["questions"]


def saved(page):
    from playwright.sync_api import expect

    expect(page.locator("#save-status")).to_contain_text("Saved")


def test_typo_keeps_the_uid_and_a_new_meaning_asks(page, live_server):
    from playwright.sync_api import expect

    http = live_server.session()
    deck_id = http.post(f"{live_server.url}/api/decks", json=DECK).json()["id"]
    page.goto(f"{live_server.url}/decks/{deck_id}/edit")
    save = page.locator("#save-deck")

    # A typo fix and topics: no question asked, the uid stays.
    first = card(page, 1)
    first.get_by_label("Question text").fill("Which command records staged changes?")
    topics = first.get_by_label("Topics (optional)")
    topics.fill("Git, " + "x" * 41)
    save.click()
    expect(page.locator("#error-summary")).to_contain_text("Question 1 › topic 2: topic is too long (at most 40)")
    described = topics.get_attribute("aria-describedby").split()
    assert page.locator(f"#{described[-1]}").text_content().endswith("Topic 2 is too long (at most 40)")
    topics.fill("Git, committing,")
    expect(topics).not_to_have_attribute("aria-invalid", "true")
    save.click()
    saved(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    questions = stored(http, live_server, deck_id)
    assert [q["uid"] for q in questions] == ["alpha", "beta"]
    assert questions[0]["text"] == "Which command records staged changes?"
    assert questions[0]["topics"] == ["Git", "committing"]
    assert "topics" not in questions[1]

    # The deck's topics are offered for reuse, minus those already typed.
    second = card(page, 2)
    second_topics = second.get_by_label("Topics (optional)")
    second_topics.fill("git, ")
    options = page.locator("#topic-suggestions option")
    expect(options).to_have_count(1)
    assert options.first.get_attribute("value") == "git, committing"
    second_topics.fill("")

    # A new text and a new answer: the dialog asks, side by side.
    second.get_by_label("Question text").fill("Which file lists what Git must not track?")
    second.get_by_label("Accepted answer 1").fill(".gitignore")
    save.click()
    dialog = page.get_by_role("dialog", name="Is this still the same question?")
    expect(dialog).to_be_visible()
    expect(dialog.locator("fieldset")).to_have_count(1)  # only question 2 changed its meaning
    expect(dialog.locator("legend")).to_have_text("Question 2")
    expect(dialog).to_contain_text("What changed: the question text was rewritten; the accepted answers changed.")
    rows = dialog.locator("tbody tr")
    expect(rows.nth(0)).to_have_text(
        re.compile(r"Question\s*Name the pointer to the commit you have checked out\s*Which file lists what Git")
    )
    expect(rows.nth(1)).to_have_text(re.compile(r"Accepted answers\s*HEAD\s*\.gitignore"))
    expect(dialog.get_by_role("radio", name="Same question — keep its history")).to_be_focused()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

    # Saving without an answer is refused, inside the dialog.
    dialog.get_by_role("button", name="Save deck").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Question 2")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("radio", name="Same question — keep its history")).to_be_focused()
    dialog.get_by_role("radio", name="New question — start a fresh history").check()
    expect(dialog.get_by_role("alert")).to_be_hidden()
    dialog.get_by_role("button", name="Save deck").click()
    saved(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(save).to_be_focused()  # focus is back where it was
    questions = stored(http, live_server, deck_id)
    fresh = questions[1]["uid"]
    assert fresh not in ("alpha", "beta") and re.fullmatch(r"q_[0-9a-f]{12}", fresh)
    assert questions[1]["accepted"] == [".gitignore"]
    assert questions[0]["uid"] == "alpha"

    # Again, with the keyboard: Cancel (Escape) saves nothing; "Same question" keeps the uid.
    second = card(page, 2)
    second.get_by_label("Question text").fill("What makes Git ignore a file?")
    second.get_by_label("Accepted answer 1").fill("a .gitignore entry")
    save.focus()
    page.keyboard.press("Control+s")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    expect(save).to_be_focused()
    assert stored(http, live_server, deck_id)[1]["text"] == "Which file lists what Git must not track?"

    save.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Space")  # focus starts on "Same question"
    expect(dialog.get_by_role("radio", name="Same question — keep its history")).to_be_checked()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Save deck")).to_be_focused()
    page.keyboard.press("Enter")
    saved(page)
    questions = stored(http, live_server, deck_id)
    assert [q["uid"] for q in questions] == ["alpha", fresh]
    assert questions[1]["text"] == "What makes Git ignore a file?"
    assert questions[0]["topics"] == ["Git", "committing"]

    # After a reload the editor compares with what was stored: a typo fix asks nothing.
    page.reload()
    card(page, 2).get_by_label("Question text").fill("What makes Git ignore a file ?")
    page.locator("#save-deck").click()
    saved(page)
    assert stored(http, live_server, deck_id)[1]["uid"] == fresh


def test_two_changed_questions_are_answered_one_by_one(page, live_server):
    from playwright.sync_api import expect

    http = live_server.session()
    deck_id = http.post(f"{live_server.url}/api/decks", json=DECK).json()["id"]
    page.goto(f"{live_server.url}/decks/{deck_id}/edit")
    first = card(page, 1)
    first.get_by_label("Answer 2 Correct", exact=True).check()  # another answer is right now
    card(page, 2).get_by_label("Question type").select_option("single")  # another type
    card(page, 2).get_by_label("Answer 1", exact=True).fill("HEAD")
    card(page, 2).get_by_label("Answer 2", exact=True).fill("main")
    card(page, 2).get_by_label("Answer 1 Correct", exact=True).check()
    page.locator("#save-deck").click()
    dialog = page.get_by_role("dialog", name="Are these still the same questions?")
    expect(dialog.locator("legend")).to_have_text(["Question 1", "Question 2"])
    expect(dialog.locator("fieldset").nth(0)).to_contain_text("the correct answer changed")
    expect(dialog.locator("fieldset").nth(1)).to_contain_text("the question type changed")
    expect(dialog.locator("fieldset").nth(1).locator("tbody tr").nth(1)).to_have_text(
        re.compile(r"Type\s*Type the answer\s*Single choice")
    )
    dialog.locator("fieldset").nth(1).get_by_role("radio", name="New question — start a fresh history").check()
    dialog.get_by_role("button", name="Save deck").click()
    expect(dialog.get_by_role("alert")).to_have_text(re.compile("for Question 1 before saving"))
    same = dialog.locator("fieldset").nth(0).get_by_role("radio", name="Same question — keep its history")
    expect(same).to_be_focused()
    same.check()
    dialog.get_by_role("button", name="Save deck").click()
    saved(page)
    questions = stored(http, live_server, deck_id)
    assert questions[0]["uid"] == "alpha" and questions[0]["choices"][1]["correct"] is True
    assert questions[1]["type"] == "single" and questions[1]["uid"] not in ("alpha", "beta")


def test_plan_questions_ask_too(page, live_server):
    from playwright.sync_api import expect

    http = live_server.session()
    question = {"kind": "question", **DECK["questions"][1]}
    plan = {"title": "Identity plan", "activities": [question]}
    created = http.post(f"{live_server.url}/api/plans", json=plan)
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    page.goto(f"{live_server.url}/plans/{plan_id}/edit")
    expect(page.locator("html")).to_have_attribute("data-editor-ready", "true")
    text = page.locator("#activity-list > li").first.get_by_label("Question text")
    text.fill("Name the pointer to the commit you checked out")  # a small edit: no question
    page.locator("#save-plan").click()
    saved(page)
    activities = http.get(f"{live_server.url}/api/plans/{plan_id}").json()["plan"]["activities"]
    assert activities[0]["uid"] == "beta"

    text.fill("Which branch is the default in a new repository?")
    page.locator("#save-plan").click()
    dialog = page.get_by_role("dialog", name="Is this still the same question?")
    expect(dialog.locator("legend")).to_have_text("Item 1")
    dialog.get_by_role("radio", name="New question — start a fresh history").check()
    dialog.get_by_role("button", name="Save plan").click()
    saved(page)
    activities = http.get(f"{live_server.url}/api/plans/{plan_id}").json()["plan"]["activities"]
    assert activities[0]["uid"] != "beta" and activities[0]["text"].startswith("Which branch")


CASES = """
() => {
  const id = window.quizroom.identity;
  const single = (text, choices, correct) => ({type: "single", text,
    choices: choices.map((t, i) => ({text: t, correct: i === correct}))});
  const q = single("Which command records staged changes?", ["git commit", "git push", "git add"], 0);
  return {
    exact: id.similarity("abcde", "abcdX"),
    below: id.similarity("abcd", "abcX"),
    spaces: id.similarity("  Hello   WORLD ", "hello world"),
    empty: id.similarity("", ""),
    oneEmpty: id.similarity("", "abc"),
    atThreshold: id.meaningChanged(single("abcde", ["a", "b"], 0), single("abcdX", ["a", "b"], 0)),
    underThreshold: id.meaningChanged(single("abcd", ["a", "b"], 0), single("abcX", ["a", "b"], 0)),
    typo: id.meaningChanged(q, single("Which comand records staged changes ?",
                                      ["git comit", "git push", "git add"], 0)),
    reordered: id.meaningChanged(q, single(q.text, ["git add", "git commit", "git push"], 1)),
    otherCorrect: id.differences(q, single(q.text, ["git commit", "git push", "git add"], 2)),
    reorderedOtherCorrect: id.meaningChanged(q, single(q.text, ["git add", "git commit", "git push"], 0)),
    added: id.differences(q, single(q.text, ["git commit", "git push", "git add", "git save"], 0)),
    choiceRewritten: id.meaningChanged(q, single(q.text, ["git commit", "git push", "svn checkout"], 0)),
    typeChanged: id.differences(q, {...q, type: "multi"}),
    tfFlip: id.meaningChanged({type: "truefalse", text: "t", correct: true},
                              {type: "truefalse", text: "t", correct: false}),
    typedCase: id.meaningChanged({type: "typed", text: "t", accepted: ["HEAD", "Café"]},
                                 {type: "typed", text: "t", accepted: [" head ", "cafe", "HEAD"]}),
    typedMore: id.meaningChanged({type: "typed", text: "t", accepted: ["HEAD"]},
                                 {type: "typed", text: "t", accepted: ["HEAD", "the head"]}),
    sliderSame: id.meaningChanged({type: "slider", text: "t", correct: 5}, {type: "slider", text: "t", correct: "5.0"}),
    sliderOther: id.meaningChanged({type: "slider", text: "t", correct: 5}, {type: "slider", text: "t", correct: 6}),
    orderTypo: id.meaningChanged({type: "order", text: "t", items: ["edit a file", "git add", "git commit"]},
                                 {type: "order", text: "t", items: ["edit a flie", "git add", "git commit"]}),
    orderSwapped: id.differences({type: "order", text: "t", items: ["Step 1", "Step 2", "Step 3"]},
                                 {type: "order", text: "t", items: ["Step 2", "Step 1", "Step 3"]}),
    pollReworded: id.meaningChanged({type: "poll", text: "How sure?", choices: [{text: "Very"}, {text: "Not"}]},
                                    {type: "poll", text: "How sure?", choices: [{text: "very"}, {text: "Not"}]}),
  };
}
"""


def test_the_comparison_at_its_boundaries(page, live_server):
    page.goto(f"{live_server.url}/decks/new")
    page.wait_for_function("() => window.quizroom && window.quizroom.identity")
    result = page.evaluate(CASES)
    assert result["exact"] == pytest.approx(0.8) and result["below"] == pytest.approx(0.75)
    assert result["spaces"] == 1 and result["empty"] == 1 and result["oneEmpty"] == 0
    assert result["atThreshold"] is False  # 0.8 is similar enough
    assert result["underThreshold"] is True
    assert result["typo"] is False
    assert result["reordered"] is False  # the same answers in another order, the same one correct
    assert result["otherCorrect"] == ["the correct answer changed"]
    assert result["reorderedOtherCorrect"] is True
    assert result["added"] == ["an answer was added"]
    assert result["choiceRewritten"] is True
    assert result["typeChanged"] == ["the question type changed"]
    assert result["tfFlip"] is True
    assert result["typedCase"] is False  # graded alike: same accepted answers
    assert result["typedMore"] is True
    assert result["sliderSame"] is False and result["sliderOther"] is True
    assert result["orderTypo"] is False
    assert result["orderSwapped"] == ["the correct order changed"]
    assert result["pollReworded"] is False
