"""The quarterly compilation's page of an intervention, posted to the channel the office chose
(kind `quarterly_page`): read from the reports when it is sent, so it shows what came in up
to then; no longer wanted (the row is cancelled) when the intervention is gone."""

from __future__ import annotations

import logging

from bot.blocks.common import to_dicts
from bot.blocks.quarterly import build_page_blocks
from bot.context import BotContext
from bot.slack_io import Rendered
from store.errors import NotFoundError
from workflows.calendar import ReportKind
from workflows.outbox import Outgoing
from workflows.outbox_kinds import QuarterlyPagePayload
from workflows.quarterly_pages import page

log = logging.getLogger(__name__)


def build_quarterly_page(
    ctx: BotContext, message: Outgoing, payload: QuarterlyPagePayload
) -> Rendered | None:
    texts = ctx.texts_for()  # a channel reads the association's language
    try:
        found = page(
            ctx.engine,
            intervention_id=payload.intervention_id,
            year=payload.year,
            until=payload.until,
            form=ctx.forms[ReportKind.quarterly],
        )
    except NotFoundError as err:
        log.warning("quarterly page %s not sent: %s", message.key, err.code)
        return None
    title = found.intervention.label
    return Rendered(
        text=texts.get("quarterly", "page_text", intervention=title, year=payload.year),
        blocks=to_dicts(
            build_page_blocks(
                found, texts, preview=False, sent_by=payload.sent_by, day=payload.date
            )
        ),
    )
