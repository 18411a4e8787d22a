"""The annual report's participant table (DOMAIN.md "Follow-up of interventions"), derived from
the monthly reports by the annual report's own method: it counts **people, not
person-months**. "Under året har 196 personer deltagit …, 164 avslutade, av dem 31 (19 %;
18 kvinnor, 13 män) till arbete eller studier; av de 195 registrerade är 41 % yngre än 30 år …"

The monthly form (templates/forms/monthly.yml) asks, per month and split into women and men,
the stock at the month's start (`month_start`, prefilled from last month's end) and end, the
new and the ended, of the ended to work / studies / a subsidised job / with a plan, and the
profile of the **new** participants (anonymous; of the registered: under 30, more than 3 years
on public support, education). The profile of those already enrolled (`start_*`) is asked
once, in the first report of the year that answers it. The year, per intervention and per
women/men:

- **participants during the year** (people) = the stock at the start of the first reported
  month + every month's new participants. The start stock is `month_start`; in a report of the
  old shape (no `month_start`) it follows from the month (start + new − ended = end):
  `month_end − new + ended` (never below 0). Someone there on 1 January, or who came and left
  in the first month, is counted once.
- **ended**, **to work**, **to studies**, **to a subsidised job**, **with a plan**: sums over
  the months (each person ends once). **Share to work or studies** = (to work + to studies) /
  ended, for all, women and men (anonymous participants are in it: the form does not tell
  them apart among the ended).
- **profile** (of the registered, as the annual report prints it): the people profiled are
  the start stock of the first month in the new shape plus the new from then on; anonymous =
  `start_anonymous` + Σ `new_anonymous`; registered = profiled − anonymous; under 30, more
  than 3 years on support and each education level = the `start_*` count + Σ the `new_*`
  counts, each divided by the registered; women = registered women / registered. So a
  long-staying person counts once, not once a month (a simulation of 196 people gave 66 %
  "more than 3 years on support" by averaging month-end stocks where 40 % was true).
- a year reported only in the **old shape** (the profile of the month-end stock, before the
  per-person form) keeps the old method for its profile, flagged as such
  (`profile_basis` "person_months"): under 30 and more than 3 years = their monthly counts
  summed / participants at month end summed; women = women / participants. A total over
  interventions where some reported in the new shape profiles the people of those (the
  export's `registered` says how many).

Months without a report add nothing (the export shows which are missing). Every report counts
with its latest answers, whatever its review status (a report sent back is still the best
figure there is until it is corrected). Figures are exact: the <5 rule applies where they are
posted to a channel, not here. The national average and the board's target, per year, are
settings (`Comparison`), shown beside the share to work or studies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Engine

from workflows.calendar import Period
from workflows.comparisons import Comparison
from workflows.interventions import InterventionInfo, all_interventions
from workflows.overview import owing
from workflows.reports import reports_in

MONTH_START = "month_start"
MONTH_END = "month_end"
NEW = "new"
ENDED = "ended"
TO_WORK = "to_work"
TO_STUDIES = "to_studies"
TO_SUBSIDISED_JOB = "to_subsidised_job"
WITH_PLAN = "with_plan"
UNDER_30 = "under_30"
OVER_3_YEARS = "over_3_years"
ANONYMOUS = "anonymous"
EDUCATION_COMPULSORY = "education_compulsory"
EDUCATION_UPPER_SECONDARY = "education_upper_secondary"
EDUCATION_POST_SECONDARY = "education_post_secondary"
# The profile, asked of the new (`new_<x>`) and once a year of those enrolled (`start_<x>`).
PROFILE = (
    ANONYMOUS,
    UNDER_30,
    OVER_3_YEARS,
    EDUCATION_COMPULSORY,
    EDUCATION_UPPER_SECONDARY,
    EDUCATION_POST_SECONDARY,
)
# The monthly form's split counts the table reads (a test checks the shipped form has them).
FIELDS_USED = (
    MONTH_START,
    MONTH_END,
    NEW,
    ENDED,
    TO_WORK,
    TO_STUDIES,
    TO_SUBSIDISED_JOB,
    WITH_PLAN,
    *(f"new_{item}" for item in PROFILE),
    *(f"start_{item}" for item in PROFILE),
)
PEOPLE = "people"  # profile_basis: each person once
PERSON_MONTHS = "person_months"  # profile_basis: the old shape's month-end stocks


@dataclass(frozen=True)
class Split:
    women: int = 0
    men: int = 0

    @property
    def total(self) -> int:
        return self.women + self.men

    def __add__(self, other: Split) -> Split:
        return Split(self.women + other.women, self.men + other.men)


SPLITS = ("women", "men")


def split_of(answers: Mapping[str, Any], field: str) -> Split:
    return Split(_count(answers.get(f"{field}_women")), _count(answers.get(f"{field}_men")))


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Shares:
    total: float | None
    women: float | None
    men: float | None


@dataclass(frozen=True)
class ParticipantFigures:
    months: int  # monthly reports counted
    participants: Split  # people: the start stock + the new
    ended: Split
    to_work: Split
    to_studies: Split
    to_subsidised_job: Split
    with_plan: Split
    # the profile by person (reports in the new shape)
    profiled: Split  # the people the profile is of, anonymous included
    anonymous: Split
    under_30: Split  # of the registered
    over_3_years: Split
    education_compulsory: Split
    education_upper_secondary: Split
    education_post_secondary: Split
    # the old shape: profile of the month-end stocks, summed over its months
    old_months: int
    month_end_sum: Split  # participant-months
    old_under_30: Split
    old_over_3_years: Split

    @property
    def work_or_studies(self) -> Split:
        return self.to_work + self.to_studies

    @property
    def work_or_studies_share(self) -> Shares:
        went, ended = self.work_or_studies, self.ended
        return Shares(
            ratio(went.total, ended.total),
            ratio(went.women, ended.women),
            ratio(went.men, ended.men),
        )

    @property
    def registered(self) -> Split:
        """The registered people the profile is of (the profiled without the anonymous)."""
        return Split(
            max(0, self.profiled.women - self.anonymous.women),
            max(0, self.profiled.men - self.anonymous.men),
        )

    @property
    def profile_basis(self) -> str | None:
        """PEOPLE when some report is in the new shape, PERSON_MONTHS for a year in the old
        shape only, None without reports."""
        if self.profiled.total or self.months > self.old_months:
            return PEOPLE
        return PERSON_MONTHS if self.old_months else None

    def _of_registered(self, count: Split) -> float | None:
        return ratio(count.total, self.registered.total)

    @property
    def women_share(self) -> float | None:
        if self.profile_basis == PEOPLE:
            return ratio(self.registered.women, self.registered.total)
        return ratio(self.participants.women, self.participants.total)

    @property
    def under_30_share(self) -> float | None:
        if self.profile_basis == PEOPLE:
            return self._of_registered(self.under_30)
        return ratio(self.old_under_30.total, self.month_end_sum.total)

    @property
    def over_3_years_share(self) -> float | None:
        if self.profile_basis == PEOPLE:
            return self._of_registered(self.over_3_years)
        return ratio(self.old_over_3_years.total, self.month_end_sum.total)

    def _education_share(self, count: Split) -> float | None:
        return self._of_registered(count) if self.profile_basis == PEOPLE else None

    @property
    def education_compulsory_share(self) -> float | None:
        return self._education_share(self.education_compulsory)

    @property
    def education_upper_secondary_share(self) -> float | None:
        return self._education_share(self.education_upper_secondary)

    @property
    def education_post_secondary_share(self) -> float | None:
        return self._education_share(self.education_post_secondary)

    def __add__(self, other: ParticipantFigures) -> ParticipantFigures:
        values = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(ParticipantFigures)
        }
        return ParticipantFigures(**values)


_SPLIT_FIELDS = [
    f.name for f in fields(ParticipantFigures) if f.name not in ("months", "old_months")
]
NO_FIGURES = ParticipantFigures(months=0, old_months=0, **{name: Split() for name in _SPLIT_FIELDS})


def new_shape(answers: Mapping[str, Any]) -> bool:
    """A report of the per-person form: it states the month's start stock."""
    return f"{MONTH_START}_women" in answers or f"{MONTH_START}_men" in answers


