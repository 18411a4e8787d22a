"""`finsam-bot doctor` against the Slack fake: every line ✅ when the deployment is right, and
for each way it can be wrong, a line that says what to do (in Swedish, naming the variable,
scope or channel). Run through the CLI in-process and as `run_doctor(settings)`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.doctor import REQUIRED_SCOPES, DoctorReport, run_doctor
from bot.settings import Settings, load_settings
from simulator.fake_slack import SlackFake
from simulator.samples import BOARD_CYCLE_2026, sample_path
from store.db import current_revision, head_revision, make_engine, ping
from store.errors import ConfigError
from workflows.board_cycle import import_cycle

BOT_TOKEN = "xoxb-doctor-test-1234-abcdef"
SIGNING_SECRET = "doctor-test-signing-secret-0123456789"
OFFICE_CHANNEL = "C_OFFICE"


pytestmark = pytest.mark.usefixtures("clean_env")


def make_fake(*, bot_token: str = BOT_TOKEN, scopes: Iterable[str] = REQUIRED_SCOPES) -> SlackFake:
    """A fake granting every scope the doctor requires (its own defaults lack groups:read)."""
    return SlackFake(bot_token=bot_token, scopes=scopes)


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    with make_fake() as running:
        running.add_channel(OFFICE_CHANNEL, name="kansliet")
        yield running


def env_for(database_url: str, fake: SlackFake, **overrides: str | None) -> dict[str, str | None]:
    return {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "ERROR",
        "SLACK_API_URL": fake.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "FINSAM_OFFICE_CHANNEL": OFFICE_CHANNEL,
        **overrides,
    }


def doctor_cli(database_url: str, fake: SlackFake, **overrides: str | None) -> Result:
    result = CliRunner().invoke(app, ["doctor"], env=env_for(database_url, fake, **overrides))
    assert BOT_TOKEN not in result.output
    assert SIGNING_SECRET not in result.output
    return result


def check_lines(result: Result) -> list[str]:
    """The check lines on stdout (each starts with its mark), without the verdict line."""
    lines = result.stdout.splitlines()
    assert lines, result.output
    return lines[:-1]


def settings_for(database_url: str, fake: SlackFake, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "database_url": database_url,
        "slack_api_url": fake.api_url,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "finsam_office_channel": OFFICE_CHANNEL,
        **overrides,
    }
    return load_settings(**values)


def messages(report: DoctorReport) -> list[str]:
    return [check.message for check in report.checks]


def head() -> str:
    revision = head_revision()
    assert revision
    return revision


# --------------------------------------------------------------------------- all good


def test_all_good_every_line_is_ticked_and_the_exit_code_is_0(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    result = doctor_cli(database_url, fake)
    assert result.exit_code == 0, result.output
    assert check_lines(result) == [
        "✅ Databasen svarar.",
        f"✅ Databasen är migrerad (version {head()}).",
        "✅ Token fungerar: boten finsam i Finsam.",
        "✅ Alla behörigheter finns.",
        "✅ Serverns klocka stämmer med Slacks.",
        f"✅ Boten är med i kanslikanalen {OFFICE_CHANNEL}.",
    ]
    assert result.stdout.splitlines()[-1] == "Allt ser bra ut."
    assert [call.method for call in fake.calls()] == ["auth.test", "conversations.info"]
    fake.assert_clean()


def test_all_good_through_run_doctor(engine: Engine, database_url: str, fake: SlackFake) -> None:
    report = run_doctor(settings_for(database_url, fake))
    assert report.ok
    assert len(report.checks) == 6
    assert all(message.startswith("✅ ") for message in messages(report))


def test_all_good_in_english(engine: Engine, database_url: str, fake: SlackFake) -> None:
    result = doctor_cli(database_url, fake, FINSAM_LANGUAGE="en")
    assert result.exit_code == 0, result.output
    assert all(line.startswith("✅ ") for line in check_lines(result))
    assert "✅ The database answers." in result.stdout


# --------------------------------------------------------------------------- Slack wrong


def test_a_token_slack_refuses(engine: Engine, database_url: str) -> None:
    with make_fake(bot_token="xoxb-another-workspace-0000") as other:
        other.add_channel(OFFICE_CHANNEL, name="kansliet")
        result = doctor_cli(database_url, other)
        calls = [call.method for call in other.calls()]
    assert result.exit_code == 1, result.output
    lines = check_lines(result)
    assert lines[:2] == ["✅ Databasen svarar.", f"✅ Databasen är migrerad (version {head()})."]
    [token_line] = lines[2:]  # no scope or channel check with a token that does not work
    assert token_line.startswith("❌ Slack godtar inte SLACK_BOT_TOKEN (invalid_auth)")
    assert "OAuth & Permissions" in token_line
    assert result.stdout.splitlines()[-1] == "1 problem att åtgärda."
    assert calls == ["auth.test"]


def test_a_revoked_token(engine: Engine, database_url: str, fake: SlackFake) -> None:
    fake.error_next("auth.test", "token_revoked")
    report = run_doctor(settings_for(database_url, fake))
    assert not report.ok
    assert messages(report)[-1].startswith("❌ Slack godtar inte SLACK_BOT_TOKEN (token_revoked)")


@pytest.mark.parametrize(
    ("scopes", "missing"),
    [
        (
            [s for s in REQUIRED_SCOPES if s not in ("files:write", "users:read.email")],
            "files:write, users:read.email",
        ),
        ([s for s in REQUIRED_SCOPES if s != "groups:read"], "groups:read"),
    ],
    ids=["two-missing", "groups-read"],
)
def test_missing_scopes_are_named(
    engine: Engine, database_url: str, scopes: list[str], missing: str
) -> None:
    with make_fake(scopes=scopes) as narrow:
        narrow.add_channel(OFFICE_CHANNEL, name="kansliet")
        result = doctor_cli(database_url, narrow)
    assert result.exit_code == 1, result.output
    lines = check_lines(result)
    assert "✅ Token fungerar: boten finsam i Finsam." in lines
    [scope_line] = [line for line in lines if "Behörigheter" in line]
    assert scope_line == (
        f"❌ Behörigheter saknas: {missing} – lägg till dem (manifest.yml har alla) "
        "och installera om appen."
    )
    assert f"✅ Boten är med i kanslikanalen {OFFICE_CHANNEL}." in lines
    assert result.stdout.splitlines()[-1] == "1 problem att åtgärda."


def test_the_bot_is_not_in_the_office_channel(engine: Engine, database_url: str) -> None:
    with make_fake() as outside:
        outside.add_channel(OFFICE_CHANNEL, name="kansliet", bot_is_member=False)
        result = doctor_cli(database_url, outside)
    assert result.exit_code == 1, result.output
    assert check_lines(result)[-1] == (
        f"❌ Boten är inte med i kanslikanalen {OFFICE_CHANNEL} – "
        "skriv /invite @finsam-bot i kanalen."
    )
    assert result.stdout.splitlines()[-1] == "1 problem att åtgärda."


def test_an_unknown_office_channel_is_named(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    result = doctor_cli(database_url, fake, FINSAM_OFFICE_CHANNEL="C0NOSUCH1")
    assert result.exit_code == 1, result.output
    assert check_lines(result)[-1] == (
        "❌ Kanalen C0NOSUCH1 hittas inte (channel_not_found) – kontrollera "
        "FINSAM_OFFICE_CHANNEL (kanalens id, t.ex. C012AB3CD)."
    )


def test_no_office_channel_set(engine: Engine, database_url: str, fake: SlackFake) -> None:
    report = run_doctor(settings_for(database_url, fake, finsam_office_channel=None))
    assert not report.ok
    assert messages(report)[-1].startswith("❌ Inställning saknas: FINSAM_OFFICE_CHANNEL")
    assert [call.method for call in fake.calls()] == ["auth.test"]


def test_slack_that_does_not_answer(engine: Engine, database_url: str) -> None:
    with make_fake() as gone:
        settings = settings_for(database_url, gone)
    report = run_doctor(settings)  # the fake has stopped: nothing listens on its port
    assert not report.ok
    assert messages(report)[-1].startswith("❌ Slack går inte att nå (")
    assert "SLACK_API_URL" in messages(report)[-1]


# --------------------------------------------------------------------------- clock


@pytest.mark.parametrize(
    ("slack_ahead", "expected"),
    [
        (-400, "❌ Serverns klocka går 400 s före Slacks (mer än 300 s): boten avvisar då varje "
               "förfrågan från Slack (kommandon, knappar, formulär) – slå på "
               "tidssynkronisering (NTP), t.ex. timedatectl set-ntp true."),
        (400, "❌ Serverns klocka går 400 s efter Slacks (mer än 300 s): boten avvisar då varje "
              "förfrågan från Slack (kommandon, knappar, formulär) – slå på "
              "tidssynkronisering (NTP), t.ex. timedatectl set-ntp true."),
        (-200, "✅ Serverns klocka stämmer med Slacks."),
        (200, "✅ Serverns klocka stämmer med Slacks."),
    ],
)  # fmt: skip
def test_a_clock_more_than_five_minutes_off_slacks(
    engine: Engine, database_url: str, fake: SlackFake, slack_ahead: int, expected: str
) -> None:
    """Compared with the `Date` of Slack's answer to auth.test: off by more than the 300 s
    Slack's signature allows, every request Slack sends would be refused."""
    fake.date_skew = slack_ahead
    result = doctor_cli(database_url, fake)
    lines = check_lines(result)
    # The Date header has whole seconds, and the answer takes a moment: 400 s is 399–401.
    assert expected in [re.sub(r"\b(399|401) s\b", "400 s", line) for line in lines]
    assert result.exit_code == (1 if expected.startswith("❌") else 0), result.output


