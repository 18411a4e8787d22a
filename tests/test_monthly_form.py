"""The shipped monthly form counts each person once (issue #13), and the form file's new keys
are checked like the others: `when: first_report_of_year`, `empty_is_zero`, `prefill_from`,
the `confirm` field and the `balance` rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.errors import ConfigError
from workflows.calendar import Period, ReportKind
from workflows.form_context import previous_period
from workflows.forms import (
    CONFIRMED,
    Balance,
    FieldType,
    FormContext,
    FormError,
    When,
    inputs,
    load_form_file,
    load_forms,
    once_a_year_inputs,
    prefill_from_previous,
    validate,
)
from workflows.participants import FIELDS_USED
from workflows.texts import Texts

MONTHLY = load_forms()[ReportKind.monthly]
LATER = FormContext(first_of_year=False)


def test_the_shipped_form_asks_the_profile_of_the_new_and_once_of_the_enrolled() -> None:
    kinds = {f.id: f.type for f in MONTHLY.fields}
    assert {field: kinds.get(field) for field in FIELDS_USED} == {
        field: FieldType.COUNT_SPLIT for field in FIELDS_USED
    }
    once = {f.id for f in MONTHLY.fields if f.when is When.FIRST_REPORT_OF_YEAR}
    assert {f for f in once if f != "start_heading"} == {
        f for f in FIELDS_USED if f.startswith("start_")
    }
    assert once_a_year_inputs(MONTHLY) == {
        i.id for i in inputs(MONTHLY, []) if i.field_id.startswith("start_")
    }
    later = {i.id for i in inputs(MONTHLY, [], LATER)}
    assert not any(key.startswith("start_") for key in later)
    assert {"month_start_women", "new_under_30_men", "figures_confirmed"} <= later
    assert MONTHLY.balances == (
        Balance("month_start", ("new",), ("ended",), "month_end", "figures_confirmed"),
    )
    # every count may be left empty, and counts as 0
    assert all(i.empty_is_zero and not i.required for i in inputs(MONTHLY, []) if i.split)


def test_empty_counts_are_zero_and_a_later_report_ignores_the_once_a_year_fields() -> None:
    result = validate(MONTHLY, [], {"start_under_30_women": "x"}, LATER)
    assert result.errors == {}
    assert result.values["new_women"] == 0 and "start_under_30_women" not in result.values
    asked = validate(MONTHLY, [], {"start_under_30_women": "x"})
    assert asked.errors == {"start_under_30_women": FormError("not_a_whole_number")}


def test_the_balance_within_the_month_and_across_months() -> None:
    previous = FormContext(first_of_year=False, previous={"month_end_women": 5, "month_end_men": 2})
    ok = {"month_start_women": "5", "month_start_men": "2", "new_men": "1", "month_end_women": "5",
          "month_end_men": "3"}  # fmt: skip
    assert validate(MONTHLY, [], ok, previous).ok
    off = validate(MONTHLY, [], {**ok, "month_start_women": "6", "month_end_women": "6"}, previous)
    assert set(off.errors) == {"month_start_women", "figures_confirmed"}
    error = off.errors["month_start_women"]
    assert (error.code, error.params["previous"], error.params["start"]) == (
        "stock_not_continued", 5, 6
    )  # fmt: skip
    confirmed = {**ok, "month_start_women": "6", "month_end_women": "6", "figures_confirmed": "yes"}
    result = validate(MONTHLY, [], confirmed, previous)
    assert result.ok and result.values["figures_confirmed"] == CONFIRMED
    # without a previous report only the month's own arithmetic is checked
    alone = validate(MONTHLY, [], {**ok, "month_end_men": "9"})
    assert set(alone.errors) == {"month_end_men", "figures_confirmed"}
    for lang in ("sv", "en"):
        for item in (*off.errors.values(), *alone.errors.values()):
            assert Texts(lang).get("forms", item.code, **item.params)


def test_the_start_stock_follows_from_last_months_end() -> None:
    assert prefill_from_previous(MONTHLY, {"month_end_women": 4, "month_end_men": 0}) == {
        "month_start_women": 4,
        "month_start_men": 0,
    }
    assert prefill_from_previous(MONTHLY, None) == {}
    assert previous_period(Period.month(2026, 1)) == Period.month(2025, 12)
    assert previous_period(Period.quarter(2026, 3)) == Period.quarter(2026, 2)


BASE = """kind: monthly
title: {sv: Månad, en: Month}
fields:
  - {id: start, type: count_split, label: {sv: a, en: a}, empty_is_zero: true}
  - {id: end, type: count_split, label: {sv: b, en: b}, empty_is_zero: true}
  - {id: ok, type: confirm, label: {sv: c, en: c}}
"""


@pytest.mark.parametrize(
    ("extra_field", "rules", "place", "problem"),
    [
        ("  - {id: x, type: count, label: {sv: x, en: x}, when: monthly}\n", "",
         "fields[3].when", "unknown 'monthly'"),
        ("  - {id: x, type: count, label: {sv: x, en: x}, prefill_from: nowhere}\n", "",
         "fields[3].prefill_from", "no field 'nowhere'"),
        ("  - {id: x, type: count, label: {sv: x, en: x}, prefill_from: end}\n", "",
         "fields[3].prefill_from", "'end' is not a count field"),
        ("  - {id: x, type: count, label: {sv: x, en: x}, empty_is_zero: true, required: true}\n",
         "", "fields[3].required", "cannot be required"),
        ("  - {id: x, type: confirm, label: {sv: x, en: x}, required: true}\n", "",
         "fields[3].required", "unknown key"),
        ("", "rules:\n  - {rule: balance, start: start, end: end, confirm: start}\n",
         "rules[0].confirm", "not a confirm field"),
        ("  - {id: x, type: count, label: {sv: x, en: x}}\n",
         "rules:\n  - {rule: balance, start: start, plus: [x], end: end, confirm: ok}\n",
         "rules[0].plus/minus", "split and unsplit"),
    ],
)  # fmt: skip
def test_a_bad_use_of_the_new_keys_is_refused_with_its_place(
    tmp_path: Path, extra_field: str, rules: str, place: str, problem: str
) -> None:
    path = tmp_path / "monthly.yml"
    path.write_text(BASE + extra_field + rules, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_form_file(path)
    assert caught.value.params["place"] == place
    assert problem in caught.value.params["problem"]


def test_a_good_file_with_the_new_keys_loads(tmp_path: Path) -> None:
    path = tmp_path / "monthly.yml"
    rules = "rules:\n  - {rule: balance, start: start, end: end, confirm: ok}\n"
    path.write_text(BASE + rules, encoding="utf-8")
    form = load_form_file(path)
    assert form.balances == (Balance("start", (), (), "end", "ok"),)
    result = validate(form, [], {"start_women": "1"}, FormContext(previous={"end_women": 1}))
    assert set(result.errors) == {"end_women", "ok"}