def _start_stock(answers: Mapping[str, Any]) -> Split:
    if new_shape(answers):
        return split_of(answers, MONTH_START)
    end, new, ended = (split_of(answers, key) for key in (MONTH_END, NEW, ENDED))
    return Split(max(0, end.women - new.women + ended.women), max(0, end.men - new.men + ended.men))


def _answered_start_profile(answers: Mapping[str, Any]) -> bool:
    return any(f"start_{item}_{split}" in answers for item in PROFILE for split in SPLITS)


def figures_of_months(months: Sequence[Mapping[str, Any]]) -> ParticipantFigures:
    """One intervention's year from its monthly answers, in month order (see the module's
    docstring for the rules)."""
    if not months:
        return NO_FIGURES

    def summed(field: str, of: Sequence[Mapping[str, Any]] = months) -> Split:
        return sum((split_of(m, field) for m in of), Split())

    old = [m for m in months if not new_shape(m)]
    first_new = next((i for i, m in enumerate(months) if new_shape(m)), None)
    person: dict[str, Split] = {item: Split() for item in PROFILE}
    profiled = Split()
    if first_new is not None:
        later = months[first_new:]
        profiled = _start_stock(months[first_new]) + summed(NEW, later)
        start = next((m for m in later if _answered_start_profile(m)), {})
        person = {
            item: split_of(start, f"start_{item}") + summed(f"new_{item}", later)
            for item in PROFILE
        }
    return ParticipantFigures(
        months=len(months),
        participants=_start_stock(months[0]) + summed(NEW),
        ended=summed(ENDED),
        to_work=summed(TO_WORK),
        to_studies=summed(TO_STUDIES),
        to_subsidised_job=summed(TO_SUBSIDISED_JOB),
        with_plan=summed(WITH_PLAN),
        profiled=profiled,
        anonymous=person[ANONYMOUS],
        under_30=person[UNDER_30],
        over_3_years=person[OVER_3_YEARS],
        education_compulsory=person[EDUCATION_COMPULSORY],
        education_upper_secondary=person[EDUCATION_UPPER_SECONDARY],
        education_post_secondary=person[EDUCATION_POST_SECONDARY],
        old_months=len(old),
        month_end_sum=summed(MONTH_END, old),
        old_under_30=summed(UNDER_30, old),
        old_over_3_years=summed(OVER_3_YEARS, old),
    )


