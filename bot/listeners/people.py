"""`/finsam personer`: who has which role, for the office (the Slack twin of
`finsam-bot people`).

    /finsam personer                              everyone with a role
    /finsam personer lägg till PERSON ROLL [namn] give a role (also: add)
    /finsam personer ta bort PERSON ROLL          take a role away (also: remove); at once

PERSON is a mention, a Slack id or an e-mail address (looked up with users.lookupByEmail,
hence `WithClient`). Role checks read the database, so a removed role is gone for every
process the moment this answers."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import chunked_sections, section, to_dicts
from bot.blocks.limits import MESSAGE_BLOCKS_MAX
from bot.context import BotContext
from bot.directory import SlackDirectory
from bot.ids import Command
from bot.listeners.board import WithClient
from workflows.people import add_role, parse_role, parse_who, people, remove_role
from workflows.texts import Texts

Blocks = list[dict[str, Any]]
ADD_WORDS = (("lägg", "till"), ("lagg", "till"), ("add",))
REMOVE_WORDS = (("ta", "bort"), ("remove",))


def answer_people(
    ctx: BotContext,
    texts: Texts,
    user_id: str,
    words: list[str],
    client: WebClient | None = None,
) -> Blocks:
    if not words:
        return _list(ctx, texts, user_id)
    folded = [word.casefold() for word in words]
    directory = SlackDirectory(client) if client is not None else None
    for lead_in in ADD_WORDS:
        if tuple(folded[: len(lead_in)]) == lead_in:
            rest = words[len(lead_in) :]
            if len(rest) < 2:
                return _usage(texts)
            who, role = parse_who(rest[0]), parse_role(rest[1])
            person = add_role(
                ctx.engine,
                who,
                role=role,
                name=" ".join(rest[2:])[:200],
                directory=directory,
                by=user_id,
            )
            text = texts.get(
                "people", "added", user_id=person.slack_user_id, name=person.name, role=role
            )
            return to_dicts([section(text)])
    for lead_in in REMOVE_WORDS:
        if tuple(folded[: len(lead_in)]) == lead_in:
            rest = words[len(lead_in) :]
            if len(rest) != 2:
                return _usage(texts)
            who, role = parse_who(rest[0]), parse_role(rest[1])
            removed = remove_role(ctx.engine, who, role=role, directory=directory, by=user_id)
            macro = "removed" if removed.had_it or removed.leads_detached else "not_had"
            text = texts.get(
                "people",
                macro,
                user_id=removed.slack_user_id,
                name=removed.name,
                role=role,
                leads=removed.leads_detached,
            )
            return to_dicts([section(text)])
    return _usage(texts)


def _list(ctx: BotContext, texts: Texts, user_id: str) -> Blocks:
    found = [(p, roles) for p, roles in people(ctx.engine, by=user_id) if roles]
    if not found:
        return to_dicts([section(texts.get("people", "list_empty"))])
    lines = [
        texts.get("people", "list_line", user_id=p.slack_user_id, name=p.name, roles=roles)
        for p, roles in found
    ]
    heading = texts.get("people", "list_heading", count=len(found))
    return to_dicts([section(heading), *chunked_sections(lines)][:MESSAGE_BLOCKS_MAX])


def _usage(texts: Texts) -> Blocks:
    return to_dicts([section(texts.get("people", "usage", command=Command.finsam))])


people_command = WithClient(answer_people)
