"""`/finsam export`: office staff and the director take a workbook out, as a file in their
DM with the bot (anyone else is told by the command's edge).

    /finsam export [år]                          the year's data workbook: every report with
                                                 every figure, and the participant table
    /finsam export årsrapport [år]               the annual report's tables, ready to paste
                                                 (last year unless named)
    /finsam export delårsrapport [år] [månad]    the interim report's, through a month
                                                 (August unless named)

The two are separate asks, as an office uses them: the data workbook to check and work with
the figures, the report's tables to paste into the annual or interim report. The answer comes
at once; the worker makes the file and shares it (outbox kind `export_file`)."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import section, to_dicts
from bot.context import BotContext
from bot.ids import Command
from store.errors import BadArgument
from workflows.export_files import ANNUAL, DATA, INTERIM_MONTH, plan_export, year_has_data
from workflows.overview import require_office
from workflows.texts import Texts

ANNUAL_WORDS = frozenset({"årsrapport", "arsrapport", "årsredovisning", "arsredovisning", "annual"})
INTERIM_WORDS = frozenset({"delårsrapport", "delarsrapport", "interim"})
HELP_WORDS = frozenset({"hjälp", "hjalp", "help", "?"})
YEARS = range(2000, 2101)
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb"),
            ("mars", "march", "mar"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("augusti", "august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def parse_year(word: str) -> int:
    """A four-digit year from 2000 to 2100; BadArgument naming what was typed otherwise."""
    if not (word.isascii() and word.isdigit() and len(word) == 4 and int(word) in YEARS):
        raise BadArgument("export_bad_year", value=word[:20])
    return int(word)


def parse_month(word: str) -> int:
    """1–12 or a month's name (Swedish or English, or its short form)."""
    folded = word.casefold().rstrip(".")
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= 12:
        return int(folded)
    if folded in MONTH_NAMES:
        return MONTH_NAMES[folded]
    raise BadArgument("export_bad_month", value=word[:20])


def default_interim_month(year: int, *, today_year: int, today_month: int) -> int:
    """August (the interim report's 31 August), or for this year before September the
    month before this one."""
    if year == today_year and today_month <= INTERIM_MONTH:
        return max(1, today_month - 1)
    return INTERIM_MONTH


def answer_export(
    ctx: BotContext, texts: Texts, user_id: str, words: list[str]
) -> list[dict[str, Any]]:
    require_office(ctx.engine, user_id, refusal="export_office_only")
    now = ctx.clock.now()
    today = now.astimezone(ctx.tz).date()
    first = words[0].casefold() if words else ""
    if first in HELP_WORDS:
        return to_dicts([section(texts.get("annual_report", "usage", command=Command.finsam))])
    workbook, through, rest = DATA, 12, words
    if first in ANNUAL_WORDS or first in INTERIM_WORDS:
        workbook, rest = ANNUAL, words[1:]
    if len(rest) > (2 if first in INTERIM_WORDS else 1):
        return to_dicts([section(texts.get("annual_report", "usage", command=Command.finsam))])
    # The annual report is of a year that is over; the others of this year, unless named.
    default = today.year - 1 if workbook == ANNUAL and first in ANNUAL_WORDS else today.year
    year = parse_year(rest[0]) if rest else default
    if first in INTERIM_WORDS:
        through = (
            parse_month(rest[1])
            if len(rest) > 1
            else default_interim_month(year, today_year=today.year, today_month=today.month)
        )
    if not year_has_data(ctx.engine, year):
        return to_dicts([section(texts.get("annual_report", "nothing", year=year))])
    plan_export(ctx.engine, user_id, workbook=workbook, year=year, through_month=through, now=now)
    ctx.outbox_bell.ring()  # the worker makes and sends it now, not at the next tick
    coming = texts.get("annual_report", "coming", workbook=workbook, year=year, through=through)
    return to_dicts([section(coming)])
