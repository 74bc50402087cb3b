"""Deck resources: the trainer's page (links, uploads checked by extension and content, size
limit, removal), safe downloads, and who may open them: the deck's workspace, and the
participants of a room run from the deck once it has ended (by phone token or personal link)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from quizroom import accounts, models
from quizroom.engine import parse_deck
from quizroom.people import people_of
from quizroom.web import resources as resource_pages
from tests.conftest import sample_deck
from tests.live.conftest import Phone, Stage

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Accounts made here hash with a cheap method: these tests are about resources, not passwords."""
    monkeypatch.setattr(accounts, "generate_password_hash", lambda p: generate_password_hash(p, "pbkdf2:sha256:1000"))


def sign_in(app, email: str, password: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


@pytest.fixture
def deck_id(logged_in) -> int:
    response = logged_in.post("/api/decks", json=sample_deck(2))
    assert response.status_code == 201
    return response.json["id"]


def upload(client, deck_id: int, name: str, data: bytes, title: str = ""):
    return client.post(
        f"/decks/{deck_id}/resources/file",
        data={"file": (io.BytesIO(data), name), "title": title},
        content_type="multipart/form-data",
    )


def add_link(client, deck_id: int, title: str, url: str):
    return client.post(f"/decks/{deck_id}/resources/link", data={"title": title, "url": url})


def stored(app, deck_id: int) -> list[models.Resource]:
    with app.extensions["quizroom.db"].read() as s:
        query = sa.select(models.Resource).where(models.Resource.deck_id == deck_id).order_by(models.Resource.id)
        return list(s.scalars(query))


def assert_safe_download(response, mimetype: str, filename: str, body: bytes) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert filename in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data == body


# ------------------------------------------------------------------ the trainer's page
def test_links_are_http_or_https_only(app, logged_in, deck_id):
    for title, url, message in [
        ("Evil", "javascript:alert(1)", "only http:// and https:// addresses"),
        ("Evil", "JavaScript:alert(1)", "only http:// and https:// addresses"),
        ("Data", "data:text/html,<script>alert(1)</script>", "only http:// and https:// addresses"),
        ("FTP", "ftp://example.org/file", "only http:// and https:// addresses"),
        ("No host", "https:///path", "has no host name"),
        ("Spaces", "https://example.org/a b", "may not contain spaces"),
        ("", "https://example.org/", "Title is empty"),
        ("Empty", "", "The address is empty"),
    ]:
        response = add_link(logged_in, deck_id, title, url)
        assert response.status_code == 400, url
        assert message.lower() in response.get_data(as_text=True).lower(), (url, message)
    assert stored(app, deck_id) == []

    added = add_link(logged_in, deck_id, "Cheat sheet <b>", "https://example.org/git?x=1&y=2")
    assert added.status_code == 302
    (row,) = stored(app, deck_id)
    assert (row.kind, row.title, row.url) == ("link", "Cheat sheet <b>", "https://example.org/git?x=1&y=2")
    html = logged_in.get(f"/decks/{deck_id}/resources").get_data(as_text=True)
    assert "Cheat sheet &lt;b&gt;" in html
    assert 'href="https://example.org/git?x=1&amp;y=2" rel="noopener noreferrer"' in html


def test_uploads_are_checked_by_extension_and_content(app, logged_in, deck_id):
    for name, data, message in [
        ("slides.pdf", PNG, "not a real PDF file"),
        ("photo.png", PDF, "not a real PNG image file"),
        ("page.html", b"<html><script>alert(1)</script></html>", "“.html” files cannot be attached"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "“.svg” files cannot be attached"),
        ("report.docx", zipped({"hello.txt": b"hi"}), "not a real Word file"),
        ("report.docx", PDF, "not a real Word file"),
        ("notes.odt", DOCX, "not a real OpenDocument text file"),
        ("notes.txt", b"binary\x00junk", "not a real text file"),
        ("README", b"hello", "needs an extension"),
        ("empty.pdf", b"", "The file is empty"),
    ]:
        response = upload(logged_in, deck_id, name, data)
        assert response.status_code == 400, name
        assert message.lower() in response.get_data(as_text=True).lower(), (name, message)
    assert stored(app, deck_id) == []

    for name, data in [
        ("Slides.PDF", PDF),
        ("summary.docx", DOCX),
        ("notes.odt", ODT),
        ("map.jpeg", b"\xff\xd8\xff\xe0"),
    ]:
        assert upload(logged_in, deck_id, name, data).status_code == 302, name
    rows = stored(app, deck_id)
    assert [(r.title, r.filename, r.extension, r.size) for r in rows] == [
        ("Slides", "Slides.pdf", "pdf", len(PDF)),
        ("summary", "summary.docx", "docx", len(DOCX)),
        ("notes", "notes.odt", "odt", len(ODT)),
        ("map", "map.jpg", "jpg", 4),
    ]


def test_the_size_limit_is_a_setting(app, logged_in, deck_id):
    app.config["MAX_RESOURCE_MB"] = 0.01  # about 10 KB
    too_big = PDF + b"0" * 11_000
    refused = upload(logged_in, deck_id, "big.pdf", too_big)
    assert refused.status_code == 413 and "The file is too large (at most 10 KB)." in refused.text
    way_too_big = upload(logged_in, deck_id, "huge.pdf", PDF + b"0" * 200_000)  # past the body limit itself
    assert way_too_big.status_code == 413 and "The file is too large (at most 10 KB)." in way_too_big.text
    assert stored(app, deck_id) == []
    assert upload(logged_in, deck_id, "small.pdf", PDF + b"0" * 9_000).status_code == 302


def test_a_resource_may_be_larger_than_the_general_upload_limit(app, logged_in, deck_id):
    app.config["MAX_CONTENT_LENGTH"] = 1000  # images and decks stay small ...
    assert upload(logged_in, deck_id, "slides.pdf", PDF + b"0" * 5000).status_code == 302  # ... slides need not


def test_download_is_an_attachment_with_its_real_type(app, logged_in, deck_id):
    assert upload(logged_in, deck_id, "summary.docx", DOCX, title="One-page summary").status_code == 302
    assert upload(logged_in, deck_id, "notes.md", b"# Notes\n<script>alert(1)</script>\n").status_code == 302
    docx, notes = stored(app, deck_id)
    assert_safe_download(
        logged_in.get(f"/decks/{deck_id}/resources/{docx.id}"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "summary.docx",
        DOCX,
    )
    assert_safe_download(
        logged_in.get(f"/decks/{deck_id}/resources/{notes.id}"),
        "text/markdown; charset=utf-8",
        "notes.md",
        b"# Notes\n<script>alert(1)</script>\n",
    )
    html = logged_in.get(f"/decks/{deck_id}/resources").get_data(as_text=True)
    assert "One-page summary" in html and f'href="/decks/{deck_id}/resources/{docx.id}" download' in html


def test_a_removed_resource_is_gone(app, logged_in, deck_id):
    assert upload(logged_in, deck_id, "slides.pdf", PDF).status_code == 302
    assert add_link(logged_in, deck_id, "Docs", "https://example.org/").status_code == 302
    pdf, link = stored(app, deck_id)
    removed = logged_in.post(f"/decks/{deck_id}/resources/{pdf.id}/remove")
    assert removed.status_code == 302
    assert [r.id for r in stored(app, deck_id)] == [link.id]
    assert logged_in.get(f"/decks/{deck_id}/resources/{pdf.id}").status_code == 404
    assert logged_in.post(f"/decks/{deck_id}/resources/{pdf.id}/remove").status_code == 404
    listed = logged_in.get(f"/decks/{deck_id}/resources").get_data(as_text=True).split('id="list-heading"')[1]
    assert "Attached (1)" in listed and "Docs" in listed and "slides" not in listed
    assert logged_in.get(f"/decks/{deck_id}/resources/{link.id}").status_code == 404  # links are not downloads


def test_forms_need_the_csrf_token(app, logged_in, deck_id):
    app.config["WTF_CSRF_ENABLED"] = True
    assert upload(logged_in, deck_id, "slides.pdf", PDF).status_code == 400
    assert add_link(logged_in, deck_id, "Docs", "https://example.org/").status_code == 400
    assert stored(app, deck_id) == []
    page = logged_in.get(f"/decks/{deck_id}/resources").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    sent = logged_in.post(
        f"/decks/{deck_id}/resources/file",
        data={"file": (io.BytesIO(PDF), "slides.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and len(stored(app, deck_id)) == 1


def test_the_deck_pages_link_to_the_resources(app, logged_in, deck_id):
    assert add_link(logged_in, deck_id, "Docs", "https://example.org/").status_code == 302
    editor = logged_in.get(f"/decks/{deck_id}/edit").get_data(as_text=True)
    assert f'href="/decks/{deck_id}/resources">Resources for participants (1)' in editor
    page = logged_in.get(f"/decks/{deck_id}").get_data(as_text=True)
    assert "Resources for participants" in page and 'href="https://example.org/"' in page


# ------------------------------------------------------------------ other trainers
def test_another_workspace_sees_nothing_and_a_colleague_only_reads(app, logged_in, deck_id, trainer):
    assert upload(logged_in, deck_id, "slides.pdf", PDF).status_code == 302
    (pdf,) = stored(app, deck_id)
    accounts.create_trainer(app, email="other@example.com", name="Oscar Other", password="other password")
    other = sign_in(app, "other@example.com", "other password")
    for response in (
        other.get(f"/decks/{deck_id}/resources"),
        other.get(f"/decks/{deck_id}/resources/{pdf.id}"),
        other.post(f"/decks/{deck_id}/resources/{pdf.id}/remove"),
        add_link(other, deck_id, "Mine", "https://example.org/"),
        upload(other, deck_id, "x.pdf", PDF),
    ):
        assert response.status_code == 404

    with app.extensions["quizroom.db"].transaction() as s:
        s.add(
            models.Trainer(
                email="colleague@example.com",
                name="Cleo Colleague",
                password_hash=generate_password_hash("colleague password", method="pbkdf2:sha256:1000"),
                workspace_id=trainer.workspace_id,
                role="trainer",
            )
        )
    colleague = sign_in(app, "colleague@example.com", "colleague password")
    page = colleague.get(f"/decks/{deck_id}/resources").get_data(as_text=True)
    assert "slides" in page and "Upload a file" not in page and "Remove" not in page
    assert colleague.get(f"/decks/{deck_id}/resources/{pdf.id}").status_code == 200
    assert colleague.post(f"/decks/{deck_id}/resources/{pdf.id}/remove").status_code == 403
    assert add_link(colleague, deck_id, "Mine", "https://example.org/").status_code == 403
    assert upload(colleague, deck_id, "x.pdf", PDF).status_code == 403
    assert len(stored(app, deck_id)) == 1
    anonymous = app.test_client()
    assert anonymous.get(f"/decks/{deck_id}/resources/{pdf.id}").status_code == 302  # to the sign-in page


# ------------------------------------------------------------------ participants
def open_deck_room(app, clock, trainer_id: int, deck_id: int) -> Stage:
    deck = parse_deck(sample_deck(1))
    room, key = app.extensions["quizroom.live"].open_room(
        trainer_id=trainer_id, deck_id=deck_id, title="Git basics", activities=deck.questions
    )
    return Stage(app, clock, room, key)


def materials(client, code: str, token: str | None):
    """What the phone's end screen does: the token in the form body; follow to the page."""
    response = client.post(f"/j/{code}/materials", data={"token": token} if token else {})
    if response.status_code != 303:
        return response, None
    location = response.headers["Location"]
    assert "token" not in location and (token is None or token not in location)
    return client.get(location), location


@pytest.fixture
def ended_room(app, clock, trainer, logged_in, deck_id):
    """A room run from the deck (with a PDF attached), one phone in it, then ended."""
    assert upload(logged_in, deck_id, "slides.pdf", PDF, title="The slides").status_code == 302
    assert add_link(logged_in, deck_id, "Cheat sheet", "https://example.org/git").status_code == 302
    stage = open_deck_room(app, clock, trainer.id, deck_id)
    phone = stage.phone("Ana")
    return stage, phone


def test_a_participant_opens_the_resources_once_the_room_has_ended(app, ended_room, deck_id, monkeypatch):
    stage, phone = ended_room
    (pdf, _link) = stored(app, deck_id)
    client = app.test_client()
    live_page, _ = materials(client, stage.code, phone.token)
    assert live_page.status_code == 404  # not while the room is running

    assert 'id="end-materials"' in client.get(f"/j/{stage.code}").get_data(as_text=True)
    stage.do("host:end")
    page, location = materials(client, stage.code, phone.token)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert "Git basics" in html and "The slides" in html
    assert 'href="https://example.org/git" rel="noopener noreferrer"' in html
    file_url = re.search(rf'href="(/materials/[^"]+/{pdf.id})" download', html).group(1)
    assert_safe_download(client.get(file_url), "application/pdf", "slides.pdf", PDF)
    assert app.test_client().get(file_url).status_code == 200  # the signed link itself is the grant ...
    monkeypatch.setattr(resource_pages, "GRANT_SECONDS", -1)  # ... for a while only
    assert client.get(location).status_code == 404
    assert client.get(file_url).status_code == 404


def test_a_participant_of_another_room_or_nobody_cannot(app, clock, ended_room, trainer, logged_in, deck_id):
    stage, _phone = ended_room
    (pdf, _link) = stored(app, deck_id)
    stage.do("host:end")
    other_deck = logged_in.post("/api/decks", json=sample_deck(1)).json["id"]
    elsewhere = open_deck_room(app, clock, trainer.id, other_deck)
    stranger = elsewhere.phone("Bo")
    elsewhere.do("host:end")

    client = app.test_client()
    assert materials(client, stage.code, stranger.token)[0].status_code == 404  # a token of another room
    page, location = materials(client, elsewhere.code, stranger.token)  # their own room: its deck has nothing
    assert page.status_code == 200 and "has not shared any materials" in page.get_data(as_text=True)
    assert client.get(f"{location}/{pdf.id}").status_code == 404  # nor can their grant open this deck's file
    assert materials(client, stage.code, None)[0].status_code == 404
    assert materials(client, stage.code, "0" * 48)[0].status_code == 404
    assert client.get(f"/materials/not-a-grant/{pdf.id}").status_code == 404
    assert client.get("/materials/not-a-grant").status_code == 404


def test_a_removed_participant_cannot(app, ended_room):
    stage, phone = ended_room
    stage.do("host:remove", {"participant": phone.id})
    stage.do("host:end")
    assert materials(app.test_client(), stage.code, phone.token)[0].status_code == 404


def test_a_known_person_finds_them_on_their_personal_page(app, ended_room, trainer, deck_id):
    stage, _phone = ended_room
    (pdf, _link) = stored(app, deck_id)
    people = people_of(app)
    ana = people.create_person(trainer.id, "Ana Lima")
    bo = people.create_person(trainer.id, "Bo Chen")
    known = Phone(app, stage.code, stage)
    assert known.emit("join", {"code": stage.code, "person": {"key": ana.link_key}})["ok"]

    client = app.test_client()
    assert "Materials from your sessions" not in client.get(f"/me/{ana.link_key}").get_data(as_text=True)
    assert client.get(f"/me/{ana.link_key}/materials/{pdf.id}").status_code == 404  # not before the end
    stage.do("host:end")
    html = client.get(f"/me/{ana.link_key}").get_data(as_text=True)
    assert "Materials from your sessions" in html and "The slides" in html
    assert f'href="/me/{ana.link_key}/materials/{pdf.id}" download' in html
    assert_safe_download(client.get(f"/me/{ana.link_key}/materials/{pdf.id}"), "application/pdf", "slides.pdf", PDF)
    assert "Materials from your sessions" not in client.get(f"/me/{bo.link_key}").get_data(as_text=True)
    assert client.get(f"/me/{bo.link_key}/materials/{pdf.id}").status_code == 404
    assert client.get(f"/me/not-a-key/materials/{pdf.id}").status_code == 404


def test_the_end_screen_offers_materials_only_when_the_deck_has_some(app, clock, trainer, logged_in, deck_id):
    stage = open_deck_room(app, clock, trainer.id, deck_id)
    assert 'id="end-materials"' not in app.test_client().get(f"/j/{stage.code}").get_data(as_text=True)
