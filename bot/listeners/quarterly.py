"""`/finsam kvartal INSATS [år]`: the office's page of an intervention's quarterly
compilation, shown only to the asker with a "Skicka till kanal…" button; the button opens a
modal that picks the channel (the steering group's, the Lokusgrupp's), whose submission plans
the post (outbox kind `quarterly_page`, once per submission) and rings the worker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import to_dicts
from bot.blocks.notice import notice_view
from bot.blocks.quarterly import (
    CHANNEL_BLOCK,
    build_page_blocks,
    build_send_modal,
    read_channel,
    read_target,
)
from bot.context import BotContext
from bot.ids import Action, View
from bot.listeners.errors import ErrorEdge
from bot.slack_io import call
from store.errors import BadArgument, NotFoundError, SendRejected
from workflows.calendar import ReportKind
from workflows.overview import require_office
from workflows.quarterly_compilation import check_year, default_until
from workflows.quarterly_pages import REFUSAL, find_intervention, office_page, plan_page
from workflows.texts import Texts


def parse_quarterly_args(words: list[str], *, default_year: int) -> tuple[str, int]:
    """`INSATS [år]`: a last four-digit word is the year, the rest names the intervention."""
    query, year = words, default_year
    if words and words[-1].isascii() and words[-1].isdigit():
        if len(words[-1]) != 4:
            raise BadArgument("quarterly_bad_year", value=words[-1])
        query, year = words[:-1], check_year(int(words[-1]))
    if not query:
        raise BadArgument("quarterly_usage")
    return " ".join(query), year


def answer_quarterly(
    ctx: BotContext, texts: Texts, user_id: str, words: list[str]
) -> list[dict[str, Any]]:
    """The subcommand: office staff and the director only (anyone else is told by the edge)."""
    require_office(ctx.engine, user_id, refusal=REFUSAL)
    today = ctx.clock.now().astimezone(ctx.tz).date()
    query, year = parse_quarterly_args(words, default_year=today.year)
    info = find_intervention(ctx.engine, query)
    page = office_page(
        ctx.engine,
        user_id,
        intervention_id=info.id,
        year=year,
        until=default_until(year, today),
        form=ctx.forms[ReportKind.quarterly],
    )
    return to_dicts(build_page_blocks(page, texts, preview=True))


def _target(raw: object) -> tuple[int, int, int]:
    intervention_id, year, until = read_target(raw)
    if not all(
        isinstance(v, int) and not isinstance(v, bool) for v in (intervention_id, year, until)
    ):
        raise NotFoundError("unknown_intervention_id", id=str(intervention_id))
    assert isinstance(intervention_id, int) and isinstance(year, int) and isinstance(until, int)
    return intervention_id, year, until


class QuarterlyListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    def open_send(self, body: dict[str, Any], client: WebClient) -> None:
        """The button under the page: the modal that picks the channel."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        intervention_id, year, until = _target(body["actions"][0].get("value"))
        page = office_page(
            self.ctx.engine,
            user_id,
            intervention_id=intervention_id,
            year=year,
            until=until,
            form=self.ctx.forms[ReportKind.quarterly],
        )
        client.views_open(trigger_id=body["trigger_id"], view=build_send_modal(page, texts))

    def submit_send(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        """Runs before the answer to Slack: a channel the bot cannot post in is said beside
        the select; otherwise the post is planned and the modal says where it goes."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        require_office(self.ctx.engine, user_id, refusal=REFUSAL)
        intervention_id, year, until = _target(view.get("private_metadata"))
        channel = read_channel(view)
        if channel is None:
            ack(
                response_action="errors",
                errors={CHANNEL_BLOCK: texts.get("quarterly", "send_no_channel")},
            )
            return
        if not self._bot_is_member(client, channel):
            ack(
                response_action="errors",
                errors={CHANNEL_BLOCK: texts.get("quarterly", "send_not_member")},
            )
            return
        now = self.ctx.clock.now()
        plan_page(
            self.ctx.engine,
            user_id=user_id,
            intervention_id=intervention_id,
            year=year,
            until=until,
            channel=channel,
            view_id=str(view.get("id") or ""),
            now=now,
            today=now.astimezone(self.ctx.tz).date(),
        )
        ack(
            response_action="update",
            view=notice_view(texts, texts.get("quarterly", "send_planned", channel=channel)),
        )
        self.ctx.outbox_bell.ring()

    def _bot_is_member(self, client: WebClient, channel: str) -> bool:
        """Whether the bot can post there: a private channel it is not in is not found."""
        try:
            found = call(client.conversations_info, channel=channel)
        except SendRejected:
            return False
        info = found.get("channel") or {}
        return bool(info.get("is_member") or info.get("is_im"))


def ack_now(ack: Ack) -> None:
    ack()


def register(app: App, ctx: BotContext) -> None:
    listeners = QuarterlyListeners(ctx)
    edge = ErrorEdge(ctx)
    app.action(Action.quarterly_send.value)(ack=ack_now, lazy=[edge.modal(listeners.open_send)])
    app.view(View.quarterly_send.value)(edge.submission(listeners.submit_send))
