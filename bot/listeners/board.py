"""`/finsam styrelse`: anyone may ask what comes next in the board's year.

    /finsam styrelse                  the next three meetings, the milestones up to them and
                                      each step's state (✅ done, ⏳ open, ⚠️ late)
    /finsam styrelse kalender [år]    the year as an .ics file, uploaded to the asker's DM

The calendar needs the request's Slack client (files upload v2), which the plain subcommand
signature does not carry: `answer_board` is registered as `WithClient(answer_board)`, an answer
like any other that `handle_finsam` binds to the client before calling."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.board import build_board_blocks
from bot.blocks.common import section, to_dicts
from bot.context import BotContext
from bot.ids import Command
from workflows.board_cycle import cycle_overview
from workflows.ics import year_calendar
from workflows.texts import Texts

log = logging.getLogger(__name__)

CALENDAR_WORDS = frozenset({"kalender", "calendar", "ics"})
UPCOMING_MEETINGS = 3

Blocks = list[dict[str, Any]]
Answer = Callable[[BotContext, Texts, str, list[str]], Blocks]
ClientAnswer = Callable[[BotContext, Texts, str, list[str], WebClient | None], Blocks]


class WithClient:
    """A subcommand answer that needs the request's WebClient. Called plainly it gets none."""

    def __init__(self, answer: ClientAnswer) -> None:
        self.answer = answer

    def __call__(self, ctx: BotContext, texts: Texts, user_id: str, words: list[str]) -> Blocks:
        return self.answer(ctx, texts, user_id, words, None)

    def bind(self, client: WebClient) -> Answer:
        def bound(ctx: BotContext, texts: Texts, user_id: str, words: list[str]) -> Blocks:
            return self.answer(ctx, texts, user_id, words, client)

        return bound


def answer_board(
    ctx: BotContext,
    texts: Texts,
    user_id: str,
    words: list[str],
    client: WebClient | None = None,
) -> Blocks:
    now = ctx.clock.now().astimezone(ctx.tz)
    if not words:
        overview = cycle_overview(ctx.engine, today=now.date(), count=UPCOMING_MEETINGS)
        return to_dicts(build_board_blocks(overview, texts, tz=ctx.tz, command=Command.finsam))
    if words[0].casefold() not in CALENDAR_WORDS or len(words) > 2:
        return to_dicts([section(texts.get("board", "usage", command=Command.finsam))])
    year = now.year
    if len(words) == 2:
        if not (words[1].isascii() and words[1].isdigit() and len(words[1]) == 4):
            return to_dicts([section(texts.get("board", "usage", command=Command.finsam))])
        year = int(words[1])
    content, count = year_calendar(ctx.engine, year, now=now, texts=texts)
    if count == 0:
        return to_dicts([section(texts.get("board", "calendar_none", year=year))])
    if client is None or not _upload(client, user_id, content, year, texts):
        return to_dicts([section(texts.get("board", "calendar_failed"))])
    return to_dicts([section(texts.get("board", "calendar_sent", year=year))])


def _upload(client: WebClient, user_id: str, content: bytes, year: int, texts: Texts) -> bool:
    """The file into the asker's DM with the bot; False when Slack would not take it."""
    try:
        opened = client.conversations_open(users=user_id)
        client.files_upload_v2(
            channel=str(opened["channel"]["id"]),
            content=content,
            filename=texts.get("board", "calendar_filename", year=year),
            title=texts.get("board", "calendar_name", year=year),
            initial_comment=texts.get("board", "calendar_comment", year=year),
        )
    except (SlackApiError, SlackClientError, OSError):
        log.exception("the board calendar could not be uploaded")
        return False
    return True
