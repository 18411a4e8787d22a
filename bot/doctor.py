"""`finsam-bot doctor`: checks a deployment and says what is wrong, in the user's language."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.settings import Settings
from bot.slack_client import make_client
from bot.socket_mode import open_url
from bot.verification import MAX_SKEW_SECONDS
from store.db import Engine, current_revision, head_revision, open_engine, ping
from store.errors import ConfigError, SlackUnreachable
from workflows.board_cycle import announcements
from workflows.texts import Texts

# The bot token scopes the app needs, today's features and the report forms' DMs coming next
# (im:*, users:read*); manifest.yml asks for exactly these (a test checks).
REQUIRED_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",
)


@dataclass
class Check:
    ok: bool
    message: str
    warning: bool = False  # worth knowing, not wrong: the exit code stays 0


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def add(self, passed: bool, texts: Texts, macro: str, /, **values: object) -> bool:
        self.checks.append(Check(ok=passed, message=texts.get("doctor", macro, **values)))
        return passed

    def warn(self, texts: Texts, macro: str, /, **values: object) -> None:
        self.checks.append(
            Check(ok=True, message=texts.get("doctor", macro, **values), warning=True)
        )

    @property
    def warnings(self) -> int:
        return sum(check.warning for check in self.checks)


def run_doctor(
    cfg: Settings, *, client: WebClient | None = None, today: dt.date | None = None
) -> DoctorReport:
    """`today` (default: the clock's, in the association's time zone) decides which of the
    cycle's announcements are still ahead."""
    texts = Texts(cfg.finsam_language)
    report = DoctorReport()
    _check_database(cfg, texts, report, today=today or dt.datetime.now(cfg.tz).date())
    try:
        token, _secret = cfg.require_slack()
    except ConfigError as err:
        report.add(False, texts, "settings_missing", names=err.params["names"])
        return report
    client = client or make_client(token=token, base_url=cfg.slack_api_url)
    if _check_token(client, texts, report):
        _check_channel(cfg, client, texts, report)
    if cfg.socket_mode:
        _check_app_token(cfg, texts, report)
    return report


def _check_app_token(cfg: Settings, texts: Texts, report: DoctorReport) -> None:
    """Socket Mode: an app-level token that apps.connections.open accepts. The URL it gives
    is never connected to, so no connection is kept (and none takes envelopes from `serve`)."""
    token = cfg.require_app_token()
    if not token.startswith("xapp-"):
        report.add(False, texts, "app_token_prefix")
        return
    client = make_client(token=token, base_url=cfg.slack_api_url)
    try:
        open_url(client, token)
    except ConfigError as err:
        report.add(False, texts, "app_token_refused", error=err.params.get("error", ""))
    except SlackUnreachable as err:
        report.add(False, texts, "slack_unreachable", error=err.params.get("error", ""))
    else:
        report.add(True, texts, "app_token_ok")


def _check_database(cfg: Settings, texts: Texts, report: DoctorReport, *, today: dt.date) -> None:
    try:
        engine: Engine = open_engine(cfg.database_url)
    except ConfigError as err:
        report.add(False, texts, "database_url_unusable", error=err.params["error"])
        return
    try:
        reachable = ping(engine)
        if not report.add(reachable, texts, "database_reachable", ok=reachable):
            return
        current, head = current_revision(engine), head_revision()
        migrated = current == head
        report.add(migrated, texts, "database_migrated", current=current or "-", head=head)
        if migrated:
            _check_announcements(cfg, engine, texts, report, today=today)
    finally:
        engine.dispose()


def _check_token(client: WebClient, texts: Texts, report: DoctorReport) -> bool:
    try:
        response = client.auth_test()
    except SlackApiError as err:
        error = err.response.get("error", "") if err.response is not None else ""
        return report.add(False, texts, "token_refused", error=error)
    except (SlackClientError, OSError) as err:
        return report.add(False, texts, "slack_unreachable", error=type(err).__name__)
    report.add(
        True, texts, "token_ok", team=response.get("team", ""), user=response.get("user", "")
    )
    granted = {
        s.strip() for s in (response.headers.get("x-oauth-scopes") or "").split(",") if s.strip()
    }
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
    report.add(not missing, texts, "scopes", missing=", ".join(missing))
    date = next((v for k, v in response.headers.items() if k.lower() == "date"), None)
    _check_clock(date, texts, report, now=time.time())
    return True


def _check_clock(date: object, texts: Texts, report: DoctorReport, *, now: float) -> None:
    """This server's clock against the `Date` of Slack's answer: more than Slack's five
    minutes off, and the signature check refuses every request Slack sends. No `Date` (a
    proxy dropped it), no check."""
    if not isinstance(date, str) or not date:
        return
    try:
        slack_now = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return
    ahead = round(now - slack_now - 0.5)  # a Date is truncated to its second
    seconds = abs(ahead)
    report.add(
        seconds <= MAX_SKEW_SECONDS,
        texts,
        "clock",
        seconds=seconds,
        ahead=ahead > 0,
        limit=MAX_SKEW_SECONDS,
    )


def _check_announcements(
    cfg: Settings, engine: Engine, texts: Texts, report: DoctorReport, *, today: dt.date
) -> None:
    """The board's cycle announces application deadlines in FINSAM_ANNOUNCE_CHANNEL; with
    none set they are never posted (and never shown as posted): worth a warning while the
    stored cycle has any ahead."""
    if cfg.finsam_announce_channel:
        return
    ahead = [
        announcement
        for year in (today.year, today.year + 1)
        for announcement in announcements(engine, year)
        if announcement.due >= today
    ]
    if ahead:
        first = min(ahead, key=lambda a: a.due)
        report.warn(
            texts, "announce_channel_missing", count=len(ahead), first=first.due, title=first.title
        )


def _check_channel(cfg: Settings, client: WebClient, texts: Texts, report: DoctorReport) -> None:
    channel = cfg.finsam_office_channel
    if not channel:
        report.add(False, texts, "settings_missing", names="FINSAM_OFFICE_CHANNEL")
        return
    try:
        info = client.conversations_info(channel=channel)
    except SlackApiError as err:
        error = err.response.get("error", "") if err.response is not None else ""
        report.add(False, texts, "channel_unknown", channel=channel, error=error)
        return
    channel_info: dict[str, object] = info.get("channel") or {}
    member = bool(channel_info.get("is_member"))
    report.add(member, texts, "channel_member", channel=channel, member=member)
