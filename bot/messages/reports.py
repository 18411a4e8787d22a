"""Report reminders and what follows a submission, as Slack messages: the reminder DM with
its button, the office's escalation, the sender's confirmation, the office's review post, and
the lead's notice that a report was sent back."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block

from bot.blocks.common import context, section, to_dicts
from bot.blocks.reports import actions, button, report_button
from bot.context import BotContext
from bot.ids import Action
from bot.messages.base import Rendered
from bot.slack_io import SlackIO
from store.errors import NotFoundError
from store.models import ReportStatus
from workflows.calendar import Period
from workflows.interventions import InterventionInfo, get_intervention
from workflows.outbox import Outgoing, Progress, sent_messages
from workflows.outbox_keys import reminder_prefix
from workflows.outbox_kinds import (
    EscalationPayload,
    ReceivedPayload,
    ReminderPayload,
    RemindersDonePayload,
    ReturnedPayload,
    ReviewPayload,
    ReviewUpdatePayload,
)
from workflows.reminders import DONE
from workflows.reports import ReportView, find_report, report_view
from workflows.texts import Texts, slack_escape


def period_name(texts: Texts, label: str) -> str:
    period = Period.parse(label)
    return texts.get(
        "common", "period_name", kind=period.kind.value, year=period.year, number=period.number
    )


def _intervention(ctx: BotContext, intervention_id: int) -> InterventionInfo | None:
    try:
        return get_intervention(ctx.engine, intervention_id)
    except NotFoundError:
        return None


def stage_offset(ctx: BotContext, stage: str) -> int:
    """Working days from the due date of a reminder stage (negative: before it)."""
    for configured in ctx.reporting.rules.reminder_stages:
        if configured.name == stage:
            return configured.offset_working_days
    return 0


def build_reminder(ctx: BotContext, message: Outgoing, payload: ReminderPayload) -> Rendered | None:
    """None once the report is in: a reminder planned before it came in is not sent."""
    intervention = _intervention(ctx, payload.intervention_id)
    report = find_report(ctx.engine, payload.intervention_id, payload.period)
    if intervention is None or (report is not None and report.status in DONE):
        return None
    texts = ctx.texts_for(message.channel)
    due = payload.due
    offset = stage_offset(ctx, payload.stage)
    values = {
        "kind": Period.parse(payload.period).kind.value,
        "intervention": intervention.label,
        "period": period_name(texts, payload.period),
        "due": due,
        "offset": offset,
        "days_late": max(offset, 0),
    }
    blocks: list[Block] = [section(texts.get("reports", "reminder_body", **values))]
    if payload.on_behalf_of:
        blocks.append(context(texts.get("reports", "on_behalf_of", lead=payload.on_behalf_of)))
    return Rendered(
        text=texts.get("reports", "reminder_text", **values),
        blocks=[
            *(b.to_dict() for b in blocks),
            actions(report_button(texts, intervention.id, payload.period)).to_dict(),
        ],
    )


def build_reminder_done(ctx: BotContext, message: Outgoing, report: ReportView) -> Rendered:
    texts = ctx.texts_for(message.channel)
    intervention = _intervention(ctx, report.intervention_id)
    label = intervention.label if intervention else str(report.intervention_id)
    period = period_name(texts, report.period)
    return Rendered(
        text=texts.get("reports", "reminder_done_text", intervention=label, period=period),
        blocks=[
            section(
                texts.get(
                    "reports",
                    "reminder_done",
                    kind=report.kind.value,
                    intervention=label,
                    period=period,
                    by=report.submitted_by,
                    at=report.submitted_at.astimezone(ctx.tz).date(),
                )
            ).to_dict()
        ],
    )


def build_escalation(
    ctx: BotContext, message: Outgoing, payload: EscalationPayload
) -> Rendered | None:
    intervention = _intervention(ctx, payload.intervention_id)
    report = find_report(ctx.engine, payload.intervention_id, payload.period)
    if intervention is None or (report is not None and report.status in DONE):
        return None
    texts = ctx.texts_for()
    due = payload.due
    days_late = stage_offset(ctx, payload.stage)
    leads = ", ".join(
        f"<@{lead.slack_user_id}>" if lead.slack_user_id else slack_escape(lead.email)
        for lead in intervention.leads
    )
    period = period_name(texts, payload.period)
    values = {"intervention": intervention.label, "period": period, "days_late": days_late}
    return Rendered(
        text=texts.get("reports", "escalation_text", **values),
        blocks=[
            section(
                texts.get(
                    "reports",
                    "escalation",
                    kind=Period.parse(payload.period).kind.value,
                    due=due,
                    leads=leads,
                    **values,
                )
            ).to_dict(),
            actions(report_button(texts, intervention.id, payload.period)).to_dict(),
        ],
    )


def _report_and_label(ctx: BotContext, report_id: int) -> tuple[ReportView, str] | None:
    try:
        report = report_view(ctx.engine, report_id)
    except NotFoundError:
        return None
    intervention = _intervention(ctx, report.intervention_id)
    return report, intervention.label if intervention else str(report.intervention_id)


def build_received(ctx: BotContext, message: Outgoing, payload: ReceivedPayload) -> Rendered | None:
    found = _report_and_label(ctx, payload.report_id)
    if found is None:
        return None
    report, label = found
    texts = ctx.texts_for(message.channel)
    period = period_name(texts, report.period)
    revision = payload.revision
    return Rendered(
        text=texts.get("reports", "received_text", intervention=label, period=period),
        blocks=[
            section(
                texts.get(
                    "reports",
                    "received",
                    kind=report.kind.value,
                    intervention=label,
                    period=period,
                    revision=revision,
                    late=report.late if revision == 1 else _late_of(ctx, report),
                )
            ).to_dict()
        ],
    )


def _late_of(ctx: BotContext, report: ReportView) -> bool:
    return ctx.reporting.is_late(Period.parse(report.period), report.submitted_at)


def review_blocks(
    ctx: BotContext, texts: Texts, report: ReportView, label: str
) -> list[dict[str, Any]]:
    """The office's post about a report; its buttons go once it is reviewed."""
    period = period_name(texts, report.period)
    blocks: list[Block] = [
        section(
            texts.get(
                "reports",
                "review",
                kind=report.kind.value,
                intervention=label,
                period=period,
                by=report.submitted_by,
                at=report.submitted_at.astimezone(ctx.tz).date(),
                late=_late_of(ctx, report),
                revision=report.revision,
            )
        )
    ]
    value = str(report.report_id)
    # The decision buttons carry the revision shown: one taken on an older post is refused.
    decided = json.dumps({"report_id": report.report_id, "revision": report.revision})
    if report.status is ReportStatus.submitted:
        shown = button(texts.get("reports", "show_button"), Action.report_show, value)
        accept = button(
            texts.get("reports", "accept_button"), Action.report_accept, decided, style="primary"
        )
        send_back = button(texts.get("reports", "return_button"), Action.report_return, decided)
        blocks.append(context(texts.get("reports", "review_hint")))
        blocks.append(actions(shown, accept, send_back))
        return to_dicts(blocks)
    at = report_reviewed_on(ctx, report)
    if report.status is ReportStatus.accepted:
        note = texts.get("reports", "accepted_note", reviewer=report.reviewed_by, at=at)
    else:
        note = texts.get(
            "reports",
            "returned_note",
            reviewer=report.reviewed_by,
            at=at,
            comment=report.review_comment or "",
        )
    blocks.append(context(note))
    blocks.append(actions(button(texts.get("reports", "show_button"), Action.report_show, value)))
    return to_dicts(blocks)


