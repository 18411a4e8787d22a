"""`alembic upgrade head` on an empty database and `alembic check` (models match the
migrations), on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from store.db import alembic_config, current_revision, ensure_schema, head_revision, make_engine


def test_upgrade_reaches_head_and_models_match(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    command.check(alembic_config(engine))  # raises when models and migrations differ


def test_every_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {
        "budget_year",
        "budget_line",
        "spending",
        "person",
        "person_role",
        "outbox_message",
    } <= tables


def test_a_fresh_sqlite_file_migrates_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fresh = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    ensure_schema(fresh)
    assert current_revision(fresh) == head_revision()
    fresh.dispose()
