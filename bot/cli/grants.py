"""`finsam-bot grants`: money granted during the year from the remaining decision room, by
the board or on delegation — the CLI twin of `/finsam beslut`."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.blocks.plain_text import plain
from bot.cli.common import FormatOption, check_format, database, emit_json, fail, settings
from store.errors import FinsamError
from workflows.texts import Texts

app = typer.Typer(
    help="Money granted during the year (board or delegation). "
    "Example: finsam-bot grants list --year 2026",
    no_args_is_help=True,
)
CLI_RECORDER = "cli"


@app.command("add")
def grants_add(
    decided_on: Annotated[str, typer.Option("--date", help="Date of the decision, YYYY-MM-DD")],
    intervention: Annotated[str, typer.Option("--intervention", help="As in the budget")],
    body: Annotated[str, typer.Option("--body", help="board or delegation")],
    decided_by: Annotated[str, typer.Option("--decided-by", help="Who decided")],
    owner: Annotated[str, typer.Option("--owner", help="The intervention's owner")] = "",
    amount_tkr: Annotated[
        str | None, typer.Option("--amount-tkr", help="Amount in tkr, e.g. 300 or '1 222,5'")
    ] = None,
    amount_kr: Annotated[str | None, typer.Option("--amount-kr", help="Amount in kronor")] = None,
    support: Annotated[
        str | None,
        typer.Option("--support", help="individual or structural (default: the budget line's)"),
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """Record money granted during the year; the budget status subtracts it from the
    remaining decision room.

    Example: finsam-bot grants add --date 2026-03-15 --intervention Växtkraft --owner Enköping
    --amount-tkr 300 --body delegation --decided-by "Förbundschefen"
    """
    from bot.blocks.grants import recorded_text, remaining_text
    from workflows.budget_status import budget_status_for
    from workflows.clock import SystemClock
    from workflows.grants import GrantFields, grant_to_dict, record_grant

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    fields = GrantFields(
        decided_on=decided_on,
        intervention=intervention,
        owner=owner,
        amount_tkr=amount_tkr,
        amount_kr=amount_kr,
        body=body,
        decided_by=decided_by,
        support=support,
    )
    now = SystemClock().now()
    with database(cfg) as engine:
        try:
            recorded = record_grant(
                engine,
                fields,
                today=now.astimezone(cfg.tz).date(),
                now=now,
                recorded_by=CLI_RECORDER,
            )
            status = budget_status_for(engine, year=recorded.grant.year, rules=cfg.budget_rules)
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json(
            {
                "grant": grant_to_dict(recorded.grant),
                "remaining_decision_room": status.remaining_decision_room,
                "granted": status.granted,
                "remaining_after_grants": status.remaining_after_grants,
            }
        )
        return
    typer.echo(plain(recorded_text(texts, recorded)))
    typer.echo(plain(remaining_text(texts, status)))


@app.command("list")
def grants_list(
    year: Annotated[int | None, typer.Option("--year", help="Year (default: this year)")] = None,
    output_format: FormatOption = "text",
) -> None:
    """The year's grants by date of decision, board and delegation alike.

    Example: finsam-bot grants list --year 2026 --format json
    """
    from workflows.clock import SystemClock
    from workflows.grants import grant_to_dict, grants_of_year

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    chosen = year or SystemClock().now().astimezone(cfg.tz).year
    with database(cfg) as engine:
        found = grants_of_year(engine, chosen)
    if output_format == "json":
        emit_json([grant_to_dict(grant) for grant in found])
        return
    if not found:
        typer.echo(plain(texts.get("grants", "list_empty", year=chosen)))
        return
    total = sum(grant.amount_kr for grant in found)
    typer.echo(
        plain(texts.get("grants", "list_heading", year=chosen, count=len(found), total=total))
    )
    for grant in found:
        typer.echo(
            plain(
                texts.get(
                    "grants",
                    "list_line",
                    decided_on=grant.decided_on,
                    intervention=grant.label,
                    amount=grant.amount_kr,
                    body=grant.body.value,
                    decided_by=grant.decided_by,
                    support=grant.support.value,
                )
            )
        )
