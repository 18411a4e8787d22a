"""What each kind of outgoing message looks like in Slack: kind → builder.

A builder turns an outbox row (`Outgoing`) into the text and blocks of one post, or None when
the message is no longer wanted (e.g. a reminder for a report that has come in since it was
planned): the row is then cancelled, not sent. Builders read the store through workflows and
render through templates; the sender does the Web API calls, metadata and reconciliation."""

from __future__ import annotations

from bot.messages import board, missing, reports
from bot.messages.absence import (
    DEPUTY_CANCELLED,
    DEPUTY_NAMED,
    DEPUTY_RELIEVED,
    build_absence_over,
    build_deputy_cancelled,
    build_deputy_named,
    build_deputy_relieved,
)
from bot.messages.base import MessageBuilder, Rendered
from workflows import overview, reminders
from workflows import reports as report_flow

BUILDERS: dict[str, MessageBuilder] = {
    reminders.REMINDER: reports.build_reminder,
    reminders.ESCALATION: reports.build_escalation,
    report_flow.RECEIVED: reports.build_received,
    report_flow.REVIEW: reports.build_review,
    report_flow.RETURNED: reports.build_returned,
    overview.MISSING_REPORTS: missing.build_missing_reports,
}
BUILDERS["absence_over"] = build_absence_over
BUILDERS[DEPUTY_NAMED] = build_deputy_named
BUILDERS[DEPUTY_CANCELLED] = build_deputy_cancelled
BUILDERS[DEPUTY_RELIEVED] = build_deputy_relieved
BUILDERS["board_step"] = board.build_board_step
BUILDERS["announcement"] = board.build_announcement

__all__ = ["BUILDERS", "MessageBuilder", "Rendered"]
