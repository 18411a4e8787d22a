"""Personal identity numbers are found in any common spelling, and ordinary numbers are not."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.identity_numbers import find_identity_number, luhn_check_digit

PROPERTY = settings(max_examples=300, deadline=None)
SEPARATORS = ["", "-", "+", " ", "\u2013", "\u00a0", "\u2212"]


def reference_luhn_ok(digits: str) -> bool:
    """Luhn as usually stated: from the right, double every second digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def complete(nine: str) -> str:
    """Nine digits and the check digit that makes them valid, computed independently."""
    [digit] = [d for d in "0123456789" if reference_luhn_ok(nine + d)]
    return nine + digit


def spell(ten: str, *, century: str = "", separator: str = "-") -> str:
    return f"{century}{ten[:6]}{separator}{ten[6:]}"


def test_the_well_known_test_number_is_valid() -> None:
    assert complete("811218987") == "8112189876"
    assert luhn_check_digit("811218987") == 6


@pytest.mark.parametrize(
    "text",
    [
        "811218-9876",
        "811218+9876",
        "8112189876",
        "811218 9876",
        "811218\u20139876",
        "19811218-9876",
        "198112189876",
        "19811218 9876",
        "Ring Anna (811218-9876) i morgon.",
        "pnr:8112189876.",
    ],
)
def test_a_personnummer_in_any_spelling_is_found(text: str) -> None:
    assert find_identity_number(text) == "personnummer"


def test_a_samordningsnummer_is_day_plus_sixty() -> None:
    number = complete("811278987")  # 18 December 1981, day 18 + 60
    assert number == "8112789873"
    assert find_identity_number(spell(number)) == "samordningsnummer"
    assert find_identity_number(spell(number, century="19")) == "samordningsnummer"
    assert find_identity_number(spell(complete("811298987"))) is None  # day 38 does not exist


@pytest.mark.parametrize(
    "text",
    [
        "811218-9875",  # wrong check digit
        "99811218-9876",  # 12 digits that are no year
        "48112189876",  # 11 digits: some other number
        "811218-98761",
        "1 234 567 kr",
        "Budgeten är 20 690 tkr, utfallet 1 007 000 kr.",
        "2026-03-15",
        "070-123 45 67",
        "",
    ],
)
def test_ordinary_numbers_are_not_identity_numbers(text: str) -> None:
    assert find_identity_number(text) is None


@pytest.mark.parametrize(
    "nine",
    [
        "811318987",  # month 13
        "811232987",  # 32 December
        "810229987",  # 29 February 1981 (or 1881, 2081)
        "811200987",  # day 0
        "811292987",  # day 32 + 60
    ],
)
def test_a_right_check_digit_on_a_date_that_does_not_exist_is_no_match(nine: str) -> None:
    ten = complete(nine)
    assert find_identity_number(spell(ten)) is None
    assert find_identity_number(spell(ten, separator="")) is None


def test_29_february_of_a_leap_year_is_a_date() -> None:
    assert find_identity_number(spell(complete("000229123"))) == "personnummer"
    assert find_identity_number(spell(complete("000229123"), century="19")) is None  # 1900


@st.composite
def identity_numbers(draw: st.DrawFn) -> tuple[str, str, str]:
    """(ten digits, spelling, kind) of a valid number."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    coordination = draw(st.booleans())
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{draw(st.integers(0, 999)):03d}"
    ten = complete(nine)
    century = draw(st.sampled_from(["", f"{born.year // 100}"]))
    spelling = spell(ten, century=century, separator=draw(st.sampled_from(SEPARATORS)))
    return ten, spelling, "samordningsnummer" if coordination else "personnummer"


@PROPERTY
@given(number=identity_numbers(), before=st.text(max_size=30), after=st.text(max_size=30))
def test_a_valid_number_inside_any_text_is_found(
    number: tuple[str, str, str], before: str, after: str
) -> None:
    _, spelling, kind = number
    assert find_identity_number(spelling) == kind
    assert find_identity_number(f"{before} {spelling} {after}") is not None


NO_DIGITS = st.text(alphabet=st.characters(exclude_categories=["Nd"]), max_size=30)


@PROPERTY
@given(number=identity_numbers(), shift=st.integers(1, 9), before=NO_DIGITS, after=NO_DIGITS)
def test_a_number_with_a_wrong_check_digit_is_not_found(
    number: tuple[str, str, str], shift: int, before: str, after: str
) -> None:
    ten, spelling, _ = number
    wrong = str((int(ten[-1]) + shift) % 10)
    mangled = spelling[:-1] + wrong
    assert find_identity_number(f"{before} {mangled} {after}") is None
