"""Deck documents: every validation error (with its path), defaults, and the round trip."""

from __future__ import annotations

import copy
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizroom.engine import DeckInvalid, parse_deck
from quizroom.engine.deck import QUESTIONS_MAX
from quizroom.engine.plan import parse_plan
from quizroom.engine.questions import TOPIC_MAX, TOPICS_MAX, topic_key

from .helpers import Game, deck_doc, multi, order, poll, single, slider, truefalse, typed, walk


def every_type() -> dict:
    return deck_doc(
        single("s1", correct=2, time_limit=5, points=2000, image="/uploads/abc.png", topics=["Git", "history"]),
        multi("m1", correct=(0, 2), n=6, time_limit=240),
        truefalse("tf1", correct=False, points=0),
        typed("t1", accepted=("Paris", "Lutèce")),
        slider("sl1", correct=12.5, tolerance=2.5, low=-20, high=20.5, unit="°C"),
        order("o1", items=("a", "b", "c"), display=[2, 0, 1]),
        order("o2", items=("x", "y")),
        poll("p1", n=2, multiple=True),
        title="Every type",
    )


def errors_of(document) -> dict[str, str]:
    with pytest.raises(DeckInvalid) as caught:
        parse_deck(document)
    assert caught.value.errors, "DeckInvalid without errors"
    return {e["path"]: e["message"] for e in caught.value.errors}


def with_question(spec: dict) -> dict:
    return deck_doc(spec)


# ------------------------------------------------------------------- valid decks
def test_a_deck_with_every_type_parses():
    deck = parse_deck(every_type())
    assert deck.title == "Every type"
    assert [q.kind for q in deck.questions] == [
        "single",
        "multi",
        "truefalse",
        "typed",
        "slider",
        "order",
        "order",
        "poll",
    ]
    s1, m1, tf1, t1, sl1, o1, _o2, p1 = deck.questions
    assert (s1.time_limit, s1.points, s1.image) == (5, 2000, "/uploads/abc.png")
    assert s1.correct == {2}
    assert m1.correct == {0, 2} and m1.time_limit == 240 and len(m1.choices) == 6
    assert tf1.correct == {1} and tf1.points == 0
    assert t1.accepted == ("Paris", "Lutèce")
    assert (sl1.minimum, sl1.maximum, sl1.target, sl1.tolerance, sl1.unit) == (-20, 20.5, 12.5, 2.5, "°C")
    assert o1.display == (2, 0, 1)
    assert p1.points == 0 and p1.multiple


def test_defaults_and_generated_uids():
    deck = parse_deck(
        {
            "title": "  Minimal   deck ",
            "questions": [{"type": "single", "text": "Q?", "choices": [{"text": "a", "correct": True}, {"text": "b"}]}],
        },
        uid_factory=iter(["q_generated"]).__next__,
    )
    question = deck.questions[0]
    assert deck.title == "Minimal deck" and deck.description == ""
    assert (question.uid, question.time_limit, question.points) == ("q_generated", 20, 1000)


def test_an_empty_deck_is_valid_as_a_draft():
    assert parse_deck({"title": "Draft"}).questions == ()


@pytest.mark.parametrize("time_limit", [5, 240])
def test_time_limit_bounds_accepted(time_limit):
    assert parse_deck(with_question(single(time_limit=time_limit))).questions[0].time_limit == time_limit


@pytest.mark.parametrize("points", [0, 1000, 2000])
def test_point_levels_accepted(points):
    assert parse_deck(with_question(single(points=points))).questions[0].points == points


def test_poll_points_are_always_zero():
    assert parse_deck(with_question(poll(points=2000))).questions[0].points == 0
    assert parse_deck(with_question(poll(points="lots"))).questions[0].points == 0


def test_image_urls_accepted():
    for image in ("https://example.com/a.png", "http://example.com/a.png", "/uploads/x.png", "", None):
        parse_deck(with_question(single(image=image)))


# -------------------------------------------------------------- document errors
@pytest.mark.parametrize("document", [None, [], "deck", 5, True])
def test_a_deck_must_be_an_object(document):
    assert errors_of(document) == {"": "a deck is a JSON object"}


