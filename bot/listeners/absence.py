"""`/finsam frånvaro`: a lead marks an absence and names a deputy, who gets the lead's
reminders meanwhile; the deputy is told by DM (planned with the absence, sent at once).

    /finsam frånvaro                              the asker's current and future absences
    /finsam frånvaro 2026-07-01 2026-08-09 @Anna  record one (dates inclusive, ISO)
    /finsam frånvaro ta bort   (or: av)           cancel current and future ones
    /finsam frånvaro @Lead …                      office staff, the same for a lead

Only a registered lead records an absence (office staff, for a lead), and the deputy must be
registered too: the workflow checks both (`record_absence`).

The command is registered with `should_escape: true` (manifest.yml), so a mention arrives as
`<@U123|anna>` and carries the user id."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block

from bot.blocks.common import context, section, to_dicts
from bot.context import BotContext
from bot.ids import Command
from store.errors import BadArgument
from workflows.absence import absences_of, cancel_absences, record_absence
from workflows.interventions import interventions_led_by
from workflows.texts import Texts

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
CANCEL = frozenset({"ta bort", "av", "bort"})


def answer_absence(
    ctx: BotContext, texts: Texts, user_id: str, words: list[str]
) -> list[dict[str, Any]]:
    now = ctx.clock.now()
    today = now.astimezone(ctx.tz).date()
    lead = user_id
    if words and MENTION.match(words[0]):
        lead, words = parse_deputy(words[0]), words[1:]  # office staff, for a lead
    on_behalf = lead != user_id
    if not words:
        return _listing(ctx, texts, user_id, today, lead=lead)
    if " ".join(words).casefold() in CANCEL:
        cancelled = cancel_absences(ctx.engine, lead, today=today, now=now, by=user_id)
        if cancelled:
            ctx.outbox_bell.ring()  # a deputy told of a removed absence hears of it at once
        name = "absence_cancelled_for" if on_behalf else "absence_cancelled"
        params: dict[str, Any] = {"lead": lead} if on_behalf else {}
        return to_dicts([section(texts.get("interventions", name, count=len(cancelled), **params))])
    start = parse_date(words[0])
    if len(words) < 2:
        raise BadArgument("absence_usage")
    end = parse_date(words[1])
    deputy = parse_deputy(" ".join(words[2:]))
    absence = record_absence(
        ctx.engine, lead, start, end, deputy, today=today, now=now, recorded_by=user_id
    )
    ctx.outbox_bell.ring()  # the deputy's DM goes now, not at the next tick
    led = interventions_led_by(ctx.engine, lead)
    values = {
        "start": absence.starts_on.isoformat(),
        "end": absence.ends_on.isoformat(),
        "deputy": absence.deputy_user_id,
        "interventions": ", ".join(i.label for i in led),
    }
    if on_behalf:
        blocks: list[Block] = [
            section(texts.get("interventions", "absence_recorded_for", lead=lead, **values))
        ]
    else:
        blocks = [section(texts.get("interventions", "absence_recorded", **values))]
    if not led and not on_behalf:
        blocks.append(context(texts.get("interventions", "absence_not_a_lead")))
    return to_dicts(blocks)


def parse_date(word: str) -> date:
    if ISO_DATE.match(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    raise BadArgument("absence_bad_date", value=word)


def parse_deputy(text: str) -> str:
    """The Slack user id of a mention (`<@U123|name>` or `<@U123>`)."""
    text = text.strip()
    if not text:
        raise BadArgument("absence_missing_deputy")
    match = MENTION.match(text)
    if match is None:
        raise BadArgument("absence_bad_deputy", value=text)
    return match[1]


def _listing(
    ctx: BotContext, texts: Texts, user_id: str, today: date, *, lead: str
) -> list[dict[str, Any]]:
    found = absences_of(ctx.engine, lead, today=today, by=user_id)
    if lead != user_id:
        title = texts.get("interventions", "absence_list_title_for", lead=lead)
    else:
        title = texts.get("interventions", "absence_list_title")
    if found:
        lines = [title] + [
            texts.get(
                "interventions",
                "absence_item",
                start=a.starts_on.isoformat(),
                end=a.ends_on.isoformat(),
                deputy=a.deputy_user_id,
            )
            for a in found
        ]
        first = section("\n".join(lines))
    elif lead != user_id:
        first = section(texts.get("interventions", "absence_none_for", lead=lead))
    else:
        first = section(texts.get("interventions", "absence_none"))
    how = context(texts.get("interventions", "absence_how", command=Command.finsam))
    return to_dicts([first, how])
