"""The board papers' draft pack in the secretary's DM: a short summary posted with the
outbox key in its metadata (step `posted`), then the XLSX shared to the same DM with files
upload v2 (step `file`). A retry never shares the file twice: a share whose answer was lost
is looked for in the DM's history after the summary first, like the budget summary's chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.models.blocks import Block

from bot.blocks.common import chunked_sections, context, header, section, to_dicts
from workflows.board_papers import KIND, Pack, papers_pack, rule_text, write_papers_xlsx
from workflows.outbox import Outgoing, Progress
from workflows.texts import Texts

if TYPE_CHECKING:
    from bot.sender import SlackSender

BOARD_PAPERS = KIND
DELEGATION_LINES_MAX = 10


def build_papers_blocks(pack: Pack, texts: Texts) -> list[Block]:
    blocks: list[Block] = [
        header(texts.get("papers", "header", title=pack.title, day=pack.meeting_on)),
        context(texts.get("papers", "intro", since=pack.since, previous=pack.previous)),
        section(_budget_text(pack, texts)),
        section(_reporting_text(pack, texts)),
        *chunked_sections(_delegation_lines(pack, texts)),
    ]
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


def send_board_papers(sender: SlackSender, message: Outgoing, *, progress: Progress) -> str | None:
    """Post the summary, then share the file; None (the row is cancelled) when the
    meeting is gone before anything went out. Uses the sender's own helpers: the post with
    metadata, the DM's channel id, and the history check for a file already shared."""
    from bot.sender import _call  # bot.sender imports this module

    ctx = sender._ctx
    texts = ctx.texts_for(message.channel)
    pack = papers_pack(
        ctx.engine,
        int(message.data["event_id"]),
        reporting=ctx.reporting,
        rules=ctx.rules,
        today=ctx.clock.now().astimezone(ctx.tz).date(),
    )
    ts = message.posted_ts
    if ts is None or "posted" not in message.steps_done:
        if pack is None:
            return None
        progress.pace(message.channel)
        progress.still_mine()
        ts = sender._post(
            message,
            text=texts.get("papers", "text", title=pack.title, day=pack.meeting_on),
            blocks=to_dicts(build_papers_blocks(pack, texts)),
        )
        progress.posted(ts)
    if "file" not in message.steps_done and pack is not None:
        channel = sender._conversation(message.channel)
        filename = texts.get("papers", "filename", day=pack.meeting_on.isoformat())
        progress.still_mine()
        if message.attempts == 1 or not sender._chart_shared(channel, filename, ts):
            _call(
                sender._client.files_upload_v2,
                channel=channel,
                content=write_papers_xlsx(pack, texts, association=ctx.association_name),
                filename=filename,
                title=texts.get("papers", "file_title", title=pack.title, day=pack.meeting_on),
                initial_comment=texts.get("papers", "file_comment"),
            )
        progress.step_done("file")
    return ts
