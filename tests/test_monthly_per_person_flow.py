"""A year of monthly reports in the new shape, through the real forms (signed block actions
and view_submissions into the Bolt app, the modal from the Slack fake), gives the 2017 annual
report's figures by its own method, in the CLI's paragraph and export: the profile of those
already enrolled is asked once (January), the start stock is prefilled from last month's end,
empty counts are 0, and figures that do not follow on from last month are said inline and
accepted only once the lead confirms them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from simulator.slack_driver import block_action, checkboxes, text_input, view_submission
from tests.harness import LEAD_USER, OFFICE_USER, STOCKHOLM, RunningBot, running_bot
from tests.overview_data import submit as submit_stored
from tests.participant_year import year_answers
from tests.reporting_data import add_intervention
from workflows.exports import PARTICIPANT_COLUMNS
from workflows.reports import find_report, history
from workflows.texts import Texts

YEAR = 2026
LEADS = (("anna@enkoping.example", LEAD_USER),)
NATIONAL = "2016:0.33;2022:0.30"
TARGET = "2024:0.35"


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    now = datetime(YEAR + 1, 1, 20, 10, tzinfo=STOCKHOLM)
    with running_bot(engine, database_url, now=now) as running:
        running.fake.add_user(LEAD_USER, email="anna@enkoping.example")
        running.add_office_user()
        running.intervention_id = add_intervention(  # type: ignore[attr-defined]
            engine, "Växtkraft", "Enköping", leads=LEADS
        )
        yield running


def open_form(bot: RunningBot, month: int) -> dict[str, Any]:
    before = len(bot.fake.views())
    value = json.dumps(
        {"intervention_id": bot.intervention_id, "period": f"{YEAR}-{month:02d}"}  # type: ignore[attr-defined]
    )
    assert bot.driver.action(block_action("report_open", value=value, user_id=LEAD_USER)).status
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    view: dict[str, Any] = bot.fake.views()[-1]
    assert view["callback_id"] == "report_form", view
    return view


def inputs_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def submit(
    bot: RunningBot, view: dict[str, Any], typed: dict[str, int], *, confirm: bool = False
) -> dict[str, Any]:
    """What Slack sends: every input of the modal, as typed, else as prefilled, else empty."""
    values: dict[str, dict[str, Any]] = {}
    for block_id, block in inputs_of(view).items():
        if block["element"]["type"] == "checkboxes":
            values[block_id] = {"value": checkboxes(*(["yes"] if confirm else []))}
            continue
        shown = str(typed[block_id]) if block_id in typed else block["element"].get("initial_value")
        values[block_id] = {"value": text_input(shown, action_type="number_input")}
    payload = view_submission("report_form", values=values, user_id=LEAD_USER, view=view)
    response = bot.driver.submit(payload)
    assert response.status == 200
    body: dict[str, Any] = response.json()
    return body


def typed_for(view: dict[str, Any], answers: dict[str, int], month: int) -> dict[str, int]:
    """What a lead types: the figures of the month that are not 0 (an empty field is 0), and
    not the start stock after January (it is prefilled)."""
    shown = inputs_of(view)
    return {
        key: value
        for key, value in answers.items()
        if key in shown and value and not (month > 1 and key.startswith("month_start_"))
    }


def cli(database_url: str, *args: str) -> str:
    env = {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "ERROR",
        "FINSAM_NATIONAL_TO_WORK_SHARE": NATIONAL,
        "FINSAM_TARGET_TO_WORK_SHARE": TARGET,
    }
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_year_through_the_forms_gives_the_annual_reports_figures(
    bot: RunningBot, database_url: str, clean_env: Path
) -> None:
    year = year_answers("new")
    for month, answers in enumerate(year, start=1):
        view = open_form(bot, month)
        shown = inputs_of(view)
        once = {key for key in shown if key.startswith("start_")}
        if month == 1:
            # the intervention's first report of the year: those enrolled are profiled once
            assert len(once) == 12 and "initial_value" not in shown["month_start_women"]["element"]
        else:
            assert once == set()  # asked in January already
            before = year[month - 2]
            assert shown["month_start_women"]["element"]["initial_value"] == str(
                before["month_end_women"]
            )
            assert shown["month_start_men"]["element"]["initial_value"] == str(
                before["month_end_men"]
            )
            assert "förra månadens rapport" in json.dumps(view["blocks"], ensure_ascii=False)
        body = submit(bot, view, typed_for(view, answers, month))
        assert body["response_action"] == "update", (month, body)
        stored = find_report(bot.engine, bot.intervention_id, f"{YEAR}-{month:02d}")  # type: ignore[attr-defined]
        assert stored is not None
        assert stored.answers["to_subsidised_job_women"] == 0  # left empty: 0

    paragraph = cli(database_url, "reports", "participants", "--year", str(YEAR))
    assert paragraph == (
        "Under året har 196 personer deltagit i av förbundet finansierade insatser. 195 av "
        "dessa är registrerade i det nationella uppföljningssystemet och 1 är registrerad som "
        "anonym. 164 av deltagarna har avslutats. Av de avslutade deltagarna har 31 personer "
        "(19 %, 18 kvinnor, 13 män) gått vidare till arbete eller studier. Riket 2022: 30 %. "
        "Styrelsens mål (2024): 35 %.\n\nAv de 195 registrerade deltagarna är 57 % kvinnor och "
        "43 % män, 41 % yngre än 30 år, 40 % har haft offentlig försörjning i mer än 3 år, 41 % "
        "har grundskola eller lägre som högsta avslutade utbildning, 17 % har någon form av "
        "eftergymnasial utbildning.\n"
    )
    interim = json.loads(
        cli(database_url, "reports", "participants", "--year", str(YEAR), "--until", "6",
            "--format", "json")
    )  # fmt: skip
    assert interim["through_month"] == 6
    assert interim["participants"] < 196 and interim["ended"] < 164

    stem = clean_env / "finsam"
    cli(database_url, "reports", "export", "--year", str(YEAR), "--format", "csv",
        "--out", str(stem), "--on", f"{YEAR + 1}-01-20")  # fmt: skip
    wanted = [c for c in PARTICIPANT_COLUMNS if not c.endswith(("_women", "_men"))]
    column = {name: Texts("sv").get("export", "column", name=name) for name in wanted}
    participants_csv = stem.with_name("finsam-participants.csv")
    with participants_csv.open(encoding="utf-8-sig", newline="") as handle:  # Swedish Excel's CSV
        read = csv.DictReader(handle, delimiter=";")
        rows = {row[column["intervention"]]: row for row in read}
    total = {name: rows["Totalt"][header] for name, header in column.items()}
    assert (total["participants"], total["registered"], total["anonymous"]) == ("196", "195", "1")
    assert (total["ended"], total["work_or_studies"]) == ("164", "31")
    assert total["work_or_studies_share"] == "0,189"
    assert (total["over_3_years_share"], total["profile_basis"]) == ("0,4", "personer")
    assert total["education_post_secondary_share"] == "0,1692"
    assert (total["national_work_or_studies_share"], total["national_year"]) == ("0,3", "2022")
    assert (total["target_work_or_studies_share"], total["target_year"]) == ("0,35", "2024")


def test_figures_that_do_not_follow_on_are_said_inline_and_accepted_when_confirmed(
    bot: RunningBot,
) -> None:
    january = {"month_start_women": 3, "month_start_men": 2, "new_women": 1}
    january |= {"month_end_women": 4, "month_end_men": 2}
    jan_view = open_form(bot, 1)
    assert submit(bot, jan_view, january)["response_action"] == "update"

    # February: 4 women at the start (prefilled), 1 ended, but 4 at the end.
    view = open_form(bot, 2)
    wrong = {"ended_women": 1, "month_end_women": 4, "month_end_men": 2}
    body = submit(bot, view, wrong)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"month_end_women", "figures_confirmed"}
    assert body["errors"]["month_end_women"] == (
        "Kvinnor: 4 vid början + 0 nya − 1 avslutade blir 3, men ”Deltagare vid månadens slut” "
        "är 4. Rätta siffrorna, eller kryssa i ”Siffrorna stämmer även om de inte går ihop med "
        "förra månaden” om de stämmer."
    )
    assert find_report(bot.engine, bot.intervention_id, f"{YEAR}-02") is None  # type: ignore[attr-defined]

    # January had one man too few: the start stock is corrected, which no longer follows on.
    corrected = {"month_start_men": 3, "month_end_women": 3, "month_end_men": 3}
    body = submit(bot, view, {**wrong, **corrected})
    assert set(body["errors"]) == {"month_start_men", "figures_confirmed"}
    assert "förra månaden slutade med 2 deltagare" in body["errors"]["month_start_men"]

    # The lead confirms that the figures are right: accepted, and the confirmation is kept.
    body = submit(bot, view, {**wrong, **corrected}, confirm=True)
    assert body["response_action"] == "update"
    [revision] = history(bot.engine, bot.intervention_id, f"{YEAR}-02")  # type: ignore[attr-defined]
    assert revision["answers"]["figures_confirmed"] == "yes"
    assert revision["answers"]["month_start_men"] == 3
    # …but a confirmation does not let anything else through
    body = submit(bot, open_form(bot, 3), {"month_start_women": 3, "new_anonymous_women": 1},
                  confirm=True)  # fmt: skip
    assert set(body["errors"]) == {"new_anonymous_women", "new_under_30_women"}
    assert "”Nya deltagare under månaden” bara 0" in body["errors"]["new_anonymous_women"]


def test_a_report_of_the_old_shape_stays_readable_and_the_new_form_follows_on(
    bot: RunningBot,
) -> None:
    """A January report given in the old form (the profile of the month-end stock) shows all
    its answers, named by the earlier form; February's form, the first of the year in the new
    shape, asks the profile of those enrolled and starts from January's end."""
    old = {
        "month_end_women": 6, "month_end_men": 4, "new_women": 2, "new_men": 1,
        "ended_women": 1, "ended_men": 1, "under_30_women": 2, "over_3_years_men": 3,
        "anonymous_women": 0,
    }  # fmt: skip
    report_id = submit_stored(
        bot.engine,
        bot.intervention_id,  # type: ignore[attr-defined]
        f"{YEAR}-01",
        at=datetime(YEAR, 2, 5, 10, tzinfo=STOCKHOLM),
        by=LEAD_USER,
        answers=old,
    )
    before = len(bot.fake.views())
    bot.driver.action(block_action("report_show", value=str(report_id), user_id=OFFICE_USER))
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    shown = json.dumps(bot.fake.views()[-1]["blocks"], ensure_ascii=False)
    assert "*Under 30 år – kvinnor (äldre form av rapporten)*: 2" in shown
    assert "*Mer än 3 år med offentlig försörjning – män (äldre form av rapporten)*: 3" in shown
    assert "*Deltagare vid månadens slut – kvinnor*: 6" in shown

    view = open_form(bot, 2)
    blocks = inputs_of(view)
    assert {"start_under_30_women", "start_anonymous_men"} <= set(blocks)
    assert blocks["month_start_women"]["element"]["initial_value"] == "6"
    assert blocks["month_start_men"]["element"]["initial_value"] == "4"
