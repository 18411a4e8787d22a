"""The grammar of outbox keys, in one place. A key says which event a row is for, so planning
the same event again (a second tick, a second process, a restart) adds nothing; a prefix
picks a family of rows (a period's reminders to cancel, a step's sent copies to update).

    reminder_digest:<user>:<day>             escalation_digest:<channel>:<day>
    reminder:<intervention>:<period>:<stage>:<user>   (one per report, before the digest)
    escalation:<intervention>:<period>:<stage>         (likewise)
    report_received:<report>:<revision>      reminders_done:<report>:<revision>
    report_review:<report>:<revision>        report_returned:<report>:<revision>
    report_review_update:<report>:<revision>:<status>
    home_refresh:<user>:<event>
    missing_reports:<channel>:<yyyy>-W<ww>   budget_summary:<channel>:<yyyy-mm>
    absence_over:<absence>                   deputy_named:<absence>:<deputy>
    deputy_cancelled:<absence>:<deputy>      deputy_relieved:<absence>:<deputy>
    board_step:<step>:<due>:<stage>:<user>   board_step_done:<step>:<due>
    announce:<step>:<due>                    board_papers:<event>:<user>
    export_file:<user>:<request>
    quarterly_page:<intervention>:<year>-Q<until>:<channel>:<view>

Dates are ISO days. The parts are joined with ":"; a period (2026-03, 2026-Q1) and a Slack
id hold none, so a key splits back into its parts (`parse_reminder`, `review_revision`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflows.outbox_kinds import (
    AbsenceOverPayload,
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

# The application deadline's announcement (kind `announcement`) is keyed `announce:`.
ANNOUNCE = "announce"
REMINDERS = f"{ReminderPayload.KIND}:"  # the prefix of every report reminder's key


# Report reminders.
def reminder_prefix(intervention_id: int, period: str) -> str:
    """Every reminder of one intervention's period, any stage, any recipient."""
    return f"{REMINDERS}{intervention_id}:{period}:"


def reminder_stage_prefix(intervention_id: int, period: str, stage: str) -> str:
    return f"{reminder_prefix(intervention_id, period)}{stage}:"


def reminder_key(intervention_id: int, period: str, stage: str, recipient: str) -> str:
    return f"{reminder_stage_prefix(intervention_id, period, stage)}{recipient}"


@dataclass(frozen=True)
class ReminderKey:
    intervention_id: int
    period: str


def parse_reminder(key: str) -> ReminderKey | None:
    """The intervention and period of a reminder's key; None for a key of another shape."""
    parts = key.split(":")
    if len(parts) < 3 or parts[0] != ReminderPayload.KIND or not parts[1].isdigit():
        return None
    return ReminderKey(int(parts[1]), parts[2])


def escalation_key(intervention_id: int, period: str, stage: str) -> str:
    return f"{EscalationPayload.KIND}:{intervention_id}:{period}:{stage}"


# The daily digests: one reminder DM per recipient and day, one office post per day. The
# day is the ISO day the row is sent on, so the keys of one recipient sort by day.
DIGESTS = f"{ReminderDigestPayload.KIND}:"  # the prefix of every reminder digest's key
ESCALATION_DIGESTS = f"{EscalationDigestPayload.KIND}:"  # and of every office digest's


def reminder_digest_prefix(recipient: str) -> str:
    """Every reminder digest of one recipient, any day."""
    return f"{DIGESTS}{recipient}:"


def reminder_digest_key(recipient: str, day: date) -> str:
    return f"{reminder_digest_prefix(recipient)}{day.isoformat()}"


def escalation_digest_prefix(channel: str) -> str:
    return f"{ESCALATION_DIGESTS}{channel}:"


def escalation_digest_key(channel: str, day: date) -> str:
    return f"{escalation_digest_prefix(channel)}{day.isoformat()}"


# What follows a submission or a review.
def received_key(report_id: int, revision: int) -> str:
    return f"{ReceivedPayload.KIND}:{report_id}:{revision}"


