"""Every text exists in Swedish and English with the same macros and arguments."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from workflows.texts import Texts, format_percent, format_tkr, slack_escape, templates_dir


def macros(path: Path) -> dict[str, list[str]]:
    tree = jinja2.Environment().parse(path.read_text(encoding="utf-8"))
    return {m.name: [a.name for a in m.args] for m in tree.find_all(nodes.Macro)}


def areas(lang: str) -> set[str]:
    return {p.name for p in (templates_dir() / lang).glob("*.j2")}


def test_both_languages_have_the_same_templates() -> None:
    assert areas("sv") == areas("en")
    assert areas("sv")  # not vacuous


@pytest.mark.parametrize("area", sorted(areas("sv")))
def test_same_macros_and_arguments(area: str) -> None:
    assert macros(templates_dir() / "sv" / area) == macros(templates_dir() / "en" / area)


def test_amounts_swedish_style() -> None:
    assert format_tkr(1_007_000) == "1\u00a0007\u00a0tkr"
    assert format_tkr(-2_970_000) == "\u22122\u00a0970\u00a0tkr"
    assert format_tkr(1_222_500) == "1\u00a0223\u00a0tkr"  # half up
    assert format_tkr(1_007_000, "en") == "1,007 kSEK"
    assert format_percent(0.1693) == "16,9\u00a0%"
    assert format_percent(None) == "–"


def test_user_text_is_made_inert() -> None:
    assert (
        slack_escape("<!channel> & <https://x|y>") == "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
    )
    assert slack_escape("We've") == "We've"  # not HTML escaping


def test_missing_template_value_is_an_error() -> None:
    with pytest.raises(TypeError):
        Texts("sv").get("budget", "title", year=2026, extra=1)


# Names several areas use for texts of their own (a budget's title is not a calendar's; an
# error code's text in errors.j2 is not an area's message of the same name). Each with the
# files that may define it: a further copy elsewhere fails the test. Texts shared by areas
# live once, in common.j2.
DELIBERATE_NAMES = {
    "title": {"annual_report", "budget", "calendar", "export", "home", "status"},
    "line": {"budget", "calendar"},
    "summary": {"demo", "status"},
    "submit": {"forms", "grants"},
    "days": {"board_steps", "status"},
    "imported": {"board", "interventions"},
    "more_omitted": {"budget", "home", "status"},
    "problem_line": {"board", "import"},
    "rejected": {"board", "import"},
    "too_long": {"forms", "import"},
    "identity_number": {"forms", "import"},
    "unknown_language": {"cli", "errors"},
    "app_token_refused": {"doctor", "errors"},
    "no_budget_for_year": {"errors", "import"},
    "bad_year": {"errors", "import"},
    "not_stored": {"errors", "grants"},
    "usage": {"annual_report", "board", "people"},
    "what": {"annual_report", "board_steps", "export"},
    "corrected": {"demo", "grants"},
    "status": {"demo", "export"},
    "column": {"annual_report", "export", "papers"},
    "yes_no": {"export", "papers"},  # the papers' has a third value: no limit, nothing to meet
    "list_heading": {"grants", "people"},
    "list_empty": {"grants", "people"},
    "list_line": {"grants", "people"},
    "draft_written": {"board", "cli"},  # the cycle's draft, the budget's draft
    # The annual report's workbook names its sheets, rows and file as the papers and the
    # budget answer do theirs; its category and support names are the printed report's.
    "sheet_name": {"annual_report", "papers"},
    "row": {"annual_report", "status"},
    "category_name": {"annual_report", "budget"},
    "support_name": {"annual_report", "grants"},
    "no_budget": {"annual_report", "papers"},
    "filename": {"annual_report", "papers"},
    "file_title": {"annual_report", "papers"},
    "file_comment": {"annual_report", "papers"},
}


MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\((.*?)\)\s*-?%}(.*?){%-?\s*endmacro\s*-?%}", re.S)


def macro_sources(lang: str) -> list[tuple[str, str, str]]:
    """(area, macro name, its arguments and body as written) of every macro of a language."""
    return [
        (path.stem, found[1], f"({found[2]}){found[3]}")
        for path in sorted((templates_dir() / lang).glob("*.j2"))
        for found in MACRO.finditer(path.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_macro_name_is_defined_in_two_files(lang: str) -> None:
    assert len(macro_sources(lang)) == sum(
        len(macros(p)) for p in (templates_dir() / lang).glob("*.j2")
    )
    files: dict[str, set[str]] = defaultdict(set)
    for area, name, _ in macro_sources(lang):
        files[name].add(area)
    shared = {name: areas for name, areas in files.items() if len(areas) > 1}
    assert len(files) > 100  # not vacuous
    assert {n: a for n, a in shared.items() if a != DELIBERATE_NAMES.get(n)} == {}
    assert {n for n in DELIBERATE_NAMES if n not in shared} == set()  # no stale exception


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_text_is_written_twice_under_two_names(lang: str) -> None:
    """The same arguments and body in two files is one text kept twice (as `close` and
    `done_close` were): it belongs in common.j2."""
    where: dict[str, list[str]] = defaultdict(list)
    for area, name, source in macro_sources(lang):
        where[" ".join(source.split())].append(f"{area}.{name}")
    assert [names for names in where.values() if len({n.split(".")[0] for n in names}) > 1] == []


@pytest.mark.parametrize(
    ("lang", "long_date", "period", "language"),
    [
        ("sv", "torsdag 19 mars 2026", "kvartal 2 2026", "Jag svarar dig på engelska"),
        ("en", "Thursday 19 March 2026", "Q2 2026", "I answer you in English"),
    ],
)
def test_areas_use_the_shared_texts(lang: str, long_date: str, period: str, language: str) -> None:
    texts = Texts(lang)
    assert texts.get("calendar", "long_date", day=date(2026, 3, 19)) == long_date
    assert texts.get("common", "period_name", kind="quarterly", year=2026, number=2) == period
    assert texts.get("common", "period_name", kind="monthly", year=2026, number=3) == (
        "mars 2026" if lang == "sv" else "March 2026"
    )
    assert texts.get("language", "current", language="en", chosen=True, command="/f").startswith(
        language
    )
