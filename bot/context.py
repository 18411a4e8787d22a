"""What every listener needs, built once per app: the database, the clock, the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings
from store.db import Engine
from store.models import ReportKind
from workflows.budget_answers import BudgetAnswers
from workflows.budget_status import BudgetRules
from workflows.clock import Clock
from workflows.comparisons import Comparison
from workflows.forms import FormDefinition, load_forms
from workflows.languages import preferred_language
from workflows.lru import Lru
from workflows.reports import Reporting
from workflows.texts import Texts
from workflows.working_days import WorkingDays


class Bell:
    """Rings the outbox: `serve` connects it to an immediate dispatch, so a confirmation does
    not wait for the next tick; unconnected (tests, CLI) it does nothing."""

    def __init__(self) -> None:
        self._ring: Callable[[], None] | None = None

    def connect(self, ring: Callable[[], None]) -> None:
        self._ring = ring

    def ring(self) -> None:
        if self._ring is not None:
            self._ring()


@dataclass(frozen=True)
class BotContext:
    engine: Engine
    answers: BudgetAnswers
    rendered: Lru[list[dict[str, Any]]]
    clock: Clock
    tz: ZoneInfo
    rules: BudgetRules
    language: str
    reporting: Reporting = field(default_factory=Reporting.default)
    office_channel: str | None = None
    forms: dict[ReportKind, FormDefinition] = field(default_factory=load_forms)
    outbox_bell: Bell = field(default_factory=lambda: Bell())
    small_count_threshold: int = 5  # channel posts show smaller counts as "<5"
    association_name: str | None = None  # FINSAM_ASSOCIATION_NAME: workbooks' title rows
    # The national average and the board's target for a year's share to work or studies.
    comparison: Callable[[int], Comparison] | None = None

    def texts_for(self, user_id: str | None = None) -> Texts:
        """The texts for a user (or a DM addressed by user id): their chosen language, else the
        association's. Without a user, or for a channel id, the association's language. Cached
        per user (workflows.languages), so a message does not cost a query."""
        return Texts(preferred_language(self.engine, user_id, self.language))

    def today_year(self) -> int:
        return self.clock.now().astimezone(self.tz).year


def build_context(settings: Settings, *, engine: Engine, clock: Clock) -> BotContext:
    """The context of one process, from its settings (bot/composition.py builds the rest)."""
    return BotContext(
        engine=engine,
        answers=BudgetAnswers(engine, rules=settings.budget_rules),
        rendered=Lru(),
        clock=clock,
        tz=settings.tz,
        rules=settings.budget_rules,
        language=settings.finsam_language,
        reporting=Reporting(settings.calendar_rules, WorkingDays()),
        office_channel=settings.finsam_office_channel,
        forms=load_forms(settings.finsam_forms_dir),
        small_count_threshold=settings.finsam_small_count_threshold,
        association_name=settings.finsam_association_name,
        comparison=settings.to_work_comparison,
    )
