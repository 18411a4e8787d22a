"""Report forms as data: one YAML file per report kind (templates/forms/), which the office can
change without touching code, checked in full when loaded (`load_forms`).

A form is a list of fields; `layout`/`inputs` expand them into the concrete inputs of one
intervention's form (a women/men pair per split count, a choice and a comment per goal), and
`validate` turns what a user typed into typed values or errors keyed by input id. Validation
never raises: a submission either comes back with inline errors or can be stored. Errors carry
a code and values, rendered by templates/<lang>/forms.j2.

What a form asks can depend on the intervention's other reports (`FormContext`): a field with
`when: first_report_of_year` is asked only in the first report of its year that answers it (the
profile of those already enrolled, asked once, so each person is counted once); a field with
`prefill_from: <id>` starts with that field's answer of the previous period (the start stock is
last month's end); `empty_is_zero: true` stores an empty number as 0. A `balance` rule checks
stocks across months (start + new − ended = end, and start = last period's end); when it does
not hold the form says so inline, and the sender may tick its `confirm` field to say the
figures are right (a correction of an earlier month is legitimate)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from store.errors import ConfigError
from workflows.calendar import ReportKind
from workflows.identity_numbers import find_identity_number
from workflows.slack_limits import (
    HEADER_TEXT_MAX,
    INPUT_HINT_MAX,
    MODAL_TITLE_MAX,
    OPTION_TEXT_MAX,
    OPTIONS_MAX,
    PLAIN_TEXT_INPUT_MAX,
)

SPLITS = ("women", "men")
LANGUAGES = ("sv", "en")
GOALS_MAX = 20  # goals shown one by one; more are answered together as "the other goals"
# A form must fit one Slack modal (100 blocks); the modal adds two of its own (header, note).
LAYOUT_ITEMS_MAX = 96
TITLE_MAX = MODAL_TITLE_MAX  # the form's title is the modal's
LABEL_MAX = 1000  # an input's label (Slack allows 2 000; room for the women/men suffix)
HEADING_MAX = HEADER_TEXT_MAX  # a heading is a header block
HINT_MAX = INPUT_HINT_MAX
OPTION_LABEL_MAX = OPTION_TEXT_MAX
TEXT_MAX_LENGTH = PLAIN_TEXT_INPUT_MAX
COUNT_MAX = 10_000
MONEY_MAX = 100_000_000
_DIGITS_MAX = 15  # longer digit strings are too large for any bound, and cheap to refuse
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_WHOLE = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"[-\u2212][0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class FieldType(StrEnum):
    COUNT_SPLIT = "count_split"
    COUNT = "count"
    MONEY = "money"
    TEXT = "text"
    CHOICE = "choice"
    GOALS = "goals"
    HEADING = "heading"
    CONFIRM = "confirm"


class InputType(StrEnum):
    COUNT = "count"
    MONEY = "money"
    TEXT = "text"
    CHOICE = "choice"
    CONFIRM = "confirm"  # a checkbox; ticked is CONFIRMED, unticked None


CONFIRMED = "yes"


class When(StrEnum):
    """When a field is asked: in every report, or once a year (see `FormContext`)."""

    ALWAYS = "always"
    FIRST_REPORT_OF_YEAR = "first_report_of_year"


@dataclass(frozen=True)
class Label:
    sv: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv

    def as_dict(self) -> dict[str, str]:
        return {"sv": self.sv, "en": self.en}


@dataclass(frozen=True)
class Option:
    value: str
    label: Label


@dataclass(frozen=True)
class FormField:
    """One field of the file. `max` bounds numbers; `max_length` bounds text."""

    id: str
    type: FieldType
    label: Label
    hint: Label | None = None
    required: bool = True
    max: int | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    comment_label: Label | None = None
    comment_required: bool = False
    comment_max_length: int | None = None
    # The comment is required unless the goal's choice is one of these (empty: as
    # `comment_required` says); `comment_hint` says so beside the comment.
    comment_required_unless: tuple[str, ...] = ()
    comment_hint: Label | None = None
    overall_label: Label | None = None
    rest_label: Label | None = None
    when: When = When.ALWAYS
    empty_is_zero: bool = False
    prefill_from: str | None = None


@dataclass(frozen=True)
class Rule:
    """`at_most`: the sum of `parts` never exceeds `total` (for split counts, per women/men)."""

    parts: tuple[str, ...]
    total: str


@dataclass(frozen=True)
class Balance:
    """`balance`: `start` + `plus` − `minus` = `end` within a period, and `start` equals the
    previous period's `end` (when there is one); `confirm` (a confirm field) accepts figures
    that do not add up. For split counts, per women/men."""

    start: str
    plus: tuple[str, ...]
    minus: tuple[str, ...]
    end: str
    confirm: str


@dataclass(frozen=True)
class FormDefinition:
    kind: ReportKind
    title: Label
    fields: tuple[FormField, ...]
    rules: tuple[Rule, ...] = ()
    balances: tuple[Balance, ...] = ()


@dataclass(frozen=True)
class FormContext:
    """What a form depends on beyond the intervention's goals: whether this is the first report
    of its year to answer the `first_report_of_year` fields, and the previous period's stored
    answers (None: no report for it). `ALL_FIELDS`: every field asked, nothing compared."""

    first_of_year: bool = True
    previous: Mapping[str, object] | None = None


ALL_FIELDS = FormContext()


@dataclass(frozen=True)
class Input:
    """A concrete input. `max`: the upper bound of a number, the length limit of a text.
    `split` ("women"/"men") marks half of a split count; `field_id` is the field it came from."""

    id: str
    type: InputType
    label: Label
    field_id: str
    required: bool
    hint: Label | None = None
    max: int | None = None
    options: tuple[Option, ...] = ()
    split: str | None = None
    empty_is_zero: bool = False


@dataclass(frozen=True)
class Heading:
    id: str
    label: Label
    hint: Label | None = None


@dataclass(frozen=True)
class FormError:
    """`code` names a macro of forms.j2, `params` its values (labels as {"sv", "en"})."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Validated:
    """Every input id with its typed value (None: empty or refused), and the errors by input id."""

    values: dict[str, int | str | None]
    errors: dict[str, FormError]

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- expansion


