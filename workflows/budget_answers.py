"""Answers to the office's budget questions: the role check and the figures in one session,
and a small cache, because every office user asking about the same data gets the same
figures. The cache is keyed by the year's revision, which every import bumps, so an answer
is never staler than the database (no time-based expiry)."""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import Engine

from store.budget import get_revision
from store.db import session_scope
from store.errors import AccessDenied
from store.people import roles_of
from workflows.budget_status import BudgetRules, BudgetStatus, load_budget_status
from workflows.lru import Lru
from workflows.people import OFFICE_ROLES

AnswerKey = tuple[Hashable, ...]


class BudgetAnswers:
    def __init__(self, engine: Engine, *, rules: BudgetRules) -> None:
        self._engine = engine
        self._rules = rules
        self._statuses: Lru[BudgetStatus] = Lru()

    def for_office(
        self, user_id: str, *, year: int, intervention: str | None = None
    ) -> tuple[AnswerKey, BudgetStatus]:
        """The status for an office user, with the key it is cached under (callers may
        cache what they render from it under the same key). AccessDenied for anyone else."""
        with session_scope(self._engine) as session:
            if not roles_of(session, user_id) & OFFICE_ROLES:
                raise AccessDenied("office_only")
            key: AnswerKey = (year, get_revision(session, year), intervention)
            status = self._statuses.get_or_compute(
                key,
                lambda: load_budget_status(
                    session, year=year, rules=self._rules, intervention=intervention
                ),
            )
        return key, status
