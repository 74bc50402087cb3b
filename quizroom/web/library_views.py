"""The pages and API routes that decks and session plans share, written once.

web/decks.py and web/plans.py keep their routes (URLs, endpoint names, role decorators) and
call these through their kind of document, a ``LibraryViews``: a row's page and its
description-and-tags form, export, duplicate and fork, delete (asking again without
JavaScript), import, and the JSON API (list, create, get, update, delete, tags, duplicate,
fork). Rows are found the way the policy allows (web/library.py: 404 outside the workspace,
403 for a row one may read but not change). Messages, JSON keys, templates and endpoints
follow the kind's words: ``what`` ("deck", "plan") and ``plural`` ("decks", "plans", which
is also the blueprint's name and the templates' folder).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge

from .. import library
from ..engine import DeckInvalid
from ..owned import Access, OwnedDocuments
from . import documents
from . import library as shelf


@dataclass(frozen=True)
class LibraryViews:
    store: OwnedDocuments
    what: str  # "deck", "plan": "no such plan", {"plan": ...}, ``plan_id``
    plural: str  # "decks", "plans": the blueprint, the templates' folder, "now in your plans"
    kind: documents.Kind  # the import page's words and formats
    describe_path: Callable[[str], str]  # an error's path as a trainer calls it
    duplicate_document: Callable[[dict], dict]  # one's own copy ("Copy of …")
    contents: Callable[[object], dict]  # row -> what its page lists (its questions, its agenda)
    export_name: Callable[[object], str]  # row -> the exported file's name
    confirm_delete: Callable[[object], dict]  # row -> what the delete page says is lost
    imported: Callable[[object], str]  # row -> the message after an import
    summary_json: Callable[[object], dict]  # row -> its entry in the API's list

    # ------------------------------------------------------------ rows
    def _url(self, page: str, row_id: int) -> str:
        return url_for(f"{self.plural}.{page}", **{f"{self.what}_id": row_id})

    def readable(self, row_id: int) -> Access:
        """The row of the signed-in member's workspace, or 404."""
        return shelf.readable(self.store, row_id)

    def editable(self, row_id: int) -> Access:
        """The row when the signed-in member may change it: 404 outside the workspace, else 403."""
        return shelf.editable(self.store, row_id, self.what)

    def copy(self, row_id: int):
        """Duplicate one's own row ("Copy of …"), or fork a colleague's (credit kept)."""
        found = self.readable(row_id)
        if found.owner.id == current_user.id:
            return self.store.create(current_app, current_user.id, self.duplicate_document(found.row.document))
        return shelf.fork(self.store, found)

    # ------------------------------------------------------------ pages
    def show(self, row_id: int):
        return self.show_page(self.readable(row_id))

    def show_page(self, found: Access, status: int = 200, form: dict | None = None, errors: dict | None = None):
        row = found.row
        form = form or {"description": (row.document or {}).get("description", ""), "tags": ", ".join(row.tags or [])}
        return render_template(
            f"{self.plural}/show.html",
            row=row,
            access=found,
            credit=shelf.credit(row),
            form=form,
            errors=errors or {},
            tags_max=library.TAGS_MAX,
            **self.contents(row),
        ), status

    def details(self, row_id: int):
        """POST: the description and tags (owner or admin); the page again with errors (400)."""
        found = self.editable(row_id)
        form = {"description": request.form.get("description", ""), "tags": request.form.get("tags", "")}
        errors = shelf.save_details(self.store, found, form["description"], form["tags"])
        if errors:
            return self.show_page(found, 400, form, errors)
        flash("Saved the description and tags.", "success")
        return redirect(self._url("show", row_id))

    def export(self, row_id: int) -> Response:
        row = self.readable(row_id).row
        body = json.dumps(row.document, ensure_ascii=False, indent=2) + "\n"
        headers = Headers()
        headers.add("Content-Disposition", "attachment", filename=self.export_name(row))
        headers["Cache-Control"] = "no-store"
        return Response(body, mimetype="application/json", headers=headers)

    def duplicate(self, row_id: int):
        copy = self.copy(row_id)
        flash(f"Made a copy: “{copy.title}”.", "success")
        return redirect(url_for(f"{self.plural}.index"))

    def fork(self, row_id: int):
        copy = self.copy(row_id)
        credit = f", {shelf.credit(copy)}." if copy.forked_from_id else "."
        flash(f"“{copy.title}” is now in your {self.plural}" + credit, "success")
        return redirect(self._url("show", copy.id))

    def delete(self, row_id: int):
        row = self.editable(row_id).row
        if request.form.get("confirm") != "yes":
            # Without JavaScript the list's button lands here: ask once more.
            return render_template(f"{self.plural}/confirm_delete.html", row=row, **self.confirm_delete(row))
        self.store.delete(current_app, current_user.id, row_id)
        flash(f"Deleted “{row.title}”. Results of rooms that used it are kept.", "success")
        return redirect(url_for(f"{self.plural}.index"))

    def import_page(self):
        """GET: the form; POST: a file to import, then its editor (or every problem, labelled)."""
        if request.method == "GET":
            return render_template("import.html", kind=self.kind, errors=[], filename=None)
        document, filename, errors, status = documents.import_form(self.kind)
        if not errors:
            try:
                row = self.store.create(current_app, current_user.id, document)
            except DeckInvalid as invalid:
                errors = invalid.errors
            else:
                flash(self.imported(row), "success")
                return redirect(self._url("edit", row.id))
        labelled = [dict(e, label=self.describe_path(e["path"])) for e in errors]
        return render_template("import.html", kind=self.kind, errors=labelled, filename=filename), status

    # ------------------------------------------------------------ API
    def row_json(self, row) -> dict:
        return {"id": row.id, self.what: row.document}

    @staticmethod
    def library_json(row) -> dict:
        """What the library adds to a row (``?scope=workspace`` listings, tags, forks)."""
        return {"tags": list(row.tags or []), "forked_from": shelf.credit(row)}

    def _error(self, code: str, message: str, status: int):
        return jsonify(error={"code": code, "message": message}), status

    def _not_found(self):
        return self._error("not_found", f"no such {self.what}", 404)

    def api_list(self):
        """The member's own rows, or with ``?scope=workspace`` every row of the workspace
        (with its owner and tags)."""
        if request.args.get("scope") == "workspace":
            rows = self.store.of_workspace(current_app, current_user.id)
            listed = [{**self.summary_json(r), "owner": owner, **self.library_json(r)} for r, owner in rows]
        else:
            listed = [self.summary_json(r) for r in self.store.of_trainer(current_app, current_user.id)]
        return jsonify({self.plural: listed})

    def api_create(self):
        return self._write(None)

    def api_get(self, row_id: int):
        found, refused = shelf.api_access(self.store, row_id, self.what)
        if refused:
            return refused
        return jsonify(self.row_json(found.row))

    def api_update(self, row_id: int):
        _found, refused = shelf.api_access(self.store, row_id, self.what, edit=True)
        if refused:
            return refused
        return self._write(row_id)

    def _write(self, row_id: int | None):
        try:
            document, errors = documents.body_document(self.kind)
        except RequestEntityTooLarge:
            return jsonify(errors=[{"path": "", "message": f"the {self.what} is too large"}]), 413
        if errors:
            return jsonify(errors=errors), 400
        try:
            if row_id is None:
                row = self.store.create(current_app, current_user.id, document)
            else:
                row = self.store.update(current_app, current_user.id, row_id, document)
        except DeckInvalid as invalid:
            return jsonify(errors=invalid.errors), 400
        if row is None:
            return self._not_found()
        if row_id is not None:
            return jsonify(self.row_json(row))
        response = jsonify(self.row_json(row))
        response.headers["Location"] = self._url("api_get", row.id)
        return response, 201

    def api_delete(self, row_id: int):
        _found, refused = shelf.api_access(self.store, row_id, self.what, edit=True)
        if refused:
            return refused
        if not self.store.delete(current_app, current_user.id, row_id):
            return self._not_found()
        return "", 204

    def api_tags(self, row_id: int):
        """``{"tags": ["git", "onboarding"]}``: replace the row's tags (owner or admin)."""
        _found, refused = shelf.api_access(self.store, row_id, self.what, edit=True)
        if refused:
            return refused
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "tags" not in body:
            return self._error("bad_request", 'send {"tags": [...]}', 400)
        try:
            tags = library.clean_tags(body["tags"])
        except library.TagsInvalid as invalid:
            return self._error("bad_tags", invalid.message, 400)
        row = self.store.set_tags(current_app, current_user.id, row_id, tags)
        return jsonify({"id": row.id, **self.library_json(row)}) if row else self._not_found()

    def api_duplicate(self, row_id: int):
        _found, refused = shelf.api_access(self.store, row_id, self.what)
        if refused:
            return refused
        return jsonify(self.row_json(self.copy(row_id))), 201

    def api_fork(self, row_id: int):
        _found, refused = shelf.api_access(self.store, row_id, self.what)
        if refused:
            return refused
        copy = self.copy(row_id)
        return jsonify({**self.row_json(copy), **self.library_json(copy)}), 201
