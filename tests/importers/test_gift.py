"""GIFT (Moodle's text format): a sample with every kind quizroom can play, and refused kinds."""

from __future__ import annotations

import pytest

from quizroom.importers import read
from tests.importers.helpers import sample
from tests.importers.test_kahoot import messages

EXPECTED = [
    {
        "text": "Which command records staged changes in the repository?",
        "type": "single",
        "choices": [
            {"text": "git commit", "correct": True},
            {"text": "git push", "correct": False},  # its #feedback is dropped
            {"text": "git add", "correct": False},
            {"text": "git save", "correct": False},
        ],
        "topics": ["Committing"],
    },
    {
        "text": "Which of these talk to a remote repository?",
        "type": "multi",  # positive %weights are the correct answers
        "choices": [
            {"text": "git fetch", "correct": True},
            {"text": "git push", "correct": True},
            {"text": "git status", "correct": False},
        ],
        "topics": ["Committing"],
    },
    {"text": "git rebase rewrites commit history.", "type": "truefalse", "correct": True, "topics": ["History"]},
    {"text": "A commit can have more than one parent.", "type": "truefalse", "correct": True, "topics": ["History"]},
    {
        "text": "git reset --hard keeps your uncommitted changes.",
        "type": "truefalse",
        "correct": False,
        "topics": ["History"],
    },
    {
        "text": "What is the name of the pointer to the commit you have checked out?",
        "type": "typed",
        "accepted": ["HEAD", "the HEAD"],
        "topics": ["History"],
    },
    {
        "text": "In which year was Git first released?",
        "type": "slider",
        "min": 1995,
        "max": 2015,
        "step": 1,
        "correct": 2005,
        "tolerance": 1,
        "topics": ["History"],
    },
    {
        "text": "How many bytes long is a SHA-1 hash?",
        "type": "slider",
        "min": 10,
        "max": 30,
        "step": 1,
        "correct": 20,
        "tolerance": 1,
        "topics": ["History"],
    },
    {
        "text": "The command git _____ records a snapshot.",
        "type": "single",
        "choices": [
            {"text": "push", "correct": False},
            {"text": "commit", "correct": True},
            {"text": "status", "correct": False},
        ],
        "topics": ["History"],
    },
    {
        "text": "What does 1 = 1 mean in a Git config file? Escapes: {braces}, ~tilde, #hash, a: colon.",
        "type": "single",
        "choices": [
            {"text": "nothing special = just text", "correct": True},
            {"text": "a merge conflict", "correct": False},
        ],
        "topics": ["History"],
    },
]


def gift(text: str) -> tuple[dict | None, list[dict]]:
    return read("gift", text.encode("utf-8"), "q.gift")


def test_the_sample_becomes_a_deck():
    document, errors = read("gift", sample("git-basics.gift"), "git-basics.gift")
    assert errors == []
    assert document["title"] == "git-basics"
    assert document["questions"] == EXPECTED


def test_every_refused_question_is_named_by_number_and_line():
    document, errors = read("gift", sample("malformed.gift"), "malformed.gift")
    assert document is None
    assert messages(errors) == [
        "Question 2 “matching” (line 5): matching questions are not supported",
        "Question 3 “essay” (line 10): essay questions are not supported: there is no answer to check",
        "Question 4 (line 12): has no answer block {…}: descriptions (text without answers) are not imported",
        "Question 5 “no right” (line 14): no answer is right: mark one with = (or a positive %weight%)",
        "Question 6 “unclosed” (line 16): the answer block is not closed: “{” without “}”",
        "Question 7 “number” (line 18): “lots” is not a number",
        "Question 8 “one choice” (line 20) › answer 2: text is empty",
        "Category (line 22): “Tools, tips and tricks” cannot be a topic: it contains a comma",
        "Question 9 (line 24): the title ::…:: is not closed",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pi? {#3.14:0.005}", {"min": 3.09, "max": 3.19, "step": 0.001, "correct": 3.14, "tolerance": 0.005}),
        ("Year? {#=2005:0 =%50%2004:1}", {"min": 1995, "max": 2015, "step": 1, "correct": 2005, "tolerance": 0}),
        ("Half? {#0.5}", {"min": -0.5, "max": 1.5, "step": 0.1, "correct": 0.5, "tolerance": 0}),
    ],
)
def test_numeric_answers_become_a_slider_around_the_value(text, expected):
    document, errors = gift(text)
    assert errors == []
    assert document["questions"][0] == {"text": text.split(" {")[0], "type": "slider", **expected}


def test_html_and_general_feedback():
    document, errors = gift("[html]<p>Is <b>th</b>is &amp; that<br>bold?</p>{T####Both are.}")
    assert errors == []
    assert document["questions"] == [{"text": "Is this & that bold?", "type": "truefalse", "correct": True}]


def test_cloze_is_refused():
    _, errors = gift("One {=a ~b} and two {=c ~d}.")
    assert messages(errors) == [
        "Question 1 (line 1): has more than one answer block: embedded answers (Cloze) are not supported"
    ]


def test_not_utf8():
    _, errors = read("gift", "Café? {T}".encode("cp1252"), "latin.gift")
    assert messages(errors) == ["the file is not UTF-8 text (line 1): save the GIFT file as UTF-8"]
