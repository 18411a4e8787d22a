"""No module reaches into another's private names: neither `from x import _name` nor
`obj._name` for a `_name` the module does not define itself (what a module does with its own
private names, in its own classes, is its business). A helper that several modules share
gets a public name instead (bot/slack_io.py `call` for the Web API's error sorting)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "simulator", "workflows", "store", "tests")
# Private by spelling, public by documentation: os._exit, and the hooks slack_bolt's
# RequestVerification is subclassed through (bot/verification.py).
ALLOWED = frozenset({"_exit", "_can_skip", "_build_error_response"})


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined(tree: ast.AST) -> set[str]:
    """Every name the module defines: functions, classes, assigned names and attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return names


def private_reaches(source: str, where: str) -> list[str]:
    """Each `from x import _name`, and each `obj._name` whose `_name` is not this module's."""
    tree = ast.parse(source)
    own = _defined(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [
                f"{where}:{node.lineno} imports {alias.name} from {node.module}"
                for alias in node.names
                if _private(alias.name)
            ]
        elif (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and node.attr not in own | ALLOWED
        ):
            found.append(f"{where}:{node.lineno} reads {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_reaches_into_another_modules_private_names(package: str) -> None:
    offences = [
        offence
        for path in sorted((ROOT / package).rglob("*.py"))
        for offence in private_reaches(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]
    assert offences == []


def test_the_check_finds_both_shapes_and_spares_a_modules_own_names() -> None:
    sample = (
        "from bot.sender import _call\n"
        "class A:\n"
        "    def __init__(self):\n"
        "        self._mine = 1\n"
        "    def f(self, other, sender):\n"
        "        return other._mine, sender._ctx, self.__class__\n"
    )
    assert private_reaches(sample, "m.py") == [
        "m.py:1 imports _call from bot.sender",
        "m.py:6 reads sender._ctx",
    ]
