"""A scene of `finsam-bot demo`: going live without FINSAM_REPORTS_FROM. A new database counts
reports from the day the bot first runs, so its first run sends nothing about what was due
before: started (on the simulated clock) on the morning March's report is seven working days
late, it sends no "7 arbetsdagar sen". The rest of the demo sets FINSAM_REPORTS_FROM; this
scene has a database of its own, without it."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.request import urlopen

from simulator.demo_reporting import MARCH, stage_at
from simulator.reading import outbox_key
from simulator.samples import BUDGET_2026, INTERVENTIONS_2026, sample_path
from workflows.calendar import Period

if TYPE_CHECKING:
    from simulator.demo import Demo

WORKER_TIMEOUT = 30.0  # seconds for the worker's catch-up and first tick


def run_first_run(demo: Demo) -> None:
    late = stage_at(MARCH, "late_7")
    database = demo.out / "first-run.db"
    database.unlink(missing_ok=True)
    saved = demo.env
    demo.env = {
        **{k: v for k, v in saved.items() if k != "FINSAM_REPORTS_FROM"},
        "DATABASE_URL": f"sqlite:///{database}",
    }
    try:
        demo.step("first_run", day=late.date())
        demo.cli("budget", "import", str(sample_path(BUDGET_2026)))
        demo.cli("interventions", "import", str(sample_path(INTERVENTIONS_2026)))
        before = len(demo.fake.calls("chat.postMessage"))
        with demo.serving(simulated_start=late + timedelta(minutes=1)):
            _wait_for_worker(demo)
        reminders = [
            call
            for call in demo.fake.calls("chat.postMessage")[before:]
            if outbox_key({"metadata": call.args.get("metadata")}).startswith("reminder")
        ]
        if reminders:
            raise SystemExit("demo: a first run without FINSAM_REPORTS_FROM sent reminders")
        print("  │ " + demo.texts.get("demo", "first_run_sent", count=0, day=late.date()))
        # What falls due after that day is reminded as usual: April's report, due 11 May.
        april = stage_at(Period.month(2026, 4), "before")
        demo.step("first_run_later", at=april.date())
        demo.cli("reminders", "run", "--now", april.isoformat())
    finally:
        demo.env = saved


def _wait_for_worker(demo: Demo) -> None:
    """Until /healthz says the worker has ticked: its catch-up at start (which plans and
    sends what is due) is over by then."""
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        with urlopen(f"http://127.0.0.1:{demo.port}/healthz", timeout=1) as answer:
            health = json.loads(answer.read())
        if (health.get("worker") or {}).get("last_tick"):
            return
        time.sleep(0.1)
    raise SystemExit("demo: the worker did not tick within 30 s")
