"""Quarterly goal attainment, compiled (issue #13), end to end: the lead's quarterly form (a
signed block action opens it in the real app, a signed view_submission sends it) with the
statuses that fit a quarter and the comment it asks for unless a goal is reached; the
compilation of several quarters per intervention and goal (goal texts, statuses, comments)
with reports in the earlier shape (`partly`, `not`) read by their old labels; the structural
interventions' share of goals reached; the office's page in Slack, sent to a channel exactly
once; the CLI's XLSX."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.blocks.common import to_dicts
from bot.cli import app
from bot.messages.papers import build_papers_blocks
from simulator.reading import buttons, message_text, outbox_key
from simulator.slack_driver import block_action, static_select, text_input, view_submission
from store.board import replace_year
from store.db import session_scope
from store.errors import ConfigError
from store.models import SupportKind
from tests.harness import LEAD_USER, OFFICE_USER, STOCKHOLM, RunningBot, running_bot
from tests.overview_data import submit as store_report
from tests.reporting_data import add_intervention
from tests.test_board_papers import REPORTING, RULES, event_id, meeting
from workflows.answers import choice_label
from workflows.board_papers import Pack, papers_pack, write_papers_xlsx
from workflows.calendar import ReportKind
from workflows.forms import Label, forms_dir, inputs, load_form_file, load_forms
from workflows.quarterly_compilation import (
    Compilation,
    GoalRow,
    InterventionQuarters,
    compile_quarters,
    quarterly_sheet,
)
from workflows.reports import find_report
from workflows.texts import Texts

NOW = datetime(2026, 10, 20, 10, 0, tzinfo=STOCKHOLM)  # Q3 has ended
STRUCTURAL_LEAD = "U0STRUCT1"
STEERING = "C_STYRGRUPP"
OUTSIDE = "C_UTANFOR"
QUALITY = {
    "collaboration": "Bra samverkan.",
    "steering_group": "Möte varje månad.",
    "resources": "Som planerat.",
    "deviations": "Inga.",
}


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=NOW) as running:
        for user in (LEAD_USER, OFFICE_USER, STRUCTURAL_LEAD):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        running.fake.add_channel(STEERING, name="vaxtkraft-styrgrupp")
        running.fake.add_channel(OUTSIDE, name="annat", bot_is_member=False)
        running.add_office_user()
        running.ids = {  # type: ignore[attr-defined]
            "vaxtkraft": add_intervention(
                engine,
                "Växtkraft",
                "Enköping",
                leads=(("anna@enkoping.example", LEAD_USER),),
                goals=("Fler i arbete", "Samverkan med arbetsgivare"),
            ),
            "regexpro": add_intervention(
                engine,
                "RegExPro",
                "Region Uppsala",
                kind=SupportKind.structural,
                leads=(("per@region.example", STRUCTURAL_LEAD),),
                goals=("Gemensam kartläggning", "Utbildning för handläggare"),
            ),
            "heby": add_intervention(
                engine,
                "Lokus Heby",
                "Heby",
                kind=SupportKind.structural,
                leads=(("lo@heby.example", STRUCTURAL_LEAD),),
                goals=("Nätverk för arbetsgivare",),
            ),
        }
        yield running


def ids(bot: RunningBot) -> dict[str, int]:
    found: dict[str, int] = bot.ids  # type: ignore[attr-defined]
    return found


def open_quarterly_form(bot: RunningBot, intervention: int, period: str, user: str) -> Any:
    """The lead's "Rapportera" button for the quarter, pressed: the modal the bot opened."""
    before = len(bot.fake.views())
    value = json.dumps({"intervention_id": intervention, "period": period})
    response = bot.driver.action(block_action("report_open", value=value, user_id=user))
    assert response.status == 200
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    return bot.fake.views()[-1]


