"""At scale: the office's and a lead's answers with many years in the database.

The largest association reports for about 20 interventions; a hosted bot keeps every year.
This fills, straight through the store (the budget and spending importers, bulk INSERTs of
reports and revisions; no Slack), up to 10 years of budgets, books, grants, absences and
monthly and quarterly reports for N interventions (200), and after 1, 2, 5 and 10 years
loaded times what the bot does for:

- `/finsam budget` (`answer_budget`: `ctx.answers.for_office` and the rendered blocks), cold
  (both LRUs empty: a new BudgetAnswers and rendered cache before each call) and warm (the
  same context again: the role check and the year's revision, then the caches);
- `/finsam status` (`answer_status`, the default period; it caches nothing);
- a lead's App Home (`publish_home` with a client that keeps the view instead of calling
  Slack; it caches nothing): a lead of two interventions who covers for an absent lead today;
- the year's workbook (what `finsam-bot reports export --format xlsx` runs: the reports and
  participant tables, written to an XLSX file).

The current year (2026, "today" 20 November) is loaded first; earlier years are added
around it, so every step asks about the same year with more history beside it. The slash
commands and the App Home read one year and should stay flat as years are added. Each
operation runs `--repeat` times (the workbook `--workbook-repeat` times) after one unmeasured
call; p50, p99 and max of the wall clock in ms, and the CPU time of a call (this process:
on a loaded machine the wall clock is mostly waiting for a core). The database's own caches
are warm in every case (the file or the server's buffers), as on a bot that runs. The target
is p99 under 1 s for each. It asserts nothing. `--profile NAME` prints cProfile's view of
three calls of that operation after the last step.

    .venv/bin/python benchmarks/bench_scale.py [--interventions 200] [--years 1,2,5,10]
        [--repeat 30] [--workbook-repeat 5] [--profile OPERATION] [--database-url URL]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import platform
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from sqlalchemy import func, select

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the participant year lives with the tests

from bot.app_home import publish_home  # noqa: E402
from bot.context import BotContext, build_context  # noqa: E402
from bot.listeners.commands import answer_budget  # noqa: E402
from bot.listeners.status import answer_status  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from store.board import add_grant  # noqa: E402
from store.db import Engine, insert_rows_if_absent, make_engine, session_scope, upgrade  # noqa: E402
from store.importers.budget import import_budget  # noqa: E402
from store.importers.spending import import_spending  # noqa: E402
from store.models import (  # noqa: E402
    Absence,
    BudgetLine,
    DecisionBody,
    Intervention,
    InterventionLead,
    Person,
    PersonRole,
    Report,
    ReportKind,
    ReportRevision,
    ReportStatus,
    Role,
    Spending,
    SupportKind,
)
from tests.participant_year import month_answers, people  # noqa: E402
from tests.scratch_db import postgres_schema  # noqa: E402
from workflows.annual_workbook import annual_workbook  # noqa: E402
from workflows.budget_answers import BudgetAnswers  # noqa: E402
from workflows.calendar import periods_of_year  # noqa: E402
from workflows.clock import FixedClock  # noqa: E402
from workflows.export_files import ExportSettings, data_workbook  # noqa: E402
from workflows.forms import InputType, inputs  # noqa: E402
from workflows.lru import Lru  # noqa: E402
from workflows.texts import Texts  # noqa: E402

THIS_YEAR = 2026
TZ = ZoneInfo("Europe/Stockholm")
TODAY = date(THIS_YEAR, 11, 20)
NOW = datetime.combine(TODAY, dtime(10, 0), TZ).astimezone(UTC)
OFFICE = "U0OFFICE01"
OFFICE_CHANNEL = "C0OFFICE"
OWNERS = ("Enköping", "Heby", "Håbo", "Knivsta", "Tierp", "Uppsala", "Älvkarleby", "Östhammar")
TARGET_MS = 1000.0
CHUNK = 500  # rows per multi-row INSERT


def lead_id(number: int) -> str:
    return f"U0LEAD{number:04d}"


# The lead whose App Home is timed: leads interventions 0 and 1, and covers for lead 2 today.
HOME_LEAD = lead_id(0)


@dataclass(frozen=True)
class Insats:
    id: int
    number: int
    name: str
    owner: str
    kind: SupportKind
    goals: tuple[str, ...]


# --------------------------------------------------------------------------- filling


def add_people_and_interventions(engine: Engine, count: int, first_year: int) -> list[Insats]:
    """`count` interventions from `first_year` on (3 in 4 individual support), a lead each
    (lead 0 also leads intervention 1), and the office user."""
    with session_scope(engine) as session:
        person_ids = insert_rows_if_absent(
            session,
            Person,
            [{"slack_user_id": OFFICE, "name": "Kansliet", "email": "kansli@bench.example"}]
            + [
                {"slack_user_id": lead_id(n), "name": f"Lead {n}", "email": f"lead{n}@b.example"}
                for n in range(count)
            ],
        )
        insert_rows_if_absent(
            session,
            PersonRole,
            [{"person_id": person_ids[0], "role": Role.office}]
            + [{"person_id": pid, "role": Role.lead} for pid in person_ids[1:]],
            returning="person_id",
        )
        rows = []
        for n in range(count):
            goals = (f"Mål A för insats {n}", f"Mål B för insats {n}", "Fler i arbete")
            rows.append(
                {
                    "name": f"Insats {n:03d}",
                    "owner": OWNERS[n % len(OWNERS)],
                    "kind": SupportKind.structural if n % 4 == 3 else SupportKind.individual,
                    "first_year": first_year,
                    "last_year": None,
                    "starts_on": date(first_year, 1, 1),
                    "ends_on": None,
                    "goals": "\n".join(goals),
                    "reports_from": None,
                }
            )
        ids = insert_rows_if_absent(session, Intervention, rows)
        leads = [
            {
                "intervention_id": ids[n],
                "email": f"lead{n}@b.example",
                "person_id": person_ids[n + 1],
            }
            for n in range(count)
        ]
        leads.append(
            {"intervention_id": ids[1], "email": "lead0@b.example", "person_id": person_ids[1]}
        )
        insert_rows_if_absent(session, InterventionLead, leads)
    return [
        Insats(
            ids[n],
            n,
            str(row["name"]),
            str(row["owner"]),
            SupportKind(row["kind"]),
            tuple(str(row["goals"]).splitlines()),
        )
        for n, row in enumerate(rows)
    ]


def budget_tkr(insats: Insats, year: int) -> int:
    return 800 + (insats.number * 37 + year) % 2400


def write_budget(path: Path, year: int, interventions: Sequence[Insats]) -> Path:
    costs = sum(budget_tkr(i, year) for i in interventions)
    lines = [
        "year,section,category,name,owner,support,amount_tkr",
        f"{year},income,member_fees,Medlemsavgifter,,,{costs + 6000}",
        f"{year},income,sales,Försäljning av tjänster,,,240",
        f"{year},cost,board,Förtroendevalda,,,500",
        f"{year},cost,administration,Förvaltning,,,4550",
        *(
            f'{year},cost,intervention,"{i.name}",{i.owner},{i.kind.value},{budget_tkr(i, year)}'
            for i in interventions
        ),
        f"{year},cost,other_collaboration,Kompetenshöjande insatser,,structural,100",
        f"{year},cost,reserved,Ej beslutade insatser,,,1000",
        f"{year},balance,opening_surplus,Över- underskott från tidigare år,,,4495",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_books(path: Path, year: int, months: int, interventions: Sequence[Insats]) -> Path:
    lines = ["year,month,category,name,owner,amount_tkr"]
    for month in range(1, months + 1):
        lines.append(f"{year},{month},board,Förtroendevalda,,40")
        lines.append(f"{year},{month},administration,Förvaltning,,380")
        lines += [
            f'{year},{month},intervention,"{i.name}",{i.owner},'
            f"{budget_tkr(i, year) // 12 + (i.number + month) % 7 - 3}"
            for i in interventions
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def quarterly_answers(insats: Insats, costs: int, forms: Any) -> dict[str, Any]:
    """Every input of the quarterly form for the intervention's goals, answered."""
    answers: dict[str, Any] = {}
    for item in inputs(forms[ReportKind.quarterly], list(insats.goals)):
        if item.type is InputType.CHOICE:
            answers[item.id] = item.options[0].value
        elif item.type is InputType.MONEY:
            answers[item.id] = costs
        elif item.type is InputType.COUNT:
            answers[item.id] = 1
        elif item.type is InputType.TEXT:
            answers[item.id] = "Samverkan har fungerat väl; styrgruppen har följt arbetet."
    return answers


