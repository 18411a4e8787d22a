"""Shared fixtures: a fresh database per test on SQLite and, where one answers, PostgreSQL.

PostgreSQL comes from FINSAM_TEST_POSTGRES_URL (.ci/run sets it), else the local server at
127.0.0.1:5432/test if it answers. Each PostgreSQL test gets a schema of its own, dropped after.
FINSAM_REQUIRE_POSTGRES=1 (set by .ci/run) turns a missing server into a failure."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.settings import Settings
from store.db import make_engine, session_scope, upgrade
from store.installation import record_reports_from
from tests.harness import RunningBot, running_bot
from tests.scratch_db import postgres_schema

LIVE_SINCE = date(2000, 1, 1)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NO_POSTGRES = "no PostgreSQL server (set FINSAM_TEST_POSTGRES_URL)"


def _postgres_url() -> str | None:
    url = os.environ.get("FINSAM_TEST_POSTGRES_URL")
    if url:
        return url
    parsed = make_url(DEFAULT_PG)
    try:
        with socket.create_connection((parsed.host or "", parsed.port or 5432), timeout=0.5):
            pass
    except OSError:
        return None
    try:
        engine = make_engine(DEFAULT_PG)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:
        return None
    return DEFAULT_PG


POSTGRES_URL = _postgres_url()


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and no settings inherited from the developer's shell."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return tmp_path


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The CLI configures root logging (handler on the runner's stderr) and a record factory;
    put both back so later tests neither log into a closed stream nor depend on this one."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    named = {name: logging.getLogger(name).level for name in ("slack_sdk", "urllib3", "alembic")}
    factory = logging.getLogRecordFactory()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, named_level in named.items():
        logging.getLogger(name).setLevel(named_level)
    logging.setLogRecordFactory(factory)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A URL to an empty database (no schema) of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'finsam.db'}"
        return
    if POSTGRES_URL is None:
        if os.environ.get("FINSAM_REQUIRE_POSTGRES") == "1":
            pytest.fail("FINSAM_REQUIRE_POSTGRES=1 but no PostgreSQL server answers")
        pytest.skip(NO_POSTGRES)
    with postgres_schema(POSTGRES_URL, "t") as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database of each kind, live since long ago: the tests' periods are owed
    (tests/test_go_live.py is about what a new installation owes)."""
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        record_reports_from(session, configured=LIVE_SINCE, today=LIVE_SINCE, now=datetime.now(UTC))
    yield engine
    engine.dispose()


@pytest.fixture
def budget_bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    """The running bot with an office user and the 2026 sample budget; no stray Slack calls."""
    with running_bot(engine, database_url) as bot:
        bot.add_office_user()
        bot.import_budget()
        yield bot
        bot.fake.assert_clean()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Counted from the skip reports, which reach the main process under pytest-xdist too."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if NO_POSTGRES in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("=", "PostgreSQL half NOT run", yellow=True)
        terminalreporter.write_line(
            f"{len(skipped)} tests skipped: no PostgreSQL server answered at "
            f"127.0.0.1:5432 and FINSAM_TEST_POSTGRES_URL is not set."
        )
        terminalreporter.write_line(
            "To run them: start PostgreSQL and set FINSAM_TEST_POSTGRES_URL="
            "postgresql+psycopg://USER@HOST:5432/DB, or run `bash .ci/run`, which starts one."
        )