def layout(
    form: FormDefinition, goals: str | Sequence[str], context: FormContext = ALL_FIELDS
) -> list[Heading | Input]:
    """Headings and inputs in the order the modal shows them. `goals`: the intervention's
    goals, as a list or as stored (one per line); `context`: which once-a-year fields are
    asked (default: all, e.g. for an export's columns)."""
    return [
        item
        for form_field in form.fields
        if asked(form_field, context)
        for item in _expand(form_field, goals)
    ]


def inputs(
    form: FormDefinition, goals: str | Sequence[str], context: FormContext = ALL_FIELDS
) -> list[Input]:
    return [item for item in layout(form, goals, context) if isinstance(item, Input)]


def asked(form_field: FormField, context: FormContext) -> bool:
    return form_field.when is When.ALWAYS or context.first_of_year


def once_a_year_inputs(form: FormDefinition) -> set[str]:
    """The input ids of the `first_report_of_year` fields: a report that answered one of them
    has asked them for its year."""
    return {
        item.id
        for form_field in form.fields
        if form_field.when is When.FIRST_REPORT_OF_YEAR
        for item in _expand(form_field, ())
        if isinstance(item, Input)
    }


def prefill_from_previous(
    form: FormDefinition, previous: Mapping[str, object] | None
) -> dict[str, object]:
    """Initial values of a new report that follow from the previous period's answers: each
    `prefill_from` field takes the named field's answer (per women/men for split counts)."""
    if not previous:
        return {}
    found: dict[str, object] = {}
    for form_field in form.fields:
        source = form_field.prefill_from
        if source is None:
            continue
        if form_field.type is FieldType.COUNT_SPLIT:
            pairs = [(f"{form_field.id}_{s}", f"{source}_{s}") for s in SPLITS]
        else:
            pairs = [(form_field.id, source)]
        for target, origin in pairs:
            if origin in previous and previous[origin] is not None:
                found[target] = previous[origin]
    return found


