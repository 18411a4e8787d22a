"""The board's documents in `finsam-bot demo` (issue #13): after the reporting quarter, in
September, a Lokussamordnare sends his first quarter's report from the reminder's button; the
office asks `/finsam kvartal` for the intervention's compilation, sends the page to the
Lokusgrupp's channel with "Skicka till kanal…", and takes the interim report's tables out with
`/finsam export delårsrapport 2026 8` (the workbook comes as a file in the DM; the demo saves
it beside the board's papers and reads its sheets back)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.blocks.plain_text import blocks_as_text
from simulator.demo_reporting import Quarter, user_id_for
from simulator.reading import buttons, outbox_key
from simulator.slack_driver import block_action, static_select, text_input, view_submission

if TYPE_CHECKING:
    from simulator.demo import Demo

LOKUS_LEAD = "nils.strom@alvkarleby.example"  # Lokussamordnare, Älvkarleby (structural)
INTERVENTION = "Lokussamordnare Älvkarleby"
LOKUS_CHANNEL = "C0LOKUSALV"
LOKUS_CHANNEL_NAME = "lokusgrupp-alvkarleby"
SEPTEMBER = datetime(2026, 9, 7, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
INTERIM = "export delårsrapport 2026 8"
GOALS = {  # goal number → (status, comment): the quarter as Nils reports it
    "1": ("on_track", "Lokusgruppen har träffats en gång under kvartalet; nästa möte är bokat."),
    "2": ("not_started", "Den första utbildningsdagen planeras till hösten."),
}
QUALITY = {
    "collaboration": "Alla fyra parter är med i lokusgruppen.",
    "steering_group": "Styrgruppen följer insatsen på varje möte.",
    "resources": "Som planerat.",
    "deviations": "Inga.",
}


def _show(body: dict[str, Any]) -> None:
    text = blocks_as_text(body.get("blocks") or [], fallback=body.get("text", ""))
    print("\n".join("  │ " + line for line in text.splitlines()))


class BoardDocuments:
    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.fake = demo.fake
        self.quarter = Quarter(demo)

    def first_quarter_reminder(self, user: str) -> dict[str, Any]:
        """The lead's latest reminder with a "Rapportera" button for 2026-Q1."""
        for message in reversed(self.quarter.dm(user)):
            for button in buttons(message):
                if button["action_id"] == "report_open" and '"2026-Q1"' in button["value"]:
                    return dict(message)
        raise SystemExit(f"demo: no reminder for the first quarter in {user}'s DMs")

    def report_quarter(self, user: str) -> None:
        """The lead presses "Rapportera" and sends the form: a status and comment per goal."""
        view = self.quarter.open_form(user, self.first_quarter_reminder(user))
        values: dict[str, dict[str, Any]] = {}
        for number, (status, comment) in GOALS.items():
            values[f"goal_{number}"] = {"value": static_select(status)}
            values[f"goal_{number}_comment"] = {"value": text_input(comment)}
        for block, answer in QUALITY.items():
            values[block] = {"value": text_input(answer)}
        seen = len(self.quarter.dm(user))
        response = self.demo.driver.submit(
            view_submission(view["callback_id"], values=values, user_id=user, view=view)
        )
        answer = response.json() if response.body else {}
        if answer.get("response_action") == "errors":
            raise SystemExit(f"demo: the quarterly form refused the answers: {answer['errors']}")
        _show(self.quarter.wait_dm(user, seen + 1))

    def send_page(self, page: list[dict[str, Any]], channel: str) -> None:
        """ "Skicka till kanal…" under the page, then the channel chosen in the modal."""
        office = self.demo.office_user
        button = next(b for b in buttons({"blocks": page}) if b["action_id"] == "quarterly_send")
        before = len(self.fake.views())
        self.demo.driver.action(
            block_action(
                "quarterly_send",
                value=button["value"],
                user_id=office,
                response_url=self.fake.new_response_url(),
            )
        )
        self.fake.wait_for(lambda: len(self.fake.views()) > before, timeout=15)
        modal = self.fake.views()[-1]
        chosen = {"type": "conversations_select", "selected_conversation": channel}
        response = self.demo.driver.submit(
            view_submission(
                modal["callback_id"],
                values={"channel": {"value": chosen}},
                user_id=office,
                view=modal,
            )
        )
        answer = response.json() if response.body else {}
        if answer.get("response_action") != "update":
            raise SystemExit(f"demo: the channel was refused: {answer.get('errors')}")
        _show(answer["view"])

    def pages(self, channel: str) -> list[dict[str, Any]]:
        return [
            m for m in self.fake.messages(channel) if outbox_key(m).startswith("quarterly_page:")
        ]

    def interim_file(self, seen: set[str]) -> dict[str, Any]:
        """The workbook shared to the office's DM after `seen` (file ids already there)."""
        dm = self.fake.dm_channel(self.demo.office_user)

        def new_files() -> list[dict[str, Any]]:
            return [f for f in self.fake.files() if f["channel"] == dm and f["id"] not in seen]

        self.fake.wait_for(lambda: bool(new_files()), timeout=30)
        return new_files()[0]


def show_workbook(demo: Demo, path: Path) -> None:
    """The sheets and the participant paragraph, read back from the saved file: the first
    sheet's first text in column A that ends a sentence (the title and labels do not)."""
    book = load_workbook(path, read_only=True)
    names = book.sheetnames
    print("  │ " + demo.texts.get("demo", "interim_sheets", names=", ".join(names)))
    for (cell,) in book[names[0]].iter_rows(min_col=1, max_col=1, values_only=True):
        if isinstance(cell, str) and cell.rstrip().endswith("."):
            print("  │ " + cell.split("\n")[0])
            break
    book.close()


def run_board_documents(demo: Demo) -> None:
    scene = BoardDocuments(demo)
    fake = demo.fake
    nils = user_id_for(LOKUS_LEAD)
    fake.add_channel(LOKUS_CHANNEL, name=LOKUS_CHANNEL_NAME)  # the bot is invited
    with demo.serving(simulated_start=SEPTEMBER):
        demo.step("quarterly_report", at=SEPTEMBER.date())
        scene.report_quarter(nils)

        demo.step("quarterly_page", intervention=INTERVENTION)
        page = demo.ask(demo.office_user, f"kvartal {INTERVENTION} 2026")
        demo.step("quarterly_send", channel=LOKUS_CHANNEL_NAME)
        scene.send_page(page, LOKUS_CHANNEL)
        fake.wait_for(lambda: bool(scene.pages(LOKUS_CHANNEL)), timeout=15)
        _show(scene.pages(LOKUS_CHANNEL)[0])

        demo.step("interim_export")
        seen = {f["id"] for f in fake.files()}
        demo.ask(demo.office_user, INTERIM)
        shared = scene.interim_file(seen)
        target = demo.out / shared["filename"]
        target.write_bytes(shared["content"])
        print(f"  │ 📎 {shared['title']} → {target}")
        show_workbook(demo, target)
    count = len(scene.pages(LOKUS_CHANNEL))
    print(
        "  " + demo.texts.get("demo", "pages_in_channel", channel=LOKUS_CHANNEL_NAME, count=count)
    )
