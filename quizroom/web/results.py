"""Results of past and live rooms: ``/results``, ``/results/<id>``, ``/results/<id>.csv``,
and ``/api/rooms/<id>/results`` (JSON). A trainer sees only their own rooms (404 otherwise).
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
    response = current_app.make_response(render_template("results/room.html", report=report))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/results/<int:room_id>.csv")
@login_required
def room_csv(room_id: int):
    report = _report_or_404(room_id)
    date = report.room.created_at.astimezone(UTC).strftime("%Y-%m-%d") if report.room.created_at else "room"
    headers = Headers()
    headers.add("Content-Disposition", "attachment",
                filename=f"quizroom-{slug(report.room.title, 'room')}-{report.room.code}-{date}.csv")
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(results.csv_text(report), mimetype="text/csv", headers=headers)


@bp.get("/api/rooms/<int:room_id>/results")
@api_login_required
def api_room(room_id: int):
    report = results.room_report(current_app, current_user.id, room_id)
    if report is None:
        return jsonify(error={"code": "not_found", "message": "no such room"}), 404
    return jsonify(results.report_json(report))
