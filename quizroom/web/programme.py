"""The programme report for the team lead (docs/feedback.md): ``GET /reports/programme``
(``?from=YYYY-MM&to=YYYY-MM``) and its tables as ``/reports/programme/<table>.csv`` or
``.xlsx`` (months, sessions, topics; the same filter). Every member of the workspace may read
it. A bad month answers 400 naming the field; the rows come from quizroom/programme.py.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, render_template, request

from .. import feedback, programme, spreadsheets, track_record
from ..app import database
from ..clock import now_of
from .roles import me, require_role

bp = Blueprint("programme", __name__)


def _report() -> programme.Report:
    """Raises ProgrammeError for a bad filter."""
    now = now_of(current_app)
    months = programme.choose_range(request.args.get("from", ""), request.args.get("to", ""), now)
    db = database(current_app)
    record = track_record.load(db, me().id)
    chosen = set(months)
    in_range = [s.room_id for s in record.sessions if programme.Month.of(s.started_at) in chosen]
    return programme.build(
        record.sessions,
        record.evaluations,
        feedback.pulse_items(db, in_range),
        track_record.retention(db, me().id, now).topics,
        record.names(),
        months,
        now,
    )


@bp.get("/reports/programme")
@require_role("viewer")
def index():
    try:
        report = _report()
    except programme.ProgrammeError as error:
        body = render_template(
            "programme/index.html",
            report=None,
            errors=error.errors,
            query={"from": request.args.get("from", ""), "to": request.args.get("to", "")},
        )
        return body, 400
    return render_template(
        "programme/index.html",
        report=report,
        errors={},
        query={"from": str(report.first), "to": str(report.last)},
        rubric=feedback.RUBRIC,
        status_labels=programme.STATUS_LABELS,
    )


def _download(table: str, extension: str) -> Response:
    if table not in programme.TABLES:
        abort(404)
    try:
        report = _report()
    except programme.ProgrammeError as error:
        message = "; ".join(f"{field}: {text}" for field, text in error.errors.items())
        return Response(message + "\n", status=400, mimetype="text/plain")
    rows = programme.table_rows(report, table)
    name = f"quizroom-programme-{table}-{report.first}-to-{report.last}.{extension}"
    if extension == "csv":
        body, mimetype = _csv_text(rows), "text/csv"
    else:
        body, mimetype = spreadsheets.xlsx_bytes(rows, sheet=table.capitalize()), spreadsheets.MIMETYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _csv_text(rows: list[list[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    csv.writer(out).writerows(rows)
    return out.getvalue()


@bp.get("/reports/programme/<table>.csv")
@require_role("viewer")
def export_csv(table: str):
    return _download(table, "csv")


@bp.get("/reports/programme/<table>.xlsx")
@require_role("viewer")
def export_xlsx(table: str):
    return _download(table, "xlsx")
