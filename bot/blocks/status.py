"""Block Kit for the reporting overview: `/finsam status` (one period, every intervention that
owes it) and the weekly summary of missing reports posted to the office channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block, DividerBlock

from bot.blocks.common import cap_blocks, chunked_sections, context, header, section
from bot.ids import Command
from workflows.calendar import Period
from workflows.interventions import InterventionInfo
from workflows.overview import (
    MISSING,
    PeriodStatus,
    StatusRow,
    attention_first,
    hidden_in_chain,
    is_masked,
    mask_count,
)
from workflows.participants import ParticipantTable
from workflows.texts import Texts


def period_name(texts: Texts, period: Period) -> str:
    return texts.get(
        "common", "period_name", kind=period.kind.value, year=period.year, number=period.number
    )


def lead_values(info: InterventionInfo) -> list[dict[str, str | None]]:
    """Leads for the `lead_list` macro: a matched lead is mentioned, an unmatched one named
    by e-mail (escaped there)."""
    return [{"user": lead.slack_user_id, "email": lead.email} for lead in info.leads]


def local_date(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(tz).date()


def build_status_line(texts: Texts, row: StatusRow, *, tz: ZoneInfo) -> str:
    return texts.get(
        "status",
        "row",
        status=row.status,
        name=row.intervention.name,
        owner=row.intervention.owner,
        late=row.late,
        days_late=row.days_late,
        submitted_on=local_date(row.submitted_at, tz),
        revision=row.revision or 0,
        leads=lead_values(row.intervention),
    )


def build_status_blocks(status: PeriodStatus, texts: Texts, *, tz: ZoneInfo) -> list[Block]:
    name = period_name(texts, status.period)
    blocks: list[Block] = [
        header(texts.get("status", "title", period=name)),
        context(
            texts.get(
                "status",
                "summary",
                kind=status.period.kind.value,
                due=status.due,
                total=len(status.rows),
                missing=status.count(MISSING),
                returned=status.count("returned"),
                submitted=status.count("submitted"),
                accepted=status.count("accepted"),
            )
        ),
    ]
    if not status.rows:
        return [*blocks, section(texts.get("status", "nobody_owes", period=name))]
    lines = [build_status_line(texts, row, tz=tz) for row in attention_first(status.rows)]
    blocks += chunked_sections(lines)
    more = texts.get("status", "more_omitted", command=Command.finsam, period=None)
    return cap_blocks(blocks, more=more)


def build_missing_blocks(
    periods: Sequence[PeriodStatus],
    texts: Texts,
    *,
    today: date,
    participants: ParticipantTable | None,
    threshold: int,
) -> list[Block]:
    """The weekly summary: per period past due, its missing and returned reports; then the
    year's participant figures so far, small counts masked (it goes to a channel)."""
    blocks: list[Block] = [
        header(texts.get("status", "missing_title")),
        context(texts.get("status", "missing_intro", today=today)),
    ]
    for status in periods:
        lines = [
            texts.get(
                "status",
                "missing_period",
                period=period_name(texts, status.period),
                due=status.due,
                missing=status.count(MISSING),
                returned=status.count("returned"),
            )
        ] + [
            texts.get(
                "status",
                "missing_row",
                status=row.status,
                name=row.intervention.name,
                owner=row.intervention.owner,
                days_late=row.days_late,
                leads=lead_values(row.intervention),
            )
            for row in status.rows
        ]
        blocks += [DividerBlock(), *chunked_sections(lines)]
    if participants is not None and participants.total.months:
        blocks += [DividerBlock(), context(build_year_to_date(texts, participants, threshold))]
    first = periods[0].period.label if periods else None
    more = texts.get("status", "more_omitted", command=Command.finsam, period=first)
    return cap_blocks(blocks, more=more)


def build_year_to_date(texts: Texts, table: ParticipantTable, threshold: int) -> str:
    """The year's totals with every count below the threshold masked. What would give a
    masked count away is left out: a total whose part leaves a small remainder (7 ended, 5 of
    them to work: the 2 others), the share when either of its counts is hidden, and the
    women/men split when either half is masked or the total is hidden (the halves would add up
    to it)."""
    total = table.total
    went = total.work_or_studies
    counts = (total.participants.total, total.ended.total, went.total)
    hidden = hidden_in_chain(counts, threshold)
    shown = [
        mask_count(count, threshold)
        if is_masked(count, threshold)
        else (texts.get("status", "suppressed") if gone else str(count))
        for count, gone in zip(counts, hidden, strict=True)
    ]
    share = None if hidden[1] or hidden[2] else total.work_or_studies_share.total
    split_hidden = hidden[2] or is_masked(went.women, threshold) or is_masked(went.men, threshold)
    return texts.get(
        "status",
        "year_to_date",
        year=table.year,
        through=table.through_month,
        participants=shown[0],
        ended=shown[1],
        went=shown[2],
        went_women=None if split_hidden else str(went.women),
        went_men=None if split_hidden else str(went.men),
        share=share,
        threshold=threshold,
        suppressed=any(
            h and not is_masked(c, threshold) for c, h in zip(counts, hidden, strict=True)
        ),
    )
