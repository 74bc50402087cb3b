"""What the deck and plan pages share as the workspace's library (docs/workspace.md): the
"Mine" / "Workspace" listing with its tag filter and title search, finding a row the way the
policy allows (404 outside the workspace, 403 for a row one may read but not change), forks
with credit, and the tags-and-description form."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, jsonify, request

from .. import library, workspaces
from ..engine import DeckInvalid
from ..owned import Access, OwnedDocuments
from .roles import forbidden, me, not_found

TABS = ("mine", "workspace")
DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class Entry:
    row: object
    owner: str
    mine: bool
    editable: bool
    forkable: bool


def listing(store: OwnedDocuments) -> dict:
    """The library page's context: ``tab``, ``search``, ``tag``, ``entries``, ``tags`` (in use
    on the tab), ``counts`` (per tab)."""
    actor = me()
    tab = request.args.get("show", "")
    if tab not in TABS:
        tab = "mine" if workspaces.may_run(actor) else "workspace"
    search = request.args.get("q", "").strip()[: library.SEARCH_MAX]
    tag = request.args.get("tag", "").strip()[: library.TAG_MAX]
    everything = store.of_workspace(current_app, actor.id)
    mine = [(row, name) for row, name in everything if row.trainer_id == actor.id]
    shown = mine if tab == "mine" else everything
    entries = []
    for row, name in shown:
        if not library.matches(row.title, row.tags, tag=tag, search=search):
            continue
        owner = workspaces.Member(row.trainer_id, actor.workspace_id, None)  # of_workspace: same workspace
        entries.append(
            Entry(
                row=row,
                owner=name,
                mine=row.trainer_id == actor.id,
                editable=workspaces.may_edit(actor, owner),
                forkable=workspaces.may_fork(actor, owner),
            )
        )
    return {
        "tab": tab,
        "search": search,
        "tag": tag,
        "entries": entries,
        "tags": library.all_tags(row.tags for row, _name in shown),
        "counts": {"mine": len(mine), "workspace": len(everything)},
        "filtered": bool(search or tag),
    }


# ------------------------------------------------------------------ finding rows
def readable(store: OwnedDocuments, row_id: int) -> Access:
    """The row, or 404 when there is none in the signed-in member's workspace."""
    found = store.access(current_app, me().id, row_id)
    if found is None or not found.readable:
        not_found()
    return found


def editable(store: OwnedDocuments, row_id: int, what: str) -> Access:
    """The row when the signed-in member may change it; 404 outside the workspace, else 403."""
    found = readable(store, row_id)
    if not found.editable:
        forbidden(f"only the {what}'s owner or an admin can change it")
    return found


def api_access(store: OwnedDocuments, row_id: int, what: str, *, edit: bool = False):
    """(access, None) or (None, JSON error response) for the API routes."""
    found = store.access(current_app, me().id, row_id)
    if found is None or not found.readable:
        return None, (jsonify(error={"code": "not_found", "message": f"no such {what}"}), 404)
    if edit and not found.editable:
        message = f"only the {what}'s owner or an admin can change it"
        return None, (jsonify(error={"code": "forbidden", "message": message}), 403)
    return found, None


# ------------------------------------------------------------------ forks
def fork(store: OwnedDocuments, found: Access):
    """ "Copy to my decks": the signed-in member's own copy, crediting the original."""
    row = found.row
    return store.create(
        current_app,
        me().id,
        library.fork_document(row.document),
        tags=list(row.tags or []) or None,
        forked_from_id=row.id,
        forked_from_title=row.title,
        forked_from_owner=found.owner_name,
    )


def credit(row) -> str | None:
    if not row.forked_from_title:
        return None
    return library.credit(row.forked_from_title, row.forked_from_owner or "a colleague")


# ------------------------------------------------------------------ details
def save_details(store: OwnedDocuments, found: Access, description: object, tags: object) -> dict[str, str]:
    """Store a new description and tags (owner or admin); {} when saved, else field -> error."""
    errors: dict[str, str] = {}
    try:
        clean = library.clean_tags(tags)
    except library.TagsInvalid as invalid:
        errors["tags"] = invalid.message[:1].upper() + invalid.message[1:] + "."
    text = description.strip() if isinstance(description, str) else ""
    if len(text) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description under {DESCRIPTION_MAX} characters."
    if errors:
        return errors
    document = dict(found.row.document or {})
    document["description"] = text
    try:
        saved = store.update(current_app, me().id, found.row.id, document, tags=clean)
    except DeckInvalid as invalid:
        return {"description": "; ".join(e["message"] for e in invalid.errors)}
    if saved is None:
        abort(404)
    return {}
