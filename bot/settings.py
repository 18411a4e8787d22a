"""The one place configuration is read: the environment or `.env`, validated at start."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from store.errors import ConfigError
from workflows.budget_status import BudgetRules

SLACK_API_URL = "https://slack.com/api/"


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
    finsam_office_channel: str | None = None
    finsam_budget_summary_cron: str = "0 9 5 * *"
    finsam_equity_limit: Decimal = Field(default=Decimal("0.20"), ge=0)
    finsam_individual_share_min: Decimal | None = Field(default=None, ge=0, le=1)
    finsam_pace_margin: Decimal = Field(default=Decimal("0.15"), ge=0, le=1)
    finsam_server_threads: int = Field(default=8, ge=1)
    finsam_work_threads: int = Field(default=2, ge=1)
    log_level: str = "INFO"

    @field_validator("finsam_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @field_validator("finsam_budget_summary_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as err:
            raise ValueError(f"not a crontab expression: {err}") from err
        return value

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
        )

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

    def require_slack(self) -> tuple[str, str]:
        """The bot token and signing secret, or a ConfigError naming what to set."""
        missing = [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", self.slack_bot_token),
                ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
            )
            if value is None or not value.get_secret_value()
        ]
        if missing:
            raise ConfigError("missing_settings", names=", ".join(missing))
        assert self.slack_bot_token and self.slack_signing_secret
        return self.slack_bot_token.get_secret_value(), self.slack_signing_secret.get_secret_value()

    def require_office_channel(self) -> str:
        if not self.finsam_office_channel:
            raise ConfigError("missing_settings", names="FINSAM_OFFICE_CHANNEL")
        return self.finsam_office_channel


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
