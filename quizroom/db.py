"""The one place that owns connections and transactions.

Every write goes through ``Database.transaction()``: it commits when the block ends
and rolls back on an exception, so a caller that got past the block knows its rows are
durable (SQLite in WAL mode survives a killed process once a commit has returned).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from .models import Base


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _make_folder_for(url: str) -> None:
    """A new SQLite file may be asked for in a folder that does not exist yet (a fresh
    QUIZROOM_INSTANCE, or --db some/new/place.db): SQLite will not create the folder."""
    database = sa.engine.make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


class Database:
    def __init__(self, url: str):
        self.url = url
        options: dict = {"future": True}
        if url.startswith("sqlite"):
            _make_folder_for(url)
            options["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = sa.create_engine(url, **options)
        if url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = so.sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self) -> None:
        Base.metadata.create_all(self.engine)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Databases made by an older quizroom gain the nullable columns added since.

        (Only additive, nullable columns: anything else will need a real migration tool.)"""
        inspector = sa.inspect(self.engine)
        with self.engine.begin() as connection:
            for table in Base.metadata.sorted_tables:
                present = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name in present or not column.nullable:
                        continue
                    kind = column.type.compile(dialect=self.engine.dialect)
                    connection.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))

    @contextmanager
    def transaction(self) -> Iterator[so.Session]:
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[so.Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
