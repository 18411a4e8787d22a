"""`finsam-bot grants`: money granted during the year from the remaining decision room, by
the board or on delegation — the CLI twin of `/finsam beslut`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.blocks.plain_text import plain
from bot.cli.common import FormatOption, check_format, database, emit_json, fail, settings
from store.errors import FinsamError, NotFoundError
from workflows.texts import Texts

if TYPE_CHECKING:
    from bot.settings import Settings
    from store.db import Engine
    from workflows.budget_status import BudgetStatus

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
    for_year: Annotated[
        str,
        typer.Option(
            "--for-year", help="The budget year it is for: the decision's (default) or the next"
        ),
    ] = "",
    output_format: FormatOption = "text",
) -> None:
    """Record money granted during the year; the budget status subtracts it from the
    remaining decision room of the year it is for (--for-year: a September decision on next
    year's applications is charged to next year).

    Example: finsam-bot grants add --date 2026-03-15 --intervention Växtkraft --owner Enköping
    --amount-tkr 300 --body delegation --decided-by "Förbundschefen"
    """
    from bot.blocks.grants import recorded_text, remaining_text
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
        for_year=for_year,
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
            status = _status_if_budgeted(engine, recorded.grant.year, cfg)
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json(
            {
                "grant": grant_to_dict(recorded.grant),
                **_room(status),
            }
        )
        return
    typer.echo(plain(recorded_text(texts, recorded)))
    if recorded.grant.year != recorded.grant.decided_on.year:
        typer.echo(plain(texts.get("grants", "for_year_note", year=recorded.grant.year)))
    if status is not None:
        typer.echo(plain(remaining_text(texts, status)))


def _status_if_budgeted(engine: Engine, year: int, cfg: Settings) -> BudgetStatus | None:
    """The year's budget status; None when its budget is not imported yet (next year's)."""
    from workflows.budget_status import budget_status_for

    try:
        return budget_status_for(engine, year=year, rules=cfg.budget_rules)
    except NotFoundError:
        return None


def _room(status: BudgetStatus | None) -> dict[str, Any]:
    if status is None:
        return {"remaining_decision_room": None, "granted": None, "remaining_after_grants": None}
    return {
        "remaining_decision_room": status.remaining_decision_room,
        "granted": status.granted,
        "remaining_after_grants": status.remaining_after_grants,
    }


@app.command("correct")
def grants_correct(
    grant_id: Annotated[int, typer.Argument(help="The decision's number (grants list)")],
    by: Annotated[str, typer.Option("--by", help="Who corrects it, e.g. name and role")],
    decided_on: Annotated[
        str | None, typer.Option("--date", help="Corrected date of decision, YYYY-MM-DD")
    ] = None,
    intervention: Annotated[
        str | None, typer.Option("--intervention", help="Corrected intervention")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="The intervention's owner")] = None,
    amount_tkr: Annotated[
        str | None, typer.Option("--amount-tkr", help="Corrected amount in tkr")
    ] = None,
    amount_kr: Annotated[
        str | None, typer.Option("--amount-kr", help="Corrected amount in kronor")
    ] = None,
    for_year: Annotated[
        str | None, typer.Option("--for-year", help="The budget year it is for")
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """Correct a grant recorded wrong (amount, intervention, date, year it is for); who and
    when are kept on the grant.

    Example: finsam-bot grants correct 3 --amount-tkr 250 --by "Eva Ek, kansliet"
    """
    from bot.blocks.grants import remaining_text
    from workflows.clock import SystemClock
    from workflows.grants import GrantCorrection, correct_grant, grant_to_dict

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    correction = GrantCorrection(
        decided_on=decided_on,
        intervention=intervention,
        owner=owner,
        amount_tkr=amount_tkr,
        amount_kr=amount_kr,
        for_year=for_year,
    )
    now = SystemClock().now()
    with database(cfg) as engine:
        try:
            before, after = correct_grant(
                engine,
                grant_id,
                correction,
                by=by,
                today=now.astimezone(cfg.tz).date(),
                now=now,
            )
            status = _status_if_budgeted(engine, after.year, cfg)
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json({"before": grant_to_dict(before), "grant": grant_to_dict(after), **_room(status)})
        return
    typer.echo(
        plain(
            texts.get(
                "grants",
                "corrected",
                id=after.id,
                before_amount=before.amount_kr,
                amount=after.amount_kr,
                before_intervention=before.label,
                intervention=after.label,
                before_on=before.decided_on,
                decided_on=after.decided_on,
                before_year=before.year,
                year=after.year,
                by=after.corrected_by or by,
            )
        )
    )
    if status is not None:
        typer.echo(plain(remaining_text(texts, status)))


@app.command("withdraw")
def grants_withdraw(
    grant_id: Annotated[int, typer.Argument(help="The decision's number (grants list)")],
    by: Annotated[str, typer.Option("--by", help="Who withdraws it, e.g. name and role")],
    output_format: FormatOption = "text",
) -> None:
    """Withdraw a grant: it stays on record, with who and when, and no longer counts against
    the remaining decision room.

    Example: finsam-bot grants withdraw 3 --by "Styrelsen § 14"
    """
    from bot.blocks.grants import remaining_text
    from workflows.clock import SystemClock
    from workflows.grants import grant_to_dict, withdraw_grant

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        try:
            grant = withdraw_grant(engine, grant_id, by=by, now=SystemClock().now())
            status = _status_if_budgeted(engine, grant.year, cfg)
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json({"grant": grant_to_dict(grant), **_room(status)})
        return
    typer.echo(
        plain(
            texts.get(
                "grants",
                "withdrawn",
                id=grant.id,
                amount=grant.amount_kr,
                intervention=grant.label,
                decided_on=grant.decided_on,
                by=grant.withdrawn_by or by,
            )
        )
    )
    if status is not None:
        typer.echo(plain(remaining_text(texts, status)))


@app.command("list")
def grants_list(
    year: Annotated[int | None, typer.Option("--year", help="Year (default: this year)")] = None,
    output_format: FormatOption = "text",
) -> None:
    """The grants for the year by date of decision, board and delegation alike, each with
    its number (for `grants correct` / `withdraw`); a withdrawn one is shown, not counted.

    Example: finsam-bot grants list --year 2026 --format json
    """
    from workflows.clock import SystemClock
    from workflows.grants import grant_to_dict, grants_of_year

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    chosen = year or SystemClock().now().astimezone(cfg.tz).year
    with database(cfg) as engine:
        found = grants_of_year(engine, chosen, with_withdrawn=True)
    if output_format == "json":
        emit_json([grant_to_dict(grant) for grant in found])
        return
    if not found:
        typer.echo(plain(texts.get("grants", "list_empty", year=chosen)))
        return
    standing = [grant for grant in found if not grant.withdrawn]
    total = sum(grant.amount_kr for grant in standing)
    typer.echo(
        plain(texts.get("grants", "list_heading", year=chosen, count=len(standing), total=total))
    )
    for grant in found:
        line = texts.get(
            "grants",
            "list_line",
            decided_on=grant.decided_on,
            intervention=grant.label,
            amount=grant.amount_kr,
            body=grant.body.value,
            decided_by=grant.decided_by,
            support=grant.support.value,
        )
        marks = texts.get(
            "grants",
            "list_marks",
            id=grant.id,
            year=grant.year,
            decided_year=grant.decided_on.year,
            corrected_by=grant.corrected_by or "",
            withdrawn_by=grant.withdrawn_by or "",
        )
        typer.echo(plain(f"{line}  ({marks})"))
