"""Who may do what with a report, and what a decision applies to, as Slack meets the bot
(signed requests into the real app, the fake's records read back):

- only office staff get the send-back form, and only a send-back that was stored rewrites
  anything (a lead's forged one, naming the lead's reminder DM, rewrites nothing);
- a report comes in only for a period the intervention owes and that has begun, whatever
  the form's metadata or the button's value says;
- "Godkänn" / "Skicka tillbaka" act on the revision their post showed, not a newer one;
- a form opened before the report was accepted does not reopen it when submitted after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from simulator.reading import buttons, message_text, outbox_key
from simulator.slack_driver import block_action, text_input, view_submission
from store import reports as rows
from store.errors import ConflictError
from store.models import Report, ReportKind, ReportStatus, Role
from tests.harness import LEAD_USER, OFFICE_CHANNEL, OFFICE_USER, RunningBot, running_bot
from tests.overview_data import submit as submit_stored
from tests.reporting_data import add_intervention
from tests.test_reporting_flow import MARCH, MONTHLY_OK, open_form, stage_at, state, submit
from workflows.outbox import messages
from workflows.people import register_person
from workflows.reports import find_report, history, report_view, review_report


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    # One work thread: lazy listeners run in order, so a later command's answer shows that
    # whatever an earlier request set off has run.
    with running_bot(
        engine, database_url, now=stage_at(MARCH, "due"), finsam_work_threads=1
    ) as running:
        for user in (LEAD_USER, OFFICE_USER):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        running.add_office_user()
        running.intervention_id = add_intervention(  # type: ignore[attr-defined]
            engine, "Växtkraft", "Enköping", leads=(("anna@enkoping.example", LEAD_USER),)
        )
        yield running


def iid(bot: RunningBot) -> int:
    return int(bot.intervention_id)  # type: ignore[attr-defined]


def lead_dms(bot: RunningBot) -> list[dict[str, Any]]:
    return bot.fake.messages(bot.fake.dm_channel(LEAD_USER))


def reviews(bot: RunningBot) -> list[dict[str, Any]]:
    return [m for m in bot.fake.messages(OFFICE_CHANNEL) if outbox_key(m).startswith("report_")]


def report_in(bot: RunningBot) -> dict[str, Any]:
    """The March report through the reminder's form; the office's review post."""
    bot.jobs.run_reminders()
    assert submit(bot, open_form(bot, lead_dms(bot)[0]), MONTHLY_OK).status == 200
    bot.jobs.run_outbox()
    return reviews(bot)[-1]


def open_march_form(bot: RunningBot) -> dict[str, Any]:
    """The form through a "Rapportera" button (as the App Home offers for a correction)."""
    before = len(bot.fake.views())
    value = json.dumps({"intervention_id": iid(bot), "period": "2026-03"})
    bot.driver.action(block_action("report_open", value=value, user_id=LEAD_USER))
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    return bot.fake.views()[-1]


def press(
    bot: RunningBot, review: dict[str, Any], action: str, *, user: str, value: str | None = None
) -> None:
    button = next(b for b in buttons(review) if b["action_id"] == action)
    response = bot.driver.action(
        block_action(
            action,
            value=button["value"] if value is None else value,
            user_id=user,
            message={**review, "channel": OFFICE_CHANNEL},
            channel_id=OFFICE_CHANNEL,
            response_url=bot.fake.new_response_url(),
        )
    )
    assert response.status == 200


def settled(bot: RunningBot) -> None:
    """Wait until every lazy listener started so far has run (one work thread, in order)."""
    before = len(bot.fake.responses())
    bot.driver.command("hjälp", user_id=OFFICE_USER)
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > before, timeout=15)


def last_response_text(bot: RunningBot, count_before: int) -> str:
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > count_before, timeout=15)
    body = bot.fake.responses()[count_before]["body"]
    assert body.get("response_type") == "ephemeral" and body.get("replace_original") is False
    return str(body["text"])


def return_view(report_id: int, *, user: str = LEAD_USER, **meta: Any) -> dict[str, Any]:
    """A send-back form's submission as anyone could forge it."""
    return view_submission(
        "report_return",
        values={"comment": {"value": text_input("Kontrollera antalet")}},
        user_id=user,
        private_metadata=json.dumps({"report_id": report_id, **meta}),
    )


