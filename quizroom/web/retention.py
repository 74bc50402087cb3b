"""The retention dashboard, a person's history, CSV exports and the review round.

- ``GET /retention`` (``?deck=&group=&threshold=``): the dashboard for a scope.
- ``GET /retention/export/<table>.csv`` (or ``.xlsx``): questions, topics, people or engagement, same scope.
- ``GET /retention/people/<id>``: one person's sessions and weakest topics.
- ``POST /retention/review``: build the review round: a deck to run live, or self-paced
  links (one per person, each with that person's own weakest questions).
- ``GET /retention/reviews``: the self-paced links sent, and who has finished (``.csv``/``.xlsx``).

Roles (docs/workspace.md): the dashboard, its exports and a person's history cover the whole
workspace and are open to every member, viewers included; building a review round is for
trainers and admins; the self-paced links (each one lets someone answer as that person) are
only shown to the trainer who sent them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import decks, models, spreadsheets
from ..app import database
from ..clock import now_of
from ..engine import DeckInvalid
from ..members import colleagues
from ..results import neutralise
from ..retention import charts, dashboard, practice, report
from ..retention.dashboard import DEFAULT_THRESHOLD, REVIEW_SIZES
from .roles import require_role

bp = Blueprint("retention", __name__)

TABLES = ("questions", "topics", "people", "engagement")


def _int_arg(name: str, source=None) -> int | None:
    raw = (source or request.args).get(name, "")
    return int(raw) if raw.strip().isdigit() else None


def _threshold() -> float:
    try:
        value = float(request.args.get("threshold", "") or DEFAULT_THRESHOLD * 100) / 100
    except ValueError:
        value = DEFAULT_THRESHOLD
    return min(max(value, 0.05), 0.99)


def _scope(source=None) -> dashboard.Scope:
    scope = dashboard.find_scope(
        database(current_app), current_user.id, _int_arg("deck", source), _int_arg("group", source)
    )
    if scope is None:
        abort(404)
    return scope


def _choices() -> tuple[list, list]:
    with database(current_app).read() as s:
        own_decks = list(
            s.scalars(
                sa.select(models.Deck)
                .where(models.Deck.trainer_id.in_(colleagues(current_user.id)))
                .order_by(models.Deck.title)
            )
        )
        groups = list(
            s.scalars(
                sa.select(models.Group)
                .where(models.Group.trainer_id.in_(colleagues(current_user.id)))
                .order_by(models.Group.name)
            )
        )
    return own_decks, groups


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{report.percent(value)} %"


bp.add_app_template_filter(_pct, "pct")


def _charts(board: dashboard.Dashboard) -> dict:
    first, repeat = board.first_repeat["first"], board.first_repeat["repeat"]
    return {
        "first_repeat": charts.bar_chart(
            [("First attempt", first["rate"] or 0, "series-a"), ("Repeat attempts", repeat["rate"] or 0, "series-b")],
            title="First-attempt versus repeat correctness",
            desc=(
                f"First attempts {_pct(first['rate'])} correct of {first['attempts']}; "
                f"repeat attempts {_pct(repeat['rate'])} correct of {repeat['attempts']}."
            ),
            value_label="correct",
            horizontal=False,
            id_prefix="chart-first-repeat",
        )
        if first["attempts"]
        else charts.bar_chart(
            [],
            title="First-attempt versus repeat correctness",
            desc="No answers yet.",
            value_label="correct",
            id_prefix="chart-first-repeat",
        ),
        "curve": charts.line_chart(
            [
                charts.Series("Observed: correct on repeat", [(p.days, p.rate) for p in board.curve], "series-a"),
                charts.Series("Predicted recall (FSRS)", [(d, r) for d, r in board.predicted], "series-b"),
            ],
            title="Retention over days since first seen",
            desc=(
                "Share correct on repeat attempts by days since the person first saw the question: "
                + ", ".join(f"day {p.days}: {_pct(p.rate)} of {p.attempts}" for p in board.curve)
                if board.curve
                else "No repeat attempts yet."
            ),
            x_label="days since first seen",
            y_label="correct / recall",
            id_prefix="chart-curve",
        ),
        "questions": charts.bar_chart(
            [(row.text, row.mean_recall, "series-a") for row in board.questions[:10]],
            title="Predicted recall today, most-forgotten questions first",
            desc="; ".join(f"{row.text}: {_pct(row.mean_recall)}" for row in board.questions[:10]) or "No data yet.",
            value_label="predicted recall",
            id_prefix="chart-questions",
        ),
        "topics": charts.bar_chart(
            [(row.topic, row.mean_recall, "series-b") for row in board.topics],
            title="Predicted recall today per topic",
            desc="; ".join(f"{row.topic}: {_pct(row.mean_recall)}" for row in board.topics) or "No data yet.",
            value_label="predicted recall",
            id_prefix="chart-topics",
        ),
        "engagement": charts.line_chart(
            [
                charts.Series(
                    "Attendance", [(i + 1, e["attendance"]) for i, e in enumerate(board.engagement)], "series-a"
                ),
                charts.Series(
                    "Answer rate", [(i + 1, e["answer_rate"]) for i, e in enumerate(board.engagement)], "series-b"
                ),
                charts.Series(
                    "Survey rating (of 5)",
                    [
                        (i + 1, e["rating"] / 5 if e["rating"] is not None else None)
                        for i, e in enumerate(board.engagement)
                    ],
                    "series-c",
                ),
            ],
            title="Engagement per session",
            desc="; ".join(
                f"session {i + 1} ({e['title']}): attendance {_pct(e['attendance'])}, answers {_pct(e['answer_rate'])}"
                for i, e in enumerate(board.engagement)
            )
            or "No sessions yet.",
            x_label="session",
            y_label="rate",
            id_prefix="chart-engagement",
        ),
    }


@bp.get("/retention")
@require_role("viewer")
def index():
    scope = _scope()
    now = now_of(current_app)
    board = dashboard.build(database(current_app), current_user.id, scope, now, _threshold())
    own_decks, groups = _choices()
    return render_template(
        "retention/dashboard.html",
        board=board,
        charts=_charts(board),
        decks=own_decks,
        groups=groups,
        review_sizes=REVIEW_SIZES,
        query={"deck": scope.deck.id if scope.deck else None, "group": scope.group.id if scope.group else None},
    )


def _export_rows(table: str) -> tuple[list[list[object]], str]:
    """One dashboard table's rows (formula-safe) and its download name without the extension."""
    if table not in TABLES:
        abort(404)
    board = dashboard.build(database(current_app), current_user.id, _scope(), now_of(current_app), _threshold())
    rows = report.csv_table(table, board)
    return [[neutralise(cell) for cell in row] for row in rows], f"retention-{table}-{board.now:%Y-%m-%d}"


