"""`finsam-bot applications`: the application round (applications for next year's money,
received by the deadline) — register, list against next year's room, grant or reject. The
CLI twin of `/finsam ansökan`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.blocks.plain_text import plain
from bot.cli.common import FormatOption, check_format, database, emit_json, fail, settings
from store.errors import FinsamError
from workflows.texts import Texts

if TYPE_CHECKING:
    from bot.settings import Settings

app = typer.Typer(
    help="The application round for next year's money. "
    "Example: finsam-bot applications list --year 2027",
    no_args_is_help=True,
)
CLI_RECORDER = "cli"


@app.command("add")
def applications_add(
    received_on: Annotated[
        str, typer.Option("--received-on", help="The day it arrived, YYYY-MM-DD")
    ],
    organisation: Annotated[str, typer.Option("--organisation", help="Applicant organisation")],
    owner: Annotated[str, typer.Option("--owner", help="The intervention's owner (huvudman)")],
    title: Annotated[str, typer.Option("--title", help="The intervention's name")],
    support: Annotated[str, typer.Option("--support", help="individual or structural")],
    amounts: Annotated[
        list[str],
        typer.Option(
            "--amount",
            help="Amount in tkr for one year, repeated: the first for the year after it "
            "arrived, then the next, …",
        ),
    ],
    output_format: FormatOption = "text",
) -> None:
    """Register an application received by the deadline (the board cycle's application
    deadline, when imported); its money starts the year after it arrived.

    Example: finsam-bot applications add --received-on 2026-05-04 --organisation "Heby
    kommun" --owner Heby --title "Stöd till arbete" --support individual --amount 500
    --amount 450
    """
    from bot.blocks.applications import registered_text
    from workflows.applications import ApplicationFields, application_to_dict, register_application
    from workflows.clock import SystemClock

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    fields = ApplicationFields(
        received_on=received_on,
        organisation=organisation,
        owner=owner,
        title=title,
        support=support,
        amounts_tkr=tuple(amounts),
    )
    now = SystemClock().now()
    with database(cfg) as engine:
        try:
            registered = register_application(
                engine,
                fields,
                today=now.astimezone(cfg.tz).date(),
                now=now,
                registered_by=CLI_RECORDER,
            )
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json(application_to_dict(registered.application))
        return
    typer.echo(plain(registered_text(texts, registered)))


@app.command("list")
def applications_list(
    year: Annotated[
        int | None, typer.Option("--year", help="The year applied for (default: next year)")
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """The round's applications with their numbers (for grant / reject), against the year's
    room: its budget or plan's decision room less what is already granted for it.

    Example: finsam-bot applications list --year 2027 --format json
    """
    from bot.blocks.applications import round_lines
    from workflows.applications import application_round, round_to_dict
    from workflows.clock import SystemClock

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    chosen = year or SystemClock().now().astimezone(cfg.tz).year + 1
    with database(cfg) as engine:
        try:
            view = application_round(engine, chosen, rules=cfg.budget_rules)
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json(round_to_dict(view))
        return
    for line in round_lines(texts, view):
        typer.echo(plain(line))


@app.command("grant")
def applications_grant(
    application_id: Annotated[int, typer.Argument(help="The application's number (list)")],
    decided_on: Annotated[str, typer.Option("--date", help="Date of the decision, YYYY-MM-DD")],
    decided_by: Annotated[
        str, typer.Option("--decided-by", help="Who decided, e.g. 'Styrelsen § 12'")
    ],
    amount_tkr: Annotated[
        str | None,
        typer.Option("--amount-tkr", help="Granted in tkr (default: what it applied for)"),
    ] = None,
    body: Annotated[str, typer.Option("--body", help="board or delegation")] = "board",
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="Only show how it moves the share of new grants to individual support "
            "and what is left to decide on; store nothing",
        ),
    ] = False,
    output_format: FormatOption = "text",
) -> None:
    """Grant an application: it becomes a grant for the round's year (next year's decision
    room), for the amount applied for that year unless --amount-tkr says otherwise. With
    --preview, say first how it moves the figures (what the director states before each
    decision).

    Example: finsam-bot applications grant 3 --date 2026-09-22 --decided-by "Styrelsen § 12"
    """
    from workflows.applications import application_to_dict, grant_application
    from workflows.clock import SystemClock
    from workflows.grants import grant_to_dict

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    now = SystemClock().now()
    if preview:
        _preview(
            cfg, texts, application_id, decided_on, decided_by, amount_tkr, body, output_format
        )
        return
    with database(cfg) as engine:
        try:
            application, grant = grant_application(
                engine,
                application_id,
                decided_on=decided_on,
                decided_by=decided_by,
                recorded_by=CLI_RECORDER,
                today=now.astimezone(cfg.tz).date(),
                now=now,
                amount_tkr=amount_tkr,
                body=body,
            )
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json({"application": application_to_dict(application), "grant": grant_to_dict(grant)})
        return
    typer.echo(
        plain(
            texts.get(
                "applications",
                "ap_granted",
                id=application.id,
                title=application.title,
                amount=grant.amount_kr,
                year=grant.year,
                grant_id=grant.id,
            )
        )
    )


def _preview(
    cfg: Settings,
    texts: Texts,
    application_id: int,
    decided_on: str,
    decided_by: str,
    amount_tkr: str | None,
    body: str,
    output_format: str,
) -> None:
    from bot.blocks.grants import preview_lines
    from workflows.applications import preview_application_grant
    from workflows.clock import SystemClock

    with database(cfg) as engine:
        try:
            found = preview_application_grant(
                engine,
                application_id,
                decided_on=decided_on,
                decided_by=decided_by,
                today=SystemClock().now().astimezone(cfg.tz).date(),
                rules=cfg.budget_rules,
                amount_tkr=amount_tkr,
                body=body,
            )
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json(
            {
                "year": found.year,
                "amount_kr": found.amount_kr,
                "new_intervention": found.new_intervention,
                "share_before": None if found.share_before is None else float(found.share_before),
                "share_after": None if found.share_after is None else float(found.share_after),
                "minimum": None if found.minimum is None else float(found.minimum),
                "below_minimum": found.below_minimum,
                "to_decide_before_kr": found.to_decide_before,
                "to_decide_after_kr": found.to_decide_after,
                "exceeds_room": found.exceeds_room,
            }
        )
        return
    for line in preview_lines(texts, found):
        typer.echo(plain(line))


@app.command("reject")
def applications_reject(
    application_id: Annotated[int, typer.Argument(help="The application's number (list)")],
    by: Annotated[str, typer.Option("--by", help="Who decided, e.g. 'Styrelsen § 12'")],
    reason: Annotated[str, typer.Option("--reason", help="Why (optional, kept)")] = "",
    output_format: FormatOption = "text",
) -> None:
    """Reject an application; who decided and why are kept.

    Example: finsam-bot applications reject 4 --by "Styrelsen § 12"
    """
    from workflows.applications import application_to_dict, reject_application
    from workflows.clock import SystemClock

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        try:
            application = reject_application(
                engine, application_id, by=by, reason=reason, now=SystemClock().now()
            )
        except FinsamError as err:
            fail(texts, err)
    if output_format == "json":
        emit_json(application_to_dict(application))
        return
    typer.echo(
        plain(
            texts.get(
                "applications",
                "ap_rejected",
                id=application.id,
                title=application.title,
                by=application.decided_by or by,
            )
        )
    )
