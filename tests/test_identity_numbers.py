"""Personal identity numbers are found in any common spelling, and ordinary numbers are not."""

from __future__ import annotations

import random
from datetime import date, timedelta

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


# -- every spelling the quarterly form let through (issue #10), and the ordinary text that must
#    keep passing ------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@pytest.mark.parametrize(
    "text",
    [
        "811218 - 9876",
        "1981-12-18-9876",
        "Deltagaren 811218-\n9876 började i mars.",
        "811218\n9876",
        "811218\r\n9876",
        "811218  9876",
        "811218\t9876",
        "811218-98 76",
        "81 12 18 98 76",
        "811218_9876",
        "811218/9876",
        "811218.9876",
        "81.12.18-9876",
        "19811218_9876",
        "1981/12/18/9876",
        "81\u00a012\u00a018\u00a098\u00a076",
        "811218\u00ad-9876",  # a soft hyphen in the middle
        "811218-9876".translate(FULL_WIDTH),
        "Personnummer: " + "19811218 - 9876".translate(FULL_WIDTH) + ".",
        "811218-\u0669\u0668\u0667\u0666",  # Arabic-Indic digits are digits too
    ],
)
def test_every_spelling_from_the_issue_is_found(text: str) -> None:
    assert find_identity_number(text) == "personnummer"


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-31",
        "31/3",
        "den 31/3 och 2026-04-15",
        "Mötet är 2026-03-31 10.00 i Enköping.",
        "2026-03-31 1000 kr betalades ut",
        "Perioden 2026-03-31–2026-04-15.",
        "070-123 45 67",
        "08-123 456 78",
        "+46 70 123 45 67",
        "0171-123 45",
        "1 234 567 kr",
        "12 345,50",
        "556677-8899",  # an organisation number: month 66
        "212000-0142",  # a municipality's organisation number
        "745 37 Enköping",
    ],
)
def test_ordinary_text_from_the_issue_passes(text: str) -> None:
    assert find_identity_number(text) is None


CENTURY_SEP = ["-", ".", "/", "_", " "]
DATE_TO_SERIAL = ["", "-", "+", " ", "  ", "\t", "\n", "\r\n", " - ", "-\n", "_", "/", ".", "–"]


