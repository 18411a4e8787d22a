"""ARCHITECTURE.md's table "Where each concept lives" names every outgoing message kind, in
the row that also names the module building it: a kind added without its line in the map
fails here. (That every path the map names exists is tests/test_self_contained.py's.)"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from bot.messages import KINDS
from bot.messages.base import Kind
from workflows.outbox_kinds import PAYLOADS

ROOT = Path(__file__).resolve().parents[1]
TABLE = "## Where each concept lives"
NAMED = re.compile(r"`([^`]+)`")


def concept_rows(text: str) -> list[list[str]]:
    """The backticked names of each row of the concept table (header rows left out)."""
    start = text.index(TABLE) + len(TABLE)
    end = text.find("\n## ", start)
    section = text[start : end if end != -1 else None]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [NAMED.findall(row) for row in rows if NAMED.search(row)]


def builder_module(entry: Kind[object]) -> str:
    """The path of the module that builds a kind's messages: its send, or, for a kind that
    is one post, the builder handed to `posting`."""
    send: object = entry.send
    if getattr(send, "__module__", "") == "bot.messages.base":
        send = inspect.getclosurevars(entry.send).nonlocals["build"]
    return str(getattr(send, "__module__", "")).replace(".", "/") + ".py"


def test_the_table_is_found_and_read() -> None:
    """The checks below would pass on an empty table: the rows must be there."""
    rows = concept_rows((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert len(rows) > 20
    assert any("bot/settings.py" in row for row in rows)
    planted = concept_rows(f"{TABLE}\n| a | `x.py` |\n| --- | --- |\n## Next\n| b | `y.py` |\n")
    assert planted == [["x.py"]]


def test_every_message_kind_is_in_the_concept_table_beside_its_builder() -> None:
    assert set(KINDS) == set(PAYLOADS), "the registry and the payloads name different kinds"
    rows = concept_rows((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    problems = []
    for name, entry in sorted(KINDS.items()):
        module = builder_module(entry)
        assert (ROOT / module).is_file(), module
        naming = [row for row in rows if name in row]
        if not naming:
            problems.append(f"kind `{name}` is in no row (built in `{module}`)")
        elif not any(module in row for row in naming):
            problems.append(f"kind `{name}`: its row does not name `{module}`")
    assert problems == [], "\n".join(problems)
