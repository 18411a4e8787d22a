"""The board papers' draft pack in the secretary's DM: a short summary posted with the
outbox key in its metadata (step `posted`), then the XLSX shared to the same DM with files
upload v2 (step `file`). A retry never shares the file twice: a share whose answer was lost
is looked for in the DM's history after the summary first, like the budget summary's chart
(bot/slack_io.py `share_once`)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.blocks.common import chunked_sections, context, header, section, to_dicts
from bot.context import BotContext
from bot.slack_io import FileShare, Rendered, SlackIO
from workflows.board_papers import Pack, papers_pack, rule_text, write_papers_xlsx
from workflows.outbox import Outgoing, Progress
from workflows.outbox_kinds import BoardPapersPayload
from workflows.quarterly_compilation import share_text
from workflows.texts import Texts

DELEGATION_LINES_MAX = 10


def build_papers_blocks(pack: Pack, texts: Texts) -> list[Block]:
    blocks: list[Block] = [
        header(texts.get("papers", "header", title=pack.title, day=pack.meeting_on)),
        context(texts.get("papers", "intro", since=pack.since, previous=pack.previous)),
        section(_budget_text(pack, texts)),
        section(_reporting_text(pack, texts)),
        *chunked_sections(_delegation_lines(pack, texts)),
    ]
    if pack.quarters is not None:  # at the half-year and year meetings
        compiled = pack.quarters
        share = share_text(compiled.structural, texts)
        line = texts.get(
            "quarterly",
            "papers_line",
            year=compiled.year,
            until=compiled.until_quarter,
            share=share,
        )
        blocks.append(section(line))
    return blocks


def _budget_text(pack: Pack, texts: Texts) -> str:
    status = pack.status
    if status is None:
        return texts.get("papers", "no_budget", year=pack.year)
    lines = [
        texts.get(
            "papers",
            "budget_summary",
            year=status.year,
            remaining=status.remaining_decision_room,
            granted=status.granted,
            remaining_after=status.remaining_after_grants,
            rules_ok=sum(rule.ok for rule in status.rules if rule.checked),
            rules=sum(rule.checked for rule in status.rules),
        )
    ]
    lines += [rule_text(texts, rule) for rule in status.rules if not rule.ok]
    return "\n".join(lines)


def _reporting_text(pack: Pack, texts: Texts) -> str:
    if not pack.reporting:
        return texts.get("papers", "reporting_none", since=pack.since)
    return texts.get(
        "papers",
        "reporting_summary",
        since=pack.since,
        periods=len(pack.reporting),
        owed=sum(row.owed for row in pack.reporting),
        reported=sum(row.reported for row in pack.reporting),
        missing=sum(row.missing for row in pack.reporting),
    )


def _delegation_lines(pack: Pack, texts: Texts) -> list[str]:
    if not pack.delegation:
        return [texts.get("papers", "delegation_none", since=pack.since)]
    lines = [
        texts.get(
            "papers",
            "delegation_summary",
            since=pack.since,
            count=len(pack.delegation),
            total=pack.delegated_total,
        )
    ]
    lines += [
        texts.get(
            "papers",
            "delegation_line",
            decided_on=grant.decided_on,
            amount=grant.amount_kr,
            intervention=grant.label,
            decided_by=grant.decided_by,
        )
        for grant in pack.delegation[:DELEGATION_LINES_MAX]
    ]
    hidden = len(pack.delegation) - DELEGATION_LINES_MAX
    if hidden > 0:
        lines.append(texts.get("papers", "delegation_more", count=hidden))
    return lines


def send_board_papers(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: BoardPapersPayload,
    progress: Progress,
) -> str | None:
    """Post the summary, then share the file once; None (the row is cancelled) when the
    meeting is gone before anything went out."""
    texts = ctx.texts_for(message.channel)
    pack = papers_pack(
        ctx.engine,
        payload.event_id,
        reporting=ctx.reporting,
        rules=ctx.rules,
        today=ctx.clock.now().astimezone(ctx.tz).date(),
    )

    def render() -> Rendered | None:
        if pack is None:
            return None
        return Rendered(
            text=texts.get("papers", "text", title=pack.title, day=pack.meeting_on),
            blocks=to_dicts(build_papers_blocks(pack, texts)),
        )

    ts = slack.post_once(message, progress=progress, render=render)
    if ts is not None and pack is not None:
        slack.share_once(
            message,
            progress=progress,
            step="file",
            after=ts,
            file=_file(pack, texts, ctx.association_name),
        )
    return ts


def _file(pack: Pack, texts: Texts, association: str | None) -> FileShare:
    return FileShare(
        filename=texts.get("papers", "filename", day=pack.meeting_on.isoformat()),
        title=texts.get("papers", "file_title", title=pack.title, day=pack.meeting_on),
        comment=texts.get("papers", "file_comment"),
        content=lambda: write_papers_xlsx(pack, texts, association=association),
    )
