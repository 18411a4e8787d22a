"""Report forms: the shipped files load, a bad file is refused with the place named, and any
input is either stored as typed values or answered with inline errors — never a crash."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from store.errors import ConfigError
from workflows.calendar import ReportKind
from workflows.forms import (
    COUNT_MAX,
    GOALS_MAX,
    MONEY_MAX,
    FormDefinition,
    FormError,
    InputType,
    Rule,
    clean_text,
    forms_dir,
    goal_list,
    inputs,
    load_form_file,
    load_forms,
    to_prefill,
    validate,
)
from workflows.identity_numbers import find_identity_number
from workflows.texts import Texts

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMS = load_forms()
# The validator's generic tests run on the monthly form of the old shape (every count
# required, the profile of the month-end stock), which still ships to name the answers of
# earlier reports; the shipped form has tests of its own (tests/test_monthly_form.py).
MONTHLY = load_form_file(forms_dir() / "earlier" / "monthly-before-2027.yml")
QUARTERLY = FORMS[ReportKind.quarterly]
SPLIT_IDS = [
    "month_end",
    "new",
    "ended",
    "to_work",
    "to_studies",
    "to_subsidised_job",
    "with_plan",
    "under_30",
    "over_3_years",
    "anonymous",
]
QUALITY_IDS = ["collaboration", "participant_view", "steering_group", "resources"]


# --------------------------------------------------------------------------- the shipped forms


def test_the_monthly_form_is_counts_split_by_women_and_men() -> None:
    assert [i.id for i in inputs(MONTHLY, [])] == [
        f"{field}_{split}" for field in SPLIT_IDS for split in ("women", "men")
    ]
    assert {(i.type, i.required, i.max) for i in inputs(MONTHLY, [])} == {
        (InputType.COUNT, True, COUNT_MAX)
    }
    assert MONTHLY.title.sv == "Månadsrapport"


def test_the_monthly_rules_are_breakdowns_of_their_totals() -> None:
    assert MONTHLY.rules == (
        Rule(("to_work", "to_studies", "to_subsidised_job"), "ended"),
        Rule(("with_plan",), "ended"),
        Rule(("under_30",), "month_end"),
        Rule(("over_3_years",), "month_end"),
        Rule(("anonymous",), "month_end"),
    )


@pytest.mark.parametrize(
    ("goals", "goal_ids"),
    [
        ([], ["goal_all", "goal_all_comment"]),
        (["Fler i arbete"], ["goal_1", "goal_1_comment"]),
        ("Ett\n\n  Två  \n", ["goal_1", "goal_1_comment", "goal_2", "goal_2_comment"]),
    ],
)
def test_the_quarterly_form_asks_about_each_goal(goals: list[str], goal_ids: list[str]) -> None:
    assert [i.id for i in inputs(QUARTERLY, goal_list(goals))] == [
        *goal_ids,
        *QUALITY_IDS,
        "deviations",
        "costs",
        "other",
    ]


def test_goal_labels_are_the_goals_and_attainment_has_four_quarterly_statuses() -> None:
    choice, comment = inputs(QUARTERLY, ["Fler i arbete"])[:2]
    assert (choice.label.sv, choice.type, choice.required) == (
        "Fler i arbete",
        InputType.CHOICE,
        True,
    )
    assert [(o.value, o.label.sv) for o in choice.options] == [
        ("reached", "Uppnått"),
        ("on_track", "På väg att nås"),
        ("at_risk", "Risk att inte nås"),
        ("not_started", "Ej påbörjat"),
    ]
    # optional in Slack: required by the status chosen, checked on submission
    assert (comment.type, comment.required, comment.max) == (InputType.TEXT, False, 1000)
    assert comment.hint is not None and "inte är uppnått" in comment.hint.sv


def test_more_goals_than_a_modal_holds_end_with_the_other_goals_together() -> None:
    goals = [f"Mål {n}" for n in range(1, GOALS_MAX + 6)]
    choices = [i for i in inputs(QUARTERLY, goals) if i.type is InputType.CHOICE]
    assert len(choices) == GOALS_MAX
    assert (choices[-1].id, choices[-1].label.sv) == ("goal_rest", "Övriga mål")


def test_costs_are_optional_whole_kronor() -> None:
    [costs] = [i for i in inputs(QUARTERLY, []) if i.id == "costs"]
    assert (costs.type, costs.required, costs.max) == (InputType.MONEY, False, MONEY_MAX)


# --------------------------------------------------------------------------- bad files

GOOD = """\
kind: monthly
title: {sv: Månadsrapport, en: Monthly report}
fields:
  - id: total
    type: count_split
    label: {sv: Totalt, en: Total}
  - id: part
    type: count_split
    label: {sv: Del, en: Part}
    max: 500
  - id: note
    type: text
    label: {sv: Kommentar, en: Comment}
  - id: pick
    type: choice
    label: {sv: Val, en: Choice}
    options:
      - {value: a, label: {sv: A, en: A}}
