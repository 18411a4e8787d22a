"""The CLI as an operator runs it, in-process: typer's runner with a database URL and any
extra environment (e.g. the Slack fake's URL and token)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from bot.cli import app


def describe(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


class Cli:
    def __init__(self, database_url: str, files: Path, **base_env: str) -> None:
        self.database_url = database_url
        self.files = files
        self.base_env = base_env
        self.runner = CliRunner()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def __call__(self, *args: str, **env: str) -> Result:
        full_env = {
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "ERROR",
            **self.base_env,
            **env,
        }
        return self.runner.invoke(app, list(args), env=full_env)

    def ok(self, *args: str, **env: str) -> Result:
        result = self(*args, **env)
        assert result.exit_code == 0, describe(result)
        return result

    def json(self, *args: str, **env: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json", **env).stdout)

    def write(self, name: str, text: str) -> Path:
        path = self.files / name
        path.write_text(text, encoding="utf-8")
        return path
