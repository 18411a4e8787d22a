"""Absence DMs. The lead's "welcome back" after an absence: the window, who stood in, and
which reminders went to the deputy meanwhile (outbox kind `absence_over`). The deputy's
"you are named" (`deputy_named`): who, when, which interventions, how to report; and
"cancelled" (`deputy_cancelled`) when the lead removes the absence before it starts; and
"relieved" (`deputy_relieved`) when the lead cuts short an absence under way."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.blocks.common import chunked_sections, context, section, to_dicts
from bot.context import BotContext
from bot.messages.base import Rendered
from workflows.absence import (
    DEPUTY_CANCELLED,
    DEPUTY_NAMED,
    DEPUTY_RELIEVED,
    KIND,
    absence_report,
    deputy_notice,
    deputy_was_told,
)
from workflows.calendar import Period
from workflows.outbox import Outgoing
from workflows.outbox_kinds import (
    AbsenceOverPayload,
    DeputyCancelledPayload,
    DeputyNamedPayload,
    DeputyRelievedPayload,
)
from workflows.texts import Texts

__all__ = [
    "DEPUTY_CANCELLED",
    "DEPUTY_NAMED",
    "DEPUTY_RELIEVED",
    "KIND",
    "build_absence_over",
    "build_deputy_cancelled",
    "build_deputy_named",
    "build_deputy_relieved",
]


def period_name(texts: Texts, label: str) -> str:
    try:
        period = Period.parse(label)
    except ValueError:
        return label
    return texts.get(
        "common", "period_name", kind=period.kind.value, year=period.year, number=period.number
    )


def build_absence_over(
    ctx: BotContext, message: Outgoing, payload: AbsenceOverPayload
) -> Rendered | None:
    """None when the absence was removed since the message was planned."""
    report = absence_report(ctx.engine, payload.absence_id, tz=ctx.tz)
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


def build_deputy_named(
    ctx: BotContext, message: Outgoing, payload: DeputyNamedPayload
) -> Rendered | None:
    """None when the absence was removed or is already over: the deputy has nothing to do.
    Intervention names are escaped by the template (`| slack`)."""
    notice = deputy_notice(ctx.engine, payload.absence_id)
    today = ctx.clock.now().astimezone(ctx.tz).date()
    if notice is None or notice.absence.ends_on < today:
        return None
    texts = ctx.texts_for(message.channel)
    absence = notice.absence
    values = {
        "lead": absence.lead_user_id,
        "start": absence.starts_on.isoformat(),
        "end": absence.ends_on.isoformat(),
    }
    blocks: list[Block] = [section(texts.get("interventions", "deputy_named", **values))]
    if notice.interventions:
        blocks += chunked_sections(
            texts.get("interventions", "deputy_named_item", intervention=label)
            for label in notice.interventions
        )
    else:
        blocks.append(
            section(texts.get("interventions", "deputy_named_none", lead=absence.lead_user_id))
        )
    blocks.append(context(texts.get("interventions", "deputy_named_how")))
    return Rendered(
        text=texts.get("interventions", "deputy_named_text", **values), blocks=to_dicts(blocks)
    )


def build_deputy_cancelled(
    ctx: BotContext, message: Outgoing, payload: DeputyCancelledPayload
) -> Rendered | None:
    """From the row's data (the absence is gone); None when the "you are named" DM never
    went out after all (it was cancelled while this one was planned)."""
    if not deputy_was_told(ctx.engine, payload.absence_id):
        return None
    texts = ctx.texts_for(message.channel)
    text = texts.get(
        "interventions",
        "deputy_cancelled",
        lead=payload.lead,
        start=payload.start.isoformat(),
        end=payload.end.isoformat(),
    )
    return Rendered(text=text, blocks=to_dicts([section(text)]))


def build_deputy_relieved(
    ctx: BotContext, message: Outgoing, payload: DeputyRelievedPayload
) -> Rendered | None:
    """From the row's data, as `build_deputy_cancelled`; None when the "you are named" DM
    never went out after all."""
    if not deputy_was_told(ctx.engine, payload.absence_id):
        return None
    texts = ctx.texts_for(message.channel)
    text = texts.get(
        "interventions", "deputy_relieved", lead=payload.lead, back_on=payload.back.isoformat()
    )
    return Rendered(text=text, blocks=to_dicts([section(text)]))
