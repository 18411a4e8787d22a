"""The figures the annual table's share to work or studies is compared with: the national
average and the board's targets, per year, as the office sets them
(`FINSAM_NATIONAL_TO_WORK_SHARE`, `FINSAM_TARGET_TO_WORK_SHARE`). No heavy imports: settings
check them when read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_YEAR_SHARE = re.compile(r"\s*(\d{4})\s*:\s*(\d+(?:[.,]\d+)?)\s*(%?)\s*")


@dataclass(frozen=True)
class YearShares:
    """Shares by year, as the office writes them in a setting: "2016:0.33;2022:0.30" (a
    fraction, or a percent: "2016:33%"; entries separated by `;` or `,`). For a year, the
    entry of the latest year up to it counts (the national figure of 2016 in the 2017 report;
    the 2024 plan's target until a later plan sets another)."""

    by_year: tuple[tuple[int, Decimal], ...] = ()

    @classmethod
    def parse(cls, text: str) -> YearShares:
        """ValueError naming the entry that is not `YEAR:SHARE` with a share from 0 to 1."""
        found: dict[int, Decimal] = {}
        for entry in re.split(r";|,(?=\s*\d{4}\s*:)", text or ""):
            if not entry.strip():
                continue
            match = _YEAR_SHARE.fullmatch(entry)
            if match is None:
                raise ValueError(f"{entry.strip()!r} is not YEAR:SHARE (e.g. 2016:0.33)")
            year, number, percent = match.groups()
            try:
                share = Decimal(number.replace(",", "."))
            except InvalidOperation as err:  # pragma: no cover - the pattern allows numbers only
                raise ValueError(f"{entry.strip()!r}: not a number") from err
            share = share / 100 if percent else share
            if not 0 <= share <= 1:
                raise ValueError(f"{entry.strip()!r}: a share is from 0 to 1 (or 0 % to 100 %)")
            found[int(year)] = share
        return cls(tuple(sorted(found.items())))

    def for_year(self, year: int) -> tuple[int, float] | None:
        """(the year the share is from, the share) for `year`; None when none is that old."""
        chosen = [(y, share) for y, share in self.by_year if y <= year]
        return (chosen[-1][0], float(chosen[-1][1])) if chosen else None


@dataclass(frozen=True)
class Comparison:
    """What the share to work or studies is compared with: (year, share) or None each."""

    national: tuple[int, float] | None = None
    target: tuple[int, float] | None = None

    @classmethod
    def of(cls, year: int, national: YearShares, target: YearShares) -> Comparison:
        return cls(national.for_year(year), target.for_year(year))
