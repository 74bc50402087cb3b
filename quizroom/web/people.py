"""The workspace's people and groups (rosters): the pages behind identity across sessions.

People and groups are shared by the workspace, so any trainer can run a room for any group
(docs/workspace.md). Pages for trainers and admins (viewers are refused: these pages show
personal links, which let someone join as that person); a person or group of another
workspace answers 404:

- ``/people`` (search ``?q=``): everyone, "add a person", import a roster CSV, the groups;
  ``POST /people``, ``POST /people/import``, ``GET /people/example.csv``.
- ``/people/<id>``: edit name and e-mail, groups, sessions attended, personal link;
  ``POST /people/<id>``, ``/people/<id>/groups``, ``/people/<id>/new-link``,
  ``/people/<id>/delete`` (asks first), ``GET /people/<id>/export.json`` (everything stored).
- ``/groups/<id>``: the roster with each member's personal link; ``POST /groups``,
  ``/groups/<id>`` (rename), ``/groups/<id>/delete``, ``/groups/<id>/members``,
  ``/groups/<id>/members/<person id>/remove``, ``/groups/<id>/import``;
  ``GET /groups/<id>/links.csv`` (names, e-mails and links for a mail merge).

The attendee side (``/me/<link key>``, ``/j/<code>/roster``) is in web/play.py.
"""

from __future__ import annotations

import csv
import io
import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge

from ..people import ERRORS_SHOWN, EXAMPLE_CSV, People, PeopleError, RosterInvalid, RowError, people_of
from .decks import slug
from .roles import require_role

bp = Blueprint("people", __name__)

FIELD_LABELS = {"name": "Name", "email": "E-mail", "group": "Group"}


def _service() -> People:
    return people_of(current_app)


def personal_link(link_key: str) -> str:
    """The address of someone's personal join link (QUIZROOM_PUBLIC_URL, else this request's)."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return f"{base.rstrip('/')}/me/{link_key}"


def _secret_page(body: str, status: int = 200) -> Response:
    """Pages that show personal links: never cached, never sent on as a Referer."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _download(body: str, mimetype: str, filename: str) -> Response:
    headers = Headers()
    headers.add("Content-Disposition", "attachment", filename=filename)
    headers["Cache-Control"] = "no-store"
    return Response(body, mimetype=mimetype, headers=headers)


