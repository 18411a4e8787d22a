"""The annual table counts people, not person-months (issue #13): a simulated year of 196
people (tests/participant_year.py) gives the 2017 annual report's figures by its own method,
where averaging the month-end stocks gave 66 % "more than 3 years on support" instead of 40 %;
reports of the old shape keep the old method, flagged; the national average and the board's
target per year."""

from __future__ import annotations

import pytest

from tests.participant_year import month_answers, people, year_answers
from workflows.comparisons import Comparison, YearShares
from workflows.participants import (
    PEOPLE,
    PERSON_MONTHS,
    Split,
    figures_of_months,
    paragraph_values,
    total_of,
    whole_percent,
)
from workflows.texts import Texts


def true_share(attribute: str) -> float:
    """The share straight from the people: of the registered, each once."""
    registered = [p for p in people() if not p.anonymous]
    return sum(1 for p in registered if p.has(attribute)) / len(registered)


def test_the_simulated_year_in_the_new_shape_gives_the_true_shares() -> None:
    f = figures_of_months(year_answers("new"))
    assert f.profile_basis == PEOPLE
    assert (f.participants.total, f.registered.total, f.anonymous.total) == (196, 195, 1)
    assert (f.ended.total, f.work_or_studies) == (164, Split(18, 13))
    for attribute, share in (
        ("under_30", f.under_30_share),
        ("over_3_years", f.over_3_years_share),
        ("education_compulsory", f.education_compulsory_share),
        ("education_upper_secondary", f.education_upper_secondary_share),
        ("education_post_secondary", f.education_post_secondary_share),
    ):
        assert share == pytest.approx(true_share(attribute)), attribute
    registered = [p for p in people() if not p.anonymous]
    assert f.women_share == pytest.approx(sum(p.woman for p in registered) / len(registered))
    # the annual report's whole percents (001: 19 %, 57 %, 41 %, 40 %, 41 %, 17 %)
    assert [
        whole_percent(share)
        for share in (
            f.work_or_studies_share.total,
            f.women_share,
            f.under_30_share,
            f.over_3_years_share,
            f.education_compulsory_share,
            f.education_post_secondary_share,
        )
    ] == [19, 57, 41, 40, 41, 17]


def test_averaging_month_end_stocks_over_counts_the_long_stayers() -> None:
    """The same people reported in the old shape: the old method, flagged as such."""
    old = figures_of_months(year_answers("old"))
    assert old.profile_basis == PERSON_MONTHS
    assert whole_percent(old.over_3_years_share) == 66
    assert whole_percent(true_share("over_3_years")) == 40
    # the people counts do not depend on the shape
    new = figures_of_months(year_answers("new"))
    assert (old.participants, old.ended, old.work_or_studies) == (
        new.participants,
        new.ended,
        new.work_or_studies,
    )
    assert old.education_compulsory_share is None  # the old form did not ask it


def test_a_year_that_changes_shape_profiles_the_people_from_the_first_new_month() -> None:
    """Reports in the old shape until June, then in the new one: July's report gives the
    profile of those enrolled at its start (the form asks it, as the year's first report in the
    new shape), and the profile is of the people present from July on, each once."""
    old, new = year_answers("old"), year_answers("new")
    persons = people()

    enrolled = [p for p in persons if p.present_at_start_of(7)]
    july = month_answers(persons, 7) | {
        f"start_{item}_{split}": sum(
            1 for p in enrolled if p.woman == (split == "women") and p.has(item)
        )
        for item in ("anonymous", "under_30", "over_3_years")
        for split in ("women", "men")
    }
    f = figures_of_months([*old[:6], july, *new[7:]])
    assert f.participants.total == 196 and f.profile_basis == PEOPLE
    present = [p for p in persons if p.present_at_start_of(7) or p.arrives >= 7]
    registered = [p for p in present if not p.anonymous]
    assert f.registered.total == len(registered)
    assert f.over_3_years_share == pytest.approx(
        sum(p.over_3_years for p in registered) / len(registered)
    )