# -- the send-back -------------------------------------------------------------------------


def test_a_lead_pressing_send_back_is_told_no_and_gets_no_form(bot: RunningBot) -> None:
    review = report_in(bot)
    views, responses = len(bot.fake.views()), len(bot.fake.responses())
    press(bot, review, "report_return", user=LEAD_USER)
    text = last_response_text(bot, responses)
    assert text == "Det är bara kansliet som kan godkänna eller skicka tillbaka rapporter."
    settled(bot)
    assert len(bot.fake.views()) == views
    assert all(v["callback_id"] != "report_return" for v in bot.fake.views())
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None and report.status is ReportStatus.submitted


def test_a_forged_send_back_from_a_lead_rewrites_nothing(bot: RunningBot) -> None:
    review = report_in(bot)
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None
    # The office sends it back for real: the report is `returned`, as after_return wanted.
    press(bot, review, "report_return", user=OFFICE_USER)
    bot.fake.wait_for(lambda: any(v["callback_id"] == "report_return" for v in bot.fake.views()))
    form = next(v for v in bot.fake.views() if v["callback_id"] == "report_return")
    ok = bot.driver.submit(
        view_submission(
            "report_return",
            values={"comment": {"value": text_input("Kolla avslutade")}},
            user_id=OFFICE_USER,
            view=form,
        )
    )
    assert ok.status == 200 and not ok.body
    bot.jobs.run_outbox()
    settled(bot)
    reminder = lead_dms(bot)[0]
    rows, updates = len(messages(bot.engine)), len(bot.fake.calls("chat.update"))

    # The lead forges a send-back naming the reminder DM as "the review post".
    forged = return_view(
        report.report_id, channel=bot.fake.dm_channel(LEAD_USER), ts=reminder["ts"]
    )
    answer = bot.driver.submit(forged).json()
    assert answer["response_action"] == "update"
    assert "kansliet" in json.dumps(answer["view"], ensure_ascii=False)
    settled(bot)
    bot.jobs.run_outbox()

    assert lead_dms(bot)[0] == reminder  # not rewritten into the review post
    assert len(bot.fake.calls("chat.update")) == updates
    assert len(messages(bot.engine)) == rows  # nothing planned
    after = find_report(bot.engine, iid(bot), "2026-03")
    assert after is not None and after.review_comment == "Kolla avslutade"
    assert after.reviewed_by == OFFICE_USER


def test_a_forged_send_back_of_a_submitted_report_is_not_stored(bot: RunningBot) -> None:
    report_in(bot)
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None
    rows = len(messages(bot.engine))
    answer = bot.driver.submit(return_view(report.report_id, revision=1)).json()
    assert answer["response_action"] == "update"
    settled(bot)
    after = find_report(bot.engine, iid(bot), "2026-03")
    assert after is not None and after.status is ReportStatus.submitted
    assert len(messages(bot.engine)) == rows


def test_a_send_back_rewrites_the_review_post_it_was_taken_on(bot: RunningBot) -> None:
    review = report_in(bot)
    press(bot, review, "report_return", user=OFFICE_USER)
    bot.fake.wait_for(lambda: any(v["callback_id"] == "report_return" for v in bot.fake.views()))
    form = next(v for v in bot.fake.views() if v["callback_id"] == "report_return")
    assert json.loads(form["private_metadata"])["revision"] == 1
    bot.driver.submit(
        view_submission(
            "report_return",
            values={"comment": {"value": text_input("Kolla avslutade")}},
            user_id=OFFICE_USER,
            view=form,
        )
    )
    bot.jobs.run_outbox()
    [post] = reviews(bot)
    assert post["ts"] == review["ts"]
    assert "Skickad tillbaka" in message_text(post)
    assert [b["action_id"] for b in buttons(post)] == ["report_show"]