def test_the_clock_check_in_english(engine: Engine, database_url: str, fake: SlackFake) -> None:
    fake.date_skew = 3600
    result = doctor_cli(database_url, fake, FINSAM_LANGUAGE="en")
    assert result.exit_code == 1
    output = re.sub(r"\b(3599|3601) s\b", "3600 s", result.stdout)
    assert (
        "❌ This server's clock is 3600 s behind Slack's (more than 300 s): the bot then refuses "
        "every request from Slack (commands, buttons, forms)"
    ) in output


# --------------------------------------------------------------------------- settings missing


def test_a_missing_bot_token_is_named(engine: Engine, database_url: str, fake: SlackFake) -> None:
    result = doctor_cli(database_url, fake, SLACK_BOT_TOKEN=None)
    assert result.exit_code == 1, result.output
    assert check_lines(result)[-1].startswith("❌ Inställning saknas: SLACK_BOT_TOKEN – ")
    assert "SLACK_SIGNING_SECRET" not in result.stdout
    assert fake.calls() == []


def test_missing_token_and_secret_through_run_doctor(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    report = run_doctor(
        settings_for(database_url, fake, slack_bot_token=None, slack_signing_secret="")
    )
    assert not report.ok
    assert messages(report)[-1].startswith(
        "❌ Inställning saknas: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"
    )
    assert fake.calls() == []


# --------------------------------------------------------------------------- database wrong


def test_an_unmigrated_database_is_reported_and_left_alone(
    database_url: str, fake: SlackFake
) -> None:
    empty = make_engine(database_url)
    try:
        assert ping(empty)  # creates the SQLite file; no migrations
        result = doctor_cli(database_url, fake)
        assert result.exit_code == 1, result.output
        lines = check_lines(result)
        assert lines[0] == "✅ Databasen svarar."
        assert lines[1] == (
            f"❌ Databasen är inte migrerad (version -, koden kräver {head()}) – "
            "kör: finsam-bot db upgrade"
        )
        assert all(line.startswith("✅ ") for line in lines[2:])  # Slack was still checked
        assert len(lines) == 6
        assert result.stdout.splitlines()[-1] == "1 problem att åtgärda."
        assert current_revision(empty) is None  # doctor did not migrate it
    finally:
        empty.dispose()


def test_an_unreachable_database(tmp_path: Path, fake: SlackFake) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'finsam.db'}"
    report = run_doctor(settings_for(url, fake))
    assert messages(report)[0].startswith("❌ Databasen svarar inte – kontrollera DATABASE_URL")
    assert not any("migrerad" in message for message in messages(report))
    assert messages(report)[1:] == [
        "✅ Token fungerar: boten finsam i Finsam.",
        "✅ Alla behörigheter finns.",
        "✅ Serverns klocka stämmer med Slacks.",
        f"✅ Boten är med i kanslikanalen {OFFICE_CHANNEL}.",
    ]


