"""`make demo` keeps working: the whole bot against the fake, as a newcomer first sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.simulator.demo import run_demo


def test_demo_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_demo(tmp_path / "out")
    shown = capsys.readouterr().out.replace("\u00a0", " ")
    assert "Kvarvarande beslutsutrymme: 1 007 tkr" in shown
    assert "Det här kommandot är till för kansliet" in shown  # the lead is refused
    assert "Jag känner inte igen `budjet`" in shown
    assert "Skickat: 1, försöks igen senare: 0, misslyckade: 0." in shown
    assert "sammanfattningar i kanslikanalen: 1" in shown
    assert (tmp_path / "out" / "budget-2026-11.png").read_bytes().startswith(b"\x89PNG")
    # The reporting quarter: reminders, a form refused inline then stored, a report sent back
    # and corrected, a late one, the office told, and the status table.
    assert "ska månadsrapporten från Växtkraft (Enköping) för mars 2026 lämnas" in shown
    assert "delarna kan inte vara fler än helheten" in shown
    assert "har skickat tillbaka månadsrapporten från " in shown
    assert "(version 2, ersätter den tidigare)" in shown
    assert "markerad som sen" in shown
    assert "för mars 2026 saknas" in shown
    assert "Rapportläge mars 2026" in shown
    # The board's year: the cycle, a delegation decision, the papers day, Klart.
    assert "Årshjulet 2026 importerat: 5 möten" in shown
    assert "kvar efter beslut 857 tkr" in shown
    assert "Delegationsbeslut sedan 2026-03-19: 1 st" in shown
    assert "✅ Klart – markerat av <@U0SEKR001> 2026-05-19" in shown
    assert "✅ Handlingar klara – klart 2026-05-19" in shown
    assert (tmp_path / "out" / "underlag-styrelsen-2026-05-28.xlsx").read_bytes()[:2] == b"PK"
