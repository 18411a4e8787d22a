"""DESIGN.md's layers, enforced: bot → workflows → store; no Slack in workflows, no SQL in bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IMPORTS = {
    "workflows": ("slack_sdk", "slack_bolt", "bot"),
    "store": ("slack_sdk", "slack_bolt", "bot", "workflows"),
}
SQL_IN_BOT = ("sqlmodel", "sqlalchemy")
SQL_CALLS = ("exec", "execute", "add", "commit", "query", "scalars")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_lower_layers_do_not_import_upper_ones(package: str) -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files(package)
        for line, module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN_IMPORTS[package]
    ]
    assert offences == []


def test_bot_holds_no_sql() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files("bot")
        for line, module in imported_modules(path)
        if module.split(".")[0] in SQL_IN_BOT
    ]
    for path in python_files("bot"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "session"
                and node.func.attr in SQL_CALLS
            ):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} session.{node.func.attr}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("select", "text"):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} builds SQL")
    assert offences == []


def test_the_checker_catches_an_offence(tmp_path: Path) -> None:
    """The walk above would see a forbidden import: guard against a checker that sees nothing."""
    sample = tmp_path / "x.py"
    sample.write_text("import slack_sdk\nfrom bot.app import create_app\n", encoding="utf-8")
    assert [m for _, m in imported_modules(sample)] == ["slack_sdk", "bot.app"]
