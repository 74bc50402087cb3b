"""The change summary between two versions of a deck (quizroom/versions.py ``diff``): pure,
following each question by its uid."""

from __future__ import annotations

import copy

from quizroom.versions import diff, summary


def question(uid: str, text: str | None = None, **fields) -> dict:
    base = {
        "uid": uid,
        "type": "single",
        "text": text or f"Question {uid}?",
        "time_limit": 20,
        "points": 1000,
        "choices": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}],
    }
    base.update(fields)
    return base


def deck(*questions: dict, title: str = "Deck", description: str = "") -> dict:
    return {
        "format": "quizroom.deck",
        "version": 1,
        "title": title,
        "description": description,
        "questions": list(questions),
    }


def kinds(changes: list[dict]) -> list[tuple]:
    return sorted((c["change"], c.get("uid", "")) for c in changes)


def test_a_new_deck_has_no_changes_and_an_unchanged_one_neither():
    old = deck(question("a"), question("b"))
    assert diff(None, old) == []
    assert diff(old, copy.deepcopy(old)) == []
    assert summary([]) == "no changes to the questions"


def test_added_and_removed_questions_are_named_with_their_positions():
    old = deck(question("a"), question("b"), question("c"))
    new = deck(question("a"), question("c"), question("d", "Brand new?"))
    changes = diff(old, new)
    assert kinds(changes) == [("added", "d"), ("removed", "b")]
    added = next(c for c in changes if c["change"] == "added")
    removed = next(c for c in changes if c["change"] == "removed")
    assert (added["text"], added["position"]) == ("Brand new?", 3)
    assert (removed["text"], removed["position"]) == ("Question b?", 2)
    assert summary(changes) == "1 added; 1 removed"  # c did not "move": only b left from before it


def test_a_typo_fix_keeps_the_uid_and_is_an_edit_not_a_new_question():
    old = deck(question("a", "Wich command commits?"), question("b"))
    new = deck(question("a", "Which command commits?"), question("b"))
    changes = diff(old, new)
    assert changes == [
        {
            "change": "edited",
            "uid": "a",
            "text": "Which command commits?",
            "fields": ["text"],
            "old_text": "Wich command commits?",
        }
    ]
    assert summary(changes) == "1 edited"


def test_each_edited_field_is_named():
    old = deck(question("a"), question("b"), question("c"), question("d"))
    new = deck(
        question("a", choices=[{"text": "right", "correct": False}, {"text": "wrong", "correct": True}]),
        question("b", type="multi", time_limit=30),
        question("c", points=2000, topics=["Git"]),
        question("d", image="https://example.org/x.png"),
    )
    fields = {c["uid"]: c["fields"] for c in diff(old, new)}
    assert fields == {"a": ["answers"], "b": ["type", "time"], "c": ["points", "topics"], "d": ["image"]}
    assert all("old_text" not in c for c in diff(old, new))


def test_answers_cover_every_type_specific_field():
    old = deck(question("s", type="slider", min=0, max=10, step=1, correct=5, tolerance=0, unit=""))
    new = deck(question("s", type="slider", min=0, max=10, step=1, correct=5, tolerance=1, unit=""))
    assert diff(old, new)[0]["fields"] == ["answers"]
    old = deck(question("o", type="order", items=["a", "b"]))
    new = deck(question("o", type="order", items=["b", "a"]))
    assert diff(old, new)[0]["fields"] == ["answers"]


def test_a_moved_question_is_the_one_that_moved_not_everything_after_it():
    a, b, c, d, e = (question(x) for x in "abcde")
    changes = diff(deck(a, b, c, d, e), deck(a, c, d, e, b))  # b went to the end
    assert changes == [{"change": "moved", "uid": "b", "text": "Question b?", "from": 2, "to": 5}]
    assert summary(changes) == "1 moved"


def test_swapping_two_neighbours_is_one_move():
    a, b, c = (question(x) for x in "abc")
    moved = [c for c in diff(deck(a, b, c), deck(b, a, c)) if c["change"] == "moved"]
    assert len(moved) == 1 and moved[0]["uid"] in ("a", "b")


def test_an_insertion_does_not_count_as_moving_the_questions_after_it():
    a, b, c = (question(x) for x in "abc")
    changes = diff(deck(a, b, c), deck(question("new"), a, b, c))
    assert kinds(changes) == [("added", "new")]


def test_title_and_description_changes():
    old = deck(question("a"), title="Git basics", description="")
    new = deck(question("a"), title="Git basics, part 1", description="Warm-up")
    changes = diff(old, new)
    assert changes == [
        {"change": "title", "old": "Git basics", "new": "Git basics, part 1"},
        {"change": "description", "old": "", "new": "Warm-up"},
    ]
    assert summary(changes) == "title changed; description changed"


def test_questions_without_uids_fall_back_to_their_position():
    old = deck({"type": "truefalse", "text": "Yes?", "correct": True})
    new = deck({"type": "truefalse", "text": "Yes?", "correct": False})
    assert diff(old, new) == [{"change": "edited", "uid": "#0", "text": "Yes?", "fields": ["answers"]}]


def test_everything_at_once_is_summarised_in_a_fixed_order():
    old = deck(question("a"), question("b"), question("c"), title="Old")
    new = deck(question("c"), question("a", "Changed?"), question("d"), title="New")
    assert summary(diff(old, new)) == "title changed; 1 added; 1 removed; 1 edited; 1 moved"
