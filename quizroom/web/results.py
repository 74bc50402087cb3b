"""Results of past and live rooms: ``/results``, ``/results/<id>``, ``/results/<id>.csv`` (quiz
answers), ``/results/<id>/activity/<position>.csv`` (a poll, board or survey),
``/results/<id>/activity/<position>.md`` (a board as Markdown), and
``/api/rooms/<id>/results`` (JSON). A trainer sees only their own rooms (404 otherwise).
The work happens in quizroom/results.py; this module only answers requests."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask_login import current_user, login_required
from werkzeug.datastructures import Headers

from .. import results
from .auth import api_login_required
from .decks import slug

bp = Blueprint("results", __name__)


def _report_or_404(room_id: int) -> results.Report:
    report = results.room_report(current_app, current_user.id, room_id)
    if report is None:
        abort(404)
    return report


@bp.get("/results")
@login_required
def index():
    return render_template("results/index.html", rooms=results.list_rooms(current_app, current_user.id))


@bp.get("/results/<int:room_id>")
@login_required
def room(room_id: int):
    report = _report_or_404(room_id)
    views = {a.position: results.activity_view(a) for a in report.activities}
    response = current_app.make_response(render_template("results/room.html", report=report, views=views))
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(report: results.Report, body: str, mimetype: str, suffix: str) -> Response:
    date = report.room.created_at.astimezone(UTC).strftime("%Y-%m-%d") if report.room.created_at else "room"
    headers = Headers()
    headers.add(
        "Content-Disposition",
        "attachment",
        filename=f"quizroom-{slug(report.room.title, 'room')}-{report.room.code}-{date}{suffix}",
    )
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(body, mimetype=mimetype, headers=headers)


@bp.get("/results/<int:room_id>.csv")
@login_required
def room_csv(room_id: int):
    report = _report_or_404(room_id)
    return _download(report, results.csv_text(report), "text/csv", ".csv")


def _activity_or_404(report: results.Report, position: int) -> results.ActivityReport:
    activity = results.find_activity(report, position)
    if activity is None:
        abort(404)
    return activity


@bp.get("/results/<int:room_id>/activity/<int:position>.csv")
@login_required
def activity_csv(room_id: int, position: int):
    report = _report_or_404(room_id)
    activity = _activity_or_404(report, position)
    return _download(
        report, results.activity_csv_text(report, activity), "text/csv", f"-item{activity.number}-{activity.kind}.csv"
    )


@bp.get("/results/<int:room_id>/activity/<int:position>.md")
@login_required
def activity_markdown(room_id: int, position: int):
    report = _report_or_404(room_id)
    activity = _activity_or_404(report, position)
    if activity.kind != "board":
        abort(404)
    return _download(
        report, results.board_markdown(report, activity), "text/markdown", f"-item{activity.number}-board.md"
    )


@bp.get("/api/rooms/<int:room_id>/results")
@api_login_required
def api_room(room_id: int):
    report = results.room_report(current_app, current_user.id, room_id)
    if report is None:
        return jsonify(error={"code": "not_found", "message": "no such room"}), 404
    return jsonify(results.report_json(report))
