"""The recognition page, a trainer profile, a session's feedback page and the programme report
in a real browser against the real server: the trainer rates nothing of their own but sees a
colleague's feedback, badges and rankings; axe finds nothing serious or critical on any of
these pages, and every page runs under the strict CSP (open_browser checks it)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from quizroom import models
from quizroom.db import Database
from tests.e2e.browser import assert_accessible, open_browser
from tests.web.sessions_world import SURVEY, question

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def past_sessions(live_server) -> tuple[int, int]:
    """Straight into the server's database: two ended sessions of the trainer (id 1), with a
    pulse survey, a colleague's evaluation with a comment, and a session the colleague ran.
    Returns the ids of the trainer's newest room and of the colleague's."""
    db = Database(live_server.db_url)
    now = datetime.now(UTC)
    try:
        with db.transaction() as s:
            trainer = s.get(models.Trainer, 1)
            colleague = models.Trainer(
                email="cole@example.org",
                name="Cole Colleague",
                password_hash="!",
                workspace_id=trainer.workspace_id,
                role="trainer",
            )
            s.add(colleague)
            rooms = []
            s.flush()
            for days, title, owner in ((40, "Git basics", 1), (3, "Rebasing <safely>", 1), (2, "Docker", colleague.id)):
                started = now - timedelta(days=days)
                room = models.Room(
                    code=secrets.token_hex(3)[:6],
                    trainer_id=owner,
                    title=title,
                    host_salt=secrets.token_hex(8),
                    live=False,
                    snapshot={
                        "activities": [question(f"q{days}", ("Git",)), SURVEY],
                        "phase": "ended",
                        "index": 1,
                        "played": [0, 1],
                    },
                    created_at=started,
                    ended_at=started + timedelta(hours=1),
                )
                s.add(room)
                s.flush()
                for number in (1, 2, 3):
                    s.add(
                        models.Participant(
                            room_id=room.id,
                            number=number,
                            nickname=f"P{number}",
                            token_hash=secrets.token_hex(16),
                            joined_at=started,
                        )
                    )
                    s.add(
                        models.Submission(
                            room_id=room.id,
                            position=1,
                            activity_uid="pulse",
                            participant_number=number,
                            action="submit",
                            record={"answers": {"session": 3 + number % 3, "use": "Interactive rebase"}},
                            created_at=started + timedelta(minutes=30),
                        )
                    )
                rooms.append(room)
            s.flush()
            s.add(
                models.PeerEvaluation(
                    room_id=rooms[1].id,
                    trainer_id=1,
                    evaluator_id=colleague.id,
                    clarity=5,
                    interactivity=4,
                    usefulness=5,
                    comment="Great live demo.\nMore time for questions?",
                    created_at=now,
                    updated_at=now,
                )
            )
            return rooms[1].id, rooms[2].id
    finally:
        db.engine.dispose()


def test_recognition_profile_feedback_and_programme_pages_are_accessible(live_server):
    from playwright.sync_api import expect

    room_id, colleague_room = past_sessions(live_server)
    with open_browser(live_server.url, viewport={"width": 1200, "height": 900}) as page:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Trainers").click()
        expect(page.get_by_role("heading", level=1, name="Trainers")).to_be_visible()
        active = page.locator("#ranking-active")
        expect(active.get_by_role("listitem")).to_contain_text(["Tess Trainer: 2 sessions"])
        expect(page.locator("#ranking-rated")).to_contain_text("Nobody has 3 peer evaluations yet.")
        assert_accessible(page)

        page.locator("table.trainer-table").get_by_role("link", name="Tess Trainer").click()
        page.wait_for_url(re.compile(r"/trainers/1$"))
        expect(page.get_by_role("heading", level=1, name="Tess Trainer")).to_be_visible()
        expect(page.locator('[data-figure="sessions"]')).to_have_text("2")
        expect(page.locator('[data-figure="people"]')).to_have_text("6")
        expect(page.get_by_role("list", name="Badges earned")).to_contain_text("First session")
        expect(page.locator(".evaluation .comment")).to_contain_text("More time for questions?")
        expect(page.locator('[data-figure="retention"]')).to_have_text("not enough data")
        page.get_by_text("Still to earn").click()
        expect(page.locator(".badges-todo")).to_contain_text("5 sessions")
        assert_accessible(page)

        page.get_by_role("link", name="Feedback on Rebasing <safely>").click()
        page.wait_for_url(re.compile(rf"/results/{room_id}/feedback$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Feedback: Rebasing <safely>")
        expect(page.locator("#give")).to_contain_text("This is your session")
        expect(page.locator("#pulse")).to_contain_text("Rate the session")
        assert_accessible(page)

        page.goto(f"{live_server.url}/results/{colleague_room}/feedback")
        form = page.locator("form.feedback-form")
        form.get_by_role("group", name=re.compile("^Clarity")).get_by_label("5").check()
        form.get_by_role("group", name=re.compile("^Interactivity")).get_by_label("4").check()
        form.get_by_label("Comment").fill("Loved the <live> demo")
        form.get_by_role("button", name="Save feedback").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("Usefulness: choose a score from 1 to 5")
        expect(summary).to_contain_text("Confirm that you attended this session")
        expect(form.get_by_label("Comment")).to_have_value("Loved the <live> demo")
        assert_accessible(page)
        form.get_by_role("group", name=re.compile("^Usefulness")).get_by_label("5").check()
        form.get_by_label("I attended this session").check()
        form.get_by_role("button", name="Save feedback").click()
        expect(page.locator(".flash-success")).to_have_text("Thank you: your feedback is saved.")
        expect(page.locator("#peer-feedback .evaluation")).to_contain_text("Loved the <live> demo")
        expect(page.get_by_role("button", name="Update my feedback")).to_be_visible()
        assert_accessible(page)

        page.get_by_role("link", name="Programme report").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Programme report")
        page.get_by_label("From (month)").fill("2020-01")
        page.get_by_label("To (month)").fill("2019-01")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("alert")).to_contain_text("after it ends")
        assert_accessible(page)