def _expand(form_field: FormField, goals: str | Sequence[str]) -> list[Heading | Input]:
    f = form_field
    if f.type is FieldType.HEADING:
        return [Heading(f.id, f.label, f.hint)]
    if f.type is FieldType.GOALS:
        return [Heading(f.id, f.label, f.hint), *_goal_inputs(f, goals)]
    if f.type is FieldType.COUNT_SPLIT:
        return [
            Input(
                f"{f.id}_{split}",
                InputType.COUNT,
                f.label,
                f.id,
                f.required,
                f.hint,
                f.max,
                split=split,
                empty_is_zero=f.empty_is_zero,
            )
            for split in SPLITS
        ]
    kind = InputType(f.type.value)
    bound = f.max_length if kind is InputType.TEXT else f.max
    return [
        Input(
            f.id, kind, f.label, f.id, f.required, f.hint, bound, f.options,
            empty_is_zero=f.empty_is_zero,
        )
    ]  # fmt: skip


def goal_list(goals: str | Sequence[str]) -> list[str]:
    """An intervention's goals as the form numbers them: one per line (or item), blanks out."""
    lines = goals.splitlines() if isinstance(goals, str) else goals
    return [goal.strip() for goal in lines if goal.strip()]


def _goal_inputs(f: FormField, goals: str | Sequence[str]) -> list[Heading | Input]:
    """A choice and a comment per goal; no goals: one pair for the intervention's goals as a
    whole; more than GOALS_MAX: the last pair answers for the rest together."""
    named = [(str(n), Label(goal, goal)) for n, goal in enumerate(goal_list(goals), start=1)]
    if not named:
        named = [("all", f.overall_label or f.label)]
    elif len(named) > GOALS_MAX:
        named = [*named[: GOALS_MAX - 1], ("rest", f.rest_label or f.label)]
    items: list[Heading | Input] = []
    for key, label in named:
        choice_id = f"{f.id}_{key}"
        comment = Input(
            f"{choice_id}_comment",
            InputType.TEXT,
            f.comment_label or f.label,
            f.id,
            f.comment_required,
            f.comment_hint,
            max=f.comment_max_length,
        )
        items += [
            Input(choice_id, InputType.CHOICE, label, f.id, f.required, options=f.options),
            comment,
        ]
    return items


@dataclass(frozen=True)
class Answer:
    """One stored answer as a reader sees it: the input's label and split, and whether it
    comes from an earlier shape of the form (`earlier`), or is unknown to any (label: the id)."""

    id: str
    label: Label
    split: str | None
    value: object
    earlier: bool = False


def labelled_answers(
    form: FormDefinition,
    goals: str | Sequence[str],
    answers: Mapping[str, object],
    earlier: Sequence[FormDefinition] = (),
) -> list[Answer]:
    """Every input of the form with its answer, then every other stored answer (a report in
    an earlier shape), named by the earlier form that asked it: nothing stored is hidden."""
    shown = [
        Answer(item.id, item.label, item.split, answers.get(item.id))
        for item in inputs(form, goals)
    ]
    known = {item.id for item in shown}
    older = {item.id: item for old in earlier for item in inputs(old, goals)}
    for key in answers:
        if key in known:
            continue
        item = older.get(key)
        if item is None:
            shown.append(Answer(key, Label(key, key), None, answers[key], earlier=True))
        else:
            shown.append(Answer(key, item.label, item.split, answers[key], earlier=True))
    return shown


# --------------------------------------------------------------------------- validation


def validate(
    form: FormDefinition,
    goals: str | Sequence[str],
    raw: Mapping[str, str | None],
    context: FormContext = ALL_FIELDS,
) -> Validated:
    """Typed values and inline errors for what the user typed; unknown keys are ignored, and
    so are the inputs of fields `context` does not ask."""
    values: dict[str, int | str | None] = {}
    errors: dict[str, FormError] = {}
    asked_inputs = inputs(form, goals, context)
    for item in asked_inputs:
        value, error = _parse(item, raw.get(item.id))
        values[item.id] = value
        if error is not None:
            errors[item.id] = error
    labels = {f.id: f.label for f in form.fields}
    kinds = {f.id: f.type for f in form.fields}
    for rule in form.rules:
        splits: Sequence[str | None] = (
            SPLITS if kinds[rule.total] is FieldType.COUNT_SPLIT else (None,)
        )
        for split in splits:
            _check_at_most(rule, split, labels, values, errors)
    for balance in form.balances:
        _check_balance(balance, kinds, labels, values, errors, context.previous)
    for form_field in form.fields:
        if form_field.type is FieldType.GOALS and form_field.comment_required_unless:
            choices = [
                item.id
                for item in asked_inputs
                if item.field_id == form_field.id and item.type is InputType.CHOICE
            ]
            _check_goal_comments(form_field, choices, values, errors)
    return Validated(values, errors)