@st.composite
def spelled_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(spelling, kind) of a valid number in any of the ways people write one."""
    ten, _, kind = draw(identity_numbers())
    born_century = ""
    if draw(st.booleans()):
        yy = int(ten[:2])
        born_century = draw(st.sampled_from(["19", "20"] if yy <= 25 else ["19"]))
    yy, mm, dd, serial = ten[:2], ten[2:4], ten[4:6], ten[6:]
    inner = draw(st.sampled_from(["", *CENTURY_SEP]))
    if inner == "":
        between = draw(st.sampled_from(DATE_TO_SERIAL))
    elif inner == " ":
        between = draw(st.sampled_from([b for b in DATE_TO_SERIAL if b]))
    else:
        between = draw(st.sampled_from(["-", " - ", "-\n", "–", "+", inner]))
    if draw(st.booleans()):
        serial = serial[:2] + draw(st.sampled_from([" ", "  ", "\t"])) + serial[2:]
    spelling = f"{born_century}{yy}{inner}{mm}{inner}{dd}{between}{serial}"
    if draw(st.booleans()):
        spelling = spelling.translate(FULL_WIDTH)
    return spelling, kind


@PROPERTY
@given(
    number=spelled_numbers(),
    before=st.sampled_from(range(10_000)),
    after=st.sampled_from(range(10_000)),
)
def test_a_valid_number_in_any_spelling_inside_ordinary_text_is_found(
    number: tuple[str, str], before: int, after: int
) -> None:
    spelling, kind = number
    assert find_identity_number(spelling) == kind
    text = f"{ORDINARY[before]} {spelling} {ORDINARY[after]}"
    assert find_identity_number(text) is not None  # the text's own digits may meet it first


def ordinary_texts(count: int, seed: int = 10) -> list[str]:
    """Swedish report text full of dates, times, phone numbers, amounts, organisation and
    postal numbers, counts: what the forms and files hold every day."""
    rng = random.Random(seed)

    def day() -> date:
        return date(2020, 1, 1) + timedelta(days=rng.randrange(365 * 8))

    def phone() -> str:
        mobile = f"07{rng.choice('02369')}"
        a, b, c = rng.randrange(1000), rng.randrange(100), rng.randrange(100)
        area = rng.choice(["08", "018", "0171", "016", "021"])
        local = rng.randrange(100_000, 10_000_000)
        return rng.choice(
            [
                f"{mobile}-{a:03d} {b:02d} {c:02d}",
                f"{mobile} {a:03d} {b:02d} {c:02d}",
                f"{mobile}-{a:03d}{b:02d}{c:02d}",
                f"{mobile}{a:03d}{b:02d}{c:02d}",
                f"+46 {mobile[1:]} {a:03d} {b:02d} {c:02d}",
                f"+46{mobile[1:]}{a:03d}{b:02d}{c:02d}",
                f"{area}-{str(local)[:3]} {str(local)[3:5]} {str(local)[5:]}",
                f"{area}-{local}",
                f"{area}-{str(local)[:3]} {str(local)[3:]}",
            ]
        )

    def amount() -> str:
        kr = rng.randrange(1, 50_000_000)
        spaced = f"{kr:,}".replace(",", " ")
        return rng.choice(
            [f"{spaced} kr", f"{kr} kr", f"{spaced},{rng.randrange(100):02d}", f"{kr // 1000} tkr"]
        )

    def when() -> str:
        d = day()
        return rng.choice(
            [
                d.isoformat(),
                f"{d.day}/{d.month}",
                f"{d.day}/{d.month} {d.year}",
                f"{d.day}.{d.month}.{d.year}",
                f"{d:%y%m%d}",
                f"{d:%Y%m%d}",
                f"{d.isoformat()} kl. {rng.randrange(8, 18)}.{rng.choice(['00', '15', '30'])}",
                f"{d.isoformat()} {rng.randrange(8, 18):02d}:{rng.choice(['00', '30'])}",
                f"{d.isoformat()}–{(d + timedelta(days=rng.randrange(1, 90))).isoformat()}",
                f"v. {d.isocalendar().week}",
            ]
        )

    def org() -> str:
        return rng.choice(["556677-8899", "212000-0142", "802480-1234", "222000-0351"])

    shapes = [
        lambda: f"Träff {when()} med {rng.randrange(2, 30)} deltagare, ring {phone()}.",
        lambda: f"Utbetalt {when()}: {amount()} till {org()}.",
        lambda: f"Kontakt: {phone()}, faktura {rng.randrange(10**5, 10**7)} på {amount()}.",
        lambda: (
            f"Postadress Box {rng.randrange(1, 999)}, {rng.randrange(100, 999)} "
            f"{rng.randrange(10, 99)} Enköping. Tel {phone()}"
        ),
        lambda: (
            f"{rng.randrange(1, 40)} deltagare {when()}, varav {rng.randrange(1, 20)} "
            f"kvinnor; budget {amount()}, utfall {amount()}."
        ),
        lambda: f"Dnr KS {day().year}/{rng.randrange(1, 999):03d}, beslut {when()}.",
        lambda: f"{when()} {amount()} {phone()} {when()}",
    ]
    return [rng.choice(shapes)() for _ in range(count)]


HAND_WRITTEN = [
    "Under första kvartalet deltog 14 personer, varav 8 kvinnor och 6 män.",
    "Nästa styrgruppsmöte är 2026-04-15 kl. 13.00 i kommunhuset, rum 2.",
    "Ring Anna på 070-123 45 67 eller växeln 0171-625 00 00.",
    "Kostnaden blev 1 234 567 kr mot budgeterade 1 300 000 kr.",
    "Fakturan på 12 345,50 kr betalades 31/3.",
    "Samverkan med Arbetsförmedlingen (org.nr 202100-2114) och Region Uppsala (232100-0024).",
    "Vi träffades 2026-03-31 10.00–12.00 och 2026-04-07 10.00–12.00.",
    "Perioden 2026-01-01–2026-03-31 gav 7 avslut, 3 till arbete.",
    "Deltagarna kom från 745 37 Enköping och 753 20 Uppsala.",
    "Telefontid måndag–fredag 08.00–16.00 på +46 18 611 00 00.",
    "Utfallet 2025 var 20 690 tkr, 98,5 % av budgeten.",
    "Projektkod 2026-03-0412, konto 4010, kostnadsställe 73150.",
]


# Texts to hide numbers in: the few the detector already refuses on their own are left out, so
# the kind found is the hidden number's.
ORDINARY = [t for t in ordinary_texts(10_500, seed=11) if find_identity_number(t) is None][:10_000]
FALSE_POSITIVE_BOUND = 0.003


def test_ordinary_text_is_rarely_taken_for_an_identity_number() -> None:
    """Measured on these 50 000 generated texts and the hand-written ones: 33 refused, 0.066 %
    (none of the hand-written). Every one is ten digits written together that form a date
    with a right check digit (a mobile number written `0708166061`, which could as well be a
    personnummer: refused, privacy first) or an 8-digit date, a blank and a 4-digit amount
    (`20240710 8378 tkr`). Bound asserted: 0.3 %."""
    corpus = [*ordinary_texts(50_000), *HAND_WRITTEN]
    hits = [text for text in corpus if find_identity_number(text) is not None]
    assert [t for t in HAND_WRITTEN if find_identity_number(t) is not None] == []
    rate = len(hits) / len(corpus)
    assert rate < FALSE_POSITIVE_BOUND, (rate, hits[:10])