def _int_field(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _found(thing):
    """``thing``, or a 404 when there is none (someone else's, or no such one)."""
    if thing is None:
        abort(404)
    return thing


def _person_or_404(person_id: int):
    return _found(_service().get_person(current_user.id, person_id))


def _group_or_404(group_id: int):
    return _found(_service().get_group(current_user.id, group_id))


def _message(error: PeopleError) -> str:
    return error.message[:1].upper() + error.message[1:] + "."


def _roster_upload() -> tuple[bytes | None, str | None, list[RowError]]:
    """The CSV of an import form: an uploaded file, or pasted text."""
    try:
        upload = request.files.get("file")
        pasted = request.form.get("roster", "")
    except RequestEntityTooLarge:
        return None, None, [RowError(None, "the file is too large")]
    if upload is not None and upload.filename:
        return upload.read(), upload.filename, []
    if pasted.strip():
        return pasted.encode("utf-8"), None, []
    return None, None, [RowError(None, "choose a CSV file (or paste the names) to import")]


def _import_summary(result, group_name: str | None) -> str:
    parts = []
    if result.created:
        parts.append(f"{result.created} new {'person' if result.created == 1 else 'people'}")
    if result.matched:
        parts.append(f"{result.matched} already known")
    text = "Imported the roster: " + (", ".join(parts) or "nobody new")
    if group_name is not None:
        text += f"; {result.added} added to {group_name}"
    if result.emails_added:
        text += f"; {result.emails_added} e-mail{'s' if result.emails_added != 1 else ''} filled in"
    return text + "."


def _import_roster(group) -> dict | None:
    """Import the roster of the form (into ``group`` unless None): None when done (a message says
    what came in), else what the page's import form shows (the first errors, how many more, the file)."""
    data, filename, errors = _roster_upload()
    if not errors:
        try:
            result = _service().import_roster(current_user.id, data, group.id if group is not None else None)
        except RosterInvalid as invalid:
            errors = invalid.errors
        else:
            flash(_import_summary(result, group.name if group is not None else None), "success")
            return None
    more = max(0, len(errors) - ERRORS_SHOWN)
    return {"import_errors": errors[:ERRORS_SHOWN], "import_more": more, "import_filename": filename}


def _add_member(group, person, missing: str) -> str | None:
    """Put ``person`` in ``group``: None when done (a message says so), else the error to show
    (``missing`` when either was not chosen)."""
    if group is None or person is None:
        return missing
    try:
        _service().add_member(current_user.id, group.id, person.id)
    except PeopleError as error:
        return _message(error)
    flash(f"Added {person.name} to {group.name}.", "success")
    return None


def _secret_render(template: str, status: int, context: dict, extra: dict) -> Response:
    """``template`` with ``context`` (``extra`` replacing some of it) as a page with personal links."""
    return _secret_page(render_template(template, **{**context, **extra}), status)


# ------------------------------------------------------------ start forms
@bp.app_context_processor
def start_form_groups():
    """``start_groups()`` in any template: the signed-in trainer's groups, for the optional
    "run for a group" select of the deck and plan start forms (queried only when called)."""

    def start_groups() -> list:
        if not current_user.is_authenticated:
            return []
        return [row.group for row in _service().list_groups(current_user.id)]

    return {"start_groups": start_groups}


# ------------------------------------------------------------------ people
def _people_page(status: int = 200, **extra):
    search = request.args.get("q", "").strip()[:100]
    service = _service()
    context = {
        "rows": service.list_people(current_user.id, search),
        "total": len(service.list_people(current_user.id)) if search else None,
        "search": search,
        "groups": service.list_groups(current_user.id),
        "add": {"name": "", "email": "", "group_id": None},
        "add_errors": {},
        "group_form": {"name": ""},
        "group_errors": {},
        "import_errors": [],
        "import_more": 0,
        "import_filename": None,
        "import_group_id": None,
    }
    context.update(extra)
    return render_template("people/index.html", **context), status


@bp.get("/people")
@require_role("trainer")
def index():
    return _people_page()


@bp.post("/people")
@require_role("trainer")
def create():
    form = {
        "name": request.form.get("name", ""),
        "email": request.form.get("email", ""),
        "group_id": _int_field("group_id"),
    }
    back_to_group = request.form.get("back") == "group" and form["group_id"] is not None
    try:
        person = _service().create_person(current_user.id, form["name"], form["email"], form["group_id"])
    except PeopleError as error:
        errors = {error.field: _message(error)}
        if back_to_group:
            group = _group_or_404(form["group_id"])
            return _group_page(group, status=400, add=form, add_errors=errors)
        return _people_page(400, add=form, add_errors=errors)
    flash(f"Added {person.name}.", "success")
    if back_to_group:
        return redirect(url_for("people.group", group_id=form["group_id"]) + "#members")
    return redirect(url_for("people.person", person_id=person.id))


@bp.post("/people/import")
@require_role("trainer")
def import_roster():
    group_id = _int_field("group_id")
    group = _group_or_404(group_id) if group_id is not None else None
    failed = _import_roster(group)
    if failed is not None:
        return _people_page(400, import_group_id=group_id, **failed)
    if group is not None:
        return redirect(url_for("people.group", group_id=group.id))
    return redirect(url_for("people.index"))


@bp.get("/people/example.csv")
@require_role("trainer")
def example_csv():
    return _download(EXAMPLE_CSV, "text/csv", "quizroom-roster-example.csv")


@bp.get("/people/<int:person_id>")
@require_role("trainer")
def person(person_id: int):
    return _person_page(_person_or_404(person_id))


def _person_page(person, status: int = 200, **extra):
    service = _service()
    groups = service.groups_of(current_user.id, person.id)
    member_of = {g.id for g in groups}
    context = {
        "person": person,
        "groups": groups,
        "other_groups": [row.group for row in service.list_groups(current_user.id) if row.group.id not in member_of],
        "sessions": service.attendance(current_user.id, person.id),
        "link": personal_link(person.link_key),
        "edit": {"name": person.name, "email": person.email or ""},
        "edit_errors": {},
        "group_error": None,
    }
    return _secret_render("people/person.html", status, context, extra)


@bp.post("/people/<int:person_id>")
@require_role("trainer")
def update(person_id: int):
    person = _person_or_404(person_id)
    form = {"name": request.form.get("name", ""), "email": request.form.get("email", "")}
    try:
        updated = _service().update_person(current_user.id, person_id, form["name"], form["email"])
    except PeopleError as error:
        return _person_page(person, 400, edit=form, edit_errors={error.field: _message(error)})
    flash(f"Saved {updated.name}.", "success")
    return redirect(url_for("people.person", person_id=person_id))


@bp.post("/people/<int:person_id>/groups")
@require_role("trainer")
def join_group(person_id: int):
    person = _person_or_404(person_id)
    group_id = _int_field("group_id")
    group = _group_or_404(group_id) if group_id is not None else None
    error = _add_member(group, person, "Choose a group.")
    if error is not None:
        return _person_page(person, 400, group_error=error)
    return redirect(url_for("people.person", person_id=person_id))


@bp.post("/people/<int:person_id>/new-link")
@require_role("trainer")
def new_link(person_id: int):
    person = _person_or_404(person_id)
    _service().new_link(current_user.id, person.id)
    flash(f"{person.name} has a new personal link; the old one no longer works.", "success")
    return redirect(url_for("people.person", person_id=person_id) + "#link")


@bp.get("/people/<int:person_id>/export.json")
@require_role("trainer")
def export(person_id: int):
    document = _found(_service().export_person(current_user.id, person_id))
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    name = slug(document["person"]["name"], "person")
    return _download(body, "application/json", f"quizroom-person-{person_id}-{name}.json")


@bp.post("/people/<int:person_id>/delete")
@require_role("trainer")
def delete(person_id: int):
    person = _person_or_404(person_id)
    if request.form.get("confirm") != "yes":
        # Without JavaScript the button lands here: ask once more.
        sessions = len(_service().attendance(current_user.id, person.id))
        return _secret_page(render_template("people/confirm_delete.html", person=person, sessions=sessions))
    _service().delete_person(current_user.id, person_id)
    flash(
        f"Deleted {person.name}. Their answers stay in the results as “Deleted person”, linked to nobody.",
        "success",
    )
    return redirect(url_for("people.index"))


# ------------------------------------------------------------------ groups
@bp.post("/groups")
@require_role("trainer")
def create_group():
    form = {"name": request.form.get("name", "")}
    try:
        group = _service().create_group(current_user.id, form["name"])
    except PeopleError as error:
        return _people_page(400, group_form=form, group_errors={"name": _message(error)})
    flash(f"Made the group {group.name}. Add people or import its roster.", "success")
    return redirect(url_for("people.group", group_id=group.id))


def _group_page(group, status: int = 200, **extra):
    service = _service()
    members = service.members(current_user.id, group.id) or []
    inside = {p.id for p in members}
    context = {
        "group": group,
        "members": [(p, personal_link(p.link_key)) for p in members],
        "others": [row.person for row in service.list_people(current_user.id) if row.person.id not in inside],
        "rename": {"name": group.name},
        "rename_errors": {},
        "add": {"name": "", "email": ""},
        "add_errors": {},
        "member_error": None,
        "import_errors": [],
        "import_more": 0,
        "import_filename": None,
    }
    return _secret_render("people/group.html", status, context, extra)


@bp.get("/groups/<int:group_id>")
@require_role("trainer")
def group(group_id: int):
    return _group_page(_group_or_404(group_id))


@bp.post("/groups/<int:group_id>")
@require_role("trainer")
def rename_group(group_id: int):
    group = _group_or_404(group_id)
    form = {"name": request.form.get("name", "")}
    try:
        renamed = _service().rename_group(current_user.id, group_id, form["name"])
    except PeopleError as error:
        return _group_page(group, 400, rename=form, rename_errors={"name": _message(error)})
    flash(f"Renamed the group to {renamed.name}.", "success")
    return redirect(url_for("people.group", group_id=group_id))


@bp.post("/groups/<int:group_id>/delete")
@require_role("trainer")
def delete_group(group_id: int):
    group = _group_or_404(group_id)
    if request.form.get("confirm") != "yes":
        members = len(_service().members(current_user.id, group_id) or [])
        return render_template("people/confirm_delete_group.html", group=group, members=members)
    _service().delete_group(current_user.id, group_id)
    flash(f"Deleted the group {group.name}. Its people and their history are kept.", "success")
    return redirect(url_for("people.index"))


@bp.post("/groups/<int:group_id>/members")
@require_role("trainer")
def add_member(group_id: int):
    group = _group_or_404(group_id)
    person_id = _int_field("person_id")
    person = _service().get_person(current_user.id, person_id) if person_id is not None else None
    error = _add_member(group, person, "Choose someone to add.")
    if error is not None:
        return _group_page(group, 400, member_error=error)
    return redirect(url_for("people.group", group_id=group_id) + "#members")


@bp.post("/groups/<int:group_id>/members/<int:person_id>/remove")
@require_role("trainer")
def remove_member(group_id: int, person_id: int):
    group = _group_or_404(group_id)
    person = _person_or_404(person_id)
    if not _service().remove_member(current_user.id, group_id, person_id):
        abort(404)
    flash(f"Took {person.name} out of {group.name} (they are still in your people).", "success")
    if request.form.get("back") == "person":
        return redirect(url_for("people.person", person_id=person_id) + "#groups")
    return redirect(url_for("people.group", group_id=group_id) + "#members")


@bp.post("/groups/<int:group_id>/import")
@require_role("trainer")
def import_into_group(group_id: int):
    group = _group_or_404(group_id)
    failed = _import_roster(group)
    if failed is not None:
        return _group_page(group, 400, **failed)
    return redirect(url_for("people.group", group_id=group_id) + "#members")


@bp.get("/groups/<int:group_id>/links.csv")
@require_role("trainer")
def links_csv(group_id: int):
    group = _group_or_404(group_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "email", "link"])
    for member in _service().members(current_user.id, group_id) or []:
        writer.writerow([_cell(member.name), _cell(member.email or ""), personal_link(member.link_key)])
    return _download("\ufeff" + out.getvalue(), "text/csv", f"quizroom-{slug(group.name, 'group')}-links.csv")


def _cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: keep names as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
