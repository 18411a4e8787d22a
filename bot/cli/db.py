"""`finsam-bot db`: migrations."""

from __future__ import annotations

import typer

from bot.cli.common import database, settings

app = typer.Typer(help="The database. Example: finsam-bot db upgrade", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema. Example: finsam-bot db upgrade"""
    from store.db import current_revision, upgrade

    cfg = settings()
    with database(cfg, migrate=False) as engine:
        upgrade(engine)
        typer.echo(f"database at revision {current_revision(engine)}")


@app.command("status")
def db_status() -> None:
    """Show the schema revision. Example: finsam-bot db status"""
    from store.db import current_revision, head_revision

    cfg = settings()
    with database(cfg, migrate=False) as engine:
        typer.echo(f"revision {current_revision(engine) or '-'}, newest {head_revision()}")
