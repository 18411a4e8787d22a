"""`finsam-bot interventions`: interventions and their leads from a file, and the list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.blocks.plain_text import plain
from bot.cli.common import FormatOption, check_format, database, emit_json, fail, run, settings
from store.errors import ConfigError
from workflows.texts import Texts

if TYPE_CHECKING:
    from bot.directory import SlackDirectory
    from bot.settings import Settings
    from workflows.interventions import InterventionImportResult, InterventionInfo

app = typer.Typer(
    help="Interventions and their leads. Example: finsam-bot interventions import insatser.csv",
    no_args_is_help=True,
)
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file")]


def slack_directory(cfg: Settings, texts: Texts) -> SlackDirectory:
    from bot.directory import SlackDirectory
    from bot.slack_client import make_client

    token = cfg.slack_bot_token.get_secret_value() if cfg.slack_bot_token else ""
    if not token:
        fail(texts, ConfigError("missing_settings", names="SLACK_BOT_TOKEN"))
    return SlackDirectory(
        make_client(token=token, base_url=cfg.slack_api_url, timeout=cfg.slack_timeout_seconds)
    )


@app.command("import")
def interventions_import(file: FileArgument, output_format: FormatOption = "text") -> None:
    """Import interventions and leads, all or nothing; leads are matched to Slack users by
    e-mail (an e-mail without a Slack user is reported and matched again next time).

    Columns: name, owner, kind (individual|structural), lead_emails (several separated by ;),
    start, end (YYYY-MM-DD; end may be empty), optionally goals (separated by ;).

    Example: finsam-bot interventions import insatser-2026.csv
    """
    from workflows.interventions import import_interventions_file

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    directory = slack_directory(cfg, texts)
    with database(cfg) as engine:
        result = run(lambda: import_interventions_file(engine, file, directory), texts=texts)
    if output_format == "json":
        emit_json(import_to_dict(result))
        return
    for line in import_as_lines(result, texts):
        typer.echo(plain(line))


def import_to_dict(result: InterventionImportResult) -> dict[str, Any]:
    return {
        "created": result.created,
        "updated": result.updated,
        "leads_removed": result.leads_removed,
        "matched": [
            {"intervention": m.intervention, "email": m.email, "slack_user_id": m.slack_user_id}
            for m in result.matched
        ],
        "unmatched": [{"intervention": m.intervention, "email": m.email} for m in result.unmatched],
        "without_budget_line": [
            {"intervention": w.intervention, "years": list(w.years)}
            for w in result.without_budget_line
        ],
    }


def import_as_lines(result: InterventionImportResult, texts: Texts) -> list[str]:
    from bot.import_report import interventions_lines

    return interventions_lines(texts, result)


@app.command("list")
def interventions_list(output_format: FormatOption = "text") -> None:
    """List interventions with their dates and leads.

    Example: finsam-bot interventions list --format json
    """
    from workflows.interventions import all_interventions

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        found = all_interventions(engine)
    if output_format == "json":
        emit_json([intervention_to_dict(i) for i in found])
        return
    if not found:
        typer.echo(texts.get("interventions", "none_imported"))
    for info in found:
        typer.echo(plain(list_line(info, texts)))


def intervention_to_dict(info: InterventionInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "owner": info.owner,
        "kind": info.kind.value,
        "start": info.starts_on.isoformat() if info.starts_on else None,
        "end": info.ends_on.isoformat() if info.ends_on else None,
        "goals": list(info.goals),
        "leads": [{"email": x.email, "slack_user_id": x.slack_user_id} for x in info.leads],
    }


def list_line(info: InterventionInfo, texts: Texts) -> str:
    start = info.starts_on.isoformat() if info.starts_on else ""
    end = info.ends_on.isoformat() if info.ends_on else ""
    leads = ", ".join(
        texts.get(
            "interventions", "lead_in_list", email=x.email, slack_user_id=x.slack_user_id or ""
        )
        for x in info.leads
    )
    return "\t".join([str(info.id), info.label, info.kind.value, f"{start}–{end}", leads]).rstrip()
