"""`finsam-bot people`: who is who, by Slack user id or e-mail (add, remove a role, forget),
and the language each is answered in
(`people language`, the twin of `/finsam språk`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

import typer

from bot.blocks.plain_text import plain
from bot.cli.common import FormatOption, check_format, database, emit_json, fail, run, settings
from store.errors import BadArgument
from workflows.texts import Texts

if TYPE_CHECKING:
    from bot.directory import SlackDirectory
    from bot.settings import Settings
    from workflows.people import Who

app = typer.Typer(help="People and roles. Example: finsam-bot people list", no_args_is_help=True)
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@app.command("add")
def people_add(
    person: Annotated[
        str, typer.Argument(help="Slack user id (U012AB3CD) or e-mail address (looked up in Slack)")
    ],
    role: Annotated[str, typer.Option("--role", help="office, lead, secretary or director")],
    name: Annotated[str, typer.Option("--name", help="Display name")] = "",
) -> None:
    """Register a person with a role (again: adds a role). An e-mail address is matched to
    its Slack user with users.lookupByEmail (needs SLACK_BOT_TOKEN).

    Example: finsam-bot people add eva.ek@uppsala.example --role office
    """
    from workflows.people import add_role, parse_role

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    who = _who(texts, person)
    if role not in _role_codes():
        fail(texts, BadArgument("unknown_role", value=role))
    directory = _directory(cfg, texts) if who.email else None
    with database(cfg) as engine:
        added = run(
            lambda: add_role(engine, who, role=parse_role(role), name=name, directory=directory),
            texts=texts,
        )
    typer.echo(f"{added.slack_user_id} {added.name} +{role}".replace("  ", " "))


@app.command("remove-role")
def people_remove_role(
    person: Annotated[str, typer.Argument(help="Slack user id or e-mail address")],
    role: Annotated[str, typer.Option("--role", help="office, lead, secretary or director")],
) -> None:
    """Take a role from a person; it applies at once in every process (roles are read from
    the database on every check). Removing `lead` also removes them as lead of their
    interventions.

    Example: finsam-bot people remove-role U012AB3CD --role office
    """
    from workflows.people import parse_role, remove_role

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    who = _who(texts, person)
    if role not in _role_codes():
        fail(texts, BadArgument("unknown_role", value=role))
    with database(cfg) as engine:
        removed = run(lambda: remove_role(engine, who, role=parse_role(role)), texts=texts)
    if removed.had_it or removed.leads_detached:
        line = texts.get(
            "people",
            "cli_removed",
            user_id=removed.slack_user_id,
            name=removed.name,
            role=removed.role,
            leads=removed.leads_detached,
        )
    else:
        line = texts.get("people", "cli_not_had", user_id=removed.slack_user_id, role=removed.role)
    typer.echo(plain(line))


@app.command("forget")
def people_forget(
    person: Annotated[str, typer.Argument(help="Slack user id or e-mail address")],
    output_format: FormatOption = "text",
) -> None:
    """Forget a person (GDPR): name, e-mail, Slack ids and DM channel are removed or replaced
    by a placeholder in every table; reports' figures and grants' amounts are kept. Prints
    how many rows of each table changed. Cannot be undone.

    Example: finsam-bot people forget eva.ek@uppsala.example
    """
    from workflows.people import forget_person

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    who = _who(texts, person)
    with database(cfg) as engine:
        forgotten = run(lambda: forget_person(engine, who), texts=texts)
    if output_format == "json":
        emit_json({"placeholder": forgotten.placeholder, "changed": dict(forgotten.changed)})
        return
    if not forgotten.total:
        typer.echo(texts.get("people", "forget_nothing", person=who.shown))
        return
    typer.echo(
        plain(
            texts.get(
                "people", "forgotten", placeholder=forgotten.placeholder, total=forgotten.total
            )
        )
    )
    for table, count in sorted(forgotten.changed.items()):
        typer.echo(texts.get("people", "forgotten_table", table=table, count=count))


def _who(texts: Texts, text: str) -> Who:
    from workflows.people import parse_who

    try:
        return parse_who(text)
    except BadArgument as err:
        fail(texts, err)


def _role_codes() -> set[str]:
    from store.models import Role

    return {role.value for role in Role}


def _directory(cfg: Settings, texts: Texts) -> SlackDirectory:
    from bot.cli.interventions import slack_directory

    return slack_directory(cfg, texts)


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
