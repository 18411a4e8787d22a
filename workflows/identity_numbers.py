"""Swedish personal identity numbers in free text: personal data has no place in chat.

A *personnummer* is a birth date and four digits, the last a Luhn check digit over the ten-digit
form (YYMMDDNNNC); a *samordningsnummer* (coordination number) is the same with 60 added to the
day. People write them in many ways: `811218-9876`, `811218+9876` (aged 100 or more),
`8112189876`, `19811218-9876`, `198112189876`, with a space or a dash of any kind between the
parts. A candidate counts only with a real date and a right check digit, so ordinary numbers
(amounts, counts, `1 234 567`) are not taken for one; a run of digits longer than a number's
forms (`48112189876`) is not either."""

from __future__ import annotations

import calendar
import re

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
COORDINATION_DAY_OFFSET = 60

# Hyphen-minus, plus, space, no-break space, hyphen, non-breaking hyphen, figure dash, en dash,
# em dash, minus sign: what a keyboard or a word processor puts between the parts.
_SEPARATORS = "-+ \u00a0\u2010\u2011\u2012\u2013\u2014\u2212"
_CANDIDATE = re.compile(
    rf"(?<![0-9])(?P<century>[0-9]{{2}})?(?P<date>[0-9]{{6}})[{_SEPARATORS}]?"
    rf"(?P<serial>[0-9]{{4}})(?![0-9])"
)
_CENTURIES = (18, 19, 20)


def find_identity_number(text: str) -> str | None:
    """Which kind of identity number `text` holds (the first found), or None."""
    for match in _CANDIDATE.finditer(text):
        kind = _kind(match.group("century"), match.group("date"), match.group("serial"))
        if kind is not None:
            return kind
    return None


def luhn_check_digit(digits: str) -> int:
    """The check digit that completes `digits` (weights 2, 1, 2, … from the left, as for nine
    digits of a personnummer)."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def is_luhn_valid(ten_digits: str) -> bool:
    return luhn_check_digit(ten_digits[:-1]) == int(ten_digits[-1])


def _kind(century: str | None, date: str, serial: str) -> str | None:
    if not is_luhn_valid(date + serial):
        return None
    yy, month, day = int(date[:2]), int(date[2:4]), int(date[4:6])
    kind = PERSONNUMMER
    if day > COORDINATION_DAY_OFFSET:
        kind, day = SAMORDNINGSNUMMER, day - COORDINATION_DAY_OFFSET
    if century is None:
        years = [c * 100 + yy for c in _CENTURIES]
    elif int(century) in _CENTURIES:
        years = [int(century) * 100 + yy]
    else:
        return None
    return kind if any(_is_date(year, month, day) for year in years) else None


def _is_date(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
