"""How long report free text and sent messages are kept (FINSAM_RETENTION_MONTHS; 0: for
ever). A samordningsförbund is a public body: what it receives is kept or culled by its own
decision (gallringsbeslut in its dokumenthanteringsplan), so the bot deletes nothing unless
the office sets the months. Figures (participants, money) are aggregates and always kept;
what goes is what may hold personal data: free-text answers, review comments, messages."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from store.db import session_scope
from store.models import ReportKind
from store.retention import Cleared, clear_before
from workflows.forms import GOALS_MAX, FormDefinition, InputType, inputs

# Goal comments are inputs per goal (goal_1_comment …, goal_rest_comment past GOALS_MAX,
# goal_all_comment without goals): these goal counts give every id a form can have.
_GOAL_COUNTS = (0, GOALS_MAX, GOALS_MAX + 1)


def text_inputs(forms: dict[ReportKind, FormDefinition]) -> dict[ReportKind, set[str]]:
    """The ids of every free-text input each form can have, whatever the goals."""
    return {
        kind: {
            item.id
            for count in _GOAL_COUNTS
            for item in inputs(form, [f"mål {n}" for n in range(1, count + 1)])
            if item.type is InputType.TEXT
        }
        for kind, form in forms.items()
    }


def cutoff(now: datetime, months: int) -> datetime:
    """`months` calendar months before `now` (the day clamped to the month's length)."""
    total = now.year * 12 + now.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    day = min(now.day, _days_in(year, month))
    return now.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def apply_retention(
    engine: Engine,
    forms: dict[ReportKind, FormDefinition],
    *,
    months: int,
    now: datetime,
) -> Cleared | None:
    """Clear what is older than `months`; None when retention is off (0)."""
    if months <= 0:
        return None
    with session_scope(engine) as session:
        return clear_before(session, cutoff(now, months), text_inputs=text_inputs(forms))
