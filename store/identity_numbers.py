"""Swedish personal identity numbers in free text: personal data has no place in chat.

A *personnummer* is a birth date and four digits, the last a Luhn check digit over the ten-digit
form (YYMMDDNNNC); a *samordningsnummer* (coordination number) is the same with 60 added to the
day. People write them in many ways, and each is caught:

- `811218-9876`, `811218+9876` (aged 100 or more), `8112189876`, `19811218-9876`,
  `198112189876`;
- any dash between date and serial, with spaces around it or not (`811218 - 9876`), or
  `_`, `/` or `.` right between them (`811218.9876`; `. ` ends a sentence), or only
  blanks: one, two, a tab, a line break (the parts on two lines);
- the date itself split the same way throughout (`1981-12-18-9876`, `81 12 18 98 76`,
  `81.12.18-9876`), the serial split in two by a blank (`811218-98 76`);
- full-width or other Unicode digits and spaces (the text is NFKC-normalised first, every
  decimal digit read as its value, invisible format characters such as soft hyphens dropped).

Precision comes from structure as much as from arithmetic: a candidate needs a real date
(day + 60 for a samordningsnummer) and the right check digit, and its digits must be grouped
the way a date and serial are (2 + 2 + 2 [+ 2 + 2], never 3 + 3 + 2 + 2 like a phone number);
a date written with separators (`2026-03-31`) followed by four digits after only a blank
(`2026-03-31 1000 kr`) is a date and an amount, not a number, unless the date is spaced with
blanks throughout. A run of digits longer than a number's forms (`48112189876`) is not one,
nor is a serial followed by a separator and more digits (`2026-03-31–2026-04-15`).

What stays ambiguous: ten digits written together that form a date and check (a mobile number
`0701234567` can be one); such text is refused, privacy first. The test suite measures the
false-positive rate on a corpus of ordinary text (tests/test_identity_numbers.py)."""

from __future__ import annotations

import calendar
import re
import unicodedata

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
COORDINATION_DAY_OFFSET = 60

# Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar,
# minus sign: what a keyboard or a word processor puts between the parts.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_PUNCT = _DASHES + "+_/."
_BLANK = " \t"  # after NFKC every Unicode space is " "
_WHITE = " \t\r\n\v\f"
# One separator inside the date: a dash, `_`, `/`, `.` or a single blank (the same each time).
_DATE_SEP = rf"[{re.escape(_DASHES)}_/. ]?"
_CANDIDATE_BODY = (
    rf"(?P<yy>[0-9]{{2}})(?P<s>{_DATE_SEP})(?P<mm>[0-9]{{2}})(?P=s)(?P<dd>[0-9]{{2}})"
    rf"(?P<sep>[{_WHITE}]{{0,4}}(?P<mark>[{re.escape(_PUNCT)}])?[{_WHITE}]{{0,4}})"
    rf"(?P<serial>[0-9]{{2}}[{_BLANK}]{{0,2}}[0-9]{{2}})"
    rf"(?![0-9])(?![{re.escape(_PUNCT)}:][0-9])"
)
_TEN = re.compile(_CANDIDATE_BODY)
_TWELVE = re.compile(r"(?P<century>[0-9]{2})" + _CANDIDATE_BODY)
_CENTURIES = (18, 19, 20)
_DIGIT = re.compile(r"[0-9]")
_START = re.compile(r"(?<![0-9])[0-9]")


def find_identity_number(text: str) -> str | None:
    """Which kind of identity number `text` holds (the first found), or None."""
    normal = normalise(text)
    for start in _starts(normal):
        for pattern in (_TWELVE, _TEN):
            match = pattern.match(normal, start)
            if match is None or not _well_formed(match):
                continue
            century = match.groupdict().get("century")
            date = match["yy"] + match["mm"] + match["dd"]
            serial = match["serial"].replace(" ", "").replace("\t", "")
            kind = _kind(century, date, serial)
            if kind is not None:
                return kind
    return None


def normalise(text: str) -> str:
    """NFKC (full-width digits and spaces become ASCII), every other decimal digit as its ASCII
    digit, invisible format characters (soft hyphen, zero-width space) removed."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for char in folded:
        if "0" <= char <= "9" or char.isascii():
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category == "Nd":
            out.append(str(unicodedata.decimal(char)))
        elif category == "Cf":
            continue
        elif category == "Zs":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _starts(text: str) -> list[int]:
    """Where a candidate may begin: a digit not preceded by a digit."""
    if len(_DIGIT.findall(text)) < 10:
        return []  # fewer than ten digits: no number can be there
    return [match.start() for match in _START.finditer(text)]


def _well_formed(match: re.Match[str]) -> bool:
    """The grouping rules a date and serial written by a person follow (see the module doc)."""
    inner, sep, mark = match["s"], match["sep"], match["mark"]
    if mark is not None and mark in "._/" and sep != mark:
        return False  # `20210727. 1955`: a sentence's end, not a separator; those go tight
    if not inner:
        return True  # YYMMDD together: any separator (or none) before the serial
    if not sep:
        return False  # `81-12-189876`: nobody writes that
    if mark is None:
        return inner == " "  # a blank before the serial only after a date spaced with blanks
    return inner == " " or mark == inner or mark in _DASHES or mark == "+"


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
