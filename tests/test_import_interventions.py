"""The interventions importer on SQLite and PostgreSQL: CSV and XLSX, every rejection, the
upsert by (name, owner), leads replaced and matched again, the read API, and the Slack
directory against the Slack fake."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.directory import SlackDirectory
from bot.slack_client import make_client
from simulator.fake_slack import SlackFake
from simulator.samples import INTERVENTIONS_2026, sample_path
from store.db import session_scope
from store.errors import ImportRejected, NotFoundError, RowProblem, SlackUnavailable
from store.importers.interventions import read_interventions_file
from store.models import Intervention, InterventionLead, Person, Role, SupportKind
from store.people import roles_of
from tests.budget_data import SAMPLE_2026
from workflows.budget_files import import_budget_file
from workflows.interventions import (
    InterventionImportResult,
    InterventionInfo,
    Lead,
    MatchedUser,
    all_interventions,
    get_intervention,
    import_interventions_file,
    interventions_led_by,
)
from workflows.texts import Texts

HEADER = "name,owner,kind,lead_emails,start,end,goals"
SAMPLE = sample_path(INTERVENTIONS_2026)


class Directory:
    """A directory from a dict; records every e-mail looked up."""

    def __init__(self, users: dict[str, MatchedUser] | None = None) -> None:
        self.users = dict(users or {})
        self.asked: list[str] = []

    def user_for_email(self, email: str) -> MatchedUser | None:
        self.asked.append(email)
        return self.users.get(email)


ANNA = MatchedUser("U0ANNA001", "Anna Lind")
BO = MatchedUser("U0BO00001", "Bo Berg")


def write(tmp_path: Path, *rows: str, name: str = "interventions.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: dict[int, list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    workbook.save(path)
    return path


def rejected(engine: Engine, path: Path, directory: Directory | None = None) -> list[RowProblem]:
    directory = directory or Directory()
    with pytest.raises(ImportRejected) as caught:
        import_interventions_file(engine, path, directory)
    assert directory.asked == []  # the file is checked before anything is looked up
    assert all_interventions(engine) == []
    return caught.value.problems


def render(problem: RowProblem, lang: str = "sv") -> str:
    texts = Texts(lang)
    message = texts.get("import", problem.code, value=problem.value)
    return texts.get(
        "import", "problem_line", line=problem.line, column=problem.column, message=message
    )


def leads_table(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Intervention.name, InterventionLead.email, Person.slack_user_id)
            .join(Intervention, col(Intervention.id) == col(InterventionLead.intervention_id))
            .join(Person, col(Person.id) == col(InterventionLead.person_id), isouter=True)
            .order_by(col(Intervention.name), col(InterventionLead.email))
        ).all()
    return [(a, b, c) for a, b, c in rows]


# -- a good file ---------------------------------------------------------------------------


def test_import_creates_interventions_leads_and_people(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Växtkraft,Enköping,individual,Anna.Lind@Enkoping.example ,2026-01-01,,"
        "Fler i arbete;Kortare väntan",
        'Framsteget,Håbo,Structural,"anna.lind@enkoping.example; bo.berg@habo.example",'
        '2025-03-01,2027-12-31,"Ett mål\nEtt annat"',
        "Min framtid,Tierp,individual,okand@tierp.example,2026-02-01,2026-12-31,",
    )
    directory = Directory({"anna.lind@enkoping.example": ANNA, "bo.berg@habo.example": BO})

    result = import_interventions_file(engine, path, directory)

    assert sorted(directory.asked) == [
        "anna.lind@enkoping.example",
        "bo.berg@habo.example",
        "okand@tierp.example",
    ]  # each e-mail once, normalised
    assert (result.created, result.updated, result.leads_removed) == (3, 0, 0)
    assert [(m.intervention, m.email, m.slack_user_id) for m in result.matched] == [
        ("Växtkraft (Enköping)", "anna.lind@enkoping.example", "U0ANNA001"),
        ("Framsteget (Håbo)", "anna.lind@enkoping.example", "U0ANNA001"),
        ("Framsteget (Håbo)", "bo.berg@habo.example", "U0BO00001"),
    ]
    assert [(m.intervention, m.email) for m in result.unmatched] == [
        ("Min framtid (Tierp)", "okand@tierp.example")
    ]
    found = all_interventions(engine)
    assert [i.label for i in found] == [
        "Framsteget (Håbo)",
        "Min framtid (Tierp)",
        "Växtkraft (Enköping)",
    ]
    framsteget, min_framtid, vaxtkraft = found
    assert framsteget == InterventionInfo(
        id=framsteget.id,
        name="Framsteget",
        owner="Håbo",
        kind=SupportKind.structural,
        goals=("Ett mål", "Ett annat"),
        starts_on=date(2025, 3, 1),
        ends_on=date(2027, 12, 31),
        leads=(
            Lead("anna.lind@enkoping.example", "U0ANNA001", "Anna Lind"),
            Lead("bo.berg@habo.example", "U0BO00001", "Bo Berg"),
        ),
    )
    assert vaxtkraft.goals == ("Fler i arbete", "Kortare väntan")
    assert vaxtkraft.ends_on is None
    assert min_framtid.leads == (Lead("okand@tierp.example", None, ""),)
    assert min_framtid.goals == ()
    with session_scope(engine) as session:
        stored = session.exec(select(Intervention).where(Intervention.name == "Framsteget")).one()
        assert (stored.first_year, stored.last_year) == (2025, 2027)
        assert roles_of(session, "U0ANNA001") == {Role.lead}
        anna = session.exec(select(Person).where(Person.slack_user_id == "U0ANNA001")).one()
        assert (anna.name, anna.email) == ("Anna Lind", "anna.lind@enkoping.example")

    assert [i.label for i in interventions_led_by(engine, "U0ANNA001")] == [
        "Framsteget (Håbo)",
        "Växtkraft (Enköping)",
    ]
    assert interventions_led_by(engine, "U0NOBODY1") == []
    assert get_intervention(engine, vaxtkraft.id) == vaxtkraft


def test_get_an_unknown_intervention(engine: Engine) -> None:
    with pytest.raises(NotFoundError) as caught:
        get_intervention(engine, 4711)
    assert (caught.value.code, caught.value.params) == ("unknown_intervention_id", {"id": 4711})


def test_active_during_and_label() -> None:
    info = InterventionInfo(
        id=1,
        name="X",
        owner="",
        kind=SupportKind.individual,
        goals=(),
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 6, 30),
        leads=(),
    )
    assert info.label == "X"
    assert info.active_during(date(2026, 1, 1), date(2026, 3, 1))  # edges count
    assert info.active_during(date(2026, 6, 30), date(2026, 9, 30))
    assert not info.active_during(date(2026, 1, 1), date(2026, 2, 28))
    assert not info.active_during(date(2026, 7, 1), date(2026, 9, 30))
    open_ended = InterventionInfo(
        id=1,
        name="X",
        owner="Y",
        kind=SupportKind.individual,
        goals=(),
        starts_on=None,
        ends_on=None,
        leads=(),
    )
    assert open_ended.label == "X (Y)"
    assert open_ended.active_during(date(1990, 1, 1), date(1990, 1, 1))


def test_sample_file_matches_the_budget(engine: Engine) -> None:
    import_budget_file(engine, SAMPLE_2026)
    parsed = read_interventions_file(SAMPLE)
    assert len(parsed) == 11
    emails = [e for item in parsed for e in item.emails]
    assert any(len(item.emails) == 2 for item in parsed)  # an intervention with two leads
    assert any(emails.count(e) == 2 for e in emails)  # a lead with two interventions
    assert all(2 <= len(item.goals) <= 3 for item in parsed)

    result = import_interventions_file(engine, SAMPLE, Directory())

    assert result.without_budget_line == []
    assert result.created == 0  # the budget import created them: the file updates them
    assert result.updated == 11
    kinds = {(i.name, i.owner): i.kind for i in all_interventions(engine)}
    assert kinds[("RegExPro", "Region Uppsala")] is SupportKind.structural
    assert kinds[("Växtkraft", "Enköping")] is SupportKind.individual


def test_no_budget_line_is_a_warning_not_a_failure(engine: Engine, tmp_path: Path) -> None:
    import_budget_file(engine, SAMPLE_2026)
    path = write(
        tmp_path,
        "Växtkraft,Enköping,individual,a@x.example,2026-01-01,,",
        "Växtkraft,Heby,individual,a@x.example,2026-01-01,,",  # the owner differs
        "Gammal,Heby,individual,a@x.example,2020-01-01,2021-12-31,",  # no budget those years
        "Ny,Tierp,individual,a@x.example,2024-05-01,,",  # runs into 2026: not in its budget
    )
    result = import_interventions_file(engine, path, Directory())
    assert [(w.intervention, w.years) for w in result.without_budget_line] == [
        ("Växtkraft (Heby)", (2026,)),
        ("Gammal (Heby)", ()),
        ("Ny (Tierp)", (2026,)),
    ]
    assert result.created == 3


def test_xlsx_with_real_dates_imports_like_csv(engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "insatser.xlsx",
        {
            2: HEADER.split(","),
            3: ["Växtkraft", "Enköping", "individual", "a@x.example", date(2026, 1, 1), None],
            5: ["RegExPro", "Region Uppsala", "structural", "b@x.example;c@x.example",
                "2026-02-01", date(2026, 12, 31), "Mål 1; Mål 2"],
        },
    )  # fmt: skip
    import_interventions_file(engine, path, Directory({"b@x.example": BO}))
    regexpro, vaxtkraft = all_interventions(engine)
    assert (vaxtkraft.starts_on, vaxtkraft.ends_on) == (date(2026, 1, 1), None)
    assert (regexpro.starts_on, regexpro.ends_on) == (date(2026, 2, 1), date(2026, 12, 31))
    assert regexpro.goals == ("Mål 1", "Mål 2")
    assert [lead.slack_user_id for lead in regexpro.leads] == ["U0BO00001", None]


def test_xlsx_problems_name_sheet_rows(engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "insatser.xlsx",
        {
            1: HEADER.split(","),
            4: ["Växtkraft", "Enköping", "individual", "a@x.example", "1/1/2026", None],
        },
    )
    assert rejected(engine, path) == [RowProblem(4, "start", "bad_date", "1/1/2026")]


# -- re-import: upsert, leads replaced, matched again ----------------------------------------


def test_reimport_updates_replaces_leads_and_matches_again(engine: Engine, tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "Växtkraft,Enköping,individual,anna@x.example;bo@x.example,2026-01-01,,Mål A",
        "Framsteget,Håbo,individual,bo@x.example,2026-01-01,,",
    )
    directory = Directory({"anna@x.example": ANNA})
    result = import_interventions_file(engine, first, directory)
    assert [(m.intervention, m.email) for m in result.unmatched] == [
        ("Växtkraft (Enköping)", "bo@x.example"),
        ("Framsteget (Håbo)", "bo@x.example"),
    ]

    directory.users["bo@x.example"] = BO  # Bo joins Slack
    second = write(
        tmp_path,
        "Växtkraft,Enköping,structural,bo@x.example;cesar@x.example,2026-02-01,2026-12-31,"
        "Mål B;Mål C",
        "Framsteget,Håbo,individual,bo@x.example,2026-01-01,,",
        "Nystart,Östhammar,individual,anna@x.example,2026-01-01,,",
        name="second.csv",
    )
    ids_before = {i.label: i.id for i in all_interventions(engine)}
    result = import_interventions_file(engine, second, directory)

    assert (result.created, result.updated, result.leads_removed) == (1, 2, 1)
    assert [(m.intervention, m.email) for m in result.unmatched] == [
        ("Växtkraft (Enköping)", "cesar@x.example")
    ]
    assert leads_table(engine) == [
        ("Framsteget", "bo@x.example", "U0BO00001"),
        ("Nystart", "anna@x.example", "U0ANNA001"),
        ("Växtkraft", "bo@x.example", "U0BO00001"),
        ("Växtkraft", "cesar@x.example", None),
    ]
    vaxtkraft = next(i for i in all_interventions(engine) if i.name == "Växtkraft")
    assert vaxtkraft.id == ids_before["Växtkraft (Enköping)"]  # updated, not replaced
    assert vaxtkraft.kind is SupportKind.structural
    assert (vaxtkraft.starts_on, vaxtkraft.ends_on) == (date(2026, 2, 1), date(2026, 12, 31))
    assert vaxtkraft.goals == ("Mål B", "Mål C")
    # Anna is no longer a lead of Växtkraft, but her Person row stays
    assert [i.label for i in interventions_led_by(engine, "U0ANNA001")] == ["Nystart (Östhammar)"]
    with Session(engine) as session:
        assert session.exec(select(Person).where(Person.slack_user_id == "U0ANNA001")).one()


def test_a_lead_who_leaves_slack_is_unmatched_again(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "Växtkraft,Enköping,individual,anna@x.example,2026-01-01,,")
    import_interventions_file(engine, path, Directory({"anna@x.example": ANNA}))
    result = import_interventions_file(engine, path, Directory())
    assert [m.email for m in result.unmatched] == ["anna@x.example"]
    assert leads_table(engine) == [("Växtkraft", "anna@x.example", None)]


def test_a_slack_user_with_two_emails_is_one_person(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Växtkraft,Enköping,individual,anna@x.example,2026-01-01,,",
        "Framsteget,Håbo,individual,anna.lind@y.example,2026-01-01,,",
    )
    directory = Directory({"anna@x.example": ANNA, "anna.lind@y.example": ANNA})
    import_interventions_file(engine, path, directory)
    with Session(engine) as session:
        assert len(session.exec(select(Person)).all()) == 1
    assert len(interventions_led_by(engine, ANNA.slack_user_id)) == 2


def test_a_failing_directory_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    class Down:
        def user_for_email(self, email: str) -> MatchedUser | None:
            raise SlackUnavailable("slack_unavailable", error="503")

    path = write(tmp_path, "Växtkraft,Enköping,individual,anna@x.example,2026-01-01,,")
    with pytest.raises(SlackUnavailable):
        import_interventions_file(engine, path, Down())
    assert all_interventions(engine) == []


# -- rejections ----------------------------------------------------------------------------


def test_every_bad_cell_is_named_and_nothing_is_stored(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Växtkraft,Enköping,individual,anna@x.example,2026-01-01,,",  # 2: good
        "Plattform,Heby,individuell,anna@x.example,2026-01-01,,",  # 3: bad kind
        "Framsteget,Håbo,individual,anna@x.example,,,",  # 4: missing start
        "En väg in,Knivsta,individual,anna@x.example,2026-13-01,2026-02-30,",  # 5: bad dates
        "Min framtid,Tierp,individual,anna@x.example,2026-06-01,2026-05-31,",  # 6: end first
        'RegExPro,Region Uppsala,structural,"anna@x;bo@x.example, c@x.example",2026-01-01,,',
        "Nystart,Östhammar,individual,,2026-01-01,,",  # 8: no e-mail
        ",Uppsala,individual,anna@x.example,2026-01-01,,",  # 9: no name
        "Växtkraft,Enköping,structural,bo@x.example,2026-01-01,,",  # 10: same as line 2
        "Lokus,,,anna@x.example,01/02/2026,,",  # 11: no kind, bad start
    )
    problems = rejected(engine, path)
    assert problems == [
        RowProblem(3, "kind", "bad_kind", "individuell"),
        RowProblem(4, "start", "bad_date", ""),
        RowProblem(5, "start", "bad_date", "2026-13-01"),
        RowProblem(5, "end", "bad_date", "2026-02-30"),
        RowProblem(6, "end", "end_before_start", "2026-05-31"),
        RowProblem(7, "lead_emails", "bad_email", "anna@x"),
        RowProblem(7, "lead_emails", "bad_email", "bo@x.example, c@x.example"),
        RowProblem(8, "lead_emails", "missing_email", ""),
        RowProblem(9, "name", "missing_name", ""),
        RowProblem(10, "name", "duplicate_intervention", "2"),
        RowProblem(11, "kind", "bad_kind", ""),
        RowProblem(11, "start", "bad_date", "01/02/2026"),
    ]
    assert [render(p) for p in problems[:8]] == [
        'rad 3, kolumn kind: okänd sorts insats "individuell" – giltiga: individual, structural',
        "rad 4, kolumn start: datumet saknas (ÅÅÅÅ-MM-DD, t.ex. 2026-01-01)",
        'rad 5, kolumn start: "2026-13-01" är inget datum – skriv ÅÅÅÅ-MM-DD, t.ex. 2026-01-01',
        'rad 5, kolumn end: "2026-02-30" är inget datum – skriv ÅÅÅÅ-MM-DD, t.ex. 2026-01-01',
        "rad 6, kolumn end: slutdatumet 2026-05-31 ligger före startdatumet",
        'rad 7, kolumn lead_emails: "anna@x" är ingen e-postadress – skriv t.ex. '
        "anna.lind@enkoping.se, flera åtskilda med ;",
        'rad 7, kolumn lead_emails: "bo@x.example, c@x.example" är ingen e-postadress – skriv '
        "t.ex. anna.lind@enkoping.se, flera åtskilda med ;",
        "rad 8, kolumn lead_emails: e-postadress till insatsansvarig saknas – minst en behövs "
        "(flera åtskilda med ;)",
    ]
    assert render(problems[9]) == (
        "rad 10, kolumn name: samma insats (namn och ägare) står redan på rad 2"
    )
    assert render(problems[9], "en") == (
        "line 10, column name: the same intervention (name and owner) is already on line 2"
    )


def test_a_bad_file_changes_nothing_already_stored(engine: Engine, tmp_path: Path) -> None:
    good = write(tmp_path, "Växtkraft,Enköping,individual,anna@x.example,2026-01-01,,")
    import_interventions_file(engine, good, Directory({"anna@x.example": ANNA}))
    before = all_interventions(engine)
    bad = write(
        tmp_path,
        "Växtkraft,Enköping,structural,bo@x.example,2026-01-01,,",
        "Framsteget,Håbo,individual,bo@x.example,2026-01-01,2025-01-01,",
        name="bad.csv",
    )
    directory = Directory()
    with pytest.raises(ImportRejected):
        import_interventions_file(engine, bad, directory)
    assert directory.asked == []
    assert all_interventions(engine) == before


def test_missing_columns_are_named(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,owner,kind,start\nVäxtkraft,Enköping,individual,2026-01-01\n")
    assert rejected(engine, path) == [
        RowProblem(1, "lead_emails", "missing_column", "lead_emails"),
        RowProblem(1, "end", "missing_column", "end"),
    ]


@pytest.mark.parametrize(
    "email",
    ["a@b.example", "anna.lind+x@sub.enkoping.se", "ÅSA@HÄBO.EXAMPLE"],
)
def test_emails_that_are_accepted(tmp_path: Path, email: str) -> None:
    path = write(tmp_path, f"X,Y,individual,{email},2026-01-01,,")
    [parsed] = read_interventions_file(path)
    assert parsed.emails == (email.lower(),)


@pytest.mark.parametrize(
    "email", ["a", "a@b", "@b.se", "a@@b.se", "a b@c.se", "<a@b.se>", "a@b.se.", "a@b..se"]
)
def test_emails_that_are_refused(tmp_path: Path, email: str) -> None:
    path = write(tmp_path, f'X,Y,individual,"{email}",2026-01-01,,')
    with pytest.raises(ImportRejected) as caught:
        read_interventions_file(path)
    assert [p.code for p in caught.value.problems] == ["bad_email"]


def test_repeated_emails_and_empty_parts_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, 'X,Y,individual,"a@b.se;;A@B.se ; c@d.se;",2026-01-01,,')
    [parsed] = read_interventions_file(path)
    assert parsed.emails == ("a@b.se", "c@d.se")


def test_goals_column_is_optional(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "name;owner;kind;lead_emails;start;end\nX;Y;individual;a@b.se;2026-01-01;\n",
        encoding="utf-8",
    )
    result = import_interventions_file(engine, path, Directory())
    assert isinstance(result, InterventionImportResult)
    [info] = all_interventions(engine)
    assert (info.label, info.goals) == ("X (Y)", ())


# -- the Slack directory -------------------------------------------------------------------


def test_slack_directory_against_the_fake() -> None:
    with SlackFake(bot_token="xoxb-dir-test") as fake:
        fake.add_user("U0ANNA001", email="Anna.Lind@enkoping.example", name="Anna Lind")
        fake.add_user("U0BOT0001", email="bot@enkoping.example", name="robot", is_bot=True)
        directory = SlackDirectory(make_client(token="xoxb-dir-test", base_url=fake.api_url))
        assert directory.user_for_email("anna.lind@enkoping.example") == MatchedUser(
            "U0ANNA001", "Anna Lind"
        )
        assert directory.user_for_email("nobody@enkoping.example") is None
        assert directory.user_for_email("bot@enkoping.example") is None
        fake.error_next("users.lookupByEmail", "missing_scope")
        with pytest.raises(SlackUnavailable) as refused:
            directory.user_for_email("anna.lind@enkoping.example")
        assert (refused.value.code, refused.value.params) == (
            "slack_lookup_refused",
            {"error": "missing_scope"},
        )
        fake.fail_next("users.lookupByEmail", status=503)
        no_retries = SlackDirectory(WebClient(token="xoxb-dir-test", base_url=fake.api_url))
        with pytest.raises(SlackUnavailable) as down:
            no_retries.user_for_email("anna.lind@enkoping.example")
        assert down.value.code == "slack_unavailable"
        fake.clear_failures()
        fake.assert_clean(allow_errors=["users.lookupByEmail:users_not_found", "missing_scope"])