@pytest.mark.parametrize("version", [2, 0, "1", None, True, 1.0, 1.5, [1]])
def test_bad_versions_are_rejected(version):
    document = every_type()
    document["version"] = version
    assert "version" in errors_of(document)


def test_format_must_be_ours():
    document = every_type()
    document["format"] = "kahoot"
    assert "format" in errors_of(document)


@pytest.mark.parametrize(
    ("title", "fails"), [(None, True), ("", True), ("   ", True), (5, True), ("x" * 121, True), ("x" * 120, False)]
)
def test_title(title, fails):
    document = every_type()
    document["title"] = title
    if fails:
        assert "title" in errors_of(document)
    else:
        parse_deck(document)


def test_description_must_be_text_and_short():
    document = every_type()
    document["description"] = 5
    assert "description" in errors_of(document)
    document["description"] = "d" * 1001
    assert "description" in errors_of(document)
    document["description"] = "d" * 1000
    assert parse_deck(document).description == "d" * 1000


@pytest.mark.parametrize("questions", ["many", 5, {"0": {}}])
def test_questions_must_be_a_list(questions):
    assert errors_of({"title": "T", "questions": questions}) == {"questions": "must be a list"}


def test_too_many_questions():
    document = deck_doc(*[single(f"q{i}") for i in range(QUESTIONS_MAX + 1)], title="Big")
    assert "questions" in errors_of(document)
    document["questions"].pop()
    assert len(parse_deck(document).questions) == QUESTIONS_MAX


# -------------------------------------------------------------- question errors
@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ("not an object", "questions.0"),
        ({"type": "essay", "text": "Q?"}, "questions.0.type"),
        ({"text": "Q?"}, "questions.0.type"),
        (single(uid="has space"), "questions.0.uid"),
        (single(uid="u" * 41), "questions.0.uid"),
        (single(uid=5), "questions.0.uid"),
        (single(uid="<script>"), "questions.0.uid"),
        (single(text=None), "questions.0.text"),
        (single(text=""), "questions.0.text"),
        (single(text="x" * 301), "questions.0.text"),
        (single(text=["Q?"]), "questions.0.text"),
        (single(time_limit=4), "questions.0.time_limit"),
        (single(time_limit=241), "questions.0.time_limit"),
        (single(time_limit=0), "questions.0.time_limit"),
        (single(time_limit=20.5), "questions.0.time_limit"),
        (single(time_limit="20"), "questions.0.time_limit"),
        (single(time_limit=True), "questions.0.time_limit"),
        (single(time_limit=None), "questions.0.time_limit"),
        (single(points=500), "questions.0.points"),
        (single(points=1500), "questions.0.points"),
        (single(points=-1000), "questions.0.points"),
        (single(points="1000"), "questions.0.points"),
        (single(points=True), "questions.0.points"),
        (single(points=1000.0), "questions.0.points"),
        (single(points=None), "questions.0.points"),
        (single(image="javascript:alert(1)"), "questions.0.image"),
        (single(image="data:image/png;base64,AAAA"), "questions.0.image"),
        (single(image="https://example.com/" + "a" * 500), "questions.0.image"),
        (single(image=5), "questions.0.image"),
    ],
)
def test_question_errors(spec, path):
    assert path in errors_of(with_question(spec))


def test_single_needs_exactly_one_correct_choice():
    two = single()
    two["choices"][1]["correct"] = True
    assert errors_of(with_question(two)) == {"questions.0.choices": "mark exactly one choice correct"}
    none = single()
    none["choices"][0]["correct"] = False
    assert "questions.0.choices" in errors_of(with_question(none))
    truthy = single()
    truthy["choices"][0]["correct"] = "yes"  # only a real true counts
    assert "questions.0.choices" in errors_of(with_question(truthy))


@pytest.mark.parametrize("kind", ["single", "multi", "poll"])
@pytest.mark.parametrize("n", [0, 1, 7])
def test_two_to_six_choices(kind, n):
    spec = {"single": single, "multi": multi, "poll": poll}[kind](n=n)
    if kind == "multi":
        spec["choices"] = [{"text": f"c{i}", "correct": i == 0} for i in range(n)]
    assert "questions.0.choices" in errors_of(with_question(spec))