rules:
  - rule: at_most
    parts: [part]
    total: total
"""
QUARTERLY_FILE = """\
kind: quarterly
title: {sv: Kvartal, en: Quarter}
fields:
  - {id: n, type: count, label: {sv: N, en: N}}
"""


def write_forms(directory: Path, monthly: str, quarterly: str = QUARTERLY_FILE) -> Path:
    (directory / "monthly.yml").write_text(monthly, encoding="utf-8")
    (directory / "quarterly.yml").write_text(quarterly, encoding="utf-8")
    return directory


def test_a_good_file_loads(tmp_path: Path) -> None:
    forms = load_forms(write_forms(tmp_path, GOOD))
    form = forms[ReportKind.monthly]
    assert [f.id for f in form.fields] == ["total", "part", "note", "pick"]
    assert (form.fields[1].max, form.fields[0].max, form.fields[2].required) == (
        500,
        COUNT_MAX,
        False,
    )


@pytest.mark.parametrize(
    ("old", "new", "place"),
    [
        (
            "type: count_split\n    label: {sv: Del",
            "type: cnt\n    label: {sv: Del",
            "fields[1].type",
        ),
        ("- id: part", "- id: total", "fields[1].id"),
        ("- id: part", "- id: Part!", "fields[1].id"),
        ("parts: [part]", "parts: [parts]", "rules[0].parts[0]"),
        ("parts: [part]", "parts: [part, part]", "rules[0].parts[1]"),
        ("total: total", "total: note", "rules[0].total"),
        ("rule: at_most", "rule: at_least", "rules[0].rule"),
        ("{sv: Del, en: Part}", "{sv: Del}", "fields[1].label.en"),
        ("{sv: Del, en: Part}", "{sv: Del, en: Part, de: Teil}", "fields[1].label.de"),
        ("{sv: Del, en: Part}", "Del", "fields[1].label"),
        ("max: 500", "max: -1", "fields[1].max"),
        ("max: 500", "max: 5.5", "fields[1].max"),
        ("max: 500", "requird: false", "fields[1].requird"),
        ("    max: 500", "    max_length: 10", "fields[1].max_length"),
        (
            "{value: a, label: {sv: A, en: A}}",
            "{value: a, label: {sv: A, en: B}}\n      - {value: a, label: {sv: A, en: A}}",
            "fields[3].options[1].value",
        ),
        (
            "label: {sv: A, en: A}",
            f"label: {{sv: {'A' * 76}, en: A}}",
            "fields[3].options[0].label.sv",
        ),
        ("title: {sv: Månadsrapport,", f"title: {{sv: {'M' * 25},", "title.sv"),
        ("kind: monthly", "kind: weekly", "kind"),
        ("kind: monthly\n", "", "kind"),
        ("  - id: note\n    type: text", "  - id: total_women\n    type: count", "fields[2].id"),
        (
            "fields:\n",
            "fields:\n  - {id: h, type: heading, label: {sv: H, en: H}, max: 3}\n",
            "fields[0].max",
        ),
        ("title:", "title: @", "line 2"),
    ],
)
def test_a_bad_file_is_refused_naming_the_place(
    tmp_path: Path, old: str, new: str, place: str
) -> None:
    assert old in GOOD
    write_forms(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_forms(tmp_path)
    assert caught.value.code == "bad_form_file"
    assert caught.value.params["file"] == str(tmp_path / "monthly.yml")
    assert caught.value.params["place"] == place
    assert caught.value.params["problem"]


def test_a_form_larger_than_a_modal_is_refused(tmp_path: Path) -> None:
    many = "".join(
        f"  - {{id: n{i}, type: count_split, label: {{sv: N, en: N}}}}\n" for i in range(49)
    )
    write_forms(tmp_path, GOOD.replace("fields:\n", "fields:\n" + many))
    with pytest.raises(ConfigError) as caught:
        load_forms(tmp_path)
    assert caught.value.params["place"] == "fields"


def test_every_kind_needs_a_form_and_only_one(tmp_path: Path) -> None:
    (tmp_path / "monthly.yml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_forms(tmp_path)
    assert caught.value.params["problem"] == "no form for quarterly"
    write_forms(tmp_path, GOOD)
    (tmp_path / "second.yml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_forms(tmp_path)
    assert (caught.value.params["file"], caught.value.params["place"]) == (
        str(tmp_path / "second.yml"),
        "kind",
    )


# --------------------------------------------------------------------------- validation


def monthly_answers(**overrides: str | None) -> dict[str, str | None]:
    answers: dict[str, str | None] = {
        f"{field}_{split}": "0" for field in SPLIT_IDS for split in ("women", "men")
    }
    answers |= {"month_end_women": "10", "month_end_men": "8", "ended_women": "4", "ended_men": "3"}
    return answers | overrides


def test_a_complete_monthly_report_is_typed_values() -> None:
    result = validate(MONTHLY, [], monthly_answers(new_women=" 12 ", to_work_women="2"))
    assert result.errors == {}
    assert result.ok
    assert (result.values["new_women"], result.values["to_work_women"]) == (12, 2)
    assert result.values["month_end_men"] == 8


def test_new_participants_may_outnumber_those_at_month_end() -> None:
    assert validate(MONTHLY, [], monthly_answers(new_women="50")).ok


def test_every_required_input_left_empty_is_named() -> None:
    result = validate(MONTHLY, [], {})
    assert result.errors == {i.id: FormError("required") for i in inputs(MONTHLY, [])}


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("3,5", FormError("not_a_whole_number")),
        ("3.0", FormError("not_a_whole_number")),
        ("\u0663", FormError("not_a_whole_number")),  # an Arabic-Indic 3
        ("１２", FormError("not_a_whole_number")),  # full-width 12
        ("1e3", FormError("not_a_whole_number")),
        ("+5", FormError("not_a_whole_number")),
        ("12 500", FormError("not_a_whole_number")),
        ("-2", FormError("negative")),
        ("\u22122", FormError("negative")),
        ("10001", FormError("too_large", {"max": COUNT_MAX})),
        ("9" * 5000, FormError("too_large", {"max": COUNT_MAX})),
        ("   ", FormError("required")),
    ],
)
def test_a_count_must_be_a_whole_number_within_bounds(typed: str, error: FormError) -> None:
    result = validate(MONTHLY, [], monthly_answers(new_men=typed))
    assert result.errors == {"new_men": error}
    assert result.values["new_men"] is None


@pytest.mark.parametrize(("typed", "value"), [("0", 0), ("-0", 0), ("007", 7), ("10000", 10000)])
def test_edge_counts_are_accepted(typed: str, value: int) -> None:
    result = validate(MONTHLY, [], monthly_answers(new_men=typed))
    assert (result.errors, result.values["new_men"]) == ({}, value)


def test_a_breakdown_larger_than_its_total_is_refused_on_each_part() -> None:
    result = validate(
        MONTHLY, [], monthly_answers(ended_women="3", to_work_women="2", to_studies_women="2")
    )
    labels = {f.id: f.label.as_dict() for f in MONTHLY.fields}
    error = FormError(
        "exceeds_total",
        {
            "parts": [labels["to_work"], labels["to_studies"], labels["to_subsidised_job"]],
            "total": labels["ended"],
            "split": "women",
            "sum": 4,
            "limit": 3,
        },
    )
    assert result.errors == {
        "to_work_women": error,
        "to_studies_women": error,
        "to_subsidised_job_women": error,
    }
    assert Texts("sv").get("forms", error.code, **error.params) == (
        "Kvinnor: ”Till arbete” + ”Till studier” + ”Till extratjänst/subventionerad anställning”"
        " är sammanlagt 4 men ”Avslutade deltagare under månaden” bara 3 – delarna kan inte vara"
        " fler än helheten."
    )


def test_each_breakdown_is_checked_on_its_own_and_per_split() -> None:
    # With a plan is counted beside the destinations, not added to them.
    fine = monthly_answers(ended_men="3", to_work_men="3", with_plan_men="3")
    assert validate(MONTHLY, [], fine).ok
    over = validate(MONTHLY, [], monthly_answers(month_end_men="2", under_30_men="3"))
    assert list(over.errors) == ["under_30_men"]
    assert over.errors["under_30_men"].params["split"] == "men"


def test_a_rule_waits_until_its_numbers_are_right() -> None:
    result = validate(MONTHLY, [], monthly_answers(ended_women="x", to_work_women="9"))
    assert result.errors == {"ended_women": FormError("not_a_whole_number")}


def quarterly_answers(**overrides: str | None) -> dict[str, str | None]:
    answers: dict[str, str | None] = {
        "goal_1": "on_track",
        "goal_1_comment": "Tre av fem klara.",
        "goal_2": "reached",
        "collaboration": "Bra samverkan med Arbetsförmedlingen.",
        "steering_group": "Möte varje månad.",
        "resources": "Ja.",
        "deviations": "Inga.",
    }
    return answers | overrides


GOALS = ["Fler i arbete", "Färre i långvarig sjukskrivning"]


def test_a_complete_quarterly_report_keeps_optional_answers_empty() -> None:
    result = validate(QUARTERLY, GOALS, quarterly_answers(costs="125000", other=" \n "))
    assert result.errors == {}
    assert result.values == {
        "goal_1": "on_track",
        "goal_1_comment": "Tre av fem klara.",
        "goal_2": "reached",
        "goal_2_comment": None,
        "collaboration": "Bra samverkan med Arbetsförmedlingen.",
        "participant_view": None,
        "steering_group": "Möte varje månad.",
        "resources": "Ja.",
        "deviations": "Inga.",
        "costs": 125000,
        "other": None,
    }


@pytest.mark.parametrize(
    "spelling",
    [
        "811218 - 9876",
        "1981-12-18-9876",
        "811218-\r\n9876",  # the parts on two lines, as Slack sends a text area
        "811218  9876",
        "811218\t9876",
        "811218-98 76",
        "81 12 18 98 76",
        "811218_9876",
        "811218/9876",
        "811218.9876",
        "\uff18\uff11\uff11\uff12\uff11\uff18-\uff19\uff18\uff17\uff16",
    ],
)
def test_the_quarterly_form_refuses_every_spelling_it_stored_before(spelling: str) -> None:
    """Issue #10: each of these was stored from the quarterly form."""
    result = validate(
        QUARTERLY, GOALS, quarterly_answers(deviations=f"Deltagaren {spelling} fick jobb.")
    )
    assert result.errors == {"deviations": FormError("identity_number", {"kind": "personnummer"})}
    assert "deviations" not in result.values or result.values["deviations"] is None


