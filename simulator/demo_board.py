"""The board's year in `finsam-bot demo`: the 2026 cycle imported, a delegation decision
recorded, and on the May meeting's "papers due" day the secretary's reminder with its "Klart"
button and the draft pack (summary and XLSX); the secretary presses Klart and anyone asks
`/finsam styrelse`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.blocks.plain_text import blocks_as_text
from simulator.reading import buttons, outbox_key
from simulator.samples import BOARD_CYCLE_2026, sample_path
from simulator.slack_driver import block_action

if TYPE_CHECKING:
    from simulator.demo import Demo

SECRETARY = "U0SEKR001"
DIRECTOR = "U0CHEF001"
PAPERS_DAY = datetime(2026, 5, 19, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def _show(message: dict[str, Any]) -> None:
    text = blocks_as_text(message.get("blocks") or [], fallback=message.get("text", ""))
    print("\n".join("  │ " + line for line in text.splitlines()))


def run_board_year(demo: Demo) -> None:
    fake = demo.fake
    fake.add_user(SECRETARY, name="sara.sekreterare", email="sara@example.org")
    fake.add_user(DIRECTOR, name="fredrik.chef", email="fredrik@example.org")
    demo.step("board_setup")
    demo.cli("people", "add", SECRETARY, "--role", "secretary", "--name", "Sara Sekreterare")
    demo.cli("people", "add", DIRECTOR, "--role", "director", "--name", "Fredrik Chef")
    demo.cli("cycle", "import", str(sample_path(BOARD_CYCLE_2026)))
    demo.cli("cycle", "show", "--on", "2026-05-01", "--count", "2")

    demo.step("delegation")
    demo.cli(
        "grants",
        "add",
        "--date",
        "2026-05-05",
        "--intervention",
        "Nystart Östhammar",
        "--owner",
        "Östhammar",
        "--amount-tkr",
        "150",
        "--body",
        "delegation",
        "--decided-by",
        "Förbundschefen",
    )

    demo.step("papers_day", at=PAPERS_DAY.date())
    demo.cli("reminders", "run", "--now", PAPERS_DAY.isoformat())
    dms = fake.messages(fake.dm_channel(SECRETARY))
    step = next(m for m in dms if outbox_key(m).startswith("board_step:"))
    _show(step)
    _show(next(m for m in dms if outbox_key(m).startswith("board_papers:")))
    for shared in fake.files():
        if shared["filename"].endswith(".xlsx"):
            target = demo.out / shared["filename"]
            target.write_bytes(shared["content"])
            print(f"  │ 📎 {shared['title']} → {target}")

    with demo.serving(simulated_start=PAPERS_DAY):
        demo.step("klart")
        button = next(b for b in buttons(step) if b["action_id"] == "board_step_done")
        before = len(fake.responses())
        demo.driver.action(
            block_action(
                "board_step_done",
                value=button["value"],
                user_id=SECRETARY,
                message={**step, "channel": fake.dm_channel(SECRETARY)},
                channel_id=fake.dm_channel(SECRETARY),
                response_url=fake.new_response_url(),
            )
        )
        fake.wait_for(lambda: len(fake.responses()) > before, timeout=15)
        body = fake.responses()[-1]["body"]
        print(
            "\n".join(
                "  │ " + line
                for line in blocks_as_text(
                    body.get("blocks") or [], fallback=body.get("text", "")
                ).splitlines()
            )
        )
        demo.step("board_asks")
        demo.ask(DIRECTOR, "styrelse")
