"""`/finsam`: one slash command, subcommands by first word. Ack at once (Slack's 3-second
limit holds under load), then answer the asker only through response_url."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.budget import build_budget_blocks
from bot.blocks.common import section, to_dicts
from bot.context import BotContext
from bot.ids import Command
from bot.listeners.absence import answer_absence
from bot.listeners.applications import open_application_form
from bot.listeners.board import WithClient, answer_board
from bot.listeners.errors import ErrorEdge
from bot.listeners.exports import answer_export
from bot.listeners.grants import open_grant_form
from bot.listeners.imports import open_import_form
from bot.listeners.language import answer_language
from bot.listeners.people import people_command
from bot.listeners.quarterly import answer_quarterly
from bot.listeners.status import answer_status
from store.errors import BadArgument
from workflows.texts import Texts

HELP_WORDS = frozenset({"hjälp", "hjalp", "help", "?", ""})


def parse_budget_args(words: list[str], *, default_year: int) -> tuple[int, str | None]:
    """`[år] [insats …]`: a leading four-digit number is the year, the rest names an
    intervention. Anything else that looks numeric is a bad year, not an intervention."""
    if words and words[0].isascii() and words[0].isdigit():
        if len(words[0]) != 4:
            raise BadArgument("bad_year", value=words[0])
        return int(words[0]), " ".join(words[1:]) or None
    return default_year, " ".join(words) or None


def unescape_command_text(text: str) -> str:
    """Slack sends a command's text with &, < and > as entities; the bot escapes again
    whatever it echoes, so it must not see them twice."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def ack_at_once(ack: Ack) -> None:
    """Runs on the request thread: the HTTP answer never waits for anyone's work."""
    ack()


def register(app: App, ctx: BotContext) -> None:
    def handle_finsam(command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        user_id = command["user_id"]
        texts = ctx.texts_for(user_id)
        words = unescape_command_text(command.get("text", "")).split()
        sub = words[0].casefold() if words else ""
        handler = SUBCOMMANDS.get(sub)
        if isinstance(handler, WithClient):
            handler = handler.bind(client)
        opener = FORM_SUBCOMMANDS.get(sub)
        if sub in HELP_WORDS:
            blocks = to_dicts([section(usage(texts))])
        elif opener is not None:
            refused = opener(ctx, texts, command, client)
            if refused is None:
                return  # the form is open: nothing to say
            blocks = refused
        elif handler is None:
            blocks = _help_with_reason(
                texts, texts.get("commands", "unknown_subcommand", value=words[0])
            )
        else:
            blocks = handler(ctx, texts, user_id, words[1:])
        respond(
            blocks=blocks,
            text=_fallback_text(blocks),
            response_type="ephemeral",
            replace_original=False,
        )

    # A refusal or a bad argument (followed by the help) or anything unexpected: the edge.
    edge = ErrorEdge(ctx)
    app.command(Command.finsam)(ack=ack_at_once, lazy=[edge.ephemeral(handle_finsam, usage=usage)])


def usage(texts: Texts) -> str:
    return texts.get("commands", "help", command=Command.finsam)


def _help_with_reason(texts: Texts, reason: str) -> list[dict[str, Any]]:
    return to_dicts([section(reason), section(usage(texts))])


def _fallback_text(blocks: list[dict[str, Any]]) -> str:
    """Notification text: the first block's words (Slack wants `text` beside `blocks`)."""
    text = blocks[0].get("text", {}) if blocks else {}
    return str(text.get("text", "") if isinstance(text, dict) else text)[:300]


def answer_budget(
    ctx: BotContext, texts: Texts, user_id: str, words: list[str]
) -> list[dict[str, Any]]:
    year, intervention = parse_budget_args(words, default_year=ctx.today_year())
    key, status = ctx.answers.for_office(user_id, year=year, intervention=intervention)
    return ctx.rendered.get_or_compute(
        (*key, texts.lang), lambda: to_dicts(build_budget_blocks(status, texts))
    )


SUBCOMMANDS: dict[str, Callable[[BotContext, Texts, str, list[str]], list[dict[str, Any]]]] = {
    "budget": answer_budget,
    "status": answer_status,
    "frånvaro": answer_absence,
    "franvaro": answer_absence,
    "styrelse": WithClient(answer_board),
    "board": WithClient(answer_board),
    "språk": answer_language,
    "sprak": answer_language,
    "language": answer_language,
    "personer": people_command,
    "people": people_command,
    "export": answer_export,
    "kvartal": answer_quarterly,
    "quarterly": answer_quarterly,
}

# Subcommands that open a modal: they need the command's trigger_id and the client, and
# answer only when the form cannot open (None: opened).
FORM_SUBCOMMANDS: dict[
    str,
    Callable[[BotContext, Texts, dict[str, Any], WebClient], list[dict[str, Any]] | None],
] = {
    "beslut": open_grant_form,
    "importera": open_import_form,
    "import": open_import_form,
    "ansökan": open_application_form,
    "ansokan": open_application_form,
}