def test_an_identity_number_in_a_text_is_refused_with_the_reason() -> None:
    result = validate(
        QUARTERLY, GOALS, quarterly_answers(goal_2_comment="Deltagaren 811218-9876 fick jobb.")
    )
    assert result.errors == {
        "goal_2_comment": FormError("identity_number", {"kind": "personnummer"})
    }
    assert "Personuppgifter hör inte hemma i chatten" in Texts("sv").get(
        "forms", "identity_number", kind="personnummer"
    )


def test_text_limits_choices_and_unknown_keys() -> None:
    result = validate(
        QUARTERLY,
        GOALS,
        quarterly_answers(deviations="x" * 2001, goal_1="maybe", unknown="ignored"),
    )
    assert result.errors == {
        "deviations": FormError("too_long", {"max": 2000, "length": 2001}),
        "goal_1": FormError("unknown_choice"),
    }
    assert "unknown" not in result.values


def test_text_is_stored_clean() -> None:
    assert clean_text(" a\r\nb\x00c\ud800 ") == "a\nbc?"
    result = validate(QUARTERLY, GOALS, quarterly_answers(other="\tNej\x07 \r\n"))
    assert result.values["other"] == "Nej"


def test_every_error_renders_in_both_languages() -> None:
    errors = [
        *validate(
            MONTHLY, [], monthly_answers(new_women="-1", new_men="x", ended_men="")
        ).errors.values(),
        *validate(MONTHLY, [], monthly_answers(under_30_women="11")).errors.values(),
        *validate(
            QUARTERLY, [], {"costs": "9" * 20, "other": "y" * 5000, "goal_all": "z"}
        ).errors.values(),
        FormError("identity_number", {"kind": "samordningsnummer"}),
    ]
    assert {e.code for e in errors} == {
        "negative",
        "not_a_whole_number",
        "required",
        "exceeds_total",
        "too_large",
        "too_long",
        "unknown_choice",
        "identity_number",
    }
    for lang in ("sv", "en"):
        assert all(Texts(lang).get("forms", e.code, **e.params) for e in errors)


