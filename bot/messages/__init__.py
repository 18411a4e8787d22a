"""Every kind of outgoing message, in one registry: kind name → how its row is sent, whether
it posts, what it updates (`KINDS`).

Most kinds are one post: a builder turns the outbox row (`Outgoing`) into the text and blocks
of that post, or None when the message is no longer wanted (e.g. a reminder for a report that
has come in since it was planned): the row is then cancelled, not sent. The others post and
then share a file once, update messages sent before, or publish a view. Builders read the
store through workflows and render through templates; the Slack calls, metadata and
reconciliation are bot/slack_io.py's."""

from __future__ import annotations

from typing import Any

from bot.messages import board, digests, missing, reports
from bot.messages.absence import (
    build_absence_over,
    build_deputy_cancelled,
    build_deputy_named,
    build_deputy_relieved,
)
from bot.messages.base import Kind, MessageBuilder, Rendered, SendRow, kind, posting
from bot.messages.board_done import update_step_reminders
from bot.messages.budget import send_budget_summary
from bot.messages.exports import send_export
from bot.messages.home import refresh_home
from bot.messages.papers import send_board_papers
from bot.messages.quarterly import build_quarterly_page
from workflows.outbox_kinds import (
    AbsenceOverPayload,
    AnnouncementPayload,
    BoardPapersPayload,
    BoardStepDonePayload,
    BoardStepPayload,
    BudgetSummaryPayload,
    DeputyCancelledPayload,
    DeputyNamedPayload,
    DeputyRelievedPayload,
    EscalationDigestPayload,
    EscalationPayload,
    ExportFilePayload,
    HomeRefreshPayload,
    MissingReportsPayload,
    QuarterlyPagePayload,
    ReceivedPayload,
    ReminderDigestPayload,
    ReminderPayload,
    RemindersDonePayload,
    ReturnedPayload,
    ReviewPayload,
    ReviewUpdatePayload,
)

_ENTRIES: list[Kind[Any]] = [
    # One post each.
    kind(ReminderDigestPayload, posting(digests.build_reminder_digest)),
    kind(EscalationDigestPayload, posting(digests.build_escalation_digest)),
    kind(ReminderPayload, posting(reports.build_reminder)),  # planned before the digests
    kind(EscalationPayload, posting(reports.build_escalation)),  # likewise
    kind(ReceivedPayload, posting(reports.build_received)),
    kind(ReviewPayload, posting(reports.build_review)),
    kind(ReturnedPayload, posting(reports.build_returned)),
    kind(MissingReportsPayload, posting(missing.build_missing_reports)),
    kind(AbsenceOverPayload, posting(build_absence_over)),
    kind(DeputyNamedPayload, posting(build_deputy_named)),
    kind(DeputyCancelledPayload, posting(build_deputy_cancelled)),
    kind(DeputyRelievedPayload, posting(build_deputy_relieved)),
    kind(BoardStepPayload, posting(board.build_board_step)),
    kind(AnnouncementPayload, posting(board.build_announcement)),
    kind(QuarterlyPagePayload, posting(build_quarterly_page)),
    # A post, then a file shared once after it.
    kind(BudgetSummaryPayload, send_budget_summary),
    kind(BoardPapersPayload, send_board_papers),
    kind(ExportFilePayload, send_export),
    # No post: updates of messages sent before, or a view.
    kind(
        RemindersDonePayload,
        digests.mark_reminders_done,
        posts=False,
        updates="the reminder DMs naming the report: its line says it is in, its button goes",
    ),
    kind(
        BoardStepDonePayload,
        update_step_reminders,
        posts=False,
        updates="every sent reminder of the step, to say who marked it done",
    ),
    kind(
        ReviewUpdatePayload,
        reports.update_review_post,
        posts=False,
        updates="the office's review post of the revision sent back",
    ),
    kind(
        HomeRefreshPayload,
        refresh_home,
        posts=False,
        updates="the lead's App Home (views.publish)",
    ),
]
KINDS: dict[str, Kind[Any]] = {entry.name: entry for entry in _ENTRIES}

__all__ = ["KINDS", "Kind", "MessageBuilder", "Rendered", "SendRow"]
