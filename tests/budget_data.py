"""Spending files for tests and the demo's shape: rows of (month, category, name, owner, tkr)."""

from __future__ import annotations

from pathlib import Path

from simulator.samples import BUDGET_2026, sample_path

SAMPLE_2026 = sample_path(BUDGET_2026)  # the demo's budget, shipped in the package
SAMPLE_2024 = Path(__file__).resolve().parent / "data" / "budget-uppsala-2024.csv"
HEADER = "year,month,category,name,owner,amount_tkr\n"


def write_spending(path: Path, year: int, rows: list[tuple[int, str, str, str, str]]) -> Path:
    lines = [
        f'{year},{month},{category},"{name}",{owner},"{amount}"\n'
        for month, category, name, owner, amount in rows
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path
