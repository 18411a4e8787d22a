"""`finsam-bot people`: who is who, by Slack user id, and the language each is answered in
(`people language`, the twin of `/finsam språk`)."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from bot.cli.common import FormatOption, check_format, database, emit_json, fail, run, settings
from store.errors import BadArgument
from workflows.texts import Texts

app = typer.Typer(help="People and roles. Example: finsam-bot people list", no_args_is_help=True)
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@app.command("add")
def people_add(
    slack_user_id: Annotated[str, typer.Argument(help="Slack user id, e.g. U012AB3CD")],
    role: Annotated[str, typer.Option("--role", help="office, lead, secretary or director")],
    name: Annotated[str, typer.Option("--name", help="Display name")] = "",
) -> None:
    """Register a person with a role (again: adds a role).

    Example: finsam-bot people add U012AB3CD --role office --name "Eva Ek"
    """
    from store.models import Role
    from workflows.people import register_person

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    if not SLACK_USER_ID.match(slack_user_id):
        fail(texts, BadArgument("bad_slack_user_id", value=slack_user_id))
    if role not in Role.__members__:
        fail(texts, BadArgument("unknown_role", value=role))
    with database(cfg) as engine:
        person = run(
            lambda: register_person(engine, slack_user_id, role=Role(role), name=name), texts=texts
        )
    typer.echo(f"{person.slack_user_id} {person.name} +{role}".replace("  ", " "))


@app.command("list")
def people_list(output_format: FormatOption = "text") -> None:
    """List people and their roles. Example: finsam-bot people list --format json"""
    from workflows.people import people as list_people

    check_format(output_format)
    cfg = settings()
    with database(cfg) as engine:
        found = list_people(engine)
    if output_format == "json":
        emit_json(
            [
                {
                    "slack_user_id": p.slack_user_id,
                    "name": p.name,
                    "roles": [r.value for r in roles],
                }
                for p, roles in found
            ]
        )
        return
    for person, roles in found:
        typer.echo(f"{person.slack_user_id}\t{person.name}\t{', '.join(r.value for r in roles)}")


@app.command("language")
def people_language(
    slack_user_id: Annotated[str, typer.Argument(help="Slack user id, e.g. U012AB3CD")],
    language: Annotated[
        str | None, typer.Argument(help="sv or en to set it; leave out to show it")
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """Show or set the language the bot answers a person in: the CLI twin of
    `/finsam språk`. Someone who never chose gets the association's language.

    Example: finsam-bot people language U012AB3CD en
    """
    from workflows.languages import language_of, parse_language, set_language

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    if not SLACK_USER_ID.match(slack_user_id):
        fail(texts, BadArgument("bad_slack_user_id", value=slack_user_id))
    code: str | None = None  # the language to set; None: only show it
    if language is not None:
        try:
            code = parse_language(language)
        except BadArgument:
            # Not errors.j2's text: that one tells a Slack user to type `/finsam språk …`.
            typer.echo(texts.get("cli", "unknown_language", value=language), err=True)
            raise typer.Exit(2) from None
    with database(cfg) as engine:
        if code is None:
            chosen = run(lambda: language_of(engine, slack_user_id), texts=texts)
        else:
            chosen = run(lambda: set_language(engine, slack_user_id, code), texts=texts)
    shown = chosen or cfg.finsam_language
    if output_format == "json":
        emit_json({"slack_user_id": slack_user_id, "language": shown, "chosen": chosen is not None})
    elif code is None:
        typer.echo(
            texts.get(
                "cli",
                "language_shown",
                user_id=slack_user_id,
                language=shown,
                chosen=chosen is not None,
            )
        )
    else:
        typer.echo(texts.get("cli", "language_set", user_id=slack_user_id, language=shown))