@pytest.mark.parametrize("choices", [None, "a,b", 5, True, {"a": 1}])
def test_choices_must_be_a_list(choices):
    spec = single()
    spec["choices"] = choices
    assert "questions.0.choices" in errors_of(with_question(spec))


@pytest.mark.parametrize("text", ["", "   ", None, 5, "x" * 121])
def test_choice_text(text):
    spec = single()
    spec["choices"][2]["text"] = text
    assert "questions.0.choices.2" in errors_of(with_question(spec))


def test_choices_may_be_plain_strings_for_polls():
    spec = {"type": "poll", "text": "Mood?", "choices": ["good", "bad"]}
    assert parse_deck(with_question(spec)).questions[0].choices == ("good", "bad")


def test_multi_needs_a_correct_choice():
    spec = multi(correct=())
    assert errors_of(with_question(spec)) == {"questions.0.choices": "mark at least one choice correct"}


@pytest.mark.parametrize("correct", [None, "true", 1, 0])
def test_truefalse_needs_a_boolean(correct):
    assert "questions.0.correct" in errors_of(with_question(truefalse(correct=correct)))


def test_poll_multiple_must_be_boolean():
    assert "questions.0.multiple" in errors_of(with_question(poll(multiple="yes")))


@pytest.mark.parametrize("accepted", [[], [""], ["x" * 101], [f"a{i}" for i in range(11)], "Paris", None, [5]])
def test_typed_accepted_spellings(accepted):
    spec = typed()
    spec["accepted"] = accepted
    errors = errors_of(with_question(spec))
    assert any(path.startswith("questions.0.accepted") for path in errors), errors


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"min": 10, "max": 10}, "questions.0.max"),
        ({"min": 20, "max": 10, "correct": 15}, "questions.0.max"),
        ({"step": 0}, "questions.0.step"),
        ({"step": -1}, "questions.0.step"),
        ({"correct": 101}, "questions.0.correct"),
        ({"correct": -0.5}, "questions.0.correct"),
        ({"correct": None}, "questions.0.correct"),
        ({"correct": "42"}, "questions.0.correct"),
        ({"correct": True}, "questions.0.correct"),
        ({"correct": float("nan")}, "questions.0.correct"),
        ({"min": float("-inf")}, "questions.0.min"),
        ({"max": "100"}, "questions.0.max"),
        ({"tolerance": -1}, "questions.0.tolerance"),
        ({"tolerance": "2"}, "questions.0.tolerance"),
        ({"unit": "u" * 21}, "questions.0.unit"),
        ({"unit": 5}, "questions.0.unit"),
    ],
)
def test_slider_errors(changes, path):
    spec = slider()
    spec.update(changes)
    assert path in errors_of(with_question(spec))


def test_slider_correct_is_required():
    spec = slider()
    del spec["correct"]
    assert "questions.0.correct" in errors_of(with_question(spec))


@pytest.mark.parametrize("n", [0, 1, 7])
def test_order_needs_two_to_six_items(n):
    assert "questions.0.items" in errors_of(with_question(order(items=tuple(f"i{k}" for k in range(n)))))


@pytest.mark.parametrize("display", [[0, 1], [0, 1, 1], [1, 2, 3], 5, "abc", [0, "1", 2], [True, False, 2], {"0": 1}])
def test_order_display_must_be_a_permutation(display):
    spec = order(items=("a", "b", "c"), display=display)
    assert "questions.0.display" in errors_of(with_question(spec))


def test_duplicate_uids():
    assert "questions.1.uid" in errors_of(deck_doc(single("same"), typed("same")))


def test_every_error_is_listed_with_its_path():
    document = {
        "format": "quizroom.deck",
        "version": 1,
        "title": "",
        "questions": [
            single("ok"),
            {
                "type": "single",
                "uid": "bad uid",
                "text": "",
                "time_limit": 4,
                "points": 500,
                "choices": [{"text": "a", "correct": True}, {"text": ""}, {"text": "c", "correct": True}],
            },
            {"type": "nope"},
            slider(correct=200, tolerance=-1),
        ],
    }
    assert set(errors_of(document)) == {
        "title",
        "questions.1.uid",
        "questions.1.text",
        "questions.1.time_limit",
        "questions.1.points",
        "questions.1.choices.1",
        "questions.1.choices",
        "questions.2.type",
        "questions.3.correct",
        "questions.3.tolerance",
    }