def add_year(
    engine: Engine, ctx: BotContext, work: Path, year: int, interventions: Sequence[Insats]
) -> None:
    """One year: budget and books through the importers (the current year's books through
    October), a few grants, an absence per lead, and the reports owed by the due dates
    before today (about 3 in 100 missing, 2 in 100 sent back, 1 in 10 with a second
    revision; earlier years' reports accepted, this year's recent ones waiting)."""
    months = 10 if year == THIS_YEAR else 12
    with session_scope(engine) as session:
        import_budget(session, write_budget(work / f"budget-{year}.csv", year, interventions))
    with session_scope(engine) as session:
        import_spending(
            session, write_books(work / f"books-{year}.csv", year, months, interventions)
        )
        for n in range(8):
            insats = interventions[(n * 23 + year) % len(interventions)]
            add_grant(
                session,
                year=year,
                decided_on=date(year, 2 + n, 10),
                intervention=insats.name,
                owner=insats.owner,
                support=insats.kind,
                amount_kr=50_000 + 10_000 * n,
                body=DecisionBody.board if n % 2 else DecisionBody.delegation,
                decided_by="Styrelsen",
                recorded_by=OFFICE,
                at=datetime(year, 2 + n, 10, 12, tzinfo=UTC),
            )
        leads = session.exec(  # type: ignore[call-overload]
            select(Person.id, Person.slack_user_id).where(Person.slack_user_id.like("U0LEAD%"))
        ).all()
        ids = {slack_id: pid for pid, slack_id in leads}
        absences = [
            {
                "person_id": ids[lead_id(n)],
                "deputy_person_id": ids[lead_id((n + 1) % len(interventions))],
                "starts_on": date(year, 7, 1) + timedelta(days=n % 20),
                "ends_on": date(year, 7, 14) + timedelta(days=n % 20),
                "created_at": datetime(year, 6, 1, tzinfo=UTC),
            }
            for n in range(len(interventions))
            if n != 2 or year != THIS_YEAR
        ]
        if year == THIS_YEAR:  # lead 0 covers for lead 2 today
            absences.append(
                {
                    "person_id": ids[lead_id(2)],
                    "deputy_person_id": ids[HOME_LEAD],
                    "starts_on": TODAY - timedelta(days=3),
                    "ends_on": TODAY + timedelta(days=10),
                    "created_at": NOW - timedelta(days=5),
                }
            )
        insert_rows_if_absent(session, Absence, absences)
    add_reports(engine, ctx, year, interventions)


