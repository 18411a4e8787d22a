"""Engine, sessions and migrations. Nothing connects at import time: callers build an
engine from a URL and pass it down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine as Engine
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from store.errors import ConfigError, DatabaseNotMigrated, DatabaseUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"


def open_engine(url: str) -> Engine:
    """make_engine for a URL typed by an operator: a malformed URL or a driver that is not
    installed becomes a ConfigError naming DATABASE_URL."""
    try:
        return make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as err:
        raise ConfigError("bad_database_url", error=type(err).__name__) from err


@contextmanager
def database_errors_explained() -> Iterator[None]:
    """A server that does not answer becomes DatabaseUnavailable, which the edges explain."""
    try:
        yield
    except OperationalError as err:
        raise DatabaseUnavailable("database_unreachable", error=str(err.orig or err)[:200]) from err


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets foreign keys and a busy timeout, like PostgreSQL's waits."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine | None = None) -> Config:
    """The migrations' config; env.py needs the engine, reading the scripts does not."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration in the code (no database needed)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def ensure_schema(engine: Engine) -> None:
    """SQLite files migrate themselves (the embedded default needs no admin); other databases
    must be migrated with `finsam-bot db upgrade`, so a deploy never alters a shared schema
    behind its operator's back."""
    if current_revision(engine) == head_revision():
        return
    if is_sqlite(engine):
        upgrade(engine)
        return
    raise DatabaseNotMigrated(
        "not_migrated", current=current_revision(engine) or "-", head=head_revision() or "-"
    )


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def database_now(session: Session) -> datetime | None:
    """The database server's clock (PostgreSQL), the one every process sharing it agrees on;
    None for SQLite, whose clock is the machine's own (a file is shared by one machine)."""
    if session.get_bind().dialect.name == "sqlite":
        return None
    moment = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    return moment if isinstance(moment, datetime) else None


def insert_if_absent(session: Session, model: type[SQLModel], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when the row was inserted."""
    return bool(insert_rows_if_absent(session, model, [values]))


def insert_rows_if_absent(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], *, returning: str = "id"
) -> list[Any]:
    """INSERT … ON CONFLICT DO NOTHING of several rows in one statement; the `returning`
    column of each row inserted. No savepoint: on SQLite a SAVEPOINT outside a transaction
    commits when released, which would break the all-or-nothing of the caller's
    transaction."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = insert(table).values(rows).on_conflict_do_nothing().returning(table.c[returning])
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT.
    return list(session.execute(statement).scalars())
