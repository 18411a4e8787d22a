"""Every user-facing text comes from templates/<lang>/: Jinja2 renders text, never JSON.

Templates are files of macros (`{% macro name(args) %}`), one file per area; code asks for
`texts.get("budget", "title", year=2026)`. Texts several areas share (month and period
names, language names, the modal buttons) live once, in `common.j2`: areas import them with
`{% from "common.j2" import … %}`, code asks for `texts.get("common", …)`. Values are not
auto-escaped: user-supplied text goes through the `slack` filter, which escapes exactly what
Slack needs (&, <, >)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


def templates_dir() -> Path:
    return Path(str(files("templates")))


def slack_escape(value: object) -> str:
    """Make user text inert in Slack mrkdwn: `<!channel>` pings nobody, `<url|x>` links nowhere."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def group_thousands(number: int, *, sep: str) -> str:
    sign = "-" if number < 0 else ""
    digits = f"{abs(number):,}".replace(",", sep)
    return sign + digits


def format_tkr(kr: int, lang: str = DEFAULT_LANGUAGE, *, unit: bool = True) -> str:
    """Whole kronor in tkr, rounded half up: 1 007 000 → '1 007 tkr' (sv), '1,007 kSEK' (en)."""
    tkr = int((Decimal(kr) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if lang == "en":
        return group_thousands(tkr, sep=",") + (" kSEK" if unit else "")
    return group_thousands(tkr, sep="\u00a0").replace("-", "\u2212") + ("\u00a0tkr" if unit else "")


def format_kr(kr: int, lang: str = DEFAULT_LANGUAGE) -> str:
    if lang == "en":
        return group_thousands(kr, sep=",") + " SEK"
    return group_thousands(kr, sep="\u00a0").replace("-", "\u2212") + "\u00a0kr"


def format_percent(ratio: float | Decimal | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """0.1693 → '16,9 %' (sv) / '16.9%' (en); None → '–'."""
    if ratio is None:
        return "–"
    value = (Decimal(str(ratio)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if lang == "en":
        return f"{value}%"
    return f"{value}".replace(".", ",").replace("-", "\u2212") + "\u00a0%"


def plural(count: int, one: str, many: str) -> str:
    """A count with its noun or adjective in the right number: 1 rad, 2 rader, 0 rader
    (Swedish and English both take the singular for one only); thousands grouped with a
    space, as Swedish writes them ("4 812 fel")."""
    return f"{count:,}".replace(",", " ") + f" {one if abs(count) == 1 else many}"


def format_date(value: date, lang: str = DEFAULT_LANGUAGE) -> str:
    return value.isoformat() if lang == "sv" else value.strftime("%-d %b %Y")


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir() / lang)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Read once per process: checking each file's mtime on every text cost a form's
        # answer about a tenth of its time (benchmarks/README.md). Edits need a restart.
        auto_reload=False,
    )
    env.filters["slack"] = slack_escape
    env.filters["tkr"] = lambda kr: format_tkr(kr, lang)
    env.filters["kr"] = lambda kr: format_kr(kr, lang)
    env.filters["percent"] = lambda ratio: format_percent(ratio, lang)
    env.filters["date"] = lambda value: format_date(value, lang)
    env.filters["plural"] = plural
    return env


class Texts:
    """The texts of one language."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def get(self, area: str, macro: str, /, **values: Any) -> str:
        module = environment(self.lang).get_template(f"{area}.j2").module
        return str(getattr(module, macro)(**values)).strip()