def test_text_is_cleaned_of_control_characters():
    spec = single(text="What\u202e is\x00 this?\n")
    assert parse_deck(with_question(spec)).questions[0].text == "What is this?"


# -------------------------------------------------------------------- topics
def topics_of(spec: dict) -> tuple[str, ...]:
    return parse_deck(with_question(spec)).questions[0].topics


def test_topics_are_optional_and_default_to_none():
    assert topics_of(single()) == ()
    assert topics_of(single(topics=None)) == ()
    assert topics_of(single(topics=[])) == ()


@pytest.mark.parametrize("spec", [single, multi, truefalse, typed, slider, order, poll])
def test_every_question_type_takes_topics(spec):
    assert topics_of(spec(topics=["Branching", "Remotes"])) == ("Branching", "Remotes")


def test_topics_are_cleaned_like_any_text():
    raw = ["  Merge\n conflicts ", "Re\u0301base\u200b", "\tHooks\x00"]
    assert topics_of(single(topics=raw)) == ("Merge conflicts", "Rébase", "Hooks")  # NFC, no controls


def test_duplicate_topics_are_dropped_keeping_the_first_spelling():
    raw = ["Git", "remotes", "GIT", " git ", "Remotes", "ｇｉｔ", "Hooks"]
    assert topics_of(single(topics=raw)) == ("Git", "remotes", "Hooks")
    assert topic_key("ＧＩＴ") == topic_key("git")


def test_five_distinct_topics_at_most_but_duplicates_do_not_count():
    five = [f"topic {i}" for i in range(TOPICS_MAX)]
    assert len(topics_of(single(topics=five + ["TOPIC 0", "topic 4"]))) == TOPICS_MAX
    assert errors_of(with_question(single(topics=[*five, "one more"]))) == {"questions.0.topics": "at most 5 topics"}
    assert errors_of(with_question(single(topics=["x"] * 100))) == {"questions.0.topics": "at most 5 topics"}


def test_topic_length():
    assert topics_of(single(topics=["x" * TOPIC_MAX])) == ("x" * TOPIC_MAX,)
    errors = errors_of(with_question(single(topics=["fine", "x" * (TOPIC_MAX + 1)])))
    assert errors == {"questions.0.topics.1": "topic is too long (at most 40)"}


@pytest.mark.parametrize(
    ("topics", "errors"),
    [
        ("Git", {"questions.0.topics": "must be a list of topics"}),
        ({"a": 1}, {"questions.0.topics": "must be a list of topics"}),
        (["ok", 3], {"questions.0.topics.1": "topic must be text"}),
        (
            [None, "ok", True],
            {"questions.0.topics.0": "topic must be text", "questions.0.topics.2": "topic must be text"},
        ),
        (["ok", ["nested"]], {"questions.0.topics.1": "topic must be text"}),
        (["ok", "   "], {"questions.0.topics.1": "topic is empty"}),
        (["ok", "\u200b"], {"questions.0.topics.1": "topic is empty"}),
        (["Merging, rebasing"], {"questions.0.topics.0": "topic must not contain a comma"}),
    ],
)
def test_topic_errors_have_paths(topics, errors):
    assert errors_of(with_question(single(topics=topics))) == errors


def test_topic_errors_are_listed_for_every_question():
    document = deck_doc(single("a", topics=["ok"]), typed("b", topics=[""]), slider("c", topics="x"))
    assert set(errors_of(document)) == {"questions.1.topics.0", "questions.2.topics"}


def test_topics_round_trip_and_are_left_out_of_specs_without_them():
    deck = parse_deck(deck_doc(single("a", topics=["Git", "git", "Hooks"]), typed("b")))
    with_topics, without = deck.to_document()["questions"]
    assert with_topics["topics"] == ["Git", "Hooks"]
    assert "topics" not in without  # specs (and room snapshots) of untagged questions do not change
    assert parse_deck(deck.to_document()) == deck


