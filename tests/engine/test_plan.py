"""Session plan documents: every activity kind, every validation error with its path,
generated uids, the round trip, decks as plans, and single activity specs (snapshots)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizroom.engine import DeckInvalid, parse_deck
from quizroom.engine.board import Board
from quizroom.engine.plan import (
    ACTIVITIES,
    Plan,
    activity_kind,
    activity_label,
    activity_spec,
    deck_as_plan,
    default_survey,
    parse_activity,
    parse_plan,
)
from quizroom.engine.polls import Poll
from quizroom.engine.questions import ChoiceQuestion, OrderQuestion
from quizroom.engine.survey import Survey

from .helpers import deck_doc, multi, order, poll, single, slider, truefalse, typed


def question(spec: dict) -> dict:
    return {"kind": "question", **spec}


def every_kind() -> dict:
    return {
        "format": "quizroom.plan",
        "version": 1,
        "title": "Onboarding workshop",
        "description": "Day one",
        "activities": [
            {"kind": "poll", "uid": "p1", "type": "single", "text": "Coffee or tea?", "options": ["Coffee", "Tea"]},
            {
                "kind": "poll",
                "uid": "p2",
                "type": "multi",
                "text": "Which tools?",
                "options": ["a", "b", "c"],
                "allow_change": False,
            },
            {"kind": "poll", "uid": "p3", "type": "wordcloud", "text": "One word", "max_entries": 2},
            {"kind": "poll", "uid": "p4", "type": "rating", "text": "Energy?", "scale": 10, "anonymous": False},
            {
                "kind": "poll",
                "uid": "p5",
                "type": "open",
                "text": "Questions?",
                "max_entries": 5,
                "moderation": "approve",
                "hide_results": True,
            },
            {"kind": "poll", "uid": "p6", "type": "ranking", "text": "Priorities", "options": ["x", "y", "z"]},
            {
                "kind": "board",
                "uid": "b1",
                "prompt": "What slows our releases down?",
                "columns": ["Process", "Tools"],
                "note_limit": 5,
                "votes": 3,
            },
            {"kind": "board", "uid": "b2", "prompt": "Ideas"},
            question(single("q1")),
            question(multi("q2")),
            question(truefalse("q3")),
            question(typed("q4")),
            question(slider("q5")),
            question(order("q6", display=[2, 0, 3, 1])),
            question(poll("q7")),
            default_survey("s1"),
        ],
    }


def errors_of(document, parse=parse_plan) -> dict[str, str]:
    with pytest.raises(DeckInvalid) as caught:
        parse(document)
    assert caught.value.errors, "DeckInvalid without errors"
    assert all(set(e) == {"path", "message"} for e in caught.value.errors)
    return {e["path"]: e["message"] for e in caught.value.errors}


def with_activity(spec: dict) -> dict:
    return {"title": "Plan", "activities": [spec]}


# ------------------------------------------------------------------ valid plans
def test_a_plan_with_every_kind_parses():
    plan = parse_plan(every_kind())
    assert (plan.title, plan.description) == ("Onboarding workshop", "Day one")
    kinds = [activity_kind(a) for a in plan.activities]
    assert kinds == ["poll"] * 6 + ["board"] * 2 + ["question"] * 7 + ["survey"]
    assert [a.uid for a in plan.activities] == [
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
        "p6",
        "b1",
        "b2",
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "q6",
        "q7",
        "s1",
    ]
    p5 = plan.activities[4]
    assert isinstance(p5, Poll) and (p5.type, p5.max_entries, p5.moderation, p5.hide_results) == (
        "open",
        5,
        "approve",
        True,
    )
    b1 = plan.activities[6]
    assert isinstance(b1, Board) and b1.columns == ("Process", "Tools") and b1.note_limit == 5
    assert isinstance(plan.activities[8], ChoiceQuestion) and plan.activities[8].kind == "single"
    assert isinstance(plan.activities[13], OrderQuestion) and plan.activities[13].display == (2, 0, 3, 1)
    assert isinstance(plan.activities[15], Survey)
    assert len(plan.questions) == 7
    assert [activity_label(a) for a in plan.activities[:1] + plan.activities[6:9] + plan.activities[15:]] == [
        "Coffee or tea?",
        "What slows our releases down?",
        "Ideas",
        "Single q1?",
        "How was today?",
    ]


def test_round_trip_to_document_and_back():
    plan = parse_plan(every_kind())
    document = plan.to_document()
    assert document["format"] == "quizroom.plan" and document["version"] == 1
    assert all(a["kind"] in ("poll", "board", "question", "survey") for a in document["activities"])
    again = parse_plan(copy.deepcopy(document))
    assert again == plan
    assert again.to_document() == document


def test_uids_are_generated_when_missing():
    document = every_kind()
    for activity in document["activities"]:
        activity.pop("uid")
    plan = parse_plan(document)
    prefixes = [a.uid[:2] for a in plan.activities]
    assert prefixes == ["p_"] * 6 + ["b_"] * 2 + ["q_"] * 7 + ["s_"]
    assert len({a.uid for a in plan.activities}) == len(plan.activities)
    names = iter(f"gen{i}" for i in range(100))
    assert [a.uid for a in parse_plan(document, uid_factory=names.__next__).activities] == [
        f"gen{i}" for i in range(16)
    ]


def test_minimal_specs_take_the_defaults():
    plan = parse_plan(
        {
            "title": "  Short  ",
            "activities": [
                {"kind": "poll", "type": "wordcloud", "text": "Word?"},
                {"kind": "board", "prompt": "Ideas?"},
            ],
        }
    )
    assert plan.title == "Short" and plan.description == ""
    cloud, board = plan.activities
    assert (cloud.max_entries, cloud.anonymous, cloud.allow_change, cloud.hide_results, cloud.moderation) == (
        3,
        True,
        True,
        False,
        "none",
    )
    assert (board.columns, board.note_limit, board.votes, board.multiple_votes, board.anonymous) == (
        (),
        0,
        3,
        False,
        True,
    )


def test_fields_that_do_not_apply_to_a_type_are_ignored_and_dropped():
    spec = {
        "kind": "poll",
        "uid": "p",
        "type": "rating",
        "text": "Rate",
        "options": 5,
        "max_entries": "x",
        "moderation": "nope",
    }
    activity = parse_activity(spec)
    assert activity.to_spec() == {
        "kind": "poll",
        "uid": "p",
        "type": "rating",
        "text": "Rate",
        "scale": 5,
        "anonymous": True,
        "allow_change": True,
        "hide_results": False,
    }


def test_option_texts_may_be_objects_like_deck_choices():
    activity = parse_activity({"kind": "poll", "type": "single", "text": "?", "options": [{"text": "a"}, "b"]})
    assert activity.options == ("a", "b")


def test_a_deck_as_a_plan():
    deck = parse_deck(deck_doc(single("a"), typed("b"), title="Quiz"))
    plan = deck_as_plan(deck)
    assert plan == Plan(title="Quiz", description="", activities=deck.questions)
    assert [activity_kind(a) for a in plan.activities] == ["question", "question"]
    assert parse_plan(plan.to_document()) == plan


def test_parse_activity_reads_specs_and_bare_questions():
    plan = parse_plan(every_kind())
    for activity in plan.activities:
        assert parse_activity(activity_spec(activity)) == activity
    bare = single("old")  # a room snapshot from before plans: questions without "kind"
    assert parse_activity(bare) == parse_deck(deck_doc(bare)).questions[0]
    assert errors_of({"kind": "poll", "type": "single", "text": "", "options": ["a"]}, parse_activity) == {
        "text": "text is empty",
        "options": "needs 2 to 10 entries",
    }
    assert errors_of("poll", parse_activity) == {"": "an activity is an object"}


# ------------------------------------------------------------- document errors
@pytest.mark.parametrize("document", [None, [], "plan", 5])
def test_a_plan_must_be_an_object(document):
    assert errors_of(document) == {"": "a plan is a JSON object"}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"format": "quizroom.deck"}, "format"),
        ({"version": 2}, "version"),
        ({"version": True}, "version"),
        ({"version": "1"}, "version"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": "t" * 121}, "title"),
        ({"description": "d" * 1001}, "description"),
        ({"description": 5}, "description"),
        ({"activities": None}, "activities"),
        ({"activities": {"0": {}}}, "activities"),
        ({"activities": []}, "activities"),
    ],
)
def test_document_errors(change, path):
    document = every_kind()
    document.update(change)
    assert path in errors_of(document)


def test_one_to_a_hundred_activities():
    spec = {"kind": "board", "prompt": "p"}
    assert len(parse_plan({"title": "T", "activities": [spec] * ACTIVITIES[1]}).activities) == ACTIVITIES[1]
    assert errors_of({"title": "T", "activities": [spec] * (ACTIVITIES[1] + 1)}) == {
        "activities": "needs 1 to 100 activities"
    }


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ("an activity", "activities.0"),
        ({"kind": "video"}, "activities.0.kind"),
        ({"prompt": "no kind"}, "activities.0.kind"),
        ({"kind": ["poll"]}, "activities.0.kind"),
        # polls
        ({"kind": "poll", "type": "quiz", "text": "?"}, "activities.0.type"),
        ({"kind": "poll", "type": True, "text": "?"}, "activities.0.type"),
        ({"kind": "poll", "text": "?"}, "activities.0.type"),
        ({"kind": "poll", "type": "rating", "text": ""}, "activities.0.text"),
        ({"kind": "poll", "type": "rating", "text": "t" * 301}, "activities.0.text"),
        ({"kind": "poll", "type": "rating", "text": "?", "uid": "bad uid"}, "activities.0.uid"),
        ({"kind": "poll", "type": "rating", "text": "?", "uid": "u" * 41}, "activities.0.uid"),
        ({"kind": "poll", "type": "rating", "text": "?", "uid": "ünï"}, "activities.0.uid"),
        ({"kind": "poll", "type": "single", "text": "?"}, "activities.0.options"),
        ({"kind": "poll", "type": "single", "text": "?", "options": ["a"]}, "activities.0.options"),
        (
            {"kind": "poll", "type": "multi", "text": "?", "options": [str(i) for i in range(11)]},
            "activities.0.options",
        ),
        ({"kind": "poll", "type": "ranking", "text": "?", "options": "a,b"}, "activities.0.options"),
        ({"kind": "poll", "type": "single", "text": "?", "options": ["a", ""]}, "activities.0.options.1"),
        ({"kind": "poll", "type": "single", "text": "?", "options": ["a", "o" * 121]}, "activities.0.options.1"),
        ({"kind": "poll", "type": "rating", "text": "?", "scale": 7}, "activities.0.scale"),
        ({"kind": "poll", "type": "rating", "text": "?", "scale": "5"}, "activities.0.scale"),
        ({"kind": "poll", "type": "rating", "text": "?", "scale": True}, "activities.0.scale"),
        ({"kind": "poll", "type": "wordcloud", "text": "?", "max_entries": 4}, "activities.0.max_entries"),
        ({"kind": "poll", "type": "wordcloud", "text": "?", "max_entries": 0}, "activities.0.max_entries"),
        ({"kind": "poll", "type": "open", "text": "?", "max_entries": 6}, "activities.0.max_entries"),
        ({"kind": "poll", "type": "open", "text": "?", "max_entries": 2.0}, "activities.0.max_entries"),
        ({"kind": "poll", "type": "open", "text": "?", "moderation": "pre"}, "activities.0.moderation"),
        ({"kind": "poll", "type": "open", "text": "?", "anonymous": "no"}, "activities.0.anonymous"),
        ({"kind": "poll", "type": "rating", "text": "?", "allow_change": 1}, "activities.0.allow_change"),
        ({"kind": "poll", "type": "rating", "text": "?", "hide_results": None}, "activities.0.hide_results"),
        # boards
        ({"kind": "board"}, "activities.0.prompt"),
        ({"kind": "board", "prompt": "p" * 301}, "activities.0.prompt"),
        ({"kind": "board", "prompt": "p", "uid": 5}, "activities.0.uid"),
        ({"kind": "board", "prompt": "p", "columns": "a,b"}, "activities.0.columns"),
        ({"kind": "board", "prompt": "p", "columns": list("abcdefg")}, "activities.0.columns"),
        ({"kind": "board", "prompt": "p", "columns": ["a", "c" * 41]}, "activities.0.columns.1"),
        ({"kind": "board", "prompt": "p", "columns": [""]}, "activities.0.columns.0"),
        ({"kind": "board", "prompt": "p", "note_limit": -1}, "activities.0.note_limit"),
        ({"kind": "board", "prompt": "p", "note_limit": 101}, "activities.0.note_limit"),
        ({"kind": "board", "prompt": "p", "votes": 0}, "activities.0.votes"),
        ({"kind": "board", "prompt": "p", "votes": 21}, "activities.0.votes"),
        ({"kind": "board", "prompt": "p", "votes": "3"}, "activities.0.votes"),
        ({"kind": "board", "prompt": "p", "multiple_votes": "yes"}, "activities.0.multiple_votes"),
        ({"kind": "board", "prompt": "p", "anonymous": 0}, "activities.0.anonymous"),
        # surveys
        ({"kind": "survey", "items": [{"id": "a", "type": "text", "text": "?"}]}, "activities.0.title"),
        ({"kind": "survey", "title": "S"}, "activities.0.items"),
        ({"kind": "survey", "title": "S", "items": []}, "activities.0.items"),
        (
            {
                "kind": "survey",
                "title": "S",
                "items": [{"id": f"i{i}", "type": "text", "text": "?"} for i in range(11)],
            },
            "activities.0.items",
        ),
        ({"kind": "survey", "title": "S", "items": ["rate me"]}, "activities.0.items.0"),
        ({"kind": "survey", "title": "S", "items": [{"type": "text", "text": "?"}]}, "activities.0.items.0.id"),
        (
            {"kind": "survey", "title": "S", "items": [{"id": "a b", "type": "text", "text": "?"}]},
            "activities.0.items.0.id",
        ),
        (
            {
                "kind": "survey",
                "title": "S",
                "items": [{"id": "a", "type": "text", "text": "?"}, {"id": "a", "type": "text", "text": "?"}],
            },
            "activities.0.items.1.id",
        ),
        (
            {"kind": "survey", "title": "S", "items": [{"id": "a", "type": "stars", "text": "?"}]},
            "activities.0.items.0.type",
        ),
        (
            {"kind": "survey", "title": "S", "items": [{"id": "a", "type": "text", "text": ""}]},
            "activities.0.items.0.text",
        ),
        (
            {"kind": "survey", "title": "S", "items": [{"id": "a", "type": "rating", "text": "?", "scale": 3}]},
            "activities.0.items.0.scale",
        ),
        (
            {"kind": "survey", "title": "S", "anonymous": "yes", "items": [{"id": "a", "type": "text", "text": "?"}]},
            "activities.0.anonymous",
        ),
        # questions: deck.py's rules, with the activity's path
        (question(single(text="")), "activities.0.text"),
        (question(single(time_limit=4)), "activities.0.time_limit"),
        (question(single(uid="bad uid")), "activities.0.uid"),
        (question({"type": "essay", "text": "?"}), "activities.0.type"),
        (question(multi(correct=())), "activities.0.choices"),
        (question(slider(correct=500)), "activities.0.correct"),
    ],
)
def test_activity_errors(spec, path):
    assert path in errors_of(with_activity(spec))


def test_a_choice_error_in_a_question_has_its_full_path():
    spec = question(single())
    spec["choices"][2]["text"] = ""
    assert "activities.0.choices.2" in errors_of(with_activity(spec))


def test_uids_are_unique_across_kinds():
    document = {
        "title": "T",
        "activities": [
            {"kind": "poll", "uid": "same", "type": "rating", "text": "?"},
            question(single("same")),
            {"kind": "board", "uid": "same", "prompt": "p"},
        ],
    }
    assert errors_of(document) == {
        "activities.1.uid": "is used by another activity",
        "activities.2.uid": "is used by another activity",
    }


def test_every_error_is_listed_with_its_path():
    document = {
        "format": "quizroom.plan",
        "version": 1,
        "title": "",
        "activities": [
            {"kind": "poll", "type": "single", "text": "ok", "options": ["a", "b"]},
            {"kind": "poll", "type": "single", "text": "", "options": ["a", ""], "anonymous": "x"},
            {"kind": "board", "prompt": "", "columns": ["ok", ""], "votes": 50},
            question({"type": "single", "text": "Q", "time_limit": 1, "choices": [{"text": "a"}, {"text": "b"}]}),
            {"kind": "survey", "title": "S", "items": [{"id": "a", "type": "rating", "text": "?", "scale": 4}]},
            {"kind": "nope"},
        ],
    }
    assert set(errors_of(document)) == {
        "title",
        "activities.1.text",
        "activities.1.options.1",
        "activities.1.anonymous",
        "activities.2.prompt",
        "activities.2.columns.1",
        "activities.2.votes",
        "activities.3.time_limit",
        "activities.3.choices",
        "activities.4.items.0.scale",
        "activities.5.kind",
    }


def test_text_is_cleaned_of_control_characters():
    plan = parse_plan(
        with_activity({"kind": "board", "prompt": "What\u202e slows\x00 us?\n", "columns": ["  To   do "]})
    )
    assert plan.activities[0].prompt == "What slows us?" and plan.activities[0].columns == ("To do",)


# --------------------------------------------------------------- properties
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
FIELDS = [
    "kind",
    "uid",
    "type",
    "text",
    "options",
    "scale",
    "max_entries",
    "anonymous",
    "allow_change",
    "hide_results",
    "moderation",
    "prompt",
    "columns",
    "note_limit",
    "votes",
    "multiple_votes",
    "title",
    "items",
    "choices",
    "time_limit",
    "points",
]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_document_parses_or_lists_errors(data):
    """Arbitrary JSON in any field: a Plan or DeckInvalid, never another exception; a Plan
    survives the round trip."""
    base = copy.deepcopy(every_kind())
    for _ in range(data.draw(st.integers(0, 4))):
        index = data.draw(st.integers(0, len(base["activities"]) - 1))
        base["activities"][index][data.draw(st.sampled_from(FIELDS))] = data.draw(json_values)
    survey_items = base["activities"][-1].get("items")
    if data.draw(st.booleans()) and isinstance(survey_items, list) and survey_items:
        target = survey_items[data.draw(st.integers(0, len(survey_items) - 1))]
        if isinstance(target, dict):
            target[data.draw(st.sampled_from(["id", "type", "text", "scale"]))] = data.draw(json_values)
    if data.draw(st.booleans()):
        base[data.draw(st.sampled_from(["title", "description", "version", "format", "activities"]))] = data.draw(
            json_values
        )
    try:
        plan = parse_plan(base)
    except DeckInvalid as invalid:
        assert invalid.errors and all(set(e) == {"path", "message"} for e in invalid.errors)
        return
    assert parse_plan(plan.to_document()) == plan