def total_of(figures: Iterable[ParticipantFigures]) -> ParticipantFigures:
    return sum(figures, NO_FIGURES)


@dataclass(frozen=True)
class ParticipantRow:
    intervention: InterventionInfo
    figures: ParticipantFigures


@dataclass(frozen=True)
class ParticipantTable:
    year: int
    through_month: int
    rows: tuple[ParticipantRow, ...]
    total: ParticipantFigures


def participant_table(engine: Engine, year: int, *, through_month: int = 12) -> ParticipantTable:
    """The table for `year` (months 1 … `through_month`): a row per intervention that owes a
    monthly report in those months, sorted by name, and the total of all of them."""
    periods = [Period.month(year, month) for month in range(1, through_month + 1)]
    reports = reports_in(engine, [period.label for period in periods])
    interventions = all_interventions(engine)
    rows = []
    for info in interventions:
        owed = [p for p in periods if owing([info], p, due=None)]  # figures of all reports
        if not owed:
            continue
        answers = [
            reports[(info.id, p.label)].answers for p in owed if (info.id, p.label) in reports
        ]
        rows.append(ParticipantRow(info, figures_of_months(answers)))
    return ParticipantTable(year, through_month, tuple(rows), total_of(row.figures for row in rows))


def whole_percent(share: float | None) -> int | None:
    """A share as the annual report prints it: a whole percent, rounded half up."""
    if share is None:
        return None
    return int((Decimal(str(share)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def paragraph_values(figures: ParticipantFigures, comparison: Comparison) -> dict[str, object]:
    """The values of the annual report's participant paragraph (templates/<lang>/
    participants.j2 `paragraph`): people, not person-months."""
    went = figures.work_or_studies
    registered = figures.registered
    return {
        "participants": figures.participants.total,
        "registered": registered.total if figures.profile_basis == PEOPLE else None,
        "anonymous": figures.anonymous.total if figures.profile_basis == PEOPLE else None,
        "ended": figures.ended.total,
        "went": went.total,
        "went_women": went.women,
        "went_men": went.men,
        "share": whole_percent(figures.work_or_studies_share.total),
        "women": whole_percent(figures.women_share),
        "men": (
            None if figures.women_share is None else 100 - (whole_percent(figures.women_share) or 0)
        ),
        "under_30": whole_percent(figures.under_30_share),
        "over_3_years": whole_percent(figures.over_3_years_share),
        "compulsory": whole_percent(figures.education_compulsory_share),
        "post_secondary": whole_percent(figures.education_post_secondary_share),
        "by_people": figures.profile_basis == PEOPLE,
        "national_year": comparison.national[0] if comparison.national else None,
        "national": whole_percent(comparison.national[1]) if comparison.national else None,
        "target_year": comparison.target[0] if comparison.target else None,
        "target": whole_percent(comparison.target[1]) if comparison.target else None,
    }
