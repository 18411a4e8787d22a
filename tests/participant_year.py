"""A simulated year of one intervention's participants, person by person, shaped like the 2017
annual report (seeds 001: 196 took part, 195 registered and 1 anonymous, 164 ended, 31 of them
to work or studies, 18 women and 13 men; of the registered 57 % women, 41 % under 30, 40 % more
than 3 years on public support, 41 % compulsory school or less, 17 % post-secondary), and the
monthly answers it gives in the per-person form and in the old one (the profile of the
month-end stock). Those more than 3 years on support stay long, so averaging month-end stocks
over-counts them: 66 % where 40 % is true."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SPLITS = ("women", "men")
PROFILE = (
    "anonymous",
    "under_30",
    "over_3_years",
    "education_compulsory",
    "education_upper_secondary",
    "education_post_secondary",
)


@dataclass(frozen=True)
class Person:
    woman: bool
    anonymous: bool
    under_30: bool
    over_3_years: bool
    education: str  # compulsory / upper_secondary / post_secondary
    arrives: int  # 0: enrolled before the year; else the month they came
    ends: int | None  # the month they ended; None: still enrolled at the year's end
    to_work: bool = False
    to_studies: bool = False

    def present_at_end_of(self, month: int) -> bool:
        return self.arrives <= month and (self.ends is None or self.ends > month)

    def present_at_start_of(self, month: int) -> bool:
        return self.arrives < month and (self.ends is None or self.ends >= month)

    def has(self, item: str) -> bool:
        if item == "anonymous":
            return self.anonymous
        if self.anonymous:
            return False  # the profile is of the registered
        if item.startswith("education_"):
            return self.education == item.removeprefix("education_")
        return bool(getattr(self, item))


def people() -> list[Person]:
    """78 long stayers (more than 3 years on support) enrolled before the year, 46 of whom
    end in December; 118 short stayers who come during the year and stay 3 or 4 months."""
    found: list[Person] = []
    went = {"women": 0, "men": 0}
    for i in range(196):
        anonymous = i == 195
        registered = i if not anonymous else 0
        woman = not anonymous and (registered * 7) % 195 < 111
        education_rank = (registered * 17) % 195
        education = (
            "compulsory"
            if education_rank < 80
            else "post_secondary"
            if education_rank < 113
            else "upper_secondary"
        )
        if i < 78:
            arrives, ends = 0, (12 if i < 46 else None)
        else:
            j = i - 78
            stay = 4 if j < 104 else 3
            arrives = 1 + j % 8
            ends = arrives + stay
        split = "women" if woman else "men"
        wanted = {"women": 18, "men": 13}[split]
        goes = ends is not None and went[split] < wanted and i % 3 == 0
        if goes:
            went[split] += 1
        found.append(
            Person(
                woman=woman,
                anonymous=anonymous,
                under_30=not anonymous and (registered * 11) % 195 < 80,
                over_3_years=i < 78,
                education=education,
                arrives=arrives,
                ends=ends,
                to_work=goes and i % 2 == 0,
                to_studies=goes and i % 2 == 1,
            )
        )
    assert went == {"women": 18, "men": 13}, went
    return found


def _split(persons: list[Person], key: str) -> dict[str, int]:
    return {
        f"{key}_women": sum(1 for p in persons if p.woman),
        f"{key}_men": sum(1 for p in persons if not p.woman),
    }


def month_answers(persons: list[Person], month: int, *, shape: str = "new") -> dict[str, Any]:
    """What the lead answers for `month`: the per-person form ("new"; the year's first report
    also gives the profile of those enrolled at its start) or the old one ("old")."""
    new = [p for p in persons if p.arrives == month]
    ended = [p for p in persons if p.ends == month]
    at_end = [p for p in persons if p.present_at_end_of(month)]
    answers: dict[str, Any] = {}
    answers |= _split(new, "new")
    answers |= _split(ended, "ended")
    answers |= _split(at_end, "month_end")
    answers |= _split([p for p in ended if p.to_work], "to_work")
    answers |= _split([p for p in ended if p.to_studies], "to_studies")
    answers |= _split([], "to_subsidised_job") | _split([], "with_plan")
    if shape == "old":
        for item in ("under_30", "over_3_years", "anonymous"):
            answers |= _split([p for p in at_end if p.has(item)], item)
        return answers
    at_start = [p for p in persons if p.present_at_start_of(month)]
    answers |= _split(at_start, "month_start")
    for item in PROFILE:
        answers |= _split([p for p in new if p.has(item)], f"new_{item}")
        if month == 1:
            answers |= _split([p for p in at_start if p.has(item)], f"start_{item}")
    return answers


def year_answers(shape: str = "new") -> list[dict[str, Any]]:
    persons = people()
    return [month_answers(persons, month, shape=shape) for month in range(1, 13)]