def _check_goal_comments(
    f: FormField,
    choices: Sequence[str],
    values: Mapping[str, int | str | None],
    errors: dict[str, FormError],
) -> None:
    """A goal whose status is not one of `comment_required_unless` needs its comment: the
    error sits on the comment, naming the chosen status."""
    options = {option.value: option.label for option in f.options}
    for key in choices:
        value, comment = values.get(key), f"{key}_comment"
        if not isinstance(value, str) or value in f.comment_required_unless:
            continue
        if comment in values and values[comment] is None and comment not in errors:
            label = options.get(value, Label(value, value))
            errors[comment] = FormError("goal_comment_required", {"status": label.as_dict()})


def to_prefill(values: Mapping[str, object]) -> dict[str, str]:
    """Stored values as the strings a modal starts with: the last answers, for correction."""
    return {
        key: str(value)
        for key, value in values.items()
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    }


def _parse(item: Input, raw: object) -> tuple[int | str | None, FormError | None]:
    text = raw if isinstance(raw, str) else "" if raw is None else str(raw)
    if item.type is InputType.TEXT:
        return _parse_text(item, text)
    text = text.strip()
    if item.type is InputType.CONFIRM:
        return (CONFIRMED if text == CONFIRMED else None), None
    if not text:
        if item.empty_is_zero:
            return 0, None
        return None, (FormError("required") if item.required else None)
    if item.type is InputType.CHOICE:
        if text in {option.value for option in item.options}:
            return text, None
        return None, FormError("unknown_choice")
    return _parse_whole(item, text)


def _parse_whole(item: Input, text: str) -> tuple[int | None, FormError | None]:
    bound = item.max if item.max is not None else COUNT_MAX
    if _NEGATIVE.fullmatch(text):
        if text[1:].strip("0"):
            return None, FormError("negative")
        return 0, None
    if not _WHOLE.fullmatch(text):
        return None, FormError("not_a_whole_number")
    if len(text.lstrip("0")) > _DIGITS_MAX or int(text) > bound:
        return None, FormError("too_large", {"max": bound})
    return int(text), None


def _parse_text(item: Input, raw: str) -> tuple[str | None, FormError | None]:
    text = clean_text(raw)
    if not text:
        return None, (FormError("required") if item.required else None)
    if item.max is not None and len(text) > item.max:
        return None, FormError("too_long", {"max": item.max, "length": len(text)})
    kind = find_identity_number(text)
    if kind is not None:
        return None, FormError("identity_number", {"kind": kind})
    return text, None