def add_reports(
    engine: Engine, ctx: BotContext, year: int, interventions: Sequence[Insats]
) -> None:
    persons = people()
    monthly = {m: month_answers(persons, m) for m in range(1, 13)}
    reports: list[dict[str, Any]] = []
    revisions: list[list[dict[str, Any]]] = []
    for period in periods_of_year(year):
        due = ctx.reporting.deadline(period).due
        if due >= TODAY:
            continue
        recent = year == THIS_YEAR and (TODAY - due).days < 60
        for insats in interventions:
            if period.kind is ReportKind.monthly and insats.kind is not SupportKind.individual:
                continue
            draw = (insats.number * 31 + period.number * 7 + year) % 100
            if draw < 3:
                continue  # missing
            if period.kind is ReportKind.monthly:
                answers = monthly[period.number]
            else:
                costs = budget_tkr(insats, year) * 250
                answers = quarterly_answers(insats, costs, ctx.forms)
            count = 2 if draw >= 90 else 1
            status = (
                ReportStatus.returned
                if draw < 5
                else ReportStatus.submitted
                if recent
                else ReportStatus.accepted
            )
            at = datetime.combine(due - timedelta(days=2), dtime(14, 0), TZ).astimezone(UTC)
            reports.append(
                {
                    "intervention_id": insats.id,
                    "period": period.label,
                    "kind": period.kind,
                    "status": status,
                    "revision": count,
                    "reviewed_by": None if status is ReportStatus.submitted else OFFICE,
                    "reviewed_at": None
                    if status is ReportStatus.submitted
                    else at + timedelta(days=3),
                    "review_comment": "Komplettera, tack."
                    if status is ReportStatus.returned
                    else None,
                }
            )
            text = json.dumps(answers, ensure_ascii=False, sort_keys=True)
            revisions.append(
                [
                    {
                        "revision": number,
                        "submitted_by": lead_id(insats.number),
                        "submitted_at": at + timedelta(days=number - 1),
                        "late": False,
                        "answers": text,
                    }
                    for number in range(1, count + 1)
                ]
            )
    with session_scope(engine) as session:
        for start in range(0, len(reports), CHUNK):
            ids = insert_rows_if_absent(session, Report, reports[start : start + CHUNK])
            rows = [
                {
                    **revision,
                    "report_id": report_id,
                    "delivery_key": f"b:{report_id}:{revision['revision']}",
                }
                for report_id, group in zip(ids, revisions[start : start + CHUNK], strict=True)
                for revision in group
            ]
            for at in range(0, len(rows), CHUNK):
                insert_rows_if_absent(session, ReportRevision, rows[at : at + CHUNK])


