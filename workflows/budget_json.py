"""The budget status as plain JSON data: money in whole kronor, ratios as decimals (0.1693)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from workflows.budget_status import BudgetStatus


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def status_to_dict(status: BudgetStatus) -> dict[str, Any]:
    data = asdict(status)
    for line, source in zip(data["lines"], status.lines, strict=True):
        line["needs_attention"] = source.needs_attention
    data["overdrawn"] = status.overdrawn
    return dict(_plain(data))