def reminders_done_key(report_id: int, revision: int) -> str:
    return f"{RemindersDonePayload.KIND}:{report_id}:{revision}"


def review_prefix(report_id: int) -> str:
    """Every review post of one report, one per revision."""
    return f"{ReviewPayload.KIND}:{report_id}:"


def review_key(report_id: int, revision: int) -> str:
    return f"{review_prefix(report_id)}{revision}"


def review_revision(key: str, report_id: int) -> int | None:
    """The revision a review post's key names; None for a key of another shape."""
    prefix = review_prefix(report_id)
    number = key[len(prefix) :] if key.startswith(prefix) else ""
    return int(number) if number.isdigit() else None


def returned_key(report_id: int, revision: int) -> str:
    return f"{ReturnedPayload.KIND}:{report_id}:{revision}"


def review_update_key(report_id: int, revision: int, status: str) -> str:
    return f"{ReviewUpdatePayload.KIND}:{report_id}:{revision}:{status}"


def home_refresh_key(user_id: str, event: str) -> str:
    return f"{HomeRefreshPayload.KIND}:{user_id}:{event}"


# Summaries.
def missing_summary_key(channel: str, day: date) -> str:
    """One weekly summary per ISO week and channel."""
    iso = day.isocalendar()
    return f"{MissingReportsPayload.KIND}:{channel}:{iso.year}-W{iso.week:02d}"


def budget_summary_key(channel: str, *, year: int, month: int) -> str:
    return f"{BudgetSummaryPayload.KIND}:{channel}:{year}-{month:02d}"


# Absences.
def back_notice_key(absence_id: int) -> str:
    return f"{AbsenceOverPayload.KIND}:{absence_id}"


def deputy_named_prefix(absence_id: int) -> str:
    """The "you are named" DM of an absence, whoever the deputy."""
    return f"{DeputyNamedPayload.KIND}:{absence_id}:"


def deputy_named_key(absence_id: int, deputy_user_id: str) -> str:
    return f"{deputy_named_prefix(absence_id)}{deputy_user_id}"


def deputy_cancelled_key(absence_id: int, deputy_user_id: str) -> str:
    return f"{DeputyCancelledPayload.KIND}:{absence_id}:{deputy_user_id}"


def deputy_relieved_key(absence_id: int, deputy_user_id: str) -> str:
    return f"{DeputyRelievedPayload.KIND}:{absence_id}:{deputy_user_id}"


# The board's year.
def step_prefix(step_id: int) -> str:
    """Every reminder of one board step, any date, stage or recipient."""
    return f"{BoardStepPayload.KIND}:{step_id}:"


def step_stage_prefix(step_id: int, due: date, stage: str) -> str:
    return f"{step_prefix(step_id)}{due.isoformat()}:{stage}:"


def step_key(step_id: int, due: date, stage: str, recipient: str) -> str:
    return f"{step_stage_prefix(step_id, due, stage)}{recipient}"


def step_done_key(step_id: int, due: date) -> str:
    """One "Klart" update per step and due date: a second press plans nothing, and a step
    moved by a new cycle file (which clears its done mark) can be marked done again."""
    return f"{BoardStepDonePayload.KIND}:{step_id}:{due.isoformat()}"


def announce_key(step_id: int, due: date) -> str:
    return f"{ANNOUNCE}:{step_id}:{due.isoformat()}"


def papers_key(event_id: int, recipient: str) -> str:
    return f"{BoardPapersPayload.KIND}:{event_id}:{recipient}"


# Workbooks asked for.
def export_key(user_id: str, request: str) -> str:
    """One file per request (`request` names it: a fresh id for each `/finsam export`)."""
    return f"{ExportFilePayload.KIND}:{user_id}:{request}"


# The quarterly compilation.
def quarterly_page_key(
    intervention_id: int, *, year: int, until: int, channel: str, view_id: str
) -> str:
    """One post per submitted "send to channel" modal: a delivery of the same submission
    again plans nothing; a new modal is a new send."""
    return f"{QuarterlyPagePayload.KIND}:{intervention_id}:{year}-Q{until}:{channel}:{view_id}"