# --------------------------------------------------------------------------- prefill


def test_prefill_round_trip_gives_the_same_values() -> None:
    first = validate(QUARTERLY, GOALS, quarterly_answers(costs="4500", goal_1_comment="Bra"))
    assert first.ok
    prefill = to_prefill(first.values)
    assert prefill["costs"] == "4500"
    assert "other" not in prefill  # empty stays empty
    assert validate(QUARTERLY, GOALS, prefill).values == first.values
    json.dumps(first.values)  # stored as JSON


# --------------------------------------------------------------------------- fuzz


def raw_values(ids: list[str]) -> st.SearchStrategy[dict[str, str | None]]:
    typed = st.one_of(
        st.none(),
        st.text(max_size=40),
        st.integers(-20, COUNT_MAX + 20).map(str),
        st.integers().map(str),
        st.sampled_from(
            ["reached", "on_track", "partly", "not", " 3 ", "3,5", "811218-9876", "x" * 3001]
        ),
    )
    keys = st.one_of(st.sampled_from(ids), st.text(max_size=10)) if ids else st.text(max_size=10)
    return st.dictionaries(keys, typed, max_size=len(ids) + 3)


@st.composite
def submissions(draw: st.DrawFn) -> tuple[FormDefinition, list[str], dict[str, str | None]]:
    form = draw(st.sampled_from([MONTHLY, QUARTERLY]))
    goals = draw(st.lists(st.text(max_size=20), max_size=GOALS_MAX + 2))
    ids = [i.id for i in inputs(form, goals)]
    return form, goals, draw(raw_values(ids))


