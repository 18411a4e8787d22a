"""The bot's scheduled work: what each tick does, built from the settings."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot.sender import SlackSender
from bot.settings import Settings
from store.db import Engine
from store.errors import NotFoundError
from store.retention import Cleared
from workflows.absence import plan_back_notices
from workflows.board_papers import plan_board_papers
from workflows.board_reminders import plan_board_reminders
from workflows.budget_forecast import keep_forecast_if_due
from workflows.budget_summary import plan_budget_summary, summary_due
from workflows.clock import Clock, SystemClock
from workflows.forms import load_forms
from workflows.go_live import go_live
from workflows.outbox import DispatchReport, dispatch_due
from workflows.overview import plan_missing_summary, weekly_due
from workflows.pacing import Pacer
from workflows.reminders import PlanReport, plan_reminders
from workflows.reports import Reporting
from workflows.retention import apply_retention
from workflows.schedule import Job
from workflows.working_days import WorkingDays

log = logging.getLogger(__name__)
OUTBOX_JOB = "outbox"
OUTBOX_TICK_SECONDS = 30
# Reminders are due at the send time; planning is idempotent, so a tick every few minutes
# also picks up a report sent back (its next stage) and a bot that just came back.
REMINDER_TICK_SECONDS = 300
RETENTION_CRON = "30 3 * * *"  # nightly, when nobody is reporting


class BotJobs:
    def __init__(
        self,
        cfg: Settings,
        *,
        engine: Engine,
        sender: SlackSender,
        clock: Clock,
        pacer: Pacer | None = None,
    ) -> None:
        """`pacer` keeps posts under Slack's rates. Pacing is in real time, so by default a
        bot on the real clock gets one from the settings, and one on a fixed or simulated
        clock (tests, the demo, both against the fake) sends unpaced."""
        self._cfg = cfg
        self._engine = engine
        self._sender = sender
        self._clock = clock
        self._reporting = Reporting(cfg.calendar_rules, WorkingDays())
        if pacer is None and isinstance(clock, SystemClock):
            pacer = Pacer(workspace=cfg.finsam_slack_posts_per_second)
        self._pacer = pacer

    def jobs(self) -> list[Job]:
        found = [
            Job(id=OUTBOX_JOB, func=self.run_outbox, every_seconds=OUTBOX_TICK_SECONDS),
            Job(id="reminders", func=self.run_reminders, every_seconds=REMINDER_TICK_SECONDS),
        ]
        if self._cfg.finsam_retention_months:
            found.append(Job(id="retention", func=self.run_retention, cron=RETENTION_CRON))
        if self._cfg.finsam_office_channel:
            found.append(
                Job(
                    id="budget_summary",
                    func=self.run_budget_summary,
                    cron=self._cfg.finsam_budget_summary_cron,
                )
            )
            found.append(
                Job(
                    id="missing_reports",
                    func=self.run_missing_summary,
                    cron=self._cfg.finsam_missing_summary_cron,
                )
            )
        else:
            log.warning(
                "FINSAM_OFFICE_CHANNEL is not set: no scheduled budget summary and no summary"
                " of missing reports"
            )
        return found

    def run_outbox(self) -> DispatchReport:
        return dispatch_due(
            self._engine,
            self._sender,
            clock=self._clock,
            lease=self._cfg.outbox_lease,
            call_timeout=timedelta(seconds=self._cfg.slack_timeout_seconds),
            pacer=self._pacer,
        )

    def run_retention(self, *, now: datetime | None = None) -> Cleared | None:
        """Remove report free text and sent messages older than FINSAM_RETENTION_MONTHS."""
        cleared = apply_retention(
            self._engine,
            load_forms(self._cfg.finsam_forms_dir),
            months=self._cfg.finsam_retention_months,
            now=now or self._clock.now(),
        )
        if cleared is not None:
            log.info(
                "retention: free text emptied in %d revisions, %d review comments,"
                " %d sent messages deleted",
                cleared.revisions,
                cleared.review_comments,
                cleared.outbox_rows,
            )
        return cleared

    def go_live(self) -> date:
        """Record from which day reports are owed (FINSAM_REPORTS_FROM, or this first run's
        day, on the bot's own clock: not a `--now` asked for)."""
        return go_live(
            self._engine,
            configured=self._cfg.finsam_reports_from,
            now=self._clock.now(),
            tz=self._cfg.tz,
        )

    def plan_reminders(self, *, now: datetime | None = None) -> PlanReport:
        """Report reminders due at `now`, and the welcome-back notes of leads whose absence
        is over (both keyed: planning again adds nothing)."""
        self.go_live()
        now = now or self._clock.now()
        plan_back_notices(
            self._engine,
            now=now,
            tz=self._cfg.tz,
            send_at=self._cfg.calendar_rules.send_time,
            working_days=self._reporting.working_days,
        )
        plan_board_reminders(
            self._engine,
            now=now,
            tz=self._cfg.tz,
            working_days=self._reporting.working_days,
            send_at=self._cfg.calendar_rules.send_time,
            catch_up=self._cfg.reminder_catch_up,
            announce_channel=self._cfg.finsam_announce_channel,
        )
        plan_board_papers(
            self._engine,
            now=now,
            tz=self._cfg.tz,
            send_at=self._cfg.calendar_rules.send_time,
            fallback_channel=self._cfg.finsam_office_channel,
            working_days=self._reporting.working_days,
        )
        return plan_reminders(
            self._engine,
            self._reporting,
            now=now,
            office_channel=self._cfg.finsam_office_channel,
            catch_up=self._cfg.reminder_catch_up,
        )

    def run_reminders(self, *, now: datetime | None = None) -> DispatchReport:
        """Plan the reminders due at `now` (default: the clock's), then send what is due.
        The tick also keeps the year's forecast once 30 September has come."""
        self.keep_forecast(now=now)
        self.plan_reminders(now=now)
        return self.run_outbox()

    def keep_forecast(self, *, now: datetime | None = None) -> None:
        """From the 30 September milestone on: the year's forecast, kept once (a keyed row)
        for next year's budget draft. A failure is logged and tried again next tick."""
        today = (now or self._clock.now()).astimezone(self._cfg.tz).date()
        try:
            kept = keep_forecast_if_due(self._engine, today=today, rules=self._cfg.budget_rules)
        except Exception:
            log.exception("could not keep the forecast of %s", today.year)
            return
        if kept is not None and kept.new:
            log.info("kept the forecast of %s: result %s kr", kept.year, kept.result)

    def run_budget_summary(
        self, *, strict: bool = False, now: datetime | None = None
    ) -> DispatchReport:
        """Plan the summary of the month of `now` (default: the clock's) and send what is
        due; leases always run on the clock. A year without a budget is a warning in the log
        for a scheduled tick, a NotFoundError when asked for (`strict`)."""
        now = now or self._clock.now()
        key = plan_budget_summary(
            self._engine, now=now, tz=self._cfg.tz, channel=self._cfg.require_office_channel()
        )
        if key is None and strict:
            raise NotFoundError("summary_no_budget", year=now.astimezone(self._cfg.tz).year)
        return self.run_outbox()

    def run_missing_summary(self, *, now: datetime | None = None) -> DispatchReport:
        """Plan this week's summary of missing reports (once per ISO week) and send what is
        due; what it lists is read when it is sent, and nothing is posted when nothing is
        missing."""
        plan_missing_summary(
            self._engine,
            now=now or self._clock.now(),
            tz=self._cfg.tz,
            channel=self._cfg.require_office_channel(),
        )
        return self.run_outbox()

    def catch_up(self) -> DispatchReport:
        """On start: plan what a tick missed while the bot was down (the month's summary, the
        week's missing reports, the latest reminder stages), then send everything due.
        Reminders planned now go out at the next send time on a working day, never at night
        (their planning holds them: workflows/calendar.py `send_slot`)."""
        now = self._clock.now()
        channel = self._cfg.finsam_office_channel
        if channel and summary_due(self._cfg.finsam_budget_summary_cron, now=now, tz=self._cfg.tz):
            plan_budget_summary(self._engine, now=now, tz=self._cfg.tz, channel=channel)
        if channel and weekly_due(self._cfg.finsam_missing_summary_cron, now=now, tz=self._cfg.tz):
            plan_missing_summary(self._engine, now=now, tz=self._cfg.tz, channel=channel)
        self.keep_forecast(now=now)
        self.plan_reminders(now=now)
        return self.run_outbox()
