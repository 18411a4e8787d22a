"""The annual report's participant table (DOMAIN.md "Follow-up of interventions"), derived from
the monthly reports: participants during the year, ended, went on to work or studies (women,
men, and as a share of those who ended), and the profile shares.

The monthly form (templates/forms/monthly.yml) asks for stocks and flows per month, each split
into women and men: participants at the month's end (`month_end`), new during the month
(`new`), ended during it (`ended`), of the ended to work / studies / a subsidised job / with a
rehabilitation plan, and of those at the month's end under 30 and more than 3 years on public
support. The year is derived like this, per intervention and per women/men:

- **participants during the year** = the stock at the start of the first reported month + every
  month's new participants. The start stock is not asked for; it follows from the first month
  (start + new − ended = end): `month_end − new + ended` of that month (never below 0). So
  someone who was there on 1 January, or came and left in the first month, is counted once.
- **ended**, **to work**, **to studies**, **to a subsidised job**, **with a plan**: the sums
  over the reported months.
- **share to work or studies** = (to work + to studies) / ended, for all, women and men.
- **profile shares**: women = women / participants during the year; under 30 and more than
  3 years on support = their monthly counts summed / participants at month end summed, i.e.
  the average over the reported months weighted by size (the form asks for them of the
  participants at the month's end).

Months without a report add nothing (the export shows which are missing). Every report counts
with its latest answers, whatever its review status (a report sent back is still the best
figure there is until it is corrected). Figures are exact: the <5 rule applies where they are
posted to a channel, not here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Engine

from workflows.calendar import Period
from workflows.interventions import InterventionInfo, all_interventions
from workflows.overview import owing
from workflows.reports import reports_in

MONTH_END = "month_end"
NEW = "new"
ENDED = "ended"
TO_WORK = "to_work"
TO_STUDIES = "to_studies"
TO_SUBSIDISED_JOB = "to_subsidised_job"
WITH_PLAN = "with_plan"
UNDER_30 = "under_30"
OVER_3_YEARS = "over_3_years"
# The monthly form's split counts the table reads (a test checks the shipped form has them).
FIELDS_USED = (
    MONTH_END,
    NEW,
    ENDED,
    TO_WORK,
    TO_STUDIES,
    TO_SUBSIDISED_JOB,
    WITH_PLAN,
    UNDER_30,
    OVER_3_YEARS,
)


@dataclass(frozen=True)
class Split:
    women: int = 0
    men: int = 0

    @property
    def total(self) -> int:
        return self.women + self.men

    def __add__(self, other: Split) -> Split:
        return Split(self.women + other.women, self.men + other.men)


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
    participants: Split
    ended: Split
    to_work: Split
    to_studies: Split
    to_subsidised_job: Split
    with_plan: Split
    month_end_sum: Split  # participant-months: what the profile shares are of
    under_30: Split  # summed over the months
    over_3_years: Split

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
    def women_share(self) -> float | None:
        return ratio(self.participants.women, self.participants.total)

    @property
    def under_30_share(self) -> float | None:
        return ratio(self.under_30.total, self.month_end_sum.total)

    @property
    def over_3_years_share(self) -> float | None:
        return ratio(self.over_3_years.total, self.month_end_sum.total)

    def __add__(self, other: ParticipantFigures) -> ParticipantFigures:
        values = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(ParticipantFigures)
        }
        return ParticipantFigures(**values)


NO_FIGURES = ParticipantFigures(0, *(Split() for _ in range(9)))


def figures_of_months(months: Sequence[Mapping[str, Any]]) -> ParticipantFigures:
    """One intervention's year from its monthly answers, in month order (see the module's
    docstring for the rules)."""
    if not months:
        return NO_FIGURES
    first = months[0]
    start = split_of(first, MONTH_END)
    start = Split(
        max(0, start.women - split_of(first, NEW).women + split_of(first, ENDED).women),
        max(0, start.men - split_of(first, NEW).men + split_of(first, ENDED).men),
    )

    def summed(field: str) -> Split:
        return sum((split_of(m, field) for m in months), Split())

    return ParticipantFigures(
        months=len(months),
        participants=start + summed(NEW),
        ended=summed(ENDED),
        to_work=summed(TO_WORK),
        to_studies=summed(TO_STUDIES),
        to_subsidised_job=summed(TO_SUBSIDISED_JOB),
        with_plan=summed(WITH_PLAN),
        month_end_sum=summed(MONTH_END),
        under_30=summed(UNDER_30),
        over_3_years=summed(OVER_3_YEARS),
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
