"""One signed-in app per test module: signing in hashes passwords (scrypt), which would
otherwise dominate these tests. Tests that create decks compare counts before and after."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from quizroom import accounts, create_app
from tests.conftest import TRAINER_EMAIL, TRAINER_PASSWORD, FakeClock


@dataclass
class Site:
    app: object
    client: object
    trainer: object
    clock: FakeClock


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    clock = FakeClock()
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'test.db'}",
            "INSTANCE_DIR": str(folder),
            "SECRET_KEY": "test-secret",
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": clock,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    trainer = accounts.create_trainer(app, email=TRAINER_EMAIL, name="Tess Trainer", password=TRAINER_PASSWORD)
    client = app.test_client()
    response = client.post("/login", data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD})
    assert response.status_code in (302, 303), response.data[:500]
    yield Site(app=app, client=client, trainer=trainer, clock=clock)
    app.extensions["quizroom.db"].dispose()


@pytest.fixture
def client(site):
    return site.client
