"""The application round (issue #13) on SQLite and PostgreSQL: applications registered by
the deadline with what they ask per year, every problem of a typed one at once (identity
numbers refused, sizes bounded), duplicates and resends, the round against next year's
room (the plan's decision room less what is already granted for it), and September's
decisions: a grant for next year (workflows/grants.py, in the same transaction) or a
rejection, each once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from simulator.samples import BOARD_CYCLE_2026, sample_path
from store.applications import ApplicationStatus
from store.errors import BadArgument, ConflictError, NotFoundError
from store.models import SupportKind
from workflows.applications import (
    TEXT_MAX,
    YEARS_MAX,
    ApplicationFields,
    application_round,
    check_application,
    deadline_of,
    field_of,
    grant_application,
    register_application,
    reject_application,
)
from workflows.board_cycle import import_cycle
from workflows.budget_files import import_budget_file
from workflows.budget_status import BudgetRules, budget_status_for
from workflows.grants import GrantFields, grants_of_year, record_grant

ORNSKOLDSVIK = Path(__file__).parent / "data" / "budget-ornskoldsvik-2026.csv"  # Plan 2027
TODAY = date(2026, 9, 22)
NOW = datetime(2026, 9, 22, 8, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)
RULES = BudgetRules(new_grants_individual_min=Decimal("0.70"))


def fields(**changes: object) -> ApplicationFields:
    base: dict[str, object] = {
        "received_on": "2026-05-04",
        "organisation": "Heby kommun",
        "owner": "Heby",
        "title": "Stöd till arbete",
        "support": "individual",
        "amounts_tkr": ("500", "450,5"),
    }
    base.update(changes)
    return ApplicationFields(**base)  # type: ignore[arg-type]


def register(engine: Engine, by: str = "U0OFFICE1", **changes: object) -> int:
    registered = register_application(
        engine, fields(**changes), today=TODAY, now=NOW, registered_by=by
    )
    assert registered.created
    return registered.application.id


def test_an_application_is_stored_with_its_years(engine: Engine) -> None:
    registered = register_application(
        engine, fields(), today=TODAY, now=NOW, registered_by="U0OFFICE1"
    )
    view = registered.application
    assert (view.for_year, view.received_on, view.support) == (
        2027,
        date(2026, 5, 4),
        SupportKind.individual,
    )
    assert view.amounts == ((2027, 500_000), (2028, 450_500))
    assert (view.first_year_kr, view.status, view.label) == (
        500_000,
        ApplicationStatus.received,
        "Stöd till arbete (Heby)",
    )
    [listed] = application_round(engine, 2027, rules=RULES).applications
    assert listed == view


def test_every_problem_at_once_each_at_its_field() -> None:
    draft, problems = check_application(
        ApplicationFields(
            received_on="2026-13-01",
            organisation="  ",
            owner="Heby",
            title="Stöd för 811218-9876",
            support="mycket",
            amounts_tkr=("500", "", "300"),
        ),
        today=TODAY,
    )
    assert draft is None
    assert [(p.code, field_of(p)) for p in problems] == [
        ("application_bad_date", "received_on"),
        ("application_missing_organisation", "organisation"),
        ("application_identity_number", "title"),
        ("application_bad_support", "support"),
        ("application_amount_gap", "amount_2"),
    ]
    _, problems = check_application(
        fields(
            received_on="2026-10-01",
            owner="x" * (TEXT_MAX + 1),
            amounts_tkr=("0",),
        ),
        today=TODAY,
    )
    assert [(p.code, field_of(p)) for p in problems] == [
        ("application_future_date", "received_on"),
        ("application_too_long", "owner"),
        ("application_amount_not_positive", "amount_1"),
    ]
    _, problems = check_application(fields(amounts_tkr=("", "")), today=TODAY)
    assert [p.code for p in problems] == ["application_missing_amount"]
    _, problems = check_application(fields(amounts_tkr=("1",) * (YEARS_MAX + 1)), today=TODAY)
    assert [p.code for p in problems] == ["application_too_many_years"]
    _, problems = check_application(fields(support="strukturinriktad"), today=TODAY)
    assert problems == []


def test_the_deadline_of_the_board_cycle_holds(engine: Engine) -> None:
    assert deadline_of(engine, 2026) is None  # no cycle: nothing to hold to
    import_cycle(engine, sample_path(BOARD_CYCLE_2026))
    assert deadline_of(engine, 2026) == date(2026, 5, 12)
    register(engine, received_on="2026-05-12")
    with pytest.raises(BadArgument) as late:
        register(engine, received_on="2026-05-13", title="Sent påkommen")
    assert late.value.code == "application_after_deadline"
    assert [a.title for a in application_round(engine, 2027, rules=RULES).applications] == [
        "Stöd till arbete"
    ]


def test_the_same_application_twice_is_one(engine: Engine) -> None:
    first = register(engine)
    again = register_application(
        engine,
        fields(title="STÖD TILL ARBETE", organisation="heby kommun"),
        today=TODAY,
        now=NOW + timedelta(minutes=1),
        registered_by="U0OFFICE1",
        resend_window=WINDOW,
    )
    assert (again.created, again.application.id) == (False, first)  # a resend
    cases = (("U0OTHER01", NOW, WINDOW), ("U0OFFICE1", NOW + timedelta(hours=1), WINDOW))
    for by, at, window in (*cases, ("U0OFFICE1", NOW, None)):  # None: the CLI's
        with pytest.raises(ConflictError) as twice:
            register_application(
                engine, fields(), today=TODAY, now=at, registered_by=by, resend_window=window
            )
        assert (twice.value.code, twice.value.params["id"]) == ("application_exists", first)
    # Another owner's application of the same name is another application.
    register(engine, owner="Tierp", organisation="Tierps kommun")
    assert len(application_round(engine, 2027, rules=RULES).applications) == 2


def test_the_round_against_next_years_room_then_september(engine: Engine) -> None:
    import_budget_file(engine, ORNSKOLDSVIK)
    plan = budget_status_for(engine, year=2027, rules=RULES)
    assert plan.plan
    # Already granted for 2027 (in the spring, from next year's room).
    record_grant(
        engine,
        GrantFields(
            decided_on="2026-04-14",
            intervention="Tidig insats",
            owner="Örnsköldsvik",
            amount_tkr="100",
            body="board",
            decided_by="Styrelsen § 3",
            support="individual",
            for_year="2027",
        ),
        today=TODAY,
        now=NOW,
        recorded_by="test",
    )
    work = register(engine)  # individual, 500 tkr in 2027
    mapping = register(engine, title="Kartläggning", support="structural", amounts_tkr=("300",))
    late_idea = register(engine, title="Ny idé", support="structural", amounts_tkr=("200",))

    round_ = application_round(engine, 2027, rules=RULES)
    assert round_.room is not None and round_.plan
    assert (round_.room.to_decide, round_.room.granted) == (plan.to_decide, 100_000)
    assert round_.room.left == plan.to_decide - 100_000
    assert round_.applied == 1_000_000
    assert round_.applied_individual_share == Decimal("0.5")
    assert round_.left_after == plan.to_decide - 100_000 - 1_000_000

    application, grant = grant_application(
        engine,
        work,
        decided_on="2026-09-22",
        decided_by="Styrelsen § 12",
        recorded_by="test",
        today=TODAY,
        now=NOW,
    )
    assert (grant.year, grant.amount_kr, grant.intervention, grant.owner, grant.support) == (
        2027,
        500_000,
        "Stöd till arbete",
        "Heby",
        SupportKind.individual,
    )
    assert (application.status, application.grant_id, application.decided_by) == (
        ApplicationStatus.granted,
        grant.id,
        "Styrelsen § 12",
    )
    # The board may grant less than applied for.
    _, smaller = grant_application(
        engine,
        mapping,
        decided_on="2026-09-22",
        decided_by="Styrelsen § 12",
        recorded_by="test",
        today=TODAY,
        now=NOW,
        amount_tkr="250",
    )
    assert smaller.amount_kr == 250_000
    assert [g.amount_kr for g in grants_of_year(engine, 2027)] == [100_000, 500_000, 250_000]
    assert grants_of_year(engine, 2026) == []
    with pytest.raises(ConflictError) as twice:
        grant_application(
            engine,
            work,
            decided_on="2026-09-22",
            decided_by="Styrelsen § 12",
            recorded_by="test",
            today=TODAY,
            now=NOW,
        )
    assert twice.value.code == "application_decided"

    with pytest.raises(BadArgument) as personal:
        reject_application(engine, late_idea, by="Styrelsen", reason="se 19811218-9876", now=NOW)
    assert personal.value.code == "application_identity_number"
    rejected = reject_application(
        engine, late_idea, by="Styrelsen § 12", reason="Prioriterades bort", now=NOW
    )
    assert (rejected.status, rejected.reason) == (ApplicationStatus.rejected, "Prioriterades bort")
    with pytest.raises(ConflictError):
        reject_application(engine, late_idea, by="Styrelsen § 12", now=NOW)
    with pytest.raises(NotFoundError):
        reject_application(engine, 9999, by="Styrelsen § 12", now=NOW)

    after = application_round(engine, 2027, rules=RULES)
    assert after.open == [] and after.applied == 0
    assert after.room is not None and after.room.granted == 850_000
    assert budget_status_for(engine, year=2027, rules=RULES).granted == 850_000


def test_a_grant_the_store_refuses_leaves_the_application_open(engine: Engine) -> None:
    import_budget_file(engine, ORNSKOLDSVIK)
    work = register(engine)
    with pytest.raises(BadArgument) as bad:
        grant_application(
            engine,
            work,
            decided_on="2026-09-22",
            decided_by="Styrelsen 811218-9876",
            recorded_by="test",
            today=TODAY,
            now=NOW,
        )
    assert bad.value.code == "grant_identity_number"
    [still] = application_round(engine, 2027, rules=RULES).applications
    assert (still.status, still.grant_id) == (ApplicationStatus.received, None)
    assert grants_of_year(engine, 2027) == []


def test_a_round_without_a_budget_has_no_room(engine: Engine) -> None:
    register(engine)
    round_ = application_round(engine, 2027, rules=RULES)
    assert (round_.room, round_.left_after, round_.applied) == (None, None, 500_000)


def test_a_full_round_fits_one_message_with_its_room_first() -> None:
    from bot.blocks.applications import build_round_blocks
    from bot.blocks.common import to_dicts
    from workflows.applications import ROUND_MAX, ApplicationView, Room, RoundView
    from workflows.texts import Texts

    def one(n: int) -> ApplicationView:
        return ApplicationView(
            id=n,
            for_year=2027,
            received_on=date(2026, 5, 4),
            organisation="O" * TEXT_MAX,
            owner="Ä" * TEXT_MAX,
            title="T" * TEXT_MAX,
            support=SupportKind.structural,
            amounts=tuple((2027 + y, 1_000_000) for y in range(YEARS_MAX)),
            status=ApplicationStatus.received,
            registered_by="U1",
            registered_at=NOW,
            decided_by=None,
            decided_at=None,
            reason=None,
            grant_id=None,
        )

    view = RoundView(2027, [one(n) for n in range(ROUND_MAX)], Room(900_000, 0, 900_000), True)
    blocks = to_dicts(build_round_blocks(Texts("sv"), view))
    assert len(blocks) == 50
    first = blocks[0]["text"]["text"].replace("\u00a0", " ")  # type: ignore[index]
    assert "Beslutsutrymme 2027 enligt planen: 900 tkr" in first
    assert ":warning: Ansökningarna söker 499 100 tkr mer än det som finns kvar." in first
    last = blocks[-1]["elements"][0]["text"]  # type: ignore[index]
    assert last.startswith("Fler ansökningar än som ryms här")


def test_a_forgotten_person_leaves_no_id_on_applications(engine: Engine) -> None:
    from store.models import Role
    from workflows.people import forget_person, parse_who, register_person

    register_person(engine, "U0FORGET1", role=Role.office, name="Fia Glömd")
    register(engine, by="U0FORGET1")
    forget_person(engine, parse_who("U0FORGET1"))
    [application] = application_round(engine, 2027, rules=RULES).applications
    assert "U0FORGET1" not in application.registered_by


def test_a_withdrawn_grant_shows_on_its_application(engine: Engine) -> None:
    from bot.blocks.applications import round_lines
    from workflows.grants import withdraw_grant
    from workflows.texts import Texts

    import_budget_file(engine, ORNSKOLDSVIK)
    work = register(engine)
    _, grant = grant_application(
        engine,
        work,
        decided_on="2026-09-22",
        decided_by="Styrelsen § 12",
        recorded_by="test",
        today=TODAY,
        now=NOW,
    )
    assert not application_round(engine, 2027, rules=RULES).applications[0].grant_withdrawn
    withdraw_grant(engine, grant.id, by="Styrelsen § 14", now=NOW)
    round_ = application_round(engine, 2027, rules=RULES)
    [application] = round_.applications
    assert (application.status, application.grant_withdrawn) == (ApplicationStatus.granted, True)
    assert round_.room is not None and round_.room.granted == 0
    line = round_lines(Texts("sv"), round_)[-1]
    assert line.endswith("– beviljad av Styrelsen § 12 (beslutet är återkallat)")