def test_a_malformed_database_url_is_named_not_raised() -> None:
    from bot.doctor import run_doctor
    from bot.settings import load_settings

    report = run_doctor(load_settings(_env_file=None, database_url="nonsense"))
    assert not report.ok
    assert report.checks[0].message.startswith(
        "❌ DATABASE_URL går inte att använda (ArgumentError)"
    )


# --------------------------------------------------------------------------- Socket Mode


def test_socket_mode_all_good_without_a_signing_secret(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    result = doctor_cli(
        database_url, fake, SLACK_APP_TOKEN=fake.app_token, SLACK_SIGNING_SECRET=None
    )
    assert result.exit_code == 0, result.output
    assert check_lines(result)[-1] == (
        "✅ SLACK_APP_TOKEN fungerar: Slack öppnar en Socket Mode-anslutning."
    )
    assert fake.app_token not in result.output
    assert [call.method for call in fake.calls()][-1] == "apps.connections.open"
    assert fake.socket_mode.links() == []  # the URL was not used: no connection is kept
    fake.assert_clean()


def test_socket_mode_an_app_token_that_is_not_one(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    report = run_doctor(settings_for(database_url, fake, slack_app_token=BOT_TOKEN))
    assert not report.ok
    assert messages(report)[-1].startswith(
        "❌ SLACK_APP_TOKEN ser inte ut som en app-nivåtoken (den börjar med xapp-)"
    )
    assert "apps.connections.open" not in [call.method for call in fake.calls()]


def test_socket_mode_an_app_token_slack_refuses(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    report = run_doctor(settings_for(database_url, fake, slack_app_token="xapp-1-A0-revoked"))
    assert not report.ok
    assert messages(report)[-1].startswith(
        "❌ Slack godtar inte SLACK_APP_TOKEN (invalid_auth) – skapa en ny app-nivåtoken"
    )
    assert fake.calls("apps.connections.open")[-1].error == "invalid_auth"


def test_http_mode_still_needs_the_signing_secret(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    report = run_doctor(settings_for(database_url, fake, slack_signing_secret=""))
    assert not report.ok
    assert messages(report)[-1].startswith("❌ Inställning saknas: SLACK_SIGNING_SECRET")


def test_socket_mode_allows_as_many_processes_as_slack_allows_connections() -> None:
    base = {"_env_file": None, "slack_app_token": "xapp-1-A0-token"}
    assert load_settings(**base, finsam_web_processes=10).socket_mode
    with pytest.raises(ConfigError) as refused:
        load_settings(**base, finsam_web_processes=11)
    assert "FINSAM_WEB_PROCESSES must be at most 10 in Socket Mode" in str(
        refused.value.params["problems"]
    )
    assert not load_settings(_env_file=None, finsam_web_processes=11).socket_mode  # HTTP: fine


# --------------------------------------------------------------------------- announcements


def test_announcements_ahead_without_a_channel_are_warned_of(
    engine: Engine, database_url: str, fake: SlackFake
) -> None:
    """The cycle announces the application deadline (10 April, 28 April, 8 May 2026); with
    no FINSAM_ANNOUNCE_CHANNEL none is posted: a warning, not a failure."""
    import_cycle(engine, sample_path(BOARD_CYCLE_2026))
    report = run_doctor(settings_for(database_url, fake), today=date(2026, 4, 20))
    assert report.ok and report.warnings == 1
    [warning] = [check.message for check in report.checks if check.warning]
    assert warning.startswith("⚠️ ") and "FINSAM_ANNOUNCE_CHANNEL" in warning
    assert "2 utskick" in warning and "2026-04-28" in warning  # the 10 April one is past

    with_channel = settings_for(database_url, fake, finsam_announce_channel="C0UTSKICK")
    assert run_doctor(with_channel, today=date(2026, 4, 20)).warnings == 0
    # None ahead (the year's last went out 8 May): nothing to warn of.
    assert run_doctor(settings_for(database_url, fake), today=date(2026, 5, 9)).warnings == 0


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def test_the_warning_keeps_the_exit_code_0_and_is_said_at_the_end(
    engine: Engine, database_url: str, fake: SlackFake, tmp_path: Path
) -> None:
    """Through the CLI on the real clock: the sample cycle moved to next year has every
    announcement ahead."""
    year = datetime.now(UTC).year + 1
    meeting, deadline = (
        next_weekday(date(year, month, 10), weekday) for month, weekday in ((3, 3), (5, 1))
    )
    cycle = tmp_path / f"board-cycle-{year}.yml"
    cycle.write_text(
        f"year: {year}\ntimezone: Europe/Stockholm\n"
        f"meetings:\n  - id: styrelse-mars\n    title: Styrelsemöte\n    date: {meeting}\n"
        f"milestones:\n  - id: ansokan\n    title: Sista dag för ansökningar\n"
        f"    date: {deadline}\n    announce: true\n",
        encoding="utf-8",
    )
    import_cycle(engine, cycle)
    result = doctor_cli(database_url, fake)
    assert result.exit_code == 0, result.output
    assert any("FINSAM_ANNOUNCE_CHANNEL" in line for line in check_lines(result))
    assert result.stdout.splitlines()[-1] == "Inga fel, men 1 varning ovan."