def clean_text(raw: str) -> str:
    """Text as stored: trimmed, newlines as \\n, no control characters (PostgreSQL refuses NUL)
    and no lone surrogates (which cannot be encoded)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return text.encode("utf-8", "replace").decode("utf-8").strip()


def _check_at_most(
    rule: Rule,
    split: str | None,
    labels: Mapping[str, Label],
    values: Mapping[str, int | str | None],
    errors: dict[str, FormError],
) -> None:
    """Checked only when the total and every part parsed; the error sits on every part."""
    suffix = f"_{split}" if split else ""
    total_id, part_ids = rule.total + suffix, [part + suffix for part in rule.parts]
    if any(key in errors for key in (total_id, *part_ids)):
        return
    limit = values.get(total_id)
    if not isinstance(limit, int):
        return
    amount = sum(value for key in part_ids if isinstance(value := values.get(key), int))
    if amount <= limit:
        return
    error = FormError(
        "exceeds_total",
        {
            "parts": [labels[part].as_dict() for part in rule.parts],
            "total": labels[rule.total].as_dict(),
            "split": split or "",
            "sum": amount,
            "limit": limit,
        },
    )
    for key in part_ids:
        errors[key] = error


def _check_balance(
    balance: Balance,
    kinds: Mapping[str, FieldType],
    labels: Mapping[str, Label],
    values: Mapping[str, int | str | None],
    errors: dict[str, FormError],
    previous: Mapping[str, object] | None,
) -> None:
    """The stocks add up within the period (error on the end) and follow on from the previous
    period (error on the start); either one, unless confirmed, also marks the confirm box.
    Checked only for the splits whose figures all parsed."""
    if values.get(balance.confirm) == CONFIRMED:
        return
    splits: Sequence[str | None] = (
        SPLITS if kinds[balance.end] is FieldType.COUNT_SPLIT else (None,)
    )
    found: list[FormError] = []
    for split in splits:
        suffix = f"_{split}" if split else ""
        names = (balance.start, *balance.plus, *balance.minus, balance.end)
        ids = [name + suffix for name in names]
        figures = [values.get(key) for key in ids]
        if any(key in errors for key in ids) or not all(isinstance(v, int) for v in figures):
            continue
        start, end = _int(values, balance.start + suffix), _int(values, balance.end + suffix)
        plus = sum(_int(values, name + suffix) for name in balance.plus)
        minus = sum(_int(values, name + suffix) for name in balance.minus)
        common = {
            "split": split or "",
            "start_label": labels[balance.start].as_dict(),
            "end_label": labels[balance.end].as_dict(),
            "confirm_label": labels[balance.confirm].as_dict(),
        }
        before = previous.get(balance.end + suffix) if previous else None
        if isinstance(before, int) and not isinstance(before, bool) and before != start:
            error = FormError("stock_not_continued", {**common, "previous": before, "start": start})
            errors[balance.start + suffix] = error
            found.append(error)
        if start + plus - minus != end:
            error = FormError(
                "stock_does_not_add_up",
                {
                    **common,
                    "start": start,
                    "plus": plus,
                    "minus": minus,
                    "expected": start + plus - minus,
                    "end": end,
                    "plus_labels": [labels[name].as_dict() for name in balance.plus],
                    "minus_labels": [labels[name].as_dict() for name in balance.minus],
                },
            )
            errors[balance.end + suffix] = error
            found.append(error)
    if found:
        errors[balance.confirm] = FormError(
            "confirm_figures", {"confirm_label": labels[balance.confirm].as_dict()}
        )


def _int(values: Mapping[str, int | str | None], key: str) -> int:
    value = values.get(key)
    return value if isinstance(value, int) else 0


# --------------------------------------------------------------------------- loading


def forms_dir() -> Path:
    return Path(str(files("templates"))) / "forms"


def load_forms(directory: Path | None = None) -> dict[ReportKind, FormDefinition]:
    """Every `*.yml` in `directory` (default: the shipped forms), one per report kind, each
    checked in full; a bad file raises ConfigError("bad_form_file") naming the place in it."""
    directory = directory or forms_dir()
    forms: dict[ReportKind, FormDefinition] = {}
    for path in sorted(directory.glob("*.yml")):
        form = load_form_file(path)
        if form.kind in forms:
            raise _bad(path, "kind", f"a second form for {form.kind.value}")
        forms[form.kind] = form
    for kind in ReportKind:
        if kind not in forms:
            raise ConfigError(
                "bad_form_file", file=str(directory), place="", problem=f"no form for {kind.value}"
            )
    return forms


@cache
def earlier_forms() -> dict[ReportKind, tuple[FormDefinition, ...]]:
    """The forms of earlier shapes (templates/forms/earlier/), which name the answers of
    reports given in them; never used for a new report."""
    found: dict[ReportKind, list[FormDefinition]] = {}
    for path in sorted((forms_dir() / "earlier").glob("*.yml")):
        form = load_form_file(path)
        found.setdefault(form.kind, []).append(form)
    return {kind: tuple(forms) for kind, forms in found.items()}


def earlier_option(field_id: str, value: object) -> Option | None:
    """The option `value` of the choice or goals field `field_id` in an earlier shape of a
    form (templates/forms/earlier/), newest file last wins; None when none offered it. How
    an answer no form offers any more is read (the quarterly "partly", "not")."""
    found: Option | None = None
    for forms in earlier_forms().values():
        for form in forms:
            for form_field in form.fields:
                if form_field.id != field_id:
                    continue
                for option in form_field.options:
                    if option.value == value:
                        found = option
    return found


def load_form_file(path: Path) -> FormDefinition:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise _bad(path, "", f"cannot be read ({type(err).__name__})") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else ""
        raise _bad(path, place, f"not YAML ({getattr(err, 'problem', None) or err})") from err
    try:
        return _form(data)
    except _Problem as problem:
        raise _bad(path, problem.place, problem.problem) from None


def _bad(path: Path, place: str, problem: str) -> ConfigError:
    return ConfigError("bad_form_file", file=str(path), place=place, problem=problem)


class _Problem(Exception):
    def __init__(self, place: str, problem: str) -> None:
        super().__init__(place, problem)
        self.place, self.problem = place, problem


_COMMON_KEYS = {"id", "type", "label", "hint", "when"}
_NUMBER_KEYS = {"required", "max", "empty_is_zero", "prefill_from"}
_KEYS: dict[FieldType, set[str]] = {
    FieldType.COUNT_SPLIT: _NUMBER_KEYS,
    FieldType.COUNT: _NUMBER_KEYS,
    FieldType.MONEY: _NUMBER_KEYS,
    FieldType.TEXT: {"required", "max_length"},
    FieldType.CHOICE: {"required", "options"},
    FieldType.GOALS: {
        "required",
        "options",
        "comment_label",
        "comment_required",
        "comment_max_length",
        "comment_required_unless",
        "comment_hint",
        "overall_label",
        "rest_label",
    },
    FieldType.HEADING: set(),
    FieldType.CONFIRM: set(),
}
_NUMERIC = {FieldType.COUNT_SPLIT, FieldType.COUNT, FieldType.MONEY}


def _form(data: object) -> FormDefinition:
    top = _mapping(data, "", allowed={"kind", "title", "fields", "rules"})
    kind_name = _string(_need(top, "kind", ""), "kind", limit=20)
    if kind_name not in {kind.value for kind in ReportKind}:
        raise _Problem("kind", f"unknown kind {kind_name!r} ({', '.join(ReportKind)})")
    fields = tuple(
        _field(item, f"fields[{i}]")
        for i, item in enumerate(_list(_need(top, "fields", ""), "fields"))
    )
    if not fields:
        raise _Problem("fields", "a form needs at least one field")
    seen: dict[str, int] = {}
    for index, form_field in enumerate(fields):
        if form_field.id in seen:
            raise _Problem(f"fields[{index}].id", f"duplicate id {form_field.id!r}")
        seen[form_field.id] = index
    by_id = {f.id: f for f in fields}
    for index, form_field in enumerate(fields):
        _check_prefill(form_field, f"fields[{index}].prefill_from", by_id)
    rules: list[Rule] = []
    balances: list[Balance] = []
    for i, item in enumerate(_list(top.get("rules", []), "rules")):
        if isinstance(item, dict) and item.get("rule") == "balance":
            balances.append(_balance(item, f"rules[{i}]", by_id))
        else:
            rules.append(_rule(item, f"rules[{i}]", by_id))
    form = FormDefinition(
        ReportKind(kind_name),
        _label(_need(top, "title", ""), "title", TITLE_MAX),
        fields,
        tuple(rules),
        tuple(balances),
    )
    _check_layout(form)
    return form


def _check_prefill(form_field: FormField, place: str, fields: Mapping[str, FormField]) -> None:
    source = form_field.prefill_from
    if source is None:
        return
    if source not in fields:
        raise _Problem(place, f"no field {source!r}")
    if fields[source].type is not form_field.type:
        raise _Problem(place, f"{source!r} is not a {form_field.type.value} field")


def _balance(data: object, place: str, fields: Mapping[str, FormField]) -> Balance:
    raw = _mapping(data, place, allowed={"rule", "start", "plus", "minus", "end", "confirm"})
    start = _numeric_id(_need(raw, "start", place), f"{place}.start", fields)
    end = _numeric_id(_need(raw, "end", place), f"{place}.end", fields)
    plus, minus = (
        tuple(
            _numeric_id(p, f"{place}.{key}[{i}]", fields)
            for i, p in enumerate(_list(raw.get(key, []), f"{place}.{key}"))
        )
        for key in ("plus", "minus")
    )
    split = fields[end].type is FieldType.COUNT_SPLIT
    for key, name in [("start", start), *(("plus/minus", n) for n in (*plus, *minus))]:
        if (fields[name].type is FieldType.COUNT_SPLIT) != split:
            raise _Problem(f"{place}.{key}", "split and unsplit counts cannot be compared")
    confirm = _string(_need(raw, "confirm", place), f"{place}.confirm", limit=40)
    if confirm not in fields or fields[confirm].type is not FieldType.CONFIRM:
        raise _Problem(f"{place}.confirm", f"{confirm!r} is not a confirm field")
    return Balance(start, plus, minus, end, confirm)


def _field(data: object, place: str) -> FormField:
    raw = _mapping(data, place)
    type_name = _string(_need(raw, "type", place), f"{place}.type", limit=20)
    if type_name not in {t.value for t in FieldType}:
        raise _Problem(f"{place}.type", f"unknown type {type_name!r} ({', '.join(FieldType)})")
    kind = FieldType(type_name)
    _mapping(raw, place, allowed=_COMMON_KEYS | _KEYS[kind])
    field_id = _string(_need(raw, "id", place), f"{place}.id", limit=40)
    if not _ID.fullmatch(field_id):
        raise _Problem(f"{place}.id", f"{field_id!r} is not an id (a-z, 0-9, _; a letter first)")
    limit = HEADING_MAX if kind in (FieldType.HEADING, FieldType.GOALS) else LABEL_MAX
    hint = _label(raw["hint"], f"{place}.hint", HINT_MAX) if "hint" in raw else None
    extra: dict[str, Any] = {}
    if kind in _NUMERIC:
        default_max = MONEY_MAX if kind is FieldType.MONEY else COUNT_MAX
        extra["max"] = _whole(raw.get("max", default_max), f"{place}.max", high=MONEY_MAX)
    if kind is FieldType.TEXT:
        extra["max_length"] = _whole(
            raw.get("max_length", TEXT_MAX_LENGTH), f"{place}.max_length", 1, TEXT_MAX_LENGTH
        )
    if kind in (FieldType.CHOICE, FieldType.GOALS):
        extra["options"] = _options(_need(raw, "options", place), f"{place}.options")
    if kind is FieldType.GOALS:
        for key in ("comment_label", "overall_label", "rest_label"):
            extra[key] = _label(_need(raw, key, place), f"{place}.{key}", LABEL_MAX)
        extra["comment_required"] = _bool(
            raw.get("comment_required", False), f"{place}.comment_required"
        )
        extra["comment_max_length"] = _whole(
            raw.get("comment_max_length", TEXT_MAX_LENGTH),
            f"{place}.comment_max_length",
            1,
            TEXT_MAX_LENGTH,
        )
        extra["comment_required_unless"] = _option_values(
            raw.get("comment_required_unless", []),
            f"{place}.comment_required_unless",
            extra["options"],
        )
        if "comment_hint" in raw:
            extra["comment_hint"] = _label(raw["comment_hint"], f"{place}.comment_hint", HINT_MAX)
    if kind in _NUMERIC:
        extra["empty_is_zero"] = _bool(raw.get("empty_is_zero", False), f"{place}.empty_is_zero")
        if "prefill_from" in raw:
            extra["prefill_from"] = _string(raw["prefill_from"], f"{place}.prefill_from", limit=40)
    when_name = raw.get("when", When.ALWAYS.value)
    if when_name not in {w.value for w in When}:
        raise _Problem(f"{place}.when", f"unknown {when_name!r} ({', '.join(When)})")
    extra["when"] = When(when_name)
    default_required = kind not in (FieldType.MONEY, FieldType.TEXT, FieldType.CONFIRM)
    default_required = default_required and not extra.get("empty_is_zero", False)
    required = _bool(raw.get("required", default_required), f"{place}.required")
    if required and extra.get("empty_is_zero"):
        raise _Problem(f"{place}.required", "a field whose empty is 0 cannot be required")
    label = _label(_need(raw, "label", place), f"{place}.label", limit)
    return FormField(field_id, kind, label, hint, required, **extra)


def _options(data: object, place: str) -> tuple[Option, ...]:
    items = _list(data, place)
    if not items or len(items) > OPTIONS_MAX:
        raise _Problem(place, f"between 1 and {OPTIONS_MAX} options")
    options: list[Option] = []
    for index, item in enumerate(items):
        here = f"{place}[{index}]"
        raw = _mapping(item, here, allowed={"value", "label"})
        value = _string(_need(raw, "value", here), f"{here}.value", limit=40)
        if not _ID.fullmatch(value):
            raise _Problem(f"{here}.value", f"{value!r} is not a value (a-z, 0-9, _)")
        if value in {option.value for option in options}:
            raise _Problem(f"{here}.value", f"duplicate value {value!r}")
        options.append(
            Option(value, _label(_need(raw, "label", here), f"{here}.label", OPTION_LABEL_MAX))
        )
    return tuple(options)


def _option_values(data: object, place: str, options: Sequence[Option]) -> tuple[str, ...]:
    """A list of the field's own option values."""
    known = {option.value for option in options}
    values: list[str] = []
    for index, item in enumerate(_list(data, place)):
        value = _string(item, f"{place}[{index}]", limit=40)
        if value not in known:
            raise _Problem(
                f"{place}[{index}]", f"{value!r} is no option ({', '.join(sorted(known))})"
            )
        values.append(value)
    return tuple(values)


