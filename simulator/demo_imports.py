"""The demo's file in through Slack: Eva at the office uploads October's books in
`/finsam importera` (the modal's file_input, the fake workspace holding the file) instead of
running `finsam-bot spending import`, and gets the CLI's report by DM."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.blocks.imports import FILES_BLOCK, KIND_BLOCK, VALUE_ACTION_ID
from bot.blocks.plain_text import blocks_as_text
from simulator.sample_books import write_sample_books
from simulator.slack_driver import file_input, static_select
from workflows.file_imports import FileKind

if TYPE_CHECKING:
    from simulator.demo import Demo

WAIT_SECONDS = 15


def import_books_in_slack(demo: Demo, budget: Path, *, through_month: int) -> None:
    """While the bot serves: the month's books uploaded in the modal, answered by DM."""
    from simulator.demo import indent

    demo.step("books_in_slack")
    books = write_sample_books(
        budget, demo.out / f"utfall-2026-{through_month:02d}.csv", through_month=through_month
    )
    user = demo.office_user
    file_id = demo.fake.user_files.upload(books.name, books.read_bytes(), user=user)
    print(demo.texts.get("demo", "asks", user=user, text="importera"), flush=True)
    before = len(demo.fake.views())
    if demo.driver.command("importera", user_id=user).status != 200:
        raise SystemExit("demo: /finsam importera was not answered")
    demo.fake.wait_for(lambda: len(demo.fake.views()) > before, timeout=WAIT_SECONDS)
    view = demo.fake.views()[-1]
    shown = demo.fake.user_files.file_object(file_id) or {}
    print(demo.texts.get("demo", "uploads", file=books.name), flush=True)
    dm = demo.fake.dm_channel(user)
    answered = len(demo.fake.messages(dm))
    values = {
        KIND_BLOCK: {VALUE_ACTION_ID: static_select(FileKind.spending.value)},
        FILES_BLOCK: {VALUE_ACTION_ID: file_input(shown)},
    }
    if demo.driver.submit_view(view, values, user_id=user).status != 200:
        raise SystemExit("demo: the import modal was not taken")
    message = demo.fake.wait_for_messages(dm, answered + 1, timeout=WAIT_SECONDS)[answered]
    print(indent(blocks_as_text(message.get("blocks") or [], fallback=message.get("text", ""))))
