"""One page per intervention of the quarterly compilation (workflows/quarterly_compilation.py),
which the office sends to the intervention's steering group or local group (*Lokusgrupp*) in
Slack: shown to office staff first (`/finsam kvartal INSATS [år]`), then posted to the
channel they choose, exactly once per choice (an outbox row keyed by the modal submitted,
kind `quarterly_page`; what the page says is read when it is sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from store.db import session_scope
from store.errors import BadArgument, NotFoundError
from workflows.forms import FormDefinition
from workflows.interventions import InterventionInfo, all_interventions, get_intervention
from workflows.outbox import plan
from workflows.outbox_keys import quarterly_page_key
from workflows.outbox_kinds import QuarterlyPagePayload
from workflows.overview import require_office
from workflows.quarterly_compilation import (
    InterventionQuarters,
    check_quarter,
    compile_quarters,
)

KIND = QuarterlyPagePayload.KIND
REFUSAL = "quarterly_office_only"
NAMES_SHOWN = 5  # of the interventions a query matches, in the message that says so


@dataclass(frozen=True)
class Page:
    """An intervention's goals over quarters 1..`until` of `year`."""

    year: int
    until: int
    intervention: InterventionQuarters


def find_intervention(engine: Engine, query: str) -> InterventionInfo:
    """The intervention named `query` (any case; "Växtkraft Enköping" names it with its
    owner), else the only one whose name and owner contain it. NotFoundError for none,
    BadArgument naming them for several."""
    wanted = " ".join(query.casefold().split())
    found = all_interventions(engine)

    def label(info: InterventionInfo) -> str:
        return f"{info.name} {info.owner}".casefold()

    exact = [i for i in found if wanted in (i.name.casefold(), label(i))]
    matches = exact or [i for i in found if wanted in label(i)]
    if not matches:
        raise NotFoundError("quarterly_no_intervention", query=query)
    if len(matches) > 1:
        names = [info.label for info in matches[:NAMES_SHOWN]]
        raise BadArgument("quarterly_many_interventions", query=query, names=names)
    return matches[0]


def office_page(
    engine: Engine,
    user_id: str,
    *,
    intervention_id: int,
    year: int,
    until: int,
    form: FormDefinition | None = None,
) -> Page:
    """The page, for office staff and the director only (AccessDenied otherwise)."""
    require_office(engine, user_id, refusal=REFUSAL)
    return page(engine, intervention_id=intervention_id, year=year, until=until, form=form)


def page(
    engine: Engine,
    *,
    intervention_id: int,
    year: int,
    until: int,
    form: FormDefinition | None = None,
) -> Page:
    compiled = compile_quarters(
        engine, year, check_quarter(until), form=form, intervention_id=intervention_id
    )
    found = compiled.intervention(intervention_id)
    assert found is not None  # compile_quarters raised otherwise
    return Page(year, until, found)


def plan_page(
    engine: Engine,
    *,
    user_id: str,
    intervention_id: int,
    year: int,
    until: int,
    channel: str,
    view_id: str,
    now: datetime,
    today: date,
) -> bool:
    """Plan the post of the page to `channel` for office staff; False when this submission
    was planned already (a delivery of it again)."""
    require_office(engine, user_id, refusal=REFUSAL)
    check_quarter(until)
    get_intervention(engine, intervention_id)  # NotFoundError when it is gone
    with session_scope(engine) as session:
        return plan(
            session,
            key=quarterly_page_key(
                intervention_id, year=year, until=until, channel=channel, view_id=view_id
            ),
            channel=channel,
            payload=QuarterlyPagePayload(
                intervention_id=intervention_id,
                year=year,
                until=until,
                sent_by=user_id,
                date=today,
            ),
            now=now,
        )
