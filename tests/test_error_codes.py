"""Every error code the code raises has its message, and every text the code asks for
exists, in both languages: read from the source (AST), so a new `raise …("code")` or a
renamed macro fails here, not in front of a user.

- A FinsamError (any class of store/errors.py) built with a literal code: the macro named
  by `bot/error_text.py`'s lookup exists in sv and en, and takes the values the call passes.
- `texts.get("area", "macro", …)` with literal arguments: the macro exists in both."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from pathlib import Path

import pytest
from jinja2.runtime import Macro

import store.errors
from bot.error_text import error_area
from workflows.texts import LANGUAGES, environment

ROOT = Path(__file__).resolve().parent.parent
# The simulator asks for texts too (the demo's): wherever it lives, under bot/ or beside it.
CODE = ("bot", "simulator", "workflows", "store")
SOURCES = sorted(p for top in CODE for p in (ROOT / top).rglob("*.py"))
# Built with a code first; ImportRejected is built with its problems (its code is its own).
ERROR_CLASSES = {
    name
    for name, value in vars(store.errors).items()
    if inspect.isclass(value)
    and issubclass(value, store.errors.FinsamError)
    and value is not store.errors.ImportRejected
}
# A class's own keyword arguments (SlackRateLimited's retry_after): not the message's values.
OWN_ARGUMENTS = {
    name: {
        p.name
        for p in inspect.signature(getattr(store.errors, name).__init__).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    for name in ERROR_CLASSES
}
# Codes built at run time, by where and how, with every code they can take. A new one fails
# `test_no_error_code_is_built_unseen` until it is named here.
BUILT_CODES = {
    ("workflows/grants.py", "f'grant_missing_{field}'"): {
        "grant_missing_intervention",
        "grant_missing_decided_by",
    },
    ("workflows/applications.py", "f'application_missing_{field}'"): {
        "application_missing_organisation",
        "application_missing_owner",
        "application_missing_title",
        "application_missing_by",
    },
    ("workflows/overview.py", "refusal"): {"office_only", "status_office_only"},
}


@dataclass(frozen=True)
class Raised:
    where: str
    code: str
    values: frozenset[str] | None  # None: passed through **params, not known here


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def _calls() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                found.append((path, node))
    return found


def _passes_a_code_up(path: Path, call: ast.Call) -> bool:
    """`super().__init__("code", …)` in store/errors.py: a class with a code of its own."""
    func = call.func
    return (
        path.relative_to(ROOT).as_posix() == "store/errors.py"
        and isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and getattr(func.value.func, "id", None) == "super"
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
    )


def _error_calls() -> list[tuple[Path, ast.Call]]:
    """Calls of an error class by its name, and `super().__init__(code, …)` inside one."""
    found = []
    for path, call in _calls():
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if (name in ERROR_CLASSES and call.args) or _passes_a_code_up(path, call):
            found.append((path, call))
    return found


def raised_codes() -> list[Raised]:
    raised = []
    for path, call in _error_calls():
        first = call.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        own = OWN_ARGUMENTS.get(getattr(call.func, "id", getattr(call.func, "attr", "")), set())
        names = [k.arg for k in call.keywords if k.arg not in own]
        values = None if None in names else frozenset(n for n in names if n is not None)
        raised.append(Raised(_where(path, call), first.value, values))
    return raised


def _macro(lang: str, area: str, name: str) -> Macro | None:
    env = environment(lang)
    if not (ROOT / "templates" / lang / f"{area}.j2").exists():
        return None
    found = getattr(env.get_template(f"{area}.j2").module, name, None)
    return found if isinstance(found, Macro) else None


def test_the_scan_sees_the_codes() -> None:
    codes = {r.code for r in raised_codes()}
    # A scan that found nothing would pass every test below.
    assert {"office_only", "unknown_report", "grant_office_only", "lease_lost"} <= codes
    assert "import_rejected" in codes  # built inside its class


def test_no_error_code_is_built_unseen() -> None:
    built = {
        (str(path.relative_to(ROOT)), ast.unparse(call.args[0]))
        for path, call in _error_calls()
        if not (isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))
    }
    # store/errors.py passes its own `code` on (the classes' constructors): not a raise.
    built = {b for b in built if b[0] != "store/errors.py"}
    assert built == set(BUILT_CODES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_raised_code_has_its_message(lang: str) -> None:
    problems = []
    raised = [*raised_codes()]
    raised += [
        Raised(where, code, None) for (where, _), codes in BUILT_CODES.items() for code in codes
    ]
    for r in raised:
        area = error_area(r.code)
        macro = _macro(lang, area, r.code)
        if macro is None:
            problems.append(f"{r.where}: {r.code} has no macro in templates/{lang}/{area}.j2")
        elif r.values is not None and set(macro.arguments) != set(r.values):
            problems.append(
                f"{r.where}: {r.code} passes {sorted(r.values)}, "
                f"templates/{lang}/{area}.j2 takes {sorted(macro.arguments)}"
            )
    assert problems == []


def _looks_like_texts(receiver: ast.expr) -> bool:
    text = ast.unparse(receiver)
    return text.split(".")[-1] in ("texts", "office", "new") or text.startswith("Texts(")


def text_requests() -> list[tuple[str, str, str]]:
    """(where, area, macro) of each `<texts>.get("area", "macro", …)`: a receiver that looks
    like texts, or a first argument that names a template file."""
    areas = {p.stem for p in (ROOT / "templates" / "sv").glob("*.j2")}
    found = []
    for path, call in _calls():
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "get" and len(call.args) >= 2):
            continue
        area, macro = call.args[0], call.args[1]
        if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in (area, macro)):
            continue
        assert isinstance(area, ast.Constant) and isinstance(macro, ast.Constant)
        if _looks_like_texts(func.value) or area.value in areas:
            found.append((_where(path, call), str(area.value), str(macro.value)))
    return found


def test_the_scan_sees_the_texts() -> None:
    assert len(text_requests()) > 200


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_the_code_asks_for_exists(lang: str) -> None:
    missing = [
        f"{where}: {area}.{macro}"
        for where, area, macro in text_requests()
        if _macro(lang, area, macro) is None
    ]
    assert missing == []