def report_reviewed_on(ctx: BotContext, report: ReportView) -> date:
    at = report.reviewed_at or ctx.clock.now()
    return at.astimezone(ctx.tz).date()


def build_review(ctx: BotContext, message: Outgoing, payload: ReviewPayload) -> Rendered | None:
    found = _report_and_label(ctx, payload.report_id)
    if found is None:
        return None
    report, label = found
    if report.revision != payload.revision:
        return None  # a newer revision has its own post
    texts = ctx.texts_for()
    period = period_name(texts, report.period)
    return Rendered(
        text=texts.get("reports", "review_text", intervention=label, period=period),
        blocks=review_blocks(ctx, texts, report, label),
    )


def update_review_post(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: ReviewUpdatePayload,
    progress: Progress,
) -> str | None:
    """Rewrite a review post once its revision was sent back (kind `report_review_update`,
    planned with the send-back): the post and its ts come from the store, never from a
    request. None (cancelled) when a newer revision came in meanwhile: its own post is the
    one to act on, and this one's buttons are refused as of an older revision."""
    found = _report_and_label(ctx, payload.report_id)
    if found is None:
        return None
    report, label = found
    if report.revision != payload.revision:
        return None
    texts = ctx.texts_for()
    period = period_name(texts, report.period)
    rendered = Rendered(
        text=texts.get("reports", "review_text", intervention=label, period=period),
        blocks=review_blocks(ctx, texts, report, label),
    )
    progress.still_mine()
    slack.update(message.channel, payload.ts, rendered)
    return ""


def mark_reminders_done(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: RemindersDonePayload,
    progress: Progress,
) -> str | None:
    """Turn the period's reminder DMs into "done" (no button). chat.update is idempotent,
    so a retry simply updates again; a message gone from Slack is skipped."""
    report = find_report(ctx.engine, payload.intervention_id, payload.period)
    if report is None:
        return None
    prefix = reminder_prefix(report.intervention_id, report.period)
    for channel, ts in sent_messages(ctx.engine, prefix):
        rendered = build_reminder_done(ctx, replace(message, channel=channel), report)
        progress.still_mine()
        slack.update(channel, ts, rendered)
    return ""


def build_returned(ctx: BotContext, message: Outgoing, payload: ReturnedPayload) -> Rendered | None:
    found = _report_and_label(ctx, payload.report_id)
    if found is None:
        return None
    report, label = found
    if report.status is not ReportStatus.returned or report.revision != payload.revision:
        return None  # corrected (or accepted after all) before this went out
    texts = ctx.texts_for(message.channel)
    period = period_name(texts, report.period)
    return Rendered(
        text=texts.get("reports", "returned_text", intervention=label, period=period),
        blocks=[
            section(
                texts.get(
                    "reports",
                    "returned",
                    kind=report.kind.value,
                    intervention=label,
                    period=period,
                    reviewer=report.reviewed_by,
                    comment=report.review_comment or "",
                )
            ).to_dict(),
            actions(report_button(texts, report.intervention_id, report.period)).to_dict(),
        ],
    )