def test_the_paragraph_reads_like_the_annual_report() -> None:
    f = figures_of_months(year_answers("new"))
    compared = Comparison.of(
        2017, YearShares.parse("2016:0.33;2022:0.30"), YearShares.parse("2024:0.35")
    )
    assert compared == Comparison(national=(2016, 0.33), target=None)
    text = Texts("sv").get("participants", "paragraph", **paragraph_values(f, compared))
    assert text == (
        "Under året har 196 personer deltagit i av förbundet finansierade insatser. 195 av "
        "dessa är registrerade i det nationella uppföljningssystemet och 1 är registrerad som "
        "anonym. 164 av deltagarna har avslutats. Av de avslutade deltagarna har 31 personer "
        "(19 %, 18 kvinnor, 13 män) gått vidare till arbete eller studier. Riket 2016: 33 %."
        "\n\nAv de 195 registrerade deltagarna är 57 % kvinnor och 43 % män, 41 % yngre än "
        "30 år, 40 % har haft offentlig försörjning i mer än 3 år, 41 % har grundskola eller "
        "lägre som högsta avslutade utbildning, 17 % har någon form av eftergymnasial utbildning."
    )
    target = Comparison.of(2026, YearShares.parse(""), YearShares.parse("2024:35%"))
    english = Texts("en").get("participants", "paragraph", **paragraph_values(f, target))
    assert "31 people (19%, 18 women, 13 men) went on to work or studies" in english
    assert "The board's target (2024): 35%." in english and "National" not in english


def test_totals_of_interventions_add_people() -> None:
    one = figures_of_months(year_answers("new")[:6])
    two = figures_of_months(year_answers("new")[6:])
    total = total_of([one, two])
    assert total.profile_basis == PEOPLE
    assert total.participants == one.participants + two.participants
    assert total.registered == one.registered + two.registered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("2016:0.33", ((2016, "0.33"),)),
        ("2016:0.33;2022:0.30", ((2016, "0.33"), (2022, "0.30"))),
        ("2022: 30 %, 2016:0,33", ((2016, "0.33"), (2022, "0.3"))),
    ],
)
def test_year_shares_are_read_as_the_office_writes_them(
    text: str, expected: tuple[tuple[int, str], ...]
) -> None:
    from decimal import Decimal

    parsed = YearShares.parse(text)
    assert parsed.by_year == tuple((year, Decimal(share)) for year, share in expected)


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("2016", "'2016'"),
        ("2016:1.5", "'2016:1.5'"),
        ("x:0.3", "'x:0.3'"),
        ("2016:0.3;;junk", "'junk'"),
        ("16:0.3", "'16:0.3'"),
    ],
)
def test_a_bad_year_share_is_refused_with_the_entry_named(text: str, entry: str) -> None:
    with pytest.raises(ValueError) as caught:
        YearShares.parse(text)
    assert str(caught.value).startswith(entry)


def test_the_latest_share_up_to_the_year_counts() -> None:
    shares = YearShares.parse("2016:0.33;2022:0.30")
    assert [shares.for_year(y) for y in (2015, 2016, 2021, 2026)] == [
        None,
        (2016, 0.33),
        (2016, 0.33),
        (2022, 0.30),
    ]


def test_the_settings_give_the_comparison_of_a_year_and_refuse_a_bad_entry() -> None:
    from bot.settings import load_settings
    from store.errors import ConfigError

    cfg = load_settings(_env_file=None, finsam_target_to_work_share="2024:0.35")
    assert cfg.to_work_comparison(2017) == Comparison(national=(2016, 0.33), target=None)
    assert cfg.to_work_comparison(2026) == Comparison(national=(2022, 0.30), target=(2024, 0.35))
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, finsam_national_to_work_share="2016=0.33")
    problems = str(caught.value.params["problems"])
    assert problems.startswith("FINSAM_NATIONAL_TO_WORK_SHARE") and "'2016=0.33'" in problems
