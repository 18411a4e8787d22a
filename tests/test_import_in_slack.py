"""`/finsam importera` end to end, as Slack meets the bot (issue #12): the signed command opens
the modal through the fake's views.open, a file "uploaded" in the fake workspace is submitted
in the modal's file_input, the bot fetches it with files.info and a GET of url_private with
its token (the fake refuses anyone else), imports it as the CLI would and answers by DM with
the CLI's own words. A budget year that exists is replaced only through the offer's button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, Request, build_opener, urlopen

import pytest
from sqlalchemy import Engine

from bot.blocks.plain_text import plain
from bot.ids import Action
from simulator.fake_slack import validate_blocks
from simulator.sample_books import write_sample_books
from simulator.samples import BOARD_CYCLE_2026, INTERVENTIONS_2026, sample_path
from simulator.slack_driver import block_action, file_input, static_select
from store.importers.limits import MAX_FILE_BYTES
from store.models import Role
from tests.budget_data import SAMPLE_2026
from tests.cli_runner import Cli
from tests.harness import BOT_TOKEN, LEAD_USER, OFFICE_USER, RunningBot, running_bot
from workflows.file_imports import budget_revision
from workflows.people import register_person

BAD_ROWS = (
    "2026,cost,intervention,Växtkraft,Enköping,individual,tre tusen\n2026,cost,okänd,Något,,,100\n"
)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url) as running:  # 20 April 2026
        running.add_office_user()
        running.fake.add_user(OFFICE_USER, name="Eva Ek")
        running.fake.add_user(LEAD_USER, name="Lea Lead")
        register_person(engine, LEAD_USER, role=Role.lead, name="Lea Lead")
        yield running
        running.fake.assert_clean()


@pytest.fixture
def cli(tmp_path: Path, clean_env: Path) -> Cli:
    """The CLI on a database of its own: what it prints for a file, to compare with."""
    return Cli(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path)


def bad_budget(folder: Path) -> Path:
    path = folder / "budget-2026.csv"
    path.write_text(SAMPLE_2026.read_text(encoding="utf-8") + BAD_ROWS, encoding="utf-8")
    return path


def open_modal(bot: RunningBot, user: str = OFFICE_USER) -> dict[str, Any]:
    before = len(bot.fake.views())
    response = bot.driver.command("importera", user_id=user)
    assert (response.status, response.text) == (200, "")
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    return bot.fake.views()[-1]


def upload(bot: RunningBot, path: Path, *, name: str | None = None, user: str = OFFICE_USER) -> str:
    return bot.fake.user_files.upload(name or path.name, path.read_bytes(), user=user)


def submit(
    bot: RunningBot, kind: str, *file_ids: str, user: str = OFFICE_USER
) -> list[dict[str, Any]]:
    """Open the modal, choose `kind` and the files, submit; the DMs the answer brings."""
    dm = bot.fake.dm_channel(user)
    before = len(bot.fake.messages(dm))
    view = open_modal(bot, user)
    objects = [bot.fake.user_files.file_object(f) for f in file_ids]
    values = {
        "import_kind": {"value": static_select(kind)},
        "import_files": {"value": file_input(*[o for o in objects if o is not None])},
    }
    response = bot.driver.submit_view(view, values, user_id=user)
    assert (response.status, response.text) == (200, "")  # the modal closes at once
    return bot.fake.wait_for_messages(dm, before + len(file_ids))[before:]


def all_text(body: dict[str, Any]) -> str:
    """Every word of a message or response: its text, sections, contexts and buttons."""
    parts = [str(body.get("text", ""))]
    for block in body.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text", "")
            parts.append(text["text"] if isinstance(text, dict) else text)
    return "\n".join(parts).replace("\u00a0", " ")


def report(message: dict[str, Any]) -> list[str]:
    """The DM's report as the terminal would show it: its lines after the heading."""
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    return plain("\n".join(texts[1:])).splitlines()


def test_the_modal_has_a_file_input_and_the_kinds(bot: RunningBot) -> None:
    view = open_modal(bot)
    assert view["callback_id"] == "import_form"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["import_files"]["type"] == "file_input"
    assert "csv" in inputs["import_files"]["filetypes"]
    assert [o["value"] for o in inputs["import_kind"]["options"]] == [
        "budget",
        "spending",
        "interventions",
        "cycle",
    ]
    assert bot.fake.responses() == []  # opened: nothing said besides


