"""The budget chart: budget against money spent per intervention, as a PNG."""

from __future__ import annotations

import io

from store.models import Category
from workflows.budget_status import BudgetStatus
from workflows.texts import Texts


def render_budget_chart(status: BudgetStatus, texts: Texts) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    lines = [line for line in status.lines if line.category == Category.intervention]
    labels = [f"{line.name} ({line.owner})" if line.owner else line.name for line in lines]
    budget = [line.budget / 1000 for line in lines]
    spent = [line.spent / 1000 for line in lines]
    height = max(3.0, 0.45 * len(lines) + 1.5)
    figure = Figure(figsize=(9, height), dpi=100)
    axes = figure.add_subplot()
    positions = list(range(len(lines)))
    axes.barh(
        [p + 0.2 for p in positions],
        budget,
        height=0.4,
        label=texts.get("budget", "chart_budget"),
        color="#b7c9e2",
    )
    axes.barh(
        [p - 0.2 for p in positions],
        spent,
        height=0.4,
        label=texts.get("budget", "chart_spent"),
        color="#1f5fa8",
    )
    axes.set_yticks(positions, labels=labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel(texts.get("budget", "chart_axis"))
    axes.set_title(texts.get("budget", "chart_title", year=status.year))
    axes.legend(loc="lower right")
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