# -- which periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period", ["1999-01", "2099-12", "2024-12", "2026-05", "2026-Q3", "2024-Q4"]
)
def test_a_report_for_a_period_not_owed_or_not_begun_is_refused(
    bot: RunningBot, period: str
) -> None:
    # the intervention starts 2025-01-01; today is the March report's due day (2026-04-10)
    bot.jobs.run_reminders()
    view = open_form(bot, lead_dms(bot)[0])
    forged = {
        **view,
        "private_metadata": json.dumps({"intervention_id": iid(bot), "period": period}),
    }
    answer = submit(bot, forged, MONTHLY_OK if "Q" not in period else {}).json()
    assert answer["response_action"] == "update"
    text = json.dumps(answer["view"], ensure_ascii=False)
    assert f"Växtkraft (Enköping) har ingen rapport att lämna för {period}" in text
    assert find_report(bot.engine, iid(bot), period) is None
    assert not [m for m in messages(bot.engine) if m.key.startswith("report_")]


def test_the_button_of_a_forged_period_opens_no_form(bot: RunningBot) -> None:
    before = len(bot.fake.views())
    bot.driver.action(
        block_action(
            "report_open",
            value=json.dumps({"intervention_id": iid(bot), "period": "1999-01"}),
            user_id=LEAD_USER,
        )
    )
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    view = bot.fake.views()[-1]
    assert view["callback_id"] == "notice"
    assert "har ingen rapport att lämna för 1999-01" in json.dumps(view, ensure_ascii=False)


def test_a_period_under_way_may_be_reported(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    view = open_form(bot, lead_dms(bot)[0])
    april = {
        **view,
        "private_metadata": json.dumps({"intervention_id": iid(bot), "period": "2026-04"}),
    }
    assert submit(bot, april, MONTHLY_OK).json()["response_action"] == "update"
    assert find_report(bot.engine, iid(bot), "2026-04") is not None


# -- which revision ------------------------------------------------------------------------


def test_godkann_on_an_older_revision_is_refused_and_the_newer_has_its_own_post(
    bot: RunningBot,
) -> None:
    first = report_in(bot)
    # the lead corrects the report before the office looked: revision 2, a post of its own
    submit(bot, open_march_form(bot), {**MONTHLY_OK, "ended_women": "4", "month_end_women": "5"})
    bot.jobs.run_outbox()
    second = reviews(bot)[-1]
    assert second["ts"] != first["ts"]
    assert (
        json.loads(next(b for b in buttons(second) if b["action_id"] == "report_accept")["value"])[
            "revision"
        ]
        == 2
    )

    responses = len(bot.fake.responses())
    press(bot, first, "report_accept", user=OFFICE_USER)
    assert last_response_text(bot, responses) == (
        "Det här inlägget visar version 1, men version 2 har kommit in sedan dess och har ett "
        "eget granskningsinlägg – granska den där."
    )
    # a post whose buttons carry the report id only (sent before): its ts tells the revision
    responses = len(bot.fake.responses())
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None
    press(bot, first, "report_accept", user=OFFICE_USER, value=str(report.report_id))
    assert "version 2 har kommit in" in last_response_text(bot, responses)
    # the send-back form does not open for the older one either
    views, responses = len(bot.fake.views()), len(bot.fake.responses())
    press(bot, first, "report_return", user=OFFICE_USER)
    assert "version 2 har kommit in" in last_response_text(bot, responses)
    settled(bot)
    assert len(bot.fake.views()) == views
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None and report.status is ReportStatus.submitted

    responses = len(bot.fake.responses())
    press(bot, second, "report_accept", user=OFFICE_USER)
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > responses)
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None and report.status is ReportStatus.accepted
    assert report.revision == 2