def _rule(data: object, place: str, fields: Mapping[str, FormField]) -> Rule:
    raw = _mapping(data, place, allowed={"rule", "parts", "total"})
    name = _string(_need(raw, "rule", place), f"{place}.rule", limit=20)
    if name != "at_most":
        raise _Problem(f"{place}.rule", f"unknown rule {name!r} (at_most)")
    total = _numeric_id(_need(raw, "total", place), f"{place}.total", fields)
    parts = _list(_need(raw, "parts", place), f"{place}.parts")
    if not parts:
        raise _Problem(f"{place}.parts", "at least one part")
    part_ids = tuple(_numeric_id(p, f"{place}.parts[{i}]", fields) for i, p in enumerate(parts))
    split = fields[total].type is FieldType.COUNT_SPLIT
    for index, part in enumerate(part_ids):
        if part == total or part in part_ids[:index]:
            raise _Problem(f"{place}.parts[{index}]", f"{part!r} is named twice")
        if (fields[part].type is FieldType.COUNT_SPLIT) != split:
            raise _Problem(f"{place}.parts[{index}]", "split and unsplit counts cannot be compared")
    return Rule(part_ids, total)


def _numeric_id(data: object, place: str, fields: Mapping[str, FormField]) -> str:
    name = _string(data, place, limit=40)
    if name not in fields:
        raise _Problem(place, f"no field {name!r}")
    if fields[name].type not in _NUMERIC:
        raise _Problem(place, f"{name!r} is not a number field")
    return name


