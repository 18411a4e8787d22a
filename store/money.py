"""Money as whole kronor. Budget files speak tkr with an optional decimal part
(`1222.5`, Swedish `1 222,5`); conversion goes through Decimal, never float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_NUMBER = re.compile(r"^[-+]?(\d+|\d{1,3}( \d{3})+)([.,]\d+)?$")


class NotAnAmount(ValueError):
    """The text is not a tkr amount, or it has more precision than whole kronor."""


def parse_tkr(text: str) -> int:
    """`'1 222,5'` → 1222500 (kr). Raises NotAnAmount."""
    raw = text.strip().replace("\u2212", "-")
    spaced = _SPACES.sub(" ", raw)
    if not _NUMBER.match(spaced):
        raise NotAnAmount(text)
    cleaned = spaced.replace(" ", "").replace(",", ".")
    try:
        kr = Decimal(cleaned) * 1000
    except InvalidOperation as err:
        raise NotAnAmount(text) from err
    if kr != kr.to_integral_value():
        raise NotAnAmount(text)
    return int(kr)
