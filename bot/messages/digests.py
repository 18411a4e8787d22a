"""The daily digests as Slack messages (workflows/digests.py): a lead's one reminder DM of the
day, with a "Rapportera" button per report, and the office's one post of the day's late
reports. A report in by the time the digest is sent is left out (every one in: nothing is
sent); one that comes in after turns its line into "done" without a button, leaving the
others (`update_reminder_digests`, from the kind `reminders_done`). A digest of one report
reads as the single reminder always did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks.common import context, section
from bot.blocks.limits import MESSAGE_BLOCKS_MAX
from bot.blocks.reports import actions, report_button
from bot.context import BotContext
from bot.messages import reports
from bot.messages.base import Rendered
from bot.messages.reports import period_name, stage_offset
from bot.slack_io import SlackIO
from store.errors import NotFoundError, SlackUnavailable
from workflows.calendar import Period
from workflows.digests import SentDigest, digests_on_their_way, sent_reminder_digests
from workflows.interventions import InterventionInfo, get_intervention
from workflows.outbox import Outgoing, Progress
from workflows.outbox_kinds import (
    EscalationDigestPayload,
    ReminderDigestPayload,
    ReminderItem,
    RemindersDonePayload,
)
from workflows.reminders import DONE
from workflows.reports import ReportView, find_report
from workflows.texts import Texts, slack_escape

# A line takes up to three blocks (text, "on behalf of", button); the intro, the note on
# what the reports ask for and the "… and N more" take three more.
MAX_LINES = (MESSAGE_BLOCKS_MAX - 3) // 3


@dataclass(frozen=True)
class Line:
    """One report of a digest as it shows now: open (with its button) or done."""

    item: ReminderItem
    intervention: InterventionInfo
    report: ReportView | None

    @property
    def done(self) -> bool:
        return self.report is not None and self.report.status in DONE

    @property
    def kind(self) -> str:
        return Period.parse(self.item.period).kind.value


def digest_lines(
    ctx: BotContext, items: tuple[ReminderItem, ...], *, sent: bool = False
) -> list[Line]:
    """The digest's reports as they show: before it is sent the open ones only (one in
    since it was planned is left out); in an update of a sent one every report it names,
    those in since turned "done". (A report in before the digest went out was taken out of
    its row then, workflows/digests.py `drop_report`.)"""
    lines: list[Line] = []
    for item in items:  # a few a day: one look-up each costs less than the periods' reports
        try:
            intervention = get_intervention(ctx.engine, item.intervention_id)
        except NotFoundError:
            continue
        line = Line(item, intervention, find_report(ctx.engine, *item.report))
        if line.done and not sent:
            continue
        lines.append(line)
    return lines


def _values(ctx: BotContext, texts: Texts, line: Line) -> dict[str, Any]:
    offset = stage_offset(ctx, line.item.stage)
    return {
        "kind": line.kind,
        "intervention": line.intervention.label,
        "period": period_name(texts, line.item.period),
        "due": line.item.due,
        "offset": offset,
        "days_late": max(offset, 0),
    }


def _actions(texts: Texts, line: Line) -> dict[str, Any]:
    return actions(report_button(texts, line.intervention.id, line.item.period)).to_dict()


def _done_line(ctx: BotContext, texts: Texts, line: Line) -> dict[str, Any]:
    assert line.report is not None
    return section(
        texts.get(
            "reports",
            "reminder_done",
            kind=line.kind,
            intervention=line.intervention.label,
            period=period_name(texts, line.item.period),
            by=line.report.submitted_by,
            at=line.report.submitted_at.astimezone(ctx.tz).date(),
        )
    ).to_dict()


def render_reminder_digest(ctx: BotContext, texts: Texts, lines: list[Line]) -> Rendered:
    """The DM of `lines` (at least one): one report alone as the single reminder reads."""
    if len(lines) == 1:
        return _single_reminder(ctx, texts, lines[0])
    open_lines = [line for line in lines if not line.done]
    blocks: list[dict[str, Any]] = [
        section(
            texts.get("digest", "reminder_digest_intro", count=len(open_lines))
            if open_lines
            else texts.get("digest", "all_done")
        ).to_dict()
    ]
    for line in lines[:MAX_LINES]:
        if line.done:
            blocks.append(_done_line(ctx, texts, line))
            continue
        blocks.append(
            section(texts.get("digest", "reminder_item", **_values(ctx, texts, line))).to_dict()
        )
        if line.item.on_behalf_of:
            blocks.append(
                context(texts.get("reports", "on_behalf_of", lead=line.item.on_behalf_of)).to_dict()
            )
        blocks.append(_actions(texts, line))
    if len(lines) > MAX_LINES:
        blocks.append(
            context(texts.get("digest", "more_items", count=len(lines) - MAX_LINES)).to_dict()
        )
    kinds = {line.kind for line in open_lines}
    about = [
        texts.get("digest", f"about_{kind}") for kind in ("monthly", "quarterly") if kind in kinds
    ]
    if about:
        blocks.append(context("\n".join(about)).to_dict())
    text = (
        texts.get("digest", "reminder_digest_text", count=len(open_lines))
        if open_lines
        else texts.get("digest", "all_done_text")
    )
    return Rendered(text=text, blocks=blocks)


def _single_reminder(ctx: BotContext, texts: Texts, line: Line) -> Rendered:
    values = _values(ctx, texts, line)
    if line.done:
        return Rendered(
            text=texts.get(
                "reports",
                "reminder_done_text",
                intervention=values["intervention"],
                period=values["period"],
            ),
            blocks=[_done_line(ctx, texts, line)],
        )
    blocks: list[dict[str, Any]] = [
        section(texts.get("reports", "reminder_body", **values)).to_dict()
    ]
    if line.item.on_behalf_of:
        blocks.append(
            context(texts.get("reports", "on_behalf_of", lead=line.item.on_behalf_of)).to_dict()
        )
    blocks.append(_actions(texts, line))
    return Rendered(text=texts.get("reports", "reminder_text", **values), blocks=blocks)


def build_reminder_digest(
    ctx: BotContext, message: Outgoing, payload: ReminderDigestPayload
) -> Rendered | None:
    """None when every report of the digest is in: nothing is left to remind of."""
    lines = digest_lines(ctx, payload.items)
    if not lines:
        return None
    return render_reminder_digest(ctx, ctx.texts_for(message.channel), lines)


def mark_reminders_done(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: RemindersDonePayload,
    progress: Progress,
) -> str | None:
    """A report is in: its reminders turned "done", the per-report ones planned before the
    digests (`reports.mark_reminders_done`) and every digest that names it."""
    if reports.mark_reminders_done(slack, ctx, message, payload, progress) is None:
        return None
    update_reminder_digests(slack, ctx, payload.intervention_id, payload.period, progress)
    return ""


def update_reminder_digests(
    slack: SlackIO,
    ctx: BotContext,
    intervention_id: int,
    period: str,
    progress: Progress,
) -> None:
    """Rewrite every sent digest that names the report: its line "done", the others as
    they are now. chat.update is idempotent, so a retry simply updates again; a message
    gone from Slack is skipped. A digest naming the report that is being sent right now
    may have been built with its button: the update is tried again later (the row is
    released with backoff), once that digest is sent and can be updated too."""
    on_their_way = digests_on_their_way(ctx.engine, intervention_id, period)
    if on_their_way:
        raise SlackUnavailable("digest_on_its_way", keys=",".join(on_their_way))
    for sent in sent_reminder_digests(ctx.engine, intervention_id, period):
        rendered = _updated(ctx, sent)
        if rendered is None:
            continue
        progress.still_mine()
        slack.update(sent.channel, sent.ts, rendered)


def _updated(ctx: BotContext, sent: SentDigest) -> Rendered | None:
    lines = digest_lines(ctx, sent.items, sent=True)
    if not lines:
        return None
    return render_reminder_digest(ctx, ctx.texts_for(sent.channel), lines)


def build_escalation_digest(
    ctx: BotContext, message: Outgoing, payload: EscalationDigestPayload
) -> Rendered | None:
    """The office's post of the day's late reports; None when every one is in."""
    lines = digest_lines(ctx, payload.items)
    if not lines:
        return None
    texts = ctx.texts_for()
    blocks: list[dict[str, Any]] = []
    if len(lines) == 1:
        values = _escalation_values(ctx, texts, lines[0])
        text = texts.get(
            "reports",
            "escalation_text",
            intervention=values["intervention"],
            period=values["period"],
            days_late=values["days_late"],
        )
        blocks.append(section(texts.get("reports", "escalation", **values)).to_dict())
        blocks.append(_actions(texts, lines[0]))
        return Rendered(text=text, blocks=blocks)
    blocks.append(
        section(texts.get("digest", "escalation_digest_intro", count=len(lines))).to_dict()
    )
    for line in lines[:MAX_LINES]:
        values = _escalation_values(ctx, texts, line)
        blocks.append(section(texts.get("digest", "escalation_item", **values)).to_dict())
        blocks.append(_actions(texts, line))
    if len(lines) > MAX_LINES:
        blocks.append(
            context(texts.get("digest", "more_late", count=len(lines) - MAX_LINES)).to_dict()
        )
    return Rendered(
        text=texts.get("digest", "escalation_digest_text", count=len(lines)), blocks=blocks
    )


def _escalation_values(ctx: BotContext, texts: Texts, line: Line) -> dict[str, Any]:
    leads = ", ".join(
        f"<@{lead.slack_user_id}>" if lead.slack_user_id else slack_escape(lead.email)
        for lead in line.intervention.leads
    )
    return {
        "kind": line.kind,
        "intervention": line.intervention.label,
        "period": period_name(texts, line.item.period),
        "due": line.item.due,
        "days_late": stage_offset(ctx, line.item.stage),
        "leads": leads,
    }