def send_form(
    bot: RunningBot, view: dict[str, Any], goals: dict[str, tuple[str, str | None]], user: str
) -> Any:
    """Submit the modal with a (status, comment) per goal number and the quality answers."""
    values: dict[str, dict[str, Any]] = {}
    for number, (status, comment) in goals.items():
        values[f"goal_{number}"] = {"value": static_select(status)}
        values[f"goal_{number}_comment"] = {"value": text_input(comment)}
    for block, answer in QUALITY.items():
        values[block] = {"value": text_input(answer)}
    payload = view_submission(view["callback_id"], values=values, user_id=user, view=view)
    response = bot.driver.submit(payload)
    assert response.status == 200
    return response.json()


def report(
    bot: RunningBot,
    name: str,
    period: str,
    goals: dict[str, tuple[str, str | None]],
    user: str,
) -> None:
    view = open_quarterly_form(bot, ids(bot)[name], period, user)
    answer = send_form(bot, view, goals, user)
    assert answer["response_action"] == "update", answer


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


# --------------------------------------------------------------------------- the form


def test_the_form_offers_the_quarterly_statuses_and_asks_why_unless_reached(
    bot: RunningBot,
) -> None:
    view = open_quarterly_form(bot, ids(bot)["vaxtkraft"], "2026-Q1", LEAD_USER)
    blocks = input_blocks(view)
    assert blocks["goal_1"]["label"]["text"] == "Fler i arbete"
    assert [o["text"]["text"] for o in blocks["goal_1"]["element"]["options"]] == [
        "Uppnått",
        "På väg att nås",
        "Risk att inte nås",
        "Ej påbörjat",
    ]
    assert blocks["goal_1_comment"]["hint"]["text"].startswith("Krävs när målet inte är uppnått")

    # not reached and no comment: said beside that goal's comment, nothing stored
    answer = send_form(bot, view, {"1": ("at_risk", None), "2": ("reached", None)}, LEAD_USER)
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "goal_1_comment": "Skriv en kommentar: målet är ”Risk att inte nås”. Berätta vad som "
        "har hänt och vad ni gör härnäst."
    }
    assert find_report(bot.engine, ids(bot)["vaxtkraft"], "2026-Q1") is None
    # an old status is no choice any more
    answer = send_form(bot, view, {"1": ("partly", "x"), "2": ("reached", None)}, LEAD_USER)
    assert answer["errors"] == {"goal_1": "Välj ett av alternativen."}

    # every status but "Uppnått" needs its comment; "Uppnått" needs none
    for status in ("on_track", "not_started"):
        answer = send_form(bot, view, {"1": (status, " "), "2": ("reached", None)}, LEAD_USER)
        assert list(answer["errors"]) == ["goal_1_comment"]
    answer = send_form(
        bot, view, {"1": ("not_started", "Börjar i maj."), "2": ("reached", None)}, LEAD_USER
    )
    assert answer["response_action"] == "update"
    stored = find_report(bot.engine, ids(bot)["vaxtkraft"], "2026-Q1")
    assert stored is not None
    assert (stored.answers["goal_1"], stored.answers["goal_1_comment"]) == (
        "not_started",
        "Börjar i maj.",
    )
    assert (stored.answers["goal_2"], stored.answers["goal_2_comment"]) == ("reached", None)
    bot.settle()
    bot.fake.assert_clean()


# --------------------------------------------------------------------------- the compilation


