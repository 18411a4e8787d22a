"""What every listener needs, built once per app: the database, the clock, the settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from store.db import Engine
from workflows.budget_answers import BudgetAnswers
from workflows.budget_status import BudgetRules
from workflows.clock import Clock
from workflows.lru import Lru
from workflows.texts import Texts


@dataclass(frozen=True)
class BotContext:
    engine: Engine
    answers: BudgetAnswers
    rendered: Lru[list[dict[str, Any]]]
    clock: Clock
    tz: ZoneInfo
    rules: BudgetRules
    language: str

    def texts_for(self, _user_id: str | None = None) -> Texts:
        """The user's language (per-user choice comes with the board-year issue)."""
        return Texts(self.language)

    def today_year(self) -> int:
        return self.clock.now().astimezone(self.tz).year
