"""`/finsam ansökan`: the office registers an application of the round (money for next
year, received by the deadline) in a modal, checked and stored before the answer goes back
to Slack: problems inline beside their fields, a storage failure keeps the form open with
what was typed. `/finsam ansökan lista [år]` lists the round against next year's room."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.applications import (
    build_application_done,
    build_application_modal,
    build_round_blocks,
    read_application_state,
    registered_text,
    room_lines,
)
from bot.blocks.common import to_dicts
from bot.context import BotContext
from bot.error_text import error_text
from bot.ids import View
from bot.listeners.errors import ErrorEdge
from store.errors import AccessDenied, BadArgument, FinsamError
from workflows.applications import (
    TITLE,
    RegisteredApplication,
    application_round,
    check_application,
    field_of,
    may_register,
    register_application,
)
from workflows.texts import Texts

LIST_WORDS = frozenset({"lista", "list"})
# A submission delivered twice (or sent twice in a hurry) is stored once.
RESEND_WINDOW = timedelta(minutes=10)


def open_application_form(
    ctx: BotContext, texts: Texts, command: dict[str, Any], client: WebClient
) -> list[dict[str, Any]] | None:
    """The `/finsam ansökan` subcommand: opens the form (None), or with `lista [år]` answers
    with the round; office staff and the director only."""
    user_id = command["user_id"]
    if not may_register(ctx.engine, user_id):
        raise AccessDenied("application_office_only")  # told by the command's edge
    today = ctx.clock.now().astimezone(ctx.tz).date()
    words = command.get("text", "").split()[1:]
    if words and words[0].casefold() in LIST_WORDS:
        return list_round(ctx, texts, words[1:], default_year=today.year + 1)
    client.views_open(
        trigger_id=command["trigger_id"], view=build_application_modal(texts, today=today)
    )
    return None


def list_round(
    ctx: BotContext, texts: Texts, words: list[str], *, default_year: int
) -> list[dict[str, Any]]:
    if len(words) > 1 or (words and not (words[0].isascii() and words[0].isdigit())):
        raise BadArgument("bad_year", value=" ".join(words)[:40])
    if words and len(words[0]) != 4:
        raise BadArgument("bad_year", value=words[0])
    year = int(words[0]) if words else default_year
    view = application_round(ctx.engine, year, rules=ctx.rules)
    return to_dicts(build_round_blocks(texts, view))


class ApplicationListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    def submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Runs before the answer to Slack: check, store, then show what was registered and
        how the round stands against next year's room."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        now = self.ctx.clock.now()
        today = now.astimezone(self.ctx.tz).date()
        if not may_register(self.ctx.engine, user_id):
            raise AccessDenied("application_office_only")  # in the form's place
        fields = read_application_state(view)
        _, problems = check_application(fields, today=today)
        if problems:
            ack(response_action="errors", errors=self._inline(texts, problems))
            return
        registered = register_application(
            self.ctx.engine,
            fields,
            today=today,
            now=now,
            registered_by=user_id,
            office_user=user_id,
            resend_window=RESEND_WINDOW,
        )
        ack(
            response_action="update",
            view=build_application_done(texts, self._done(texts, registered)),
        )

    def _inline(self, texts: Texts, problems: Sequence[FinsamError]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for problem in problems:
            errors.setdefault(field_of(problem) or TITLE, error_text(texts, problem))
        return errors

    def _done(self, texts: Texts, registered: RegisteredApplication) -> list[str]:
        lines = [registered_text(texts, registered)]
        try:
            view = application_round(
                self.ctx.engine, registered.application.for_year, rules=self.ctx.rules
            )
        except FinsamError:
            return lines  # stored all the same: the figures are a courtesy
        return [*lines, *room_lines(texts, view)]


def register(app: App, ctx: BotContext) -> None:
    """The form's submission; the form opens from `/finsam ansökan` (listeners/commands.py)."""
    listeners = ApplicationListeners(ctx)
    edge = ErrorEdge(ctx)
    app.view(View.application_form.value)(
        edge.submission(
            listeners.submit,
            field_of=application_field,
            keep_open=not_stored,
            notice=application_notice,
        )
    )


def application_field(err: FinsamError) -> str | None:
    return None if isinstance(err, AccessDenied) else field_of(err) or TITLE


def not_stored(texts: Texts, view: dict[str, Any]) -> dict[str, str]:
    return {TITLE: texts.get("applications", "ap_not_stored")}


def application_notice(texts: Texts, text: str) -> dict[str, Any]:
    return build_application_done(texts, [text])