def table_sizes(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {
            model.__tablename__: session.execute(
                select(func.count()).select_from(model)
            ).scalar_one()  # type: ignore[attr-defined]
            for model in (Report, ReportRevision, BudgetLine, Spending, Absence)
        }


# --------------------------------------------------------------------------- operations


class KeepingClient(WebClient):
    """A WebClient whose views.publish keeps the view instead of calling Slack."""

    def __init__(self) -> None:
        super().__init__(token="xoxb-bench")
        self.views: list[dict[str, Any]] = []

    def views_publish(  # type: ignore[override]
        self, *, user_id: str, view: dict[str, Any], **kwargs: Any
    ) -> SlackResponse:
        self.views.append(view)
        return SlackResponse(
            client=self,
            http_verb="POST",
            api_url="views.publish",
            req_args={},
            data={"ok": True},
            headers={},
            status_code=200,
        )


def fresh_caches(ctx: BotContext, cfg: Settings) -> BotContext:
    """The context with empty budget caches (figures and rendered blocks), as after a start."""
    return dataclasses.replace(
        ctx, answers=BudgetAnswers(ctx.engine, rules=cfg.budget_rules), rendered=Lru()
    )


def workbook(ctx: BotContext, cfg: Settings, out: Path) -> Path:
    """What `/finsam export` and `finsam-bot reports export --format xlsx` make of this year
    (workflows/export_files.py): the reports, the participants, the quarterly compilation."""
    settings = ExportSettings(
        reporting=ctx.reporting,
        tz=ctx.tz,
        forms=ctx.forms,
        association="Bench",
        comparison=cfg.to_work_comparison,
    )
    texts = Texts(cfg.finsam_language)
    out.write_bytes(
        data_workbook(ctx.engine, THIS_YEAR, today=TODAY, texts=texts, settings=settings)
    )
    return out


def annual(ctx: BotContext, cfg: Settings, out: Path) -> Path:
    """What `finsam-bot reports annual` and `/finsam export årsrapport` make of this year:
    the annual report's tables, its interventions over their whole life (every year held)."""
    content = annual_workbook(
        ctx.engine,
        THIS_YEAR,
        texts=Texts(cfg.finsam_language),
        made=TODAY,
        association="Bench",
        comparison=cfg.to_work_comparison,
    )
    out.write_bytes(content)
    return out


@dataclass(frozen=True)
class Operation:
    name: str
    what: str  # cold / warm / no cache
    run: Callable[[], object]
    heavy: bool = False  # repeated --workbook-repeat times


def operations(ctx: BotContext, cfg: Settings, work: Path) -> list[Operation]:
    texts = ctx.texts_for(OFFICE)
    client = KeepingClient()
    year = [str(THIS_YEAR)]

    def budget_cold() -> object:
        return answer_budget(fresh_caches(ctx, cfg), texts, OFFICE, year)

    return [
        Operation("budget", "cold", budget_cold),
        Operation("budget", "warm", lambda: answer_budget(ctx, texts, OFFICE, year)),
        Operation("status", "no cache", lambda: answer_status(ctx, texts, OFFICE, [])),
        Operation("home", "no cache", lambda: publish_home(client, ctx, HOME_LEAD)),
        Operation("workbook", "no cache", lambda: workbook(ctx, cfg, work / "year.xlsx"), True),
        Operation("annual", "no cache", lambda: annual(ctx, cfg, work / "annual.xlsx"), True),
    ]


@dataclass(frozen=True)
class Timing:
    """Wall-clock ms of each call, and the CPU ms of each (this process: what a quiet machine
    would show, as the wall clock of a loaded one is mostly waiting for a core)."""

    wall: list[float]
    cpu: list[float]


def measure(op: Operation, repeat: int) -> Timing:
    op.run()  # not counted: imports, the first connection, Jinja's compiled templates
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        op.run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return Timing(wall, cpu)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def profile(op: Operation, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        op.run()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


# --------------------------------------------------------------------------- main


@contextmanager
def scratch_database(base_url: str | None, work: Path) -> Iterator[str]:
    if base_url is None:
        yield f"sqlite:///{work / 'scale.db'}"
        return
    with postgres_schema(base_url, "bench_scale") as url:
        yield url


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The bot's answers with many years stored.")
    parser.add_argument("--interventions", type=int, default=200)
    parser.add_argument(
        "--years", default="1,2,5,10", help="years loaded at each step, ascending (max 10)"
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per operation")
    parser.add_argument(
        "--workbook-repeat", type=int, default=5, help="timed calls of the workbook"
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="after the last step, cProfile one of: budget, status, home, workbook, annual",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL database (a scratch schema is made in it and dropped); "
        "default: a temporary SQLite file",
    )
    args = parser.parse_args(argv)
    args.steps = [int(x) for x in args.years.split(",")]
    if args.steps != sorted(set(args.steps)) or args.steps[0] < 1 or args.steps[-1] > 10:
        parser.error("--years: ascending numbers from 1 to 10")
    if args.interventions < 3 or args.repeat < 1 or args.workbook_repeat < 1:
        parser.error("need at least 3 interventions and 1 repetition")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    where = (
        "SQLite (temporary file)" if args.database_url is None else "PostgreSQL (scratch schema)"
    )
    print(
        f"bench_scale: {args.interventions} interventions, years loaded {args.years}; "
        f"{args.repeat} calls each ({args.workbook_repeat} of the workbook); database {where}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        flush=True,
    )
    results: dict[tuple[str, str], dict[int, Timing]] = {}
    with tempfile.TemporaryDirectory(prefix="finsam-bench-") as tmp:
        work = Path(tmp)
        with scratch_database(args.database_url, work) as url:
            engine = make_engine(url)
            try:
                upgrade(engine)
                cfg = load_settings(
                    _env_file=None,
                    slack_bot_token="xoxb-bench",
                    slack_signing_secret="bench-signing-secret-0123456789",
                    database_url=url,
                    finsam_office_channel=OFFICE_CHANNEL,
                    log_level="WARNING",
                )
                ctx = build_context(cfg, engine=engine, clock=FixedClock(NOW))
                first_year = THIS_YEAR - args.steps[-1] + 1
                interventions = add_people_and_interventions(engine, args.interventions, first_year)
                loaded = 0
                ops = operations(ctx, cfg, work)
                for step in args.steps:
                    started = time.perf_counter()
                    while loaded < step:
                        add_year(engine, ctx, work, THIS_YEAR - loaded, interventions)
                        loaded += 1
                    filled = time.perf_counter() - started
                    sizes = ", ".join(f"{k} {v}" for k, v in table_sizes(engine).items())
                    print(f"{step} years loaded (+{filled:.1f} s): {sizes}", flush=True)
                    for op in ops:
                        timing = measure(op, args.workbook_repeat if op.heavy else args.repeat)
                        results.setdefault((op.name, op.what), {})[step] = timing
                        times = timing.wall
                        print(
                            f"  {op.name:9} {op.what:9} p50 {percentile(times, 0.5):7.1f}  "
                            f"p99 {percentile(times, 0.99):7.1f}  max {max(times):7.1f} ms; "
                            f"CPU p50 {percentile(timing.cpu, 0.5):7.1f} ms",
                            flush=True,
                        )
                if args.profile:
                    for op in ops:
                        if op.name == args.profile:
                            print(f"profile of {op.name} ({op.what}), 3 calls:")
                            profile(op, 30)
            finally:
                engine.dispose()
    print_table(results, args.steps)


def print_table(results: dict[tuple[str, str], dict[int, Timing]], steps: list[int]) -> None:
    """Per operation: p50 / p99 wall ms after each step, the CPU ms (p50) at the last, how
    the p99 grew from the first step to the last, and the target."""
    print()
    print(
        "| operation | caches | "
        + " | ".join(f"{s} y p50 / p99" for s in steps)
        + f" | CPU p50 {steps[-1]} y | p99 {steps[-1]} y / {steps[0]} y | p99 < 1 s |"
    )
    print("| --- | --- | " + " | ".join("---:" for _ in steps) + " | ---: | ---: | --- |")
    for (name, what), by_step in results.items():
        cells = [
            f"{percentile(by_step[s].wall, 0.5):.1f} / {percentile(by_step[s].wall, 0.99):.1f}"
            for s in steps
        ]
        first = percentile(by_step[steps[0]].wall, 0.99)
        last = percentile(by_step[steps[-1]].wall, 0.99)
        cpu = percentile(by_step[steps[-1]].cpu, 0.5)
        slow = any(percentile(t.wall, 0.99) >= TARGET_MS for t in by_step.values())
        print(
            f"| {name} | {what} | "
            + " | ".join(cells)
            + f" | {cpu:.1f} | {last / first:.2f}× | {'NOT met' if slow else 'met'} |"
        )
    print(f"(ms; load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
