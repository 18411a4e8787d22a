"""Every text exists in Swedish and English with the same macros and arguments."""

from __future__ import annotations

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