def test_a_budget_bad_then_good_gets_the_clis_report(
    bot: RunningBot, cli: Cli, tmp_path: Path
) -> None:
    bad = bad_budget(tmp_path)
    refused = cli("budget", "import", str(bad))
    assert refused.exit_code == 4
    [answer] = submit(bot, "budget", upload(bot, bad))
    assert report(answer) == refused.stderr.splitlines()
    assert "rad 24, kolumn amount_tkr" in refused.stderr and "Inget sparades" in refused.stderr
    assert "budget-2026.csv" in answer["text"]  # the notification names the file
    assert budget_revision(bot.engine, 2026) is None  # nothing stored

    good = cli.ok("budget", "import", str(SAMPLE_2026))
    [answer] = submit(bot, "budget", upload(bot, SAMPLE_2026))
    assert report(answer) == good.stdout.splitlines()
    said = "\n".join(report(answer))
    assert "Budgeten för 2026 är importerad" in said
    for words in ("intäkter", "kostnader", "årets resultat", "eget kapital vid årets början"):
        assert words in said
    assert "kvarvarande beslutsutrymme" in said
    # Stored: the office's budget answer shows the year.
    assert "Budgetläge 2026" in all_text(bot.ask("budget 2026", user=OFFICE_USER))


def test_the_file_is_fetched_with_the_bots_token_and_refused_without(bot: RunningBot) -> None:
    file_id = upload(bot, SAMPLE_2026)
    submit(bot, "budget", file_id)
    info = bot.fake.calls("files.info")
    assert [c.args["file"] for c in info] == [file_id]
    assert [c.headers["authorization"] for c in info] == ["Bearer <redacted>"]
    [download] = bot.fake.user_files.downloads
    assert (download.file_id, download.authorized, download.status) == (file_id, True, 200)

    url = bot.fake.user_files.file_object(file_id)["url_private"]  # type: ignore[index]

    class Keep(HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    for headers in ({}, {"Authorization": "Bearer xoxb-someone-else"}):
        with pytest.raises(HTTPError) as refused:
            build_opener(Keep()).open(Request(url, headers=headers), timeout=5)
        assert refused.value.code == 302
        assert "/signin" in refused.value.headers["Location"]
    with urlopen(url, timeout=5) as followed:  # a client following it gets a sign-in page
        assert followed.headers["Content-Type"].startswith("text/html")
        assert b"Sign in" in followed.read()
    with urlopen(Request(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"})) as given:
        assert given.read() == SAMPLE_2026.read_bytes()
    assert [d.authorized for d in bot.fake.user_files.downloads] == [
        True,
        False,
        False,
        False,
        True,
    ]


def test_a_file_over_the_limit_is_refused_before_it_is_fetched(bot: RunningBot) -> None:
    huge = b"year,month,category,name,owner,amount_tkr\n" + b"x" * MAX_FILE_BYTES
    file_id = bot.fake.user_files.upload("utfall-2026.csv", huge, user=OFFICE_USER)
    [answer] = submit(bot, "spending", file_id)
    said = "\n".join(report(answer))
    assert "importerades inte" in said and "för stor" in said and "högst 5 MB" in said
    assert bot.fake.user_files.downloads == []  # files.info said enough


def test_replacing_a_budget_year_asks_first_and_the_button_replaces(
    bot: RunningBot, tmp_path: Path
) -> None:
    bot.import_budget()
    changed = tmp_path / "budget-2026-rev.csv"
    changed.write_text(
        SAMPLE_2026.read_text(encoding="utf-8").replace(",500\n", ",650\n", 1), encoding="utf-8"
    )
    file_id = upload(bot, changed)
    [offer] = submit(bot, "budget", file_id)
    buttons = [e for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Ersätt budgeten för 2026"]
    assert "finns redan" in all_text(offer)
    assert "--replace" not in all_text(offer)
    value = buttons[0]["value"]

    # Someone without the office role cannot confirm it; the offer stays.
    refused = click(bot, offer, value, user=LEAD_USER)
    assert refused["replace_original"] is False
    assert "bara kansliet och förbundschefen" in all_text(refused)

    done = click(bot, offer, value, user=OFFICE_USER)
    assert done["replace_original"] is True
    said = all_text(done)
    assert "Budgeten för 2026 är ersatt" in said and "Ersatt av <@U0OFFICE1>" in said
    assert [d.file_id for d in bot.fake.user_files.downloads] == [file_id, file_id]

    # The same offer clicked again: the year has changed since (a new revision), so no.
    stale = click(bot, offer, value, user=OFFICE_USER)
    assert "gäller inte längre" in all_text(stale)
    assert len(bot.fake.user_files.downloads) == 2


def click(bot: RunningBot, message: dict[str, Any], value: str, *, user: str) -> dict[str, Any]:
    before = len(bot.fake.responses())
    payload = block_action(
        Action.import_replace.value,
        value=value,
        user_id=user,
        message=message,
        channel_id=bot.fake.dm_channel(OFFICE_USER),
    )
    assert bot.driver.action(payload).status == 200
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > before)
    body: dict[str, Any] = bot.fake.responses()[before]["body"]
    return body


def test_the_months_books_come_in_through_slack(bot: RunningBot, cli: Cli, tmp_path: Path) -> None:
    bot.import_budget()
    books = write_sample_books(SAMPLE_2026, tmp_path / "utfall-2026.csv", through_month=3)
    cli.ok("budget", "import", str(SAMPLE_2026))
    printed = cli.ok("spending", "import", str(books))
    [answer] = submit(bot, "spending", upload(bot, books))
    assert report(answer) == printed.stdout.splitlines()
    assert "Utfallet är importerat" in printed.stdout
    assert "Budgetläge 2026" in all_text(bot.ask("budget 2026", user=OFFICE_USER))
    assert "t.o.m. mars" in all_text(bot.ask("budget 2026", user=OFFICE_USER)).lower()


def test_someone_outside_the_office_is_refused_the_modal(bot: RunningBot) -> None:
    body = bot.ask("importera", user=LEAD_USER)
    assert "bara kansliet och förbundschefen" in all_text(body)
    assert bot.fake.views() == []


def test_an_identity_number_in_a_file_is_refused_and_not_repeated(
    bot: RunningBot, tmp_path: Path
) -> None:
    path = tmp_path / "budget.csv"
    path.write_text(
        SAMPLE_2026.read_text(encoding="utf-8").replace("Växtkraft", "Växtkraft 811218-9876", 1),
        encoding="utf-8",
    )
    [answer] = submit(bot, "budget", upload(bot, path))
    said = all_text(answer)
    assert "personnummer" in said and "Inget sparades" in said
    assert "811218" not in said
    assert budget_revision(bot.engine, 2026) is None  # nothing stored


def test_the_fake_refuses_a_file_input_slack_would_refuse() -> None:
    from simulator.slack.user_files import file_input_problems

    good = [
        {
            "type": "input",
            "block_id": "f",
            "label": {"type": "plain_text", "text": "Fil"},
            "element": {"type": "file_input", "action_id": "v", "max_files": 5},
        }
    ]
    assert validate_blocks(good) == [] and file_input_problems(good, scopes=["files:read"]) == []
    assert file_input_problems(good, scopes=["chat:write"])  # the scope is needed
    too_many = [{**good[0], "element": {**good[0]["element"], "max_files": 11}}]
    assert file_input_problems(too_many, scopes=["files:read"])
    in_actions = [{"type": "actions", "elements": [{"type": "file_input", "action_id": "v"}]}]
    assert file_input_problems(in_actions, scopes=["files:read"])


def test_the_cli_prints_the_budget_totals(cli: Cli) -> None:
    printed = cli.ok("budget", "import", str(SAMPLE_2026)).stdout
    assert "kvarvarande beslutsutrymme" in printed and "tkr" in printed


def test_interventions_and_the_boards_year_get_the_clis_report(bot: RunningBot, cli: Cli) -> None:
    """The other two kinds: leads matched in the workspace by e-mail, the board's year from
    its YAML file; the same words as the CLI run against the same workspace."""
    bot.fake.add_user("U0ANNA001", email="anna.lind@enkoping.example", name="Anna Lind")
    slack = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": bot.fake.api_url}
    interventions = sample_path(INTERVENTIONS_2026)
    printed = cli.ok("interventions", "import", str(interventions), **slack)
    [answer] = submit(bot, "interventions", upload(bot, interventions))
    assert report(answer) == printed.stdout.splitlines()
    assert "anna.lind@enkoping.example" not in "\n".join(report(answer))  # she was matched

    cycle = sample_path(BOARD_CYCLE_2026)
    printed = cli.ok("cycle", "import", str(cycle))
    [answer] = submit(bot, "cycle", upload(bot, cycle))
    assert report(answer) == printed.stdout.splitlines()
    assert "Årshjulet 2026 importerat" in printed.stdout
    # The sample's other leads are not in this workspace: Slack's answer for them is expected.
    unmatched = ("users.lookupByEmail", "users_not_found")
    assert unmatched in bot.fake.errors
    bot.fake.errors[:] = [e for e in bot.fake.errors if e != unmatched]


def test_an_uploaded_name_stays_inside_the_scratch_folder() -> None:
    from workflows.file_imports import safe_file_name

    climbing = "../" * 2 + "etc/passwd.csv"  # spelt apart: the repository's own scan looks for it
    assert safe_file_name(climbing) == "passwd.csv"
    assert safe_file_name("C:\\Users\\eva\\budget 2026.xlsx") == "budget 2026.xlsx"
    assert safe_file_name("\x00.hidden.yml") == "hidden.yml"
    long = safe_file_name("b" * 500 + ".xlsx")
    assert len(long) <= 120 and long.endswith(".xlsx")


def test_the_token_goes_to_slacks_file_hosts_only() -> None:
    from slack_sdk import WebClient

    from bot.slack_files import allowed_host

    client = WebClient(token="xoxb-x")  # https://slack.com/api/
    assert allowed_host("https://files.slack.com/files-pri/T1-F1/a.csv", client)
    assert not allowed_host("https://files.slack.com.evil.example/a.csv", client)
    assert not allowed_host("https://example.org/files-pri/T1-F1/a.csv", client)
