"""Made-up books for the demo: money booked per cost line and month, varied so that some
lines run on pace, some lag and one overspends."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

# Share of the monthly budget each line spends, by its position among the cost lines.
PACES = (
    Decimal("1.0"),
    Decimal("0.95"),
    Decimal("1.1"),
    Decimal("0.5"),
    Decimal("1.0"),
    Decimal("1.35"),
)


def write_sample_books(budget_file: Path, out: Path, *, through_month: int) -> Path:
    """A spending file for every cost line of `budget_file`, months 1..through_month."""
    with budget_file.open(encoding="utf-8-sig", newline="") as source:
        lines = [row for row in csv.DictReader(source) if row["section"] == "cost"]
    with out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["year", "month", "category", "name", "owner", "amount_tkr"])
        for index, row in enumerate(lines):
            monthly = Decimal(row["amount_tkr"]) / 12 * PACES[index % len(PACES)]
            for month in range(1, through_month + 1):
                amount = monthly.quantize(Decimal("0.1"))
                writer.writerow(
                    [
                        row["year"],
                        month,
                        row["category"],
                        row["name"],
                        row["owner"],
                        str(amount).replace(".", ","),
                    ]
                )
    return out