def three_quarters(bot: RunningBot) -> None:
    """Q1–Q3 through the forms for RegExPro and Växtkraft (Q2 missing for Växtkraft); Lokus
    Heby's Q1 and Q2 in the earlier shape, stored as they were before the statuses changed."""
    regexpro = {
        "2026-Q1": {"1": ("not_started", "Startar i april."), "2": ("on_track", "Två av fyra.")},
        "2026-Q2": {"1": ("on_track", "Halvvägs."), "2": ("at_risk", "Utbildaren sjuk.")},
        "2026-Q3": {"1": ("reached", "Klar i augusti."), "2": ("at_risk", "Ny utbildare i nov.")},
    }
    for period, goals in regexpro.items():
        report(bot, "regexpro", period, goals, STRUCTURAL_LEAD)
    report(
        bot,
        "vaxtkraft",
        "2026-Q1",
        {"1": ("on_track", "Tre i jobb."), "2": ("reached", None)},
        LEAD_USER,
    )
    report(bot, "vaxtkraft", "2026-Q3", {"1": ("reached", None), "2": ("reached", None)}, LEAD_USER)
    heby = ids(bot)["heby"]
    at = datetime(2026, 4, 10, 10, tzinfo=STOCKHOLM)
    old_q1 = {"goal_1": "partly", "goal_1_comment": "Halva nätverket.", **QUALITY}
    store_report(bot.engine, heby, "2026-Q1", at=at, by=STRUCTURAL_LEAD, answers=old_q1)
    old_q2 = {"goal_1": "not", "goal_1_comment": "Ingen samordnare.", **QUALITY}
    store_report(
        bot.engine, heby, "2026-Q2", at=at.replace(month=7), by=STRUCTURAL_LEAD, answers=old_q2
    )


def by_name(compilation: Compilation) -> dict[str, InterventionQuarters]:
    return {i.name: i for i in compilation.interventions}


def statuses(goal: GoalRow) -> list[tuple[str, str | None, str | None]]:
    return [
        (q.period, q.status_label.sv if q.status_label else None, q.comment) for q in goal.quarters
    ]


def test_the_compilation_of_several_quarters_per_intervention_and_goal(bot: RunningBot) -> None:
    three_quarters(bot)
    compilation = compile_quarters(bot.engine, 2026, 3)
    assert compilation.periods == ("2026-Q1", "2026-Q2", "2026-Q3")
    found = by_name(compilation)
    assert list(found) == ["Lokus Heby", "RegExPro", "Växtkraft"]

    regexpro = found["RegExPro"]
    assert [(g.number, g.text) for g in regexpro.goals] == [
        (1, Label("Gemensam kartläggning", "Gemensam kartläggning")),
        (2, Label("Utbildning för handläggare", "Utbildning för handläggare")),
    ]
    assert statuses(regexpro.goals[0]) == [
        ("2026-Q1", "Ej påbörjat", "Startar i april."),
        ("2026-Q2", "På väg att nås", "Halvvägs."),
        ("2026-Q3", "Uppnått", "Klar i augusti."),
    ]
    assert statuses(regexpro.goals[1])[2] == ("2026-Q3", "Risk att inte nås", "Ny utbildare i nov.")
    assert [g.reached for g in regexpro.goals] == [True, False]

    vaxtkraft = found["Växtkraft"]
    assert vaxtkraft.reported == ("2026-Q1", "2026-Q3")  # Q2 never came
    assert statuses(vaxtkraft.goals[0]) == [
        ("2026-Q1", "På väg att nås", "Tre i jobb."),
        ("2026-Q2", None, None),
        ("2026-Q3", "Uppnått", None),
    ]
    assert vaxtkraft.goals[0].quarters[1].reported is False

    # the earlier shape, read by its own labels, never as codes
    heby = found["Lokus Heby"].goals[0]
    assert statuses(heby) == [
        ("2026-Q1", "Delvis uppnått", "Halva nätverket."),
        ("2026-Q2", "Inte uppnått", "Ingen samordnare."),
        ("2026-Q3", None, None),
    ]
    assert [q.earlier for q in heby.quarters[:2]] == [True, True]
    assert heby.quarters[0].status == "partly" and heby.latest == heby.quarters[1]

    # structural goals: RegExPro 1 of 2 reached, Lokus Heby's goal not (its latest is "not");
    # Växtkraft is individual support and does not count
    share = compilation.structural
    assert (share.goals, share.reached, share.unreported) == (3, 1, 0)
    assert share.share == pytest.approx(1 / 3) and share.meets_target is False

    # the half-year: Q1–Q2 only, RegExPro's goals then not reached
    half = compile_quarters(bot.engine, 2026, 2)
    assert half.periods == ("2026-Q1", "2026-Q2")
    assert (half.structural.goals, half.structural.reached) == (3, 0)
    # in a session the caller holds, the same
    with session_scope(bot.engine) as session:
        assert compile_quarters(session, 2026, 3) == compilation

    # the sheet: a row per goal, each quarter's status and comment, the share at the foot
    name, table = quarterly_sheet(compilation, Texts("sv"))
    assert name == "Kvartalssammanställning"
    assert table.columns == (
        "Insats", "Insatsägare", "Insatstyp", "Mål nr", "Mål",
        "Kv 1 – status", "Kv 1 – kommentar", "Kv 2 – status", "Kv 2 – kommentar",
        "Kv 3 – status", "Kv 3 – kommentar", "Senaste status", "Uppnått",
    )  # fmt: skip
    rows = {(row[0], row[3]): row for row in table.rows}
    assert rows[("Växtkraft", 1)][5:] == (
        "På väg att nås", "Tre i jobb.", "Ej rapporterad", None, "Uppnått", None, "Uppnått", "Ja",
    )  # fmt: skip
    assert rows[("Lokus Heby", 1)][2] == "strukturstödjande"
    assert rows[("Lokus Heby", 1)][5:7] == ("Delvis uppnått", "Halva nätverket.")
    assert table.total is not None
    assert table.total[0] == (
        "Strukturstödjande insatser: 1 av 3 mål uppnådda (33,3\u00a0%; styrelsens mål är"
        " 75,0\u00a0% – inte nått)"
    )
    bot.settle()