@bp.get("/retention/export/<table>.csv")
@require_role("viewer")
def export(table: str):
    rows, name = _export_rows(table)
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read non-ASCII names right
    csv.writer(out).writerows(rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )


@bp.get("/retention/export/<table>.xlsx")
@require_role("viewer")
def export_xlsx(table: str):
    rows, name = _export_rows(table)
    return Response(
        spreadsheets.xlsx_bytes(rows, sheet=table.capitalize()),
        mimetype=spreadsheets.MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"', "Cache-Control": "no-store"},
    )


@bp.get("/retention/people/<int:person_id>")
@require_role("viewer")
def person(person_id: int):
    view = dashboard.person_view(database(current_app), current_user.id, person_id, now_of(current_app))
    if view is None:
        abort(404)
    return render_template("retention/person.html", view=view, review_sizes=REVIEW_SIZES)


# ------------------------------------------------------------ review round
def practice_token(salt: str) -> str:
    """A self-paced link's secret: only this server can make it again from the stored salt."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"quizroom-practice:{salt}".encode(), hashlib.sha256).hexdigest()[:40]


def practice_url(salt: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return f"{base.rstrip('/')}/r/{practice_token(salt)}"


@bp.post("/retention/review")
@require_role("trainer")
def review():
    form = request.form
    scope = _scope(form)
    size = _int_arg("size", form) or 5
    if size not in REVIEW_SIZES:
        abort(400)
    person_id = _int_arg("person", form)
    now = now_of(current_app)
    db = database(current_app)
    board = dashboard.build(db, current_user.id, scope, now, DEFAULT_THRESHOLD)
    if person_id is not None and person_id not in board.names:
        abort(404)
    label = board.names[person_id] if person_id is not None else scope.label()
    day = f"{now:%d %b %Y}"
    back = (
        url_for("retention.person", person_id=person_id)
        if person_id is not None
        else url_for(
            "retention.index", **{k: v for k, v in (("deck", form.get("deck")), ("group", form.get("group"))) if v}
        )
    )
    if form.get("mode") == "links":
        targets = [person_id] if person_id is not None else sorted(board.people)
        made = 0
        for target in targets:
            specs = dashboard.review_specs(board, size, person=target)
            if not specs:
                continue
            salt = secrets.token_hex(16)
            practice.create_practice(
                db,
                trainer_id=current_user.id,
                person_id=target,
                title=f"Review: {scope.label()}"[:120],
                questions=specs,
                now=now,
                token=practice_token(salt),
                salt=salt,
            )
            made += 1
        if not made:
            flash("Nobody in this selection has answered a question yet, so there is nothing to review.", "error")
            return redirect(back)
        flash(f"Created {made} self-paced review link{'s' if made != 1 else ''}.", "success")
        return redirect(url_for("retention.reviews"))
    specs = dashboard.review_specs(board, size, person=person_id)
    if not specs:
        flash("There are no answered questions to review in this selection yet.", "error")
        return redirect(back)
    document = {
        "title": f"Review: {label} ({day})"[:120],
        "description": f"The {len(specs)} questions with the lowest predicted recall on {day}.",
        "questions": specs,
    }
    try:
        row = decks.create_deck(current_app, current_user.id, document)
    except DeckInvalid:
        current_app.logger.exception("a review deck did not validate")
        abort(500)
    flash(f"Review deck created with {len(specs)} questions. Start it from your decks when the group meets.", "success")
    return redirect(url_for("decks.edit", deck_id=row.id))


def _practices() -> list[dict]:
    with database(current_app).read() as s:
        query = (
            sa.select(models.Practice, models.Person.name, models.Person.email)
            .outerjoin(models.Person, models.Person.id == models.Practice.person_id)
            .where(models.Practice.trainer_id == current_user.id)
            .order_by(models.Practice.created_at.desc(), models.Practice.id.desc())
        )
        rows = []
        for item, name, email in s.execute(query).all():
            rows.append(
                {
                    "practice": item,
                    "name": name or "Deleted person",
                    "email": email or "",
                    "total": len(item.questions or []),
                    "url": practice_url(item.salt) if item.salt and item.person_id else None,
                }
            )
        return rows


@bp.get("/retention/reviews")
@require_role("trainer")
def reviews():
    return render_template("retention/reviews.html", rows=_practices())


def _review_rows() -> list[list[object]]:
    rows: list[list[object]] = [["name", "email", "review", "questions", "answered", "finished", "link"]]
    for row in _practices():
        item = row["practice"]
        rows.append(
            [
                neutralise(row["name"]),
                neutralise(row["email"]),
                neutralise(item.title),
                row["total"],
                item.position,
                "yes" if item.finished_at else "no",
                row["url"] or "",
            ]
        )
    return rows


@bp.get("/retention/reviews.csv")
@require_role("trainer")
def reviews_csv():
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(_review_rows())
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="review-links.csv"', "Cache-Control": "no-store"},
    )


@bp.get("/retention/reviews.xlsx")
@require_role("trainer")
def reviews_xlsx():
    return Response(
        spreadsheets.xlsx_bytes(_review_rows(), sheet="Review links"),
        mimetype=spreadsheets.MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="review-links.xlsx"', "Cache-Control": "no-store"},
    )
