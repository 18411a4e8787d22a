"""A report's answers as people read them: a choice by its label in the form ("Delvis
uppnått", not `partly`), money as kronor ("250 000 kr"), counts as numbers, and each input's
label (a split count's "– kvinnor"). One place, so "Visa svaren" in Slack and the exports
(workflows/exports.py) say the same; the words come from the form files and templates/."""

from __future__ import annotations

from workflows.forms import Input, InputType, earlier_option
from workflows.texts import Texts, format_kr, group_thousands


def input_label(item: Input, texts: Texts) -> str:
    """The input's label in the reader's language; half of a split count says which half."""
    label = item.label.get(texts.lang)
    if item.split:
        return texts.get("forms", "split_label", label=label, split=item.split)
    return label


def choice_label(item: Input, value: object, lang: str) -> str | None:
    """The label of a chosen option, or of an option an earlier shape of the form offered
    (a quarterly "partly" reads "Delvis uppnått"); None when no form knows the value."""
    for option in item.options:
        if option.value == value:
            return option.label.get(lang)
    older = earlier_option(item.field_id, value)
    return older.label.get(lang) if older is not None else None


def is_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def answer_text(item: Input, value: object, texts: Texts) -> str:
    """One answer as text for Slack (not escaped): "–" when empty."""
    if value is None or value == "":
        return "–"
    if item.type is InputType.CHOICE:
        return choice_label(item, value, texts.lang) or str(value)
    if item.type is InputType.MONEY and is_number(value):
        assert isinstance(value, int)
        return format_kr(value, texts.lang)
    if item.type is InputType.COUNT and is_number(value):
        assert isinstance(value, int)
        return group_thousands(value, sep="," if texts.lang == "en" else "\u00a0")
    return str(value)
