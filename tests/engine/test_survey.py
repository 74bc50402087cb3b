"""The pulse survey: the default template, submitting and replacing answers, closing,
results only for the stage (once closed) and the report, and rebuilding from records."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from quizroom.engine.plan import parse_activity
from quizroom.engine.survey import Survey, SurveyRun, default_survey

from .test_polls import NAMES, Script, check_replay, fingerprint


def survey(**extra) -> dict:
    return {**default_survey("s1"), **extra}


def results(script: Script) -> dict:
    return script.view(False)["results"]


def item(data: dict, item_id: str) -> dict:
    return next(i for i in data["items"] if i["id"] == item_id)


# ------------------------------------------------------------------- template
def test_the_default_template():
    spec = default_survey()
    activity = parse_activity(spec)
    assert isinstance(activity, Survey) and activity.kind == "survey" and activity.anonymous
    assert activity.title == "How was today?"
    assert [(i.id, i.type) for i in activity.items] == [
        ("session", "rating"),
        ("trainer", "rating"),
        ("use", "text"),
        ("unclear", "text"),
        ("comment", "text"),
    ]
    assert [i.text for i in activity.items] == [
        "Rate the session",
        "Rate the trainer",
        "What will you use?",
        "What was unclear?",
        "Anything else?",
    ]
    assert parse_activity(activity.to_spec()) == activity
    assert activity.to_spec() == spec
    assert default_survey()["uid"] != default_survey()["uid"]  # two templates can share a plan
    assert isinstance(activity.new_run(), SurveyRun)


def test_a_ten_point_item_round_trips():
    spec = survey(items=[{"id": "nps", "type": "rating", "text": "Recommend us?", "scale": 10}], anonymous=False)
    activity = parse_activity(spec)
    assert activity.items[0].scale == 10 and not activity.anonymous
    assert parse_activity(activity.to_spec()) == activity


# ----------------------------------------------------------------- submitting
def test_submit_and_replace():
    script = Script(survey())
    record = script.submit(1, "submit", {"answers": {"session": 5, "use": "  pairing\n\n\n daily ", "comment": ""}})
    assert record == {"answers": {"session": 5, "use": "pairing\n\ndaily"}}  # empty = not answered
    script.submit(2, "submit", {"answers": {"session": 3, "trainer": 4, "unclear": "Docker", "use": None}})
    assert script.run.personal(1) == {
        "submitted": True,
        "answers": {"session": 5, "use": "pairing\n\ndaily"},
        "can_submit": True,
    }
    assert script.run.personal(3) == {"submitted": False, "answers": None, "can_submit": True}
    assert script.view()["responses"] == 2
    script.submit(1, "submit", {"answers": {"session": 4, "unclear": "nothing"}})  # replaces the first
    script.host("close")
    data = results(script)
    assert data["responses"] == 2
    assert item(data, "session") == {
        "id": "session",
        "type": "rating",
        "text": "Rate the session",
        "scale": 5,
        "distribution": [0, 0, 1, 1, 0],
        "mean": 3.5,
        "count": 2,
    }
    assert item(data, "trainer")["mean"] == 4 and item(data, "trainer")["count"] == 1
    assert item(data, "use")["answers"] == []  # person 1's "pairing" was replaced
    assert item(data, "unclear")["answers"] == [{"text": "Docker"}, {"text": "nothing"}]
    check_replay(script.run, script.records)


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({}, "bad_answer"),
        ({"comment": "   "}, "bad_answer"),
        ({"session": None}, "bad_answer"),
        ({"session": 0}, "bad_answer"),
        ({"session": 6}, "bad_answer"),
        ({"session": 4.0}, "bad_answer"),
        ({"session": True}, "bad_answer"),
        ({"session": "5"}, "bad_answer"),
        ({"use": 5}, "bad_answer"),
        ({"use": "x" * 501}, "bad_answer"),
        ({"session": 5, "use": ["x"]}, "bad_answer"),
        ({"nope": 5}, "bad_payload"),
        ({"session": 5, "nope": "x"}, "bad_payload"),
        ([5], "bad_payload"),
        ("session=5", "bad_payload"),
        (None, "bad_payload"),
    ],
)
def test_bad_submissions(answers, code):
    script = Script(survey())
    script.submit(1, "submit", {"answers": {"session": 2}})
    script.refuse(code, 1, "submit", {"answers": answers})


def test_other_bad_payloads():
    script = Script(survey())
    script.refuse("bad_payload", 1, "submit", {"answers": {"session": 5}, "extra": 1})
    script.refuse("bad_payload", 1, "vote", {"value": 1})
    script.refuse("bad_payload", 1, "submit", "answers")
    script.refuse_host("bad_payload", "show_results")


def test_a_text_answer_may_be_500_characters():
    script = Script(survey())
    assert script.submit(1, "submit", {"answers": {"comment": "y" * 500}})["answers"]["comment"] == "y" * 500


def test_a_closed_survey_refuses_and_can_reopen():
    script = Script(survey())
    script.host("close")
    script.refuse("closed", 1, "submit", {"answers": {"session": 5}})
    assert script.run.personal(1)["can_submit"] is False
    script.refuse_host("wrong_phase", "close")
    script.host("reopen")
    script.submit(1, "submit", {"answers": {"session": 5}})
    script.refuse_host("wrong_phase", "reopen")
    script.run.close()  # the room moved on ...
    assert script.view()["open"] is False
    script.run.open()  # ... and came back
    assert script.view()["open"] is True


# ----------------------------------------------------------------- who sees what
def test_phones_never_see_results():
    script = Script(survey())
    script.submit(1, "submit", {"answers": {"session": 5, "comment": "secret thoughts"}})
    script.submit(2, "submit", {"answers": {"session": 1}})
    assert script.view()["results"] is None and script.view(False)["results"] is None  # open: nobody yet
    script.host("close")
    assert script.view()["results"] is None
    assert results(script)["responses"] == 2
    phone = json.dumps([script.view(), script.run.personal(2)])
    assert "secret thoughts" not in phone
    view = script.view()
    assert view == {
        "kind": "survey",
        "uid": "s1",
        "title": "How was today?",
        "anonymous": True,
        "items": default_survey("s1")["items"],
        "open": False,
        "responses": 2,
        "results": None,
    }


def test_named_surveys_show_who_wrote_what_to_the_host_only():
    script = Script(survey(anonymous=False))
    script.submit(3, "submit", {"answers": {"comment": "thanks", "session": 4}})
    script.host("close")
    assert item(results(script), "comment")["answers"] == [{"text": "thanks", "nickname": "Cy"}]
    report = script.run.report(NAMES)
    assert report["answers"] == [{"participant": 3, "nickname": "Cy", "answers": {"session": 4, "comment": "thanks"}}]
    anonymous = Script(survey())
    anonymous.submit(3, "submit", {"answers": {"comment": "thanks"}})
    anonymous.host("close")
    assert "Cy" not in fingerprint(anonymous.run) and "answers" not in {k for k in anonymous.run.report(NAMES)}


def test_the_report_has_results_while_open():
    script = Script(survey())
    script.submit(1, "submit", {"answers": {"trainer": 5}})
    report = script.run.report(NAMES)
    assert report["responses"] == 1 and item(report["results"], "trainer")["distribution"] == [0, 0, 0, 0, 1]


def test_a_restart_after_a_late_submission():
    script = Script(survey())
    script.submit(1, "submit", {"answers": {"session": 2}})
    snapshot = script.run.state()
    script.submit(1, "submit", {"answers": {"session": 3}})
    script.submit(2, "submit", {"answers": {"use": "tests"}})
    check_replay(script.run, script.records, snapshot)


ANSWERS = [
    {"session": 5},
    {"session": 1, "trainer": 3},
    {"use": "a"},
    {"unclear": "b", "comment": "c"},
    {"session": 9},
    {},
    {"x": 1},
    {"comment": "  "},
    {"trainer": 2, "use": "d\ne"},
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), steps=st.integers(3, 50), anonymous=st.booleans())
def test_replaying_the_records_rebuilds_the_same_survey(rng, steps, anonymous):
    script = Script(survey(anonymous=anonymous))
    for _ in range(steps):
        roll = rng.random()
        if roll < 0.15:
            script.attempt("host", rng.choice(["close", "reopen"]), None)
        elif roll < 0.2:
            script.log.append(rng.choice(["close", "open"]))
            getattr(script.run, script.log[-1])()
        elif roll < 0.25:
            script.now += 11
        else:
            script.attempt("submit", rng.randint(1, 5), "submit", {"answers": dict(rng.choice(ANSWERS))})
    note(script.log)
    check_replay(script.run, script.records)