def test_a_forged_send_back_of_an_older_revision_is_refused(bot: RunningBot) -> None:
    report_in(bot)
    submit(bot, open_march_form(bot), {**MONTHLY_OK, "ended_women": "4", "month_end_women": "5"})
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None
    forged = return_view(report.report_id, user=OFFICE_USER, revision=1)
    answer = bot.driver.submit(forged).json()
    assert "version 2 har kommit in" in json.dumps(answer["view"], ensure_ascii=False)
    after = find_report(bot.engine, iid(bot), "2026-03")
    assert after is not None and after.status is ReportStatus.submitted


def test_a_form_submitted_after_the_report_was_accepted_does_not_reopen_it(
    bot: RunningBot,
) -> None:
    review = report_in(bot)
    # the lead opens the form again (a correction), the office accepts meanwhile
    stale_form = open_march_form(bot)
    assert stale_form["callback_id"] == "report_form"
    responses = len(bot.fake.responses())
    press(bot, review, "report_accept", user=OFFICE_USER)
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > responses)
    rows = len(messages(bot.engine))

    payload = view_submission(
        "report_form",
        values=state({**MONTHLY_OK, "ended_women": "4", "month_end_women": "5"}),
        user_id=LEAD_USER,
        view=stale_form,
    )
    answer = bot.driver.submit(payload).json()
    assert answer["response_action"] == "update"
    text = json.dumps(answer["view"], ensure_ascii=False)
    assert "godkändes av kansliet medan formuläret var öppet" in text
    assert "be kansliet skicka tillbaka rapporten" in text
    report = find_report(bot.engine, iid(bot), "2026-03")
    assert report is not None and report.status is ReportStatus.accepted
    assert [r["revision"] for r in history(bot.engine, iid(bot), "2026-03")] == [1]
    assert len(messages(bot.engine)) == rows


# -- a decision and a submission crossing (in the store, on both databases) -------------------

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


def _report(engine: Engine) -> int:
    register_person(engine, OFFICE_USER, role=Role.office)
    intervention = add_intervention(
        engine, "Växtkraft", "Enköping", leads=(("anna@enkoping.example", LEAD_USER),)
    )
    return submit_stored(engine, intervention, "2026-03", at=NOW)


def test_a_submission_that_read_the_report_before_it_was_accepted_does_not_reopen_it(
    engine: Engine,
) -> None:
    report_id = _report(engine)
    with Session(engine, expire_on_commit=False) as session:
        seen = session.get(Report, report_id)  # read before the office decides
        assert seen is not None and seen.status == ReportStatus.submitted
        review_report(
            engine, report_id=report_id, reviewer=OFFICE_USER, accept=True, comment=None, now=NOW
        )
        with pytest.raises(rows.ReportAccepted):
            rows.add_revision(
                session,
                intervention_id=seen.intervention_id,
                period="2026-03",
                kind=ReportKind.monthly,
                submitted_by=LEAD_USER,
                submitted_at=NOW,
                late=False,
                answers={"note": "late correction"},
                delivery_key="d" * 64,
            )
        session.rollback()
    report = report_view(engine, report_id)
    assert (report.status, report.revision) == (ReportStatus.accepted, 1)


def test_a_decision_that_read_an_older_revision_is_not_stored(engine: Engine) -> None:
    report_id = _report(engine)
    with Session(engine, expire_on_commit=False) as session:
        seen = session.get(Report, report_id)
        assert seen is not None and seen.revision == 1
        submit_stored(engine, seen.intervention_id, "2026-03", at=NOW, answers={"note": "v2"})
        assert not rows.set_review(
            session,
            seen,
            status=ReportStatus.accepted,
            reviewer=OFFICE_USER,
            at=NOW,
            comment=None,
            revision=1,
        )
        session.commit()
    report = report_view(engine, report_id)
    assert (report.status, report.revision) == (ReportStatus.submitted, 2)
    with pytest.raises(ConflictError) as caught:
        review_report(
            engine,
            report_id=report_id,
            reviewer=OFFICE_USER,
            accept=True,
            comment=None,
            now=NOW,
            revision=1,
        )
    assert (caught.value.code, caught.value.params) == ("newer_revision", {"shown": 1, "latest": 2})
