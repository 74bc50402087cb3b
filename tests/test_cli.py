"""The `quizroom` command: accounts and deck files from the shell."""

import json
import os

import sqlalchemy as sa

from tests.conftest import run_cli, sample_deck


def cli_env(tmp_path) -> dict:
    return {
        **os.environ,
        "QUIZROOM_INSTANCE": str(tmp_path / "instance"),
        "QUIZROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }


def count(tmp_path, table: str) -> int:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: S608


def test_create_trainer_then_duplicate_is_refused(tmp_path):
    env = cli_env(tmp_path)
    first = run_cli(
        "create-trainer", "--email", "Ana@Example.com", "--name", "Ana", "--password", "long enough", env=env
    )
    assert first.returncode == 0, first.stderr
    assert "created trainer ana@example.com" in first.stdout
    again = run_cli("create-trainer", "--email", "ana@example.com", "--password", "long enough", env=env)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert count(tmp_path, "trainers") == 1


def test_short_password_is_refused(tmp_path):
    result = run_cli("create-trainer", "--email", "a@b.co", "--password", "short", env=cli_env(tmp_path))
    assert result.returncode == 2
    assert "at least 8" in result.stderr


def test_import_and_export_round_trip(tmp_path):
    env = cli_env(tmp_path)
    assert run_cli("create-trainer", "--email", "t@example.com", "--password", "long enough", env=env).returncode == 0
    deck_file = tmp_path / "deck.json"
    deck_file.write_text(json.dumps(sample_deck(2)))
    imported = run_cli("import-deck", str(deck_file), "--trainer", "t@example.com", env=env)
    assert imported.returncode == 0, imported.stderr
    exported = run_cli("export-deck", "1", env=env)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["format"] == "quizroom.deck" and document["version"] == 1
    assert [q["uid"] for q in document["questions"]] == ["q0", "q1"]


def test_import_of_a_bad_deck_lists_every_problem_and_creates_nothing(tmp_path):
    env = cli_env(tmp_path)
    assert run_cli("create-trainer", "--email", "t@example.com", "--password", "long enough", env=env).returncode == 0
    bad = sample_deck(2)
    bad["questions"][0]["time_limit"] = 999
    bad["questions"][1]["choices"] = [{"text": "only one", "correct": True}]
    deck_file = tmp_path / "bad.json"
    deck_file.write_text(json.dumps(bad))
    result = run_cli("import-deck", str(deck_file), "--trainer", "t@example.com", env=env)
    assert result.returncode == 2
    assert "questions.0.time_limit" in result.stderr
    assert "questions.1.choices" in result.stderr
    assert count(tmp_path, "decks") == 0


def test_import_of_broken_json_is_a_clear_error(tmp_path):
    env = cli_env(tmp_path)
    assert run_cli("create-trainer", "--email", "t@example.com", "--password", "long enough", env=env).returncode == 0
    deck_file = tmp_path / "broken.json"
    deck_file.write_text("{not json")
    result = run_cli("import-deck", str(deck_file), "--trainer", "t@example.com", env=env)
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr
