"""manifest.yml and .env.example move with the code."""

from __future__ import annotations

import re
from pathlib import Path

from bot.doctor import REQUIRED_SCOPES
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def manifest_scopes() -> list[str]:
    text = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    block = text.split("\n    bot:\n", 1)[1].split("\nsettings:")[0]
    return re.findall(r"^\s+- ([a-z:.]+)\s*$", block, flags=re.MULTILINE)


def test_manifest_asks_for_the_scopes_the_code_needs() -> None:
    assert sorted(manifest_scopes()) == sorted(REQUIRED_SCOPES)


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert {name.upper() for name in Settings.model_fields} <= listed