def test_plan_questions_keep_their_topics():
    plan = parse_plan({"title": "P", "activities": [{"kind": "question", **single("a", topics=["Git"])}]})
    assert plan.questions[0].topics == ("Git",)
    assert plan.to_document()["activities"][0]["topics"] == ["Git"]


@pytest.mark.parametrize("spec", [single, multi, truefalse, typed, slider, order, poll])
def test_phones_and_the_stage_never_get_topics(spec):
    game = Game(spec(topics=["Secret topic"]), players=1)
    assert game.room.questions[0].topics == ("Secret topic",)
    game.start()
    sent = [e.payload for e in game.emits]
    sent += [game.room.player_view(game.now), game.room.host_view(game.now), game.room.sync_for(game.ids[0], game.now)]
    game.do("end_question")
    sent += [e.payload for e in game.emits] + [game.room.player_view(game.now), game.room.host_view(game.now)]
    assert all(key != "topics" for key, _ in walk(sent))
    assert "Secret topic" not in json.dumps(sent)
    # ... while the room's own snapshot keeps them, so a restarted room still has them
    assert "Secret topic" in json.dumps(game.room.snapshot())


# ------------------------------------------------------------------ new uids
def test_a_question_without_a_uid_never_gets_one_another_question_has():
    handed = iter(["kept", "other", "q_fresh"])
    deck = parse_deck(deck_doc(single("kept"), typed("other"), {**single(), "uid": None}), uid_factory=handed.__next__)
    assert [q.uid for q in deck.questions] == ["kept", "other", "q_fresh"]


def test_two_questions_without_uids_get_two_uids():
    handed = iter(["q_1", "q_1", "q_2"])
    deck = parse_deck(deck_doc({**single(), "uid": ""}, {**typed(), "uid": None}), uid_factory=handed.__next__)
    assert [q.uid for q in deck.questions] == ["q_1", "q_2"]


def test_a_broken_uid_factory_is_reported_not_looped_on():
    with pytest.raises(DeckInvalid) as caught:
        parse_deck(deck_doc(single("same"), {**typed(), "uid": None}), uid_factory=lambda: "same")
    assert caught.value.errors == [{"path": "questions.1.uid", "message": "is used by another question"}]


# ---------------------------------------------------------------- round trip
def test_round_trip_to_document_and_back():
    deck = parse_deck(every_type())
    document = deck.to_document()
    assert document["format"] == "quizroom.deck" and document["version"] == 1
    again = parse_deck(copy.deepcopy(document))
    assert again == deck
    assert again.to_document() == document


def test_round_trip_keeps_an_order_display_chosen_when_playing():
    import random

    deck = parse_deck(deck_doc(order(items=("a", "b", "c", "d"))))
    played = deck.questions[0].prepared(random.Random(5))
    assert parse_deck(deck_doc(played.to_spec())).questions[0] == played


# --------------------------------------------------------------- properties
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
FIELDS = [
    "type",
    "uid",
    "text",
    "time_limit",
    "points",
    "image",
    "choices",
    "correct",
    "accepted",
    "min",
    "max",
    "step",
    "tolerance",
    "unit",
    "items",
    "display",
    "multiple",
    "topics",
]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_document_parses_or_lists_errors(data):
    """Arbitrary JSON in any field: a Deck or DeckInvalid, never another exception."""
    base = copy.deepcopy(every_type())
    for _ in range(data.draw(st.integers(0, 4))):
        index = data.draw(st.integers(0, len(base["questions"]) - 1))
        key = data.draw(st.sampled_from(FIELDS))
        base["questions"][index][key] = data.draw(json_values)
    if data.draw(st.booleans()):
        base[data.draw(st.sampled_from(["title", "description", "version", "format", "questions"]))] = data.draw(
            json_values
        )
    try:
        deck = parse_deck(base)
    except DeckInvalid as invalid:
        assert all(set(e) == {"path", "message"} for e in invalid.errors)
        return
    assert parse_deck(deck.to_document()) == deck


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(list(itertools.chain(every_type()["questions"]))),
        min_size=1,
        max_size=8,
        unique_by=lambda q: q["uid"],
    )
)
def test_round_trip_of_any_mix_of_questions(specs):
    deck = parse_deck(deck_doc(*specs))
    assert parse_deck(deck.to_document()) == deck
