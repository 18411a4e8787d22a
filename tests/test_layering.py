"""DESIGN.md's layers, enforced: bot → workflows → store; no Slack in workflows, no SQL in bot;
and the simulator (the Slack fake, the signed-request driver, the demo: test and demo doubles,
a package beside the product) is imported by no product module but the CLI's `demo` command,
inside its function, so the product never loads it otherwise."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IMPORTS = {
    "workflows": ("slack_sdk", "slack_bolt", "bot", "simulator"),
    "store": ("slack_sdk", "slack_bolt", "bot", "workflows", "simulator"),
}
PRODUCT = ("bot", "workflows", "store")
# The one way in from the product: `finsam-bot demo`, importing it inside the command.
DEMO_ENTRY = "bot/cli/runtime.py"
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
    """Nor does the simulator: it stands in for Slack and runs the bot's own commands."""
    paths = [*python_files("bot"), *python_files("simulator")]
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in paths
        for line, module in imported_modules(path)
        if module.split(".")[0] in SQL_IN_BOT
    ]
    for path in paths:
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


def simulator_imports(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """(line, module, inside a function) of each import of the simulator, wherever it lives
    (`simulator`, or `bot.simulator` before it moved beside bot/)."""
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, lazily: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazily or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [child.module] + [f"{child.module}.{a.name}" for a in child.names]
            for name in names:
                if name.split(".")[0] == "simulator" or name.startswith("bot.simulator"):
                    found.append((child.lineno, name, inner))
                    break
            visit(child, inner)

    visit(tree, False)
    return found


def test_no_product_module_imports_the_simulator_but_the_demo_command_lazily() -> None:
    offences = []
    entries = []
    for package in PRODUCT:
        for path in python_files(package):
            where = path.relative_to(ROOT).as_posix()
            if where.startswith("bot/simulator/"):
                continue  # the simulator itself, where it lived before it moved beside bot/
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, module, lazily in simulator_imports(tree):
                if where == DEMO_ENTRY and lazily:
                    entries.append(module)
                else:
                    offences.append(f"{where}:{line} imports {module}")
    assert offences == []
    assert entries, (
        f"the demo command in {DEMO_ENTRY} no longer imports the simulator: the check sees nothing"
    )


def test_the_simulator_check_tells_a_lazy_import_from_one_at_the_top() -> None:
    source = (
        "import simulator.fake_slack\n"
        "from bot import simulator\n"
        "def demo():\n"
        "    from simulator.demo import run_demo\n"
        "import similar\n"
    )
    assert simulator_imports(ast.parse(source)) == [
        (1, "simulator.fake_slack", False),
        (2, "bot.simulator", False),
        (4, "simulator.demo", True),
    ]