def test_the_structural_share_meets_the_target_and_counts_goals_without_status_apart(
    bot: RunningBot,
) -> None:
    report(
        bot,
        "regexpro",
        "2026-Q1",
        {"1": ("reached", None), "2": ("reached", None)},
        STRUCTURAL_LEAD,
    )
    share = compile_quarters(bot.engine, 2026, 1).structural
    # Lokus Heby has not reported: its goal is neither reached nor missed
    assert (share.goals, share.reached, share.unreported) == (2, 2, 1)
    assert share.share == 1.0 and share.meets_target is True
    _, table = quarterly_sheet(compile_quarters(bot.engine, 2026, 1), Texts("en"))
    assert table.total is not None and table.total[0] == (
        "Structural interventions (strukturstödjande insatser): 2 of 2 goals reached (100.0%;"
        " the board's target is 75.0% – met); 1 goal without a reported status"
    )
    bot.settle()


# --------------------------------------------------------------------------- Slack


def page_text(blocks: list[dict[str, Any]]) -> str:
    return message_text({"blocks": blocks})


def test_the_office_sends_an_interventions_page_to_a_channel_exactly_once(
    bot: RunningBot,
) -> None:
    three_quarters(bot)
    sent = bot.dispatch_on_ring()
    # not for the lead
    refused = bot.ask("kvartal RegExPro 2026", user=LEAD_USER)
    assert "kansliet eller förbundschefen" in refused["text"]

    shown = bot.ask("kvartal regexpro 2026", user=OFFICE_USER)
    assert shown["response_type"] == "ephemeral"
    text = page_text(shown["blocks"])
    assert "Kvartalssammanställning 2026: RegExPro (Region Uppsala)" in text
    assert "*Gemensam kartläggning*" in text
    assert "Uppnådda mål enligt senaste rapporten: 1 av 2." in text
    assert "• Kv 1: Ej påbörjat – _Startar i april._" in text
    assert "• Kv 3: Risk att inte nås – _Ny utbildare i nov._" in text
    [button] = buttons({"blocks": shown["blocks"]})
    assert button["text"]["text"] == "Skicka till kanal…"

    # the button opens the channel picker
    before = len(bot.fake.views())
    press = block_action(button["action_id"], value=button["value"], user_id=OFFICE_USER)
    assert bot.driver.action(press).status == 200
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    modal = bot.fake.views()[-1]
    [picker] = [b for b in modal["blocks"] if b["type"] == "input"]
    assert picker["element"]["type"] == "conversations_select"

    def choose(channel: str | None) -> dict[str, Any]:
        chosen = {"type": "conversations_select", "selected_conversation": channel}
        payload = view_submission(
            modal["callback_id"],
            values={"channel": {"value": chosen}},
            user_id=OFFICE_USER,
            view=modal,
        )
        response = bot.driver.submit(payload)
        assert response.status == 200
        answer: dict[str, Any] = response.json()
        return answer

    assert choose(None)["errors"] == {"channel": "Välj en kanal att skicka till."}
    assert "inte med i kanalen" in choose(OUTSIDE)["errors"]["channel"]
    first = choose(STEERING)
    assert first["response_action"] == "update"
    assert f"<#{STEERING}>" in json.dumps(first["view"], ensure_ascii=False)
    bot.fake.wait_for(lambda: any(key.startswith("quarterly_page:") for key in sent))
    assert choose(STEERING)["response_action"] == "update"  # the same submission again
    bot.jobs.run_outbox()

    post = bot.fake.unique_post(STEERING)  # exactly once
    [message] = bot.fake.messages(STEERING)
    assert outbox_key(message).startswith(f"quarterly_page:{ids(bot)['regexpro']}:2026-Q3:")
    posted = message_text(message)
    assert "Kvartalssammanställning 2026: RegExPro (Region Uppsala)" in posted
    assert "• Kv 2: På väg att nås – _Halvvägs._" in posted
    assert f"skickad av <@{OFFICE_USER}>" in posted
    assert buttons(message) == []  # the channel gets the page, not the office's button
    assert post.args["channel"] == STEERING
    assert bot.fake.messages(OUTSIDE) == []
    bot.settle()
    bot.fake.assert_clean(allow_errors=["channel_not_found", "not_in_channel"])


