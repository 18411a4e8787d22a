"""A workbook asked for with `/finsam export`, in the asker's DM: a short post with the
outbox key in its metadata (step `posted`), then the XLSX shared once after it (step
`file`): a retry never shares it twice (bot/slack_io.py `share_once`). The workbook is made
when it is uploaded, from the figures of that moment."""

from __future__ import annotations

from bot.blocks.common import section, to_dicts
from bot.context import BotContext
from bot.slack_io import FileShare, Rendered, SlackIO
from workflows.export_files import ExportSettings, workbook_bytes
from workflows.outbox import Outgoing, Progress
from workflows.outbox_kinds import ExportFilePayload


def send_export(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: ExportFilePayload,
    progress: Progress,
) -> str | None:
    texts = ctx.texts_for(message.channel)
    names = {
        "workbook": payload.workbook,
        "year": payload.year,
        "through": payload.through_month,
    }

    def render() -> Rendered:
        text = texts.get("annual_report", "post", **names)
        return Rendered(text=text, blocks=to_dicts([section(text)]))

    ts = slack.post_once(message, progress=progress, render=render)
    if ts is None:
        return None
    settings = ExportSettings(
        reporting=ctx.reporting,
        tz=ctx.tz,
        forms=ctx.forms,
        association=ctx.association_name,
        comparison=ctx.comparison,
    )
    today = ctx.clock.now().astimezone(ctx.tz).date()
    workbook = FileShare(
        filename=texts.get("annual_report", "filename", **names),
        title=texts.get("annual_report", "file_title", **names),
        comment=texts.get("annual_report", "file_comment"),
        content=lambda: workbook_bytes(
            ctx.engine, payload, today=today, texts=texts, settings=settings
        ),
    )
    slack.share_once(message, progress=progress, step="file", after=ts, file=workbook)
    return ts
