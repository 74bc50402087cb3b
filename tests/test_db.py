"""The database wrapper: a new SQLite file in a folder that does not exist yet."""

from __future__ import annotations

import sqlalchemy as sa

from quizroom.db import Database
from quizroom.models import Trainer


def test_a_new_sqlite_file_gets_its_folder(tmp_path):
    path = tmp_path / "fresh" / "instance" / "quizroom.db"
    database = Database(f"sqlite:///{path}")
    try:
        database.create_all()
        with database.transaction() as s:
            s.add(Trainer(email="a@example.com", name="A", password_hash="x"))
        with database.read() as s:
            assert s.scalar(sa.select(sa.func.count()).select_from(Trainer)) == 1
    finally:
        database.dispose()
    assert path.is_file()


def test_an_in_memory_database_needs_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    database = Database("sqlite://")
    database.create_all()
    database.dispose()
    assert list(tmp_path.iterdir()) == []