def test_a_page_for_an_unknown_or_ambiguous_intervention_says_so(bot: RunningBot) -> None:
    assert "Ingen insats heter ”Okänd”" in bot.ask("kvartal Okänd", user=OFFICE_USER)["text"]
    # "e" is in every name and owner: the office is told which ones
    many = json.dumps(bot.ask("kvartal e 2026", user=OFFICE_USER), ensure_ascii=False)
    assert "Flera insatser passar" in many and "RegExPro (Region Uppsala)" in many
    assert "inget år" in bot.ask("kvartal RegExPro 26", user=OFFICE_USER)["text"]
    assert "inget år" in bot.ask("kvartal RegExPro 0001", user=OFFICE_USER)["text"]
    assert (
        "Skriv `/finsam kvartal INSATS [år]`" in bot.ask("kvartal 2026", user=OFFICE_USER)["text"]
    )
    bot.settle()


# --------------------------------------------------------------------------- the CLI


def test_the_cli_writes_the_compilation_xlsx(
    bot: RunningBot, database_url: str, clean_env: Path
) -> None:
    three_quarters(bot)
    bot.settle()
    out = clean_env / "kvartal.xlsx"
    env = {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "ERROR",
        "FINSAM_ASSOCIATION_NAME": "Samordningsförbundet Uppsala län",
    }
    args = ["reports", "quarterly", "--year", "2026", "--until", "3", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--on", "2026-10-20"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Skrev {out}\n"
    book = load_workbook(out)
    assert book.sheetnames == ["Kvartalssammanställning"]
    rows = [list(row) for row in book["Kvartalssammanställning"].iter_rows(values_only=True)]
    assert rows[0][0] == (
        "Samordningsförbundet Uppsala län – Kvartalssammanställning 2026 – kvartal 1–3"
        " (uttag 2026-10-20)"
    )
    regexpro = [row for row in rows if row[0] == "RegExPro"]
    assert [row[4:11] for row in regexpro] == [
        ["Gemensam kartläggning", "Ej påbörjat", "Startar i april.", "På väg att nås",
         "Halvvägs.", "Uppnått", "Klar i augusti."],
        ["Utbildning för handläggare", "På väg att nås", "Två av fyra.", "Risk att inte nås",
         "Utbildaren sjuk.", "Risk att inte nås", "Ny utbildare i nov."],
    ]  # fmt: skip
    assert rows[-1][0].startswith("Strukturstödjande insatser: 1 av 3 mål uppnådda")

    bad = CliRunner().invoke(app, [*args[:-4], "--until", "5"], env=env)
    assert bad.exit_code != 0


# --------------------------------------------------------------------------- board papers


def test_the_board_papers_carry_the_compilation_at_the_half_year_and_the_year(
    bot: RunningBot,
) -> None:
    three_quarters(bot)
    with session_scope(bot.engine) as session:
        replace_year(
            session,
            2026,
            [
                meeting("m-mar", date(2026, 3, 10), date(2026, 3, 3)),
                meeting("m-may", date(2026, 5, 12), date(2026, 5, 5)),
                meeting("m-sep", date(2026, 9, 15), date(2026, 9, 8)),
            ],
        )

    def pack_of(uid: str) -> Pack:
        found = papers_pack(
            bot.engine,
            event_id(bot.engine, uid),
            reporting=REPORTING,
            rules=RULES,
            today=NOW.date(),
        )
        assert found is not None
        return found

    half_year = pack_of("m-sep")
    assert half_year.quarters is not None
    assert (half_year.quarters.year, half_year.quarters.periods) == (2026, ("2026-Q1", "2026-Q2"))
    book = load_workbook(BytesIO(write_papers_xlsx(half_year, Texts("sv"))))
    assert book.sheetnames[-1] == "Kvartalssammanställning"
    rows = [list(r) for r in book["Kvartalssammanställning"].iter_rows(values_only=True)]
    assert ["RegExPro", "Region Uppsala", "strukturstödjande", 1, "Gemensam kartläggning"] in [
        row[:5] for row in rows
    ]
    summary = message_text({"blocks": to_dicts(build_papers_blocks(half_year, Texts("sv")))})
    assert "*Kvartalssammanställning 2026, kvartal 1–2*" in summary
    assert "0 av 3 mål uppnådda" in summary
    # the year: in March, the year before (nothing reported for 2025 here); not in May
    year = pack_of("m-mar").quarters
    assert year is not None and year.periods == ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")
    assert pack_of("m-may").quarters is None
    may = load_workbook(BytesIO(write_papers_xlsx(pack_of("m-may"), Texts("sv"))))
    assert "Kvartalssammanställning" not in may.sheetnames
    bot.settle()


# --------------------------------------------------------------------------- the form file


def test_the_form_file_names_its_comment_rule_by_its_own_options(tmp_path: Path) -> None:
    shipped = (forms_dir() / "quarterly.yml").read_text(encoding="utf-8")
    broken = tmp_path / "quarterly.yml"
    broken.write_text(
        shipped.replace("comment_required_unless: [reached]", "comment_required_unless: [done]"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_form_file(broken)
    assert caught.value.params["place"] == "fields[0].comment_required_unless[0]"
    assert "'done' is no option" in str(caught.value.params["problem"])


def test_an_old_status_reads_by_the_label_its_form_gave_it() -> None:
    form = load_forms()[ReportKind.quarterly]
    choice = inputs(form, ["Fler i arbete"])[0]
    assert [choice_label(choice, code, "sv") for code in ("reached", "partly", "not")] == [
        "Uppnått",
        "Delvis uppnått",
        "Inte uppnått",
    ]
    assert choice_label(choice, "partly", "en") == "Partly reached"
    assert choice_label(choice, "maybe", "sv") is None
