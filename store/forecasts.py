"""The year's forecast kept at the 30 September milestone: one row per year."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from store.models import BudgetForecast


def get_forecast(session: Session, year: int) -> BudgetForecast | None:
    return session.exec(select(BudgetForecast).where(BudgetForecast.year == year)).first()


def keep_forecast(session: Session, forecast: BudgetForecast) -> tuple[BudgetForecast, bool]:
    """Insert the year's forecast unless one is kept already (then that one is returned, and
    False): the row is keyed by year, so two processes keeping it at once store it once."""
    found = get_forecast(session, forecast.year)
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            session.add(forecast)
            session.flush()
    except IntegrityError:
        kept = get_forecast(session, forecast.year)
        assert kept is not None  # the other process's row
        return kept, False
    return forecast, True
