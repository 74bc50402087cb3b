"""Peer feedback on a session (docs/feedback.md): ``GET /results/<id>/feedback`` shows the
rubric averages, the evaluations the reader may see, the form (for a colleague who attended,
while the window is open) and the participants' pulse survey; ``POST`` gives or changes
one's evaluation. A room of another workspace answers 404; a viewer or the room's own trainer
who posts gets 403; a room not ended yet, or whose window has closed, 409. The rules are in
quizroom/feedback.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import feedback, members, results
from ..app import database
from ..clock import now_of
from .roles import me, require_role

bp = Blueprint("feedback", __name__)


def _room_or_404(room_id: int) -> feedback.RoomFacts:
    room = feedback.find_room(database(current_app), me().id, room_id)
    if room is None:
        abort(404)
    return room


def _page(room: feedback.RoomFacts, status: int = 200, form: dict | None = None, errors: dict | None = None):
    db = database(current_app)
    account = me()
    now = now_of(current_app)
    evaluations = feedback.of_room(db, room.id)
    mine = next((e for e in evaluations if e.evaluator_id == account.id), None)
    see_all = feedback.may_read_comments(account, room.trainer_id)
    report = results.room_report(current_app, room.trainer_id, room.id)
    surveys = [a for a in report.activities if a.kind == "survey"] if report else []
    if form is None:
        form = {key: str(getattr(mine, key)) for key in feedback.ITEMS} if mine else {}
        form["comment"] = (mine.comment or "") if mine else ""
        form["attended"] = "yes" if mine else ""
    response = current_app.make_response(
        (
            render_template(
                "feedback/room.html",
                room=room,
                trainer=members.names(db, {room.trainer_id}).get(room.trainer_id, ""),
                averages=feedback.averages(evaluations),
                evaluations=evaluations if see_all else ([mine] if mine else []),
                see_all=see_all,
                mine=mine,
                refusal=feedback.refusal(account, room, now),
                closes=feedback.window_closes(room),
                rubric=feedback.RUBRIC,
                scores=range(feedback.LOWEST, feedback.HIGHEST + 1),
                comment_max=feedback.COMMENT_MAX,
                window_days=feedback.WINDOW_DAYS,
                form=form,
                errors=errors or {},
                report=report,
                surveys=surveys,
                views={a.position: results.activity_view(a) for a in surveys},
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/results/<int:room_id>/feedback")
@require_role("viewer")
def room(room_id: int):
    return _page(_room_or_404(room_id))


@bp.post("/results/<int:room_id>/feedback")
@require_role("trainer")
def give(room_id: int):
    room = _room_or_404(room_id)
    refused = feedback.refusal(me(), room, now_of(current_app))
    if refused is not None:
        return _page(room, refused.status)
    try:
        created = feedback.save(database(current_app), me(), room, request.form, now_of(current_app))
    except feedback.FeedbackError as error:
        return _page(room, 400, form=request.form.to_dict(), errors=error.errors)
    flash("Thank you: your feedback is saved." if created else "Your feedback is updated.", "success")
    return redirect(url_for("feedback.room", room_id=room.id) + "#peer-feedback")