def assert_storable(form: FormDefinition, goals: list[str], values: Mapping[str, object]) -> None:
    """What `ok` promises: every value typed and within bounds, every rule kept."""
    for item in inputs(form, goals):
        value = values[item.id]
        if value is None:
            assert not item.required
        elif item.type in (InputType.COUNT, InputType.MONEY):
            assert isinstance(value, int) and item.max is not None and 0 <= value <= item.max
        elif item.type is InputType.CHOICE:
            assert value in {o.value for o in item.options}
        else:
            assert isinstance(value, str) and value == value.strip() and value
            assert item.max is not None and len(value) <= item.max
            assert find_identity_number(value) is None
    for rule in form.rules:
        for split in ("_women", "_men"):
            total = values[rule.total + split]
            parts = [values[part + split] for part in rule.parts]
            assert isinstance(total, int)
            assert sum(p for p in parts if isinstance(p, int)) <= total
    json.dumps(values).encode("utf-8")


@PROPERTY
@given(submissions())
def test_any_input_is_stored_or_answered_inline(
    submission: tuple[FormDefinition, list[str], dict[str, str | None]],
) -> None:
    form, goals, raw = submission
    result = validate(form, goals, raw)
    ids = {i.id for i in inputs(form, goals)}
    assert set(result.values) == ids
    assert set(result.errors) <= ids
    if result.ok:
        assert_storable(form, goals, result.values)


@st.composite
def valid_monthly(draw: st.DrawFn) -> dict[str, str | None]:
    """Answers that keep every rule, spelled with stray whitespace."""
    answers: dict[str, str | None] = {}
    pad = st.sampled_from(["", " ", "\t", "\u00a0"])
    for split in ("women", "men"):
        month_end, ended = draw(st.integers(0, COUNT_MAX)), draw(st.integers(0, COUNT_MAX))
        to_work = draw(st.integers(0, ended))
        to_studies = draw(st.integers(0, ended - to_work))
        counts = {
            "month_end": month_end,
            "new": draw(st.integers(0, COUNT_MAX)),
            "ended": ended,
            "to_work": to_work,
            "to_studies": to_studies,
            "to_subsidised_job": draw(st.integers(0, ended - to_work - to_studies)),
            "with_plan": draw(st.integers(0, ended)),
            "under_30": draw(st.integers(0, month_end)),
            "over_3_years": draw(st.integers(0, month_end)),
            "anonymous": draw(st.integers(0, month_end)),
        }
        for field, count in counts.items():
            answers[f"{field}_{split}"] = f"{draw(pad)}{count}{draw(pad)}"
    return answers


@PROPERTY
@given(valid_monthly())
def test_a_valid_monthly_report_is_never_lost(answers: dict[str, str | None]) -> None:
    result = validate(MONTHLY, [], answers)
    assert result.errors == {}
    assert result.values == {key: int(value or "") for key, value in answers.items()}


@PROPERTY
@given(
    comment=st.text(max_size=1000),
    goals=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8),
)
def test_a_valid_quarterly_text_is_stored_as_typed(comment: str, goals: list[str]) -> None:
    assume(find_identity_number(clean_text(comment)) is None)
    answers = {f"goal_{n}": "reached" for n in range(1, len(goal_list(goals)) + 1)} | {
        "goal_all": "reached",
        "collaboration": "-",
        "steering_group": "-",
        "resources": "-",
        "deviations": "-",
        "other": comment,
    }
    result = validate(QUARTERLY, goals, answers)
    assert result.errors == {}
    assert result.values["other"] == (clean_text(comment) or None)
