"""Before `/finsam beslut` records a grant it says how the grant moves the share of new grants
to individual support (the 70 % rule, FINSAM_NEW_GRANTS_INDIVIDUAL_MIN) and what is left to
decide on (issue #13): end to end through the real Bolt app and the Slack fake, on both
databases. A new intervention moves the share, one with its own budget line does not; a
grant taking the share below the minimum, or larger than what is left, is flagged; figures
that moved between the preview and "Bekräfta" get a fresh preview instead of a record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from store.errors import ConflictError
from tests.harness import STOCKHOLM, RunningBot, running_bot
from tests.test_grants_form import GOOD, confirm, modal_text, open_form, submit
from workflows.budget_status import BudgetRules, budget_status_for
from workflows.grants import GrantFields, grants_of_year, preview_grant, record_grant

NOW = datetime(2026, 4, 20, 10, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, finsam_new_grants_individual_min="0.70") as running:
        running.add_office_user()
        running.import_budget()
        yield running
        running.fake.assert_clean()


def grant(engine: Engine, intervention: str, owner: str, tkr: str, support: str) -> None:
    record_grant(
        engine,
        GrantFields(
            decided_on="2026-03-10",
            intervention=intervention,
            owner=owner,
            amount_tkr=tkr,
            body="board",
            decided_by="Styrelsen § 4",
            support=support,
        ),
        today=date(2026, 4, 20),
        now=NOW,
        recorded_by="test",
    )


def new_structural(tkr: str) -> dict[str, str | None]:
    return {
        **GOOD,
        "intervention": "Kartläggning av samverkan",
        "owner": "Tierp",
        "amount": tkr,
        "body": "board",
        "decided_by": "Styrelsen § 9",
        "support": "structural",
    }


def test_a_new_structural_grant_crossing_the_minimum_is_flagged(bot: RunningBot) -> None:
    grant(bot.engine, "Stöd till arbete", "Heby", "720", "individual")
    grant(bot.engine, "Samordnad planering", "Håbo", "280", "structural")
    view = open_form(bot)
    confirmation = submit(bot, view, new_structural("130"))
    assert confirmation["response_action"] == "push"
    pushed = confirmation["view"]
    assert (pushed["title"]["text"], pushed["submit"]["text"], pushed["close"]["text"]) == (
        "Bekräfta beslut",
        "Bekräfta",
        "Tillbaka",
    )
    text = modal_text(pushed)
    # 720 of 1 000 tkr before; 720 of 1 130 after.
    assert (
        "Andelen nya beviljade medel till individinriktade insatser går från 72,0 % till "
        "63,7 % (lägsta 70,0 %)." in text
    )
    assert "*Under lägsta andelen 70,0 %:* beslutet tar andelen under gränsen." in text
    # 1 007 tkr to decide on in the sample budget, 1 000 of it granted.
    assert "Kvar att besluta om 2026: 7 tkr, efter beslutet −123 tkr." in text
    assert "*Beslutet är större än det som finns kvar att besluta om* (7 tkr)." in text
    assert len(grants_of_year(bot.engine, 2026)) == 2  # nothing stored before "Bekräfta"

    done = confirm(bot, confirmation)
    assert "Beslutet är registrerat: 130 tkr till Kartläggning av samverkan (Tierp)" in (
        modal_text(done["view"])
    )
    assert [g.amount_kr for g in grants_of_year(bot.engine, 2026)] == [720_000, 280_000, 130_000]
    # What the preview said is what the budget status's rule now reports.
    status = budget_status_for(bot.engine, year=2026, rules=bot.ctx.rules)
    [rule] = [r for r in status.rules if r.rule == "new_grants_individual_share"]
    assert (rule.value, rule.ok, rule.limit) == (Decimal("0.6372"), False, Decimal("0.70"))
    assert status.remaining_after_grants == -123_000


def test_a_budgeted_intervention_leaves_the_share_alone(bot: RunningBot) -> None:
    grant(bot.engine, "Stöd till arbete", "Heby", "720", "individual")
    grant(bot.engine, "Samordnad planering", "Håbo", "280", "structural")
    text = modal_text(submit(bot, open_form(bot), {**GOOD, "amount": "5"})["view"])
    assert "Växtkraft (Enköping), individstödjande insats, ur 2026 års beslutsutrymme" in text
    assert (
        "räknas inte som ny: andelen nya beviljade medel till individinriktade insatser är "
        "oförändrad, 72,0 % (lägsta 70,0 %)." in text
    )
    assert "Under lägsta" not in text and "större än" not in text
    assert "Kvar att besluta om 2026: 7 tkr, efter beslutet 2 tkr." in text


def test_the_first_new_grant_and_one_already_below(bot: RunningBot) -> None:
    text = modal_text(submit(bot, open_form(bot), new_structural("100"))["view"])
    assert "går från – (inga nya insatser beviljade än) till 0,0 % (lägsta 70,0 %)" in text
    assert "beslutet tar andelen under gränsen" in text
    grant(bot.engine, "Samordnad planering", "Håbo", "100", "structural")
    # Already below: an individual grant raises the share, still under the minimum.
    individual = {**new_structural("100"), "intervention": "Ny väg", "support": "individual"}
    text = modal_text(submit(bot, open_form(bot), individual)["view"])
    assert "går från 0,0 % till 50,0 % (lägsta 70,0 %)" in text
    assert "andelen ligger redan under gränsen." in text


def test_figures_moved_since_the_preview_are_shown_again(bot: RunningBot) -> None:
    confirmation = submit(bot, open_form(bot), new_structural("100"))
    assert "går från – (inga nya insatser beviljade än) till 0,0 %" in modal_text(
        confirmation["view"]
    )
    grant(bot.engine, "Stöd till arbete", "Heby", "300", "individual")  # meanwhile
    answer = confirm(bot, confirmation)
    assert answer["response_action"] == "update"
    fresh = answer["view"]
    assert fresh["callback_id"] == "grant_confirm"
    text = modal_text(fresh)
    assert text.startswith(":warning: Siffrorna för 2026 har ändrats sedan förhandsgranskningen")
    assert "går från 100,0 % till 75,0 % (lägsta 70,0 %)" in text
    assert len(grants_of_year(bot.engine, 2026)) == 1
    done = submit(bot, fresh, {})
    assert "Beslutet är registrerat" in modal_text(done["view"])
    assert len(grants_of_year(bot.engine, 2026)) == 2


def test_a_confirmation_without_its_fields_stores_nothing(bot: RunningBot) -> None:
    confirmation = submit(bot, open_form(bot), GOOD)
    forged = {**confirmation["view"], "private_metadata": '{"fields": "x"}'}
    answer = submit(bot, forged, {})
    assert answer["response_action"] == "update"
    assert "Något gick fel" in modal_text(answer["view"])
    assert grants_of_year(bot.engine, 2026) == []


def test_without_the_rule_the_share_is_shown_without_a_minimum(engine: Engine) -> None:
    from tests.budget_data import SAMPLE_2026
    from workflows.budget_files import import_budget_file

    import_budget_file(engine, SAMPLE_2026)
    fields = GrantFields(
        decided_on="2026-04-01",
        intervention="Ny väg",
        owner="Heby",
        amount_tkr="50",
        body="delegation",
        decided_by="Förbundschefen",
        support="individual",
    )
    preview = preview_grant(engine, fields, today=date(2026, 4, 20), rules=BudgetRules())
    assert (preview.new_intervention, preview.share_before, preview.share_after) == (
        True,
        None,
        Decimal(1),
    )
    assert (preview.minimum, preview.below_minimum, preview.to_decide_before) == (
        None,
        False,
        1_007_000,
    )
    # A grant for next year, whose budget does not exist yet: no room to show.
    later = preview_grant(
        engine,
        GrantFields(**{**fields.__dict__, "for_year": "2027"}),
        today=date(2026, 4, 20),
        rules=BudgetRules(new_grants_individual_min=Decimal("0.7")),
    )
    assert (later.year, later.to_decide_before, later.revision, later.exceeds_room) == (
        2027,
        None,
        0,
        False,
    )
    assert grants_of_year(engine, 2026) == [] and grants_of_year(engine, 2027) == []


def test_one_preview_confirms_once(engine: Engine) -> None:
    """Two confirmations of the same preview (two people, or two tabs): the first records,
    the second finds the year's figures moved and records nothing."""
    from tests.budget_data import SAMPLE_2026
    from workflows.budget_files import import_budget_file

    import_budget_file(engine, SAMPLE_2026)
    fields = GrantFields(
        decided_on="2026-04-01",
        intervention="Ny väg",
        owner="Heby",
        amount_tkr="50",
        body="delegation",
        decided_by="Förbundschefen",
        support="individual",
    )
    preview = preview_grant(engine, fields, today=date(2026, 4, 20), rules=BudgetRules())
    for who in ("U0OFFICE1", "U0OFFICE2"):
        try:
            record_grant(
                engine,
                fields,
                today=date(2026, 4, 20),
                now=NOW,
                recorded_by=who,
                expected_revision=preview.revision,
            )
        except ConflictError as err:
            assert (who, err.code) == ("U0OFFICE2", "grant_figures_moved")
    assert [g.recorded_by for g in grants_of_year(engine, 2026)] == ["U0OFFICE1"]
    again = preview_grant(engine, fields, today=date(2026, 4, 20), rules=BudgetRules())
    assert again.revision == preview.revision + 1  # the refused one's bump was rolled back
