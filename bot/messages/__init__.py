"""Every kind of outgoing message, in one registry: kind name → how its row is sent, whether
it posts, what it updates (`KINDS`).

Most kinds are one post: a builder turns the outbox row (`Outgoing`) into the text and blocks
of that post, or None when the message is no longer wanted (e.g. a reminder for a report that
has come in since it was planned): the row is then cancelled, not sent. The others post and
then share a file once, update messages sent before, or publish a view. Builders read the
store through workflows and render through templates; the Slack calls, metadata and
reconciliation are bot/slack_io.py's."""

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
from bot.messages.base import Kind, MessageBuilder, Rendered, SendRow, posting
from bot.messages.board_done import update_step_reminders
from bot.messages.budget import send_budget_summary
from bot.messages.home import refresh_home
from bot.messages.papers import send_board_papers
from workflows import absence, board_papers, board_reminders, budget_summary, overview, reminders
from workflows import reports as report_flow

_POSTS: dict[str, MessageBuilder] = {
    reminders.REMINDER: reports.build_reminder,
    reminders.ESCALATION: reports.build_escalation,
    report_flow.RECEIVED: reports.build_received,
    report_flow.REVIEW: reports.build_review,
    report_flow.RETURNED: reports.build_returned,
    overview.MISSING_REPORTS: missing.build_missing_reports,
    absence.KIND: build_absence_over,
    DEPUTY_NAMED: build_deputy_named,
    DEPUTY_CANCELLED: build_deputy_cancelled,
    DEPUTY_RELIEVED: build_deputy_relieved,
    board_reminders.BOARD_STEP: board.build_board_step,
    board_reminders.ANNOUNCEMENT: board.build_announcement,
}

KINDS: dict[str, Kind] = {
    **{name: Kind(name, posting(build)) for name, build in _POSTS.items()},
    budget_summary.KIND: Kind(budget_summary.KIND, send_budget_summary),
    board_papers.KIND: Kind(board_papers.KIND, send_board_papers),
    report_flow.REMINDERS_DONE: Kind(
        report_flow.REMINDERS_DONE,
        reports.mark_reminders_done,
        posts=False,
        updates="the period's reminder DMs, to say the report is in",
    ),
    board_reminders.STEP_DONE: Kind(
        board_reminders.STEP_DONE,
        update_step_reminders,
        posts=False,
        updates="every sent reminder of the step, to say who marked it done",
    ),
    report_flow.REVIEW_UPDATE: Kind(
        report_flow.REVIEW_UPDATE,
        reports.update_review_post,
        posts=False,
        updates="the office's review post of the revision sent back",
    ),
    report_flow.HOME_REFRESH: Kind(
        report_flow.HOME_REFRESH,
        refresh_home,
        posts=False,
        updates="the lead's App Home (views.publish)",
    ),
}

__all__ = ["KINDS", "Kind", "MessageBuilder", "Rendered", "SendRow"]
