"""`finsam-bot --help` is quick because parsing imports only typer and the CLI's own small
modules: each command imports the heavy packages (openpyxl, slack_sdk, SQLModel, the budget
code) inside its function. Checked by what a fresh process has imported, not by a clock;
benchmarks/bench_cli.py prints the time."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_cli import all_commands

# Loaded by commands, never by parsing or help.
HEAVY = (
    "openpyxl",
    "slack_sdk",
    "slack_bolt",
    "sqlmodel",
    "sqlalchemy",
    "alembic",
    "matplotlib",
    "apscheduler",
    "pydantic_settings",
    "holidays",
    "yaml",
    "psycopg",
    "waitress",
)
# The project's modules parsing may load: the CLI itself, the error tree, the texts.
ALLOWED = (
    *("bot", "bot.cli", "bot.blocks", "bot.blocks.plain_text", "bot.error_text"),
    *("store", "store.errors", "workflows", "workflows.texts"),
)
ALLOWED_PREFIXES = ("bot.cli.",)

PROBE = """
import json, sys
from typer.main import get_command
from typer.testing import CliRunner
import bot.cli

get_command(bot.cli.app)
runner = CliRunner()
for path in json.loads(sys.argv[1]):
    result = runner.invoke(bot.cli.app, [*path, "--help"])
    assert result.exit_code == 0, (path, result.output)
print(json.dumps(sorted(sys.modules)))
"""


def modules_after_help(commands: list[list[str]]) -> set[str]:
    """The modules a fresh interpreter holds after building the parser and showing the help
    of `commands` (the root's when empty)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def project_modules_in(modules: set[str]) -> list[str]:
    return sorted(
        m
        for m in modules
        if m.split(".")[0] in ("bot", "simulator", "workflows", "store")
        and m not in ALLOWED
        and not m.startswith(ALLOWED_PREFIXES)
    )


def test_the_root_help_imports_nothing_heavy() -> None:
    modules = modules_after_help([[]])
    assert "bot.cli.budget" in modules  # every command group was built
    assert heavy_in(modules) == []
    assert project_modules_in(modules) == []


def test_every_command_help_imports_nothing_heavy() -> None:
    commands = [[], *all_commands()]
    assert ["budget", "import"] in commands and ["demo"] in commands
    modules = modules_after_help(commands)
    assert heavy_in(modules) == []
    assert project_modules_in(modules) == []


def test_a_command_still_imports_what_it_needs() -> None:
    """The probe would pass on an interpreter that imports nothing: a real command, run in
    the same kind of process, does load the database code."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, bot.cli\n"
            "from typer.testing import CliRunner\n"
            "r = CliRunner().invoke(bot.cli.app, ['db', 'status'],"
            " env={'DATABASE_URL': 'sqlite://'})\n"
            "assert r.exit_code == 0, r.output\n"
            "print('sqlalchemy' in sys.modules, 'bot.settings' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
