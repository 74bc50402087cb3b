"""Results of past and live rooms: ``/results``, ``/results/<id>``, ``/results/<id>.csv`` (quiz
answers), ``/results/<id>/activity/<position>.csv`` (a poll, board or survey), the same two as
``.xlsx`` (quizroom/spreadsheets.py, from the same rows),
``/results/<id>/activity/<position>.md`` (a board as Markdown), and
``/api/rooms/<id>/results`` (JSON).

Results are shared by the workspace (docs/workspace.md): every member, viewers included,
sees every room of the workspace and its downloads; a room of another workspace answers 404.
The work happens in quizroom/results.py; this module only answers requests."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask_login import current_user
from werkzeug.datastructures import Headers

from .. import members, models, results, spreadsheets
from ..app import database
from .decks import slug
from .roles import require_role

bp = Blueprint("results", __name__)


def _room_owner(room_id: int) -> int | None:
    """Who ran the room, when it is a room of the signed-in member's workspace."""
    with database(current_app).read() as s:
        row = s.get(models.Room, room_id)
        if row is None or not members.same_workspace(s, current_user.id, row.trainer_id):
            return None
        return row.trainer_id


def _report(room_id: int) -> results.Report | None:
    owner = _room_owner(room_id)
    return results.room_report(current_app, owner, room_id) if owner is not None else None


def _report_or_404(room_id: int) -> results.Report:
    report = _report(room_id)
    if report is None:
        abort(404)
    return report


def workspace_rooms() -> tuple[list, dict[int, str], set[int]]:
    """Every room of the workspace, newest first; who ran each (room id -> name); the ids of mine."""
    with database(current_app).read() as s:
        ids = members.ids_of(s, current_user.id)
    names = members.names(database(current_app), set(ids))
    rooms, owners, mine = [], {}, set()
    for trainer_id in ids:
        for info in results.list_rooms(current_app, trainer_id):
            rooms.append(info)
            owners[info.id] = names.get(trainer_id, "")
            if trainer_id == current_user.id:
                mine.add(info.id)
    rooms.sort(key=lambda r: (r.created_at.timestamp() if r.created_at else 0, r.id), reverse=True)
    return rooms, owners, mine


@bp.get("/results")
@require_role("viewer")
def index():
    rooms, owners, mine = workspace_rooms()
    return render_template("results/index.html", rooms=rooms, owners=owners, mine=mine)


@bp.get("/results/<int:room_id>")
@require_role("viewer")
def room(room_id: int):
    report = _report_or_404(room_id)
    views = {a.position: results.activity_view(a) for a in report.activities}
    response = current_app.make_response(render_template("results/room.html", report=report, views=views))
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(report: results.Report, body: str | bytes, mimetype: str, suffix: str) -> Response:
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
@require_role("viewer")
def room_csv(room_id: int):
    report = _report_or_404(room_id)
    return _download(report, results.csv_text(report), "text/csv", ".csv")


@bp.get("/results/<int:room_id>.xlsx")
@require_role("viewer")
def room_xlsx(room_id: int):
    report = _report_or_404(room_id)
    body = spreadsheets.xlsx_bytes(results.csv_rows(report), sheet="Answers")
    return _download(report, body, spreadsheets.MIMETYPE, ".xlsx")


def _activity_or_404(report: results.Report, position: int) -> results.ActivityReport:
    activity = results.find_activity(report, position)
    if activity is None:
        abort(404)
    return activity


@bp.get("/results/<int:room_id>/activity/<int:position>.csv")
@require_role("viewer")
def activity_csv(room_id: int, position: int):
    report = _report_or_404(room_id)
    activity = _activity_or_404(report, position)
    return _download(
        report, results.activity_csv_text(report, activity), "text/csv", f"-item{activity.number}-{activity.kind}.csv"
    )


@bp.get("/results/<int:room_id>/activity/<int:position>.xlsx")
@require_role("viewer")
def activity_xlsx(room_id: int, position: int):
    report = _report_or_404(room_id)
    activity = _activity_or_404(report, position)
    body = spreadsheets.xlsx_bytes(results.activity_csv_rows(report, activity), sheet=f"Item {activity.number}")
    return _download(report, body, spreadsheets.MIMETYPE, f"-item{activity.number}-{activity.kind}.xlsx")


@bp.get("/results/<int:room_id>/activity/<int:position>.md")
@require_role("viewer")
def activity_markdown(room_id: int, position: int):
    report = _report_or_404(room_id)
    activity = _activity_or_404(report, position)
    if activity.kind != "board":
        abort(404)
    return _download(
        report, results.board_markdown(report, activity), "text/markdown", f"-item{activity.number}-board.md"
    )


@bp.get("/api/rooms/<int:room_id>/results")
@require_role("viewer")
def api_room(room_id: int):
    report = _report(room_id)
    if report is None:
        return jsonify(error={"code": "not_found", "message": "no such room"}), 404
    return jsonify(results.report_json(report))
