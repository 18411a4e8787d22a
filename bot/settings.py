"""The one place configuration is read: the environment or `.env`, validated at start."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.logging_setup import LogFormat
from store.errors import ConfigError
from workflows.budget_status import BudgetRules, parse_equity_steps
from workflows.calendar import CalendarRules, Stage
from workflows.comparisons import Comparison, YearShares

SLACK_API_URL = "https://slack.com/api/"
SOCKET_MODE_MAX_CONNECTIONS = 10  # Slack's limit per app


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` lists them all with their defaults."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    slack_timeout_seconds: int = Field(default=10, ge=1, le=120)
    database_url: str = "sqlite:///finsam.db"
    port: int = 3000
    host: str = "0.0.0.0"
    finsam_timezone: str = "Europe/Stockholm"
    finsam_language: str = "sv"
    # The association's name, at the top of the exported workbooks.
    finsam_association_name: str | None = Field(default=None, max_length=200)
    finsam_office_channel: str | None = None
    # Where the application deadline is announced (the parties' and local groups' channel).
    finsam_announce_channel: str | None = None
    finsam_budget_summary_cron: str = "0 9 5 * *"
    finsam_missing_summary_cron: str = "0 9 * * mon"
    finsam_small_count_threshold: int = Field(default=5, ge=0, le=100)
    finsam_equity_limit: Decimal = Field(default=Decimal("0.20"), ge=0)
    # The national council's staircase: "FROM_KR:SHARE,…" by the year's member fees, e.g.
    # "0:0.20,10000000:0.15"; unset: FINSAM_EQUITY_LIMIT at every size.
    finsam_equity_steps: str | None = None
    finsam_individual_share_min: Decimal | None = Field(default=None, ge=0, le=1)
    # Of the money granted to new interventions in the year, the least share to individual
    # support (e.g. 0.70); unset: no such rule.
    finsam_new_grants_individual_min: Decimal | None = Field(default=None, ge=0, le=1)
    finsam_pace_margin: Decimal = Field(default=Decimal("0.15"), ge=0, le=1)
    finsam_monthly_due_day: int = Field(default=10, ge=1, le=31)
    finsam_quarterly_due_day: int = Field(default=15, ge=1, le=31)
    finsam_reminder_time: str = "09:00"
    finsam_reminder_stages: str = "before:-5,due:0,late_2:2,late_7:7:office"
    # A reminder stage older than this is not sent at all (a new database, a long outage).
    finsam_reminder_catch_up_days: int = Field(default=14, ge=0, le=366)
    # Reports due before this day are not owed (go-live); unset: the day the bot first ran.
    finsam_reports_from: date | None = None
    finsam_forms_dir: Path | None = None
    # Report free text, review comments and sent messages older than this many months are
    # removed by a daily job; 0 keeps them (the förbund's own gallringsbeslut decides).
    finsam_retention_months: int = Field(default=0, ge=0, le=1200)
    # The share of ended participants to work or studies, per year ("YEAR:SHARE;…"): the
    # national average and the board's targets, shown beside the annual table's share.
    finsam_national_to_work_share: str = "2016:0.33;2022:0.30"
    finsam_target_to_work_share: str = ""
    # Demos only: the bot's clock starts at this instant and runs at real speed.
    finsam_simulated_start: datetime | None = None
    finsam_server_threads: int = Field(default=8, ge=1)
    # Processes answering Slack (`serve`): one runs at a time per process in Python, so one
    # per CPU core lets a burst of forms use them all (bot/runner.py).
    finsam_web_processes: int = Field(default=2, ge=1, le=32)
    finsam_work_threads: int = Field(default=2, ge=1)
    # Processes of `serve` that run the work after each ack (the answers), so that it does
    # not hold up the next acks (bot/lazy.py); 0 runs it in the answering processes.
    finsam_lazy_processes: int = Field(default=1, ge=0, le=8)
    # `serve` sends from a worker process this much "nicer" (lower CPU priority) than the
    # process answering Slack, so answers come first (bot/worker.py); 0 keeps them equal.
    finsam_worker_nice: int = Field(default=10, ge=0, le=19)
    # A message being sent stays with its process this long (renewed before each Slack call).
    finsam_outbox_lease_seconds: int = Field(default=300, ge=1, le=3600)
    # Posts a second, workspace-wide, the outbox keeps under (and 1 a second per channel).
    finsam_slack_posts_per_second: float = Field(default=5.0, gt=0, le=1000)
    log_level: str = "INFO"
    # "json": one JSON object a line (time, level, logger, message, exception), redacted.
    log_format: LogFormat = "text"

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("finsam_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @field_validator("finsam_budget_summary_cron", "finsam_missing_summary_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as err:
            raise ValueError(f"not a crontab expression: {err}") from err
        return value

    @field_validator("finsam_reminder_time")
    @classmethod
    def _valid_time(cls, value: str) -> str:
        try:
            time.fromisoformat(value)
        except ValueError as err:
            raise ValueError("write the time as HH:MM, e.g. 09:00") from err
        return value

    @field_validator("finsam_reminder_stages")
    @classmethod
    def _valid_stages(cls, value: str) -> str:
        parse_stages(value)
        return value

    @field_validator("finsam_equity_steps")
    @classmethod
    def _valid_equity_steps(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            parse_equity_steps(value)
            return value
        return None

    @field_validator("finsam_national_to_work_share", "finsam_target_to_work_share")
    @classmethod
    def _valid_year_shares(cls, value: str) -> str:
        YearShares.parse(value)
        return value

    def to_work_comparison(self, year: int) -> Comparison:
        """The national average and the board's target for `year`'s participant table."""
        return Comparison.of(
            year,
            YearShares.parse(self.finsam_national_to_work_share),
            YearShares.parse(self.finsam_target_to_work_share),
        )

    @field_validator("finsam_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("sv", "en"):
            raise ValueError("must be sv or en")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.finsam_timezone)

    @property
    def budget_rules(self) -> BudgetRules:
        return BudgetRules(
            equity_limit=self.finsam_equity_limit,
            individual_share_min=self.finsam_individual_share_min,
            pace_margin=self.finsam_pace_margin,
            new_grants_individual_min=self.finsam_new_grants_individual_min,
            equity_steps=()
            if self.finsam_equity_steps is None
            else parse_equity_steps(self.finsam_equity_steps),
        )

    @property
    def calendar_rules(self) -> CalendarRules:
        at = time.fromisoformat(self.finsam_reminder_time)
        try:
            return CalendarRules(
                monthly_due_day=self.finsam_monthly_due_day,
                quarterly_due_day=self.finsam_quarterly_due_day,
                reminder_stages=parse_stages(self.finsam_reminder_stages),
                send_hour=at.hour,
                send_minute=at.minute,
                tz=self.tz,
            )
        except ValueError as err:
            raise ConfigError("bad_settings", problems=f"FINSAM_REMINDER_STAGES: {err}") from err

    @field_validator("finsam_simulated_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the time with its UTC offset, e.g. 2026-04-01T11:00+02:00")
        return value

    @property
    def reminder_catch_up(self) -> timedelta:
        return timedelta(days=self.finsam_reminder_catch_up_days)

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> Settings:
        """A lease that ran out while its holder waits for Slack lets another process post
        the same message."""
        if self.finsam_outbox_lease_seconds < 2 * self.slack_timeout_seconds:
            raise ValueError(
                "FINSAM_OUTBOX_LEASE_SECONDS must be at least twice SLACK_TIMEOUT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _socket_connections_allowed(self) -> Settings:
        """In Socket Mode each answering process holds a connection, and Slack allows an app
        10 at a time."""
        if self.socket_mode and self.finsam_web_processes > SOCKET_MODE_MAX_CONNECTIONS:
            raise ValueError(
                f"FINSAM_WEB_PROCESSES must be at most {SOCKET_MODE_MAX_CONNECTIONS} in Socket"
                " Mode (SLACK_APP_TOKEN set): Slack allows an app that many connections"
            )
        return self

    @property
    def outbox_lease(self) -> timedelta:
        return timedelta(seconds=self.finsam_outbox_lease_seconds)

    def secrets(self) -> list[str]:
        """Values that must never reach a log line: the Slack secrets and the database
        password."""
        found = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token)
        values = [s.get_secret_value() for s in found if s is not None and s.get_secret_value()]
        try:
            password = urlsplit(self.database_url).password
        except ValueError:
            password = None
        return values + ([unquote(password)] if password else [])

    @property
    def socket_mode(self) -> bool:
        """An app-level token set: Slack's requests come by Socket Mode, not to $PORT."""
        return self.slack_app_token is not None and bool(self.slack_app_token.get_secret_value())

    def require_slack(self) -> tuple[str, str]:
        """The bot token and signing secret, or a ConfigError naming what to set. Socket Mode
        needs no signing secret (Slack's requests come by the app's own connection): it is
        then "" and nothing is served that would check it."""
        needed = [("SLACK_BOT_TOKEN", self.slack_bot_token)]
        if not self.socket_mode:
            needed.append(("SLACK_SIGNING_SECRET", self.slack_signing_secret))
        missing = [name for name, value in needed if value is None or not value.get_secret_value()]
        if missing:
            raise ConfigError("missing_settings", names=", ".join(missing))
        assert self.slack_bot_token
        secret = self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else ""
        return self.slack_bot_token.get_secret_value(), secret

    def require_app_token(self) -> str:
        if self.slack_app_token is None or not self.slack_app_token.get_secret_value():
            raise ConfigError("missing_settings", names="SLACK_APP_TOKEN")
        return self.slack_app_token.get_secret_value()

    def require_office_channel(self) -> str:
        if not self.finsam_office_channel:
            raise ConfigError("missing_settings", names="FINSAM_OFFICE_CHANNEL")
        return self.finsam_office_channel


def parse_stages(text: str) -> tuple[Stage, ...]:
    """`before:-5,due:0,late_2:2,late_7:7:office`: name, working days from the due date
    (negative: before), and `office` where the office channel is told too."""
    stages = []
    for item in (part.strip() for part in text.split(",") if part.strip()):
        name, _, rest = item.partition(":")
        offset, _, flag = rest.partition(":")
        if not name or not offset.lstrip("-").isdigit() or flag not in ("", "office"):
            raise ValueError(f"not a stage: {item!r} (write name:offset or name:offset:office)")
        stages.append(Stage(name, int(offset), notify_office=flag == "office"))
    if not stages:
        raise ValueError("at least one reminder stage is needed")
    return tuple(stages)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value becomes a ConfigError naming the variable."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in err.errors()
        )
        raise ConfigError("bad_settings", problems=problems) from err
