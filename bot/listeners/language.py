"""`/finsam språk`: the language the bot answers a user in.

    /finsam språk            the current language and how to switch
    /finsam språk en         English from now on (also: english, engelska)
    /finsam språk sv         Swedish from now on (also: svenska, swedish)

Aliases of the subcommand: `sprak`, `language`. The answer to a switch comes in the new
language; channel posts keep the association's language."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import section, to_dicts
from bot.context import BotContext
from bot.ids import Command
from workflows.languages import language_of, set_language
from workflows.texts import Texts


def answer_language(
    ctx: BotContext, texts: Texts, user_id: str, words: list[str]
) -> list[dict[str, Any]]:
    if not words:
        chosen = language_of(ctx.engine, user_id)
        return to_dicts(
            [
                section(
                    texts.get(
                        "language",
                        "current",
                        language=texts.lang,
                        chosen=chosen is not None,
                        command=Command.finsam,
                    )
                )
            ]
        )
    code = set_language(ctx.engine, user_id, " ".join(words))
    new = Texts(code)
    return to_dicts(
        [section(new.get("language", "switched", language=code, command=Command.finsam))]
    )