def _check_layout(form: FormDefinition) -> None:
    """Expanded ids are unique with any number of goals, and the form fits a modal."""
    for goals in ([], ["goal"] * (GOALS_MAX + 1)):
        seen: set[str] = set()
        for index, form_field in enumerate(form.fields):
            for item in _expand(form_field, goals):
                if item.id in seen:
                    raise _Problem(f"fields[{index}].id", f"input id {item.id!r} is used twice")
                seen.add(item.id)
        if len(seen) > LAYOUT_ITEMS_MAX:
            raise _Problem(
                "fields", f"{len(seen)} inputs and headings; a form holds {LAYOUT_ITEMS_MAX}"
            )


def _mapping(data: object, place: str, *, allowed: set[str] | None = None) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _Problem(place, "must be a mapping (key: value)")
    for key in data:
        if allowed is not None and key not in allowed:
            here = f"{place}.{key}" if place else str(key)
            raise _Problem(here, f"unknown key (expected one of {', '.join(sorted(allowed))})")
    return data


def _need(raw: Mapping[str, Any], key: str, place: str) -> object:
    if key not in raw or raw[key] is None:
        raise _Problem(f"{place}.{key}" if place else key, "missing")
    return raw[key]


def _list(data: object, place: str) -> list[object]:
    if not isinstance(data, list):
        raise _Problem(place, "must be a list")
    return data


def _string(data: object, place: str, *, limit: int) -> str:
    if not isinstance(data, str) or not data.strip():
        raise _Problem(place, "must be a non-empty text")
    if len(data) > limit:
        raise _Problem(place, f"longer than {limit} characters")
    return data.strip()


def _label(data: object, place: str, limit: int) -> Label:
    raw = _mapping(data, place, allowed=set(LANGUAGES))
    sv, en = (
        _string(_need(raw, lang, place), f"{place}.{lang}", limit=limit) for lang in LANGUAGES
    )
    return Label(sv, en)


def _whole(data: object, place: str, low: int = 0, high: int = MONEY_MAX) -> int:
    if isinstance(data, bool) or not isinstance(data, int) or not low <= data <= high:
        raise _Problem(place, f"must be a whole number from {low} to {high}")
    return data


def _bool(data: object, place: str) -> bool:
    if not isinstance(data, bool):
        raise _Problem(place, "must be true or false")
    return data
