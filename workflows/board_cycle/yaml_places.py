"""A YAML reader that keeps places: every value with its line, every scalar with its text as
written, duplicate and bad keys named, and a bound on nodes so aliases cannot blow a small
file up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from workflows.board_cycle.model import NODES_MAX, CycleProblem


@dataclass
class Value:
    """A YAML value with its line (1-based) and, for scalars, the text as written."""

    data: Any  # dict[str, Value] | list[Value] | a scalar
    line: int
    raw: str | None = None


class _Composer:
    def __init__(self, problems: list[CycleProblem]) -> None:
        self.problems = problems
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def walk(self, node: yaml.Node, place: str) -> Value:
        self.nodes += 1
        if self.nodes > NODES_MAX:
            raise _TooLarge
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            found: dict[str, Value] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str) or not key:
                    self.problems.append(
                        CycleProblem(place, key_node.start_mark.line + 1, "bad_key")
                    )
                    continue
                here = join(place, key)
                if key in found:
                    self.problems.append(
                        CycleProblem(here, key_node.start_mark.line + 1, "duplicate_key", key)
                    )
                    continue
                found[key] = self.walk(value_node, here)
            return Value(found, line)
        if isinstance(node, yaml.SequenceNode):
            return Value(
                [self.walk(item, f"{place}[{i}]") for i, item in enumerate(node.value)], line
            )
        assert isinstance(node, yaml.ScalarNode)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # a bad timestamp (2026-02-30), an unknown tag: keep the text
            value = str(node.value)
        return Value(value, line, str(node.value))


class _TooLarge(Exception):
    pass


def join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def plain(value: Value, key: str = "") -> Any:
    if isinstance(value.data, dict):
        return {k: plain(v, k) for k, v in value.data.items()}
    if isinstance(value.data, list):
        return [plain(v) for v in value.data]
    if key == "time" and value.raw is not None:
        return value.raw  # `time: 13:00` unquoted is a YAML 1.1 sexagesimal number
    return value.data


def compose(text: str, problems: list[CycleProblem]) -> Value | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        problems.append(CycleProblem("", 0, "too_large"))
        return None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problems.append(CycleProblem("", line, "not_yaml", str(getattr(err, "problem", "") or "")))
        return None
    if node is None:
        problems.append(CycleProblem("", 0, "empty_file"))
        return None
    try:
        return _Composer(problems).walk(node, "")
    except (_TooLarge, RecursionError):
        problems.append(CycleProblem("", 0, "too_large"))
        return None
