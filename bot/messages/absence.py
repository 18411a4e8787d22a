"""The lead's "welcome back" DM after an absence: the window, who stood in, and which
reminders went to the deputy meanwhile (outbox kind `absence_over`)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.blocks.common import chunked_sections, context, section, to_dicts
from bot.context import BotContext
from bot.messages.base import Rendered
from workflows.absence import KIND, absence_report
from workflows.calendar import Period
from workflows.outbox import Outgoing
from workflows.texts import Texts

__all__ = ["KIND", "build_absence_over"]


def period_name(texts: Texts, label: str) -> str:
    try:
        period = Period.parse(label)
    except ValueError:
        return label
    return texts.get(
        "reports", "period_name", kind=period.kind.value, year=period.year, number=period.number
    )


def build_absence_over(ctx: BotContext, message: Outgoing) -> Rendered | None:
    """None when the absence was removed since the message was planned."""
    report = absence_report(ctx.engine, int(message.data["absence_id"]), tz=ctx.tz)
    if report is None:
        return None
    texts = ctx.texts_for(message.channel)
    absence = report.absence
    window = {"start": absence.starts_on.isoformat(), "end": absence.ends_on.isoformat()}
    blocks: list[Block] = [
        section(texts.get("interventions", "absence_over", deputy=absence.deputy_user_id, **window))
    ]
    if report.forwarded:
        lines = [texts.get("interventions", "absence_forwarded_title")] + [
            texts.get(
                "interventions",
                "absence_forwarded_item",
                intervention=f.intervention,
                period=period_name(texts, f.period),
            )
            for f in report.forwarded
        ]
        blocks += chunked_sections(lines)
    else:
        blocks.append(context(texts.get("interventions", "absence_forwarded_none")))
    return Rendered(
        text=texts.get("interventions", "absence_over_text", **window),
        blocks=to_dicts(blocks),
    )
