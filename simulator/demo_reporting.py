"""The reporting quarter of `finsam-bot demo`: leads imported and matched in Slack, reminders
going out on the simulated clock, reports sent through the form, one sent back and corrected,
one late with its escalation to the office, and the status table.

`finsam-bot serve` runs with FINSAM_SIMULATED_START, so the bot lives in April 2026 while the
demo clicks buttons and submits forms as the leads and the office would."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.blocks.plain_text import blocks_as_text
from simulator.reading import buttons
from simulator.samples import INTERVENTIONS_2026, sample_path
from simulator.slack_driver import block_action, text_input, view_submission
from workflows.calendar import Period
from workflows.reports import Reporting

if TYPE_CHECKING:
    from simulator.demo import Demo

GO_LIVE = date(2026, 4, 1)  # the office went live: March's reports owed, February's not
NOT_IN_SLACK = "per.nystrom@osthammar.example"  # shows an unmatched lead
MARCH = Period.month(2026, 3)

MONTHLY = {
    "month_start": (15, 10),
    "new": (3, 2),
    "ended": (4, 3),
    "to_work": (1, 1),
    "to_studies": (1, 0),
    "to_subsidised_job": (0, 1),
    "with_plan": (2, 1),
    # the profile of the new, and (the year's first report) of those already enrolled
    "new_under_30": (1, 1),
    "new_over_3_years": (1, 0),
    "new_education_compulsory": (1, 1),
    "start_under_30": (6, 3),
    "start_over_3_years": (5, 4),
    "start_education_compulsory": (6, 4),
    "start_education_post_secondary": (3, 1),
}


def user_id_for(email: str) -> str:
    """A stable Slack-like user id for a sample e-mail (U + letters of the name)."""
    letters = "".join(c for c in email.split("@")[0].upper() if c.isalpha())
    return ("U" + letters)[:11]


def lead_emails(demo: Demo) -> list[str]:
    path = sample_path(INTERVENTIONS_2026)
    with path.open(encoding="utf-8") as handle:
        emails = {
            e.strip() for row in csv.DictReader(handle) for e in row["lead_emails"].split(";")
        }
    return sorted(emails)


def stage_at(period: Period, stage: str) -> datetime:
    deadline = Reporting.default().deadline(period)
    return next(r.at for r in deadline.reminders if r.stage == stage)


def monthly_values(**changes: tuple[int, int]) -> dict[str, str]:
    """The form's answers; the month's end follows from its start, the new and the ended
    (the form checks that it does), unless given."""
    figures = {**MONTHLY, **changes}
    (start_w, start_m), (new_w, new_m), (ended_w, ended_m) = (
        figures[key] for key in ("month_start", "new", "ended")
    )
    figures.setdefault("month_end", (start_w + new_w - ended_w, start_m + new_m - ended_m))
    return {
        f"{field}_{split}": str(pair[i])
        for field, pair in figures.items()
        for i, split in enumerate(("women", "men"))
    }


class Quarter:
    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.fake = demo.fake
        self.texts = demo.texts

    def dm(self, user: str) -> list[dict[str, Any]]:
        return self.fake.messages(self.fake.dm_channel(user))

    def show(self, message: dict[str, Any]) -> None:
        print(
            _indent(blocks_as_text(message.get("blocks") or [], fallback=message.get("text", "")))
        )

    def march_reminder(self, user: str) -> dict[str, Any]:
        for message in reversed(self.dm(user)):
            for button in buttons(message):
                if button["action_id"] == "report_open" and '"2026-03"' in button["value"]:
                    return dict(message)
        raise SystemExit(f"demo: no reminder for March in {user}'s DMs")

    def open_form(self, user: str, message: dict[str, Any]) -> dict[str, Any]:
        before = len(self.fake.views())
        button = next(b for b in buttons(message) if b["action_id"] == "report_open")
        self.demo.driver.action(
            block_action("report_open", value=button["value"], user_id=user, message=message)
        )
        self.fake.wait_for(lambda: len(self.fake.views()) > before, timeout=15)
        return self.fake.views()[-1]

    def submit(self, user: str, view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
        state = {
            block: {"value": text_input(value, action_type="number_input")}
            for block, value in values.items()
        }
        response = self.demo.driver.submit(
            view_submission(view["callback_id"], values=state, user_id=user, view=view)
        )
        body: dict[str, Any] = response.json() if response.body else {}
        return body

    def report(self, user: str, values: dict[str, str]) -> dict[str, Any]:
        return self.submit(user, self.open_form(user, self.march_reminder(user)), values)

    def wait_dm(self, user: str, count: int) -> dict[str, Any]:
        self.fake.wait_for(lambda: len(self.dm(user)) >= count, timeout=15)
        return self.dm(user)[-1]

    def office_posts(self, key_prefix: str) -> list[dict[str, Any]]:
        """The office channel's posts whose outbox key starts with `key_prefix`."""
        return [
            message
            for message in self.fake.messages(self.demo.office_channel)
            if str(
                ((message.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            ).startswith(key_prefix)
        ]

    def reviews(self, by: str | None = None) -> list[dict[str, Any]]:
        """Review posts in the office channel, those of reports sent by `by` if given."""
        return [
            post
            for post in self.office_posts("report_review:")
            if by is None or f"<@{by}>" in json.dumps(post.get("blocks"))
        ]

    def send_back(self, review: dict[str, Any], comment: str) -> None:
        """Office staff press "Skicka tillbaka" and write why."""
        button = next(b for b in buttons(review) if b["action_id"] == "report_return")
        count = len(self.fake.views())
        channel = self.demo.office_channel
        self.demo.driver.action(
            block_action(
                "report_return",
                value=button["value"],
                user_id=self.demo.office_user,
                message={**review, "channel": channel},
                channel_id=channel,
            )
        )
        self.fake.wait_for(lambda: len(self.fake.views()) > count, timeout=15)
        self.demo.driver.submit(
            view_submission(
                "report_return",
                values={"comment": {"value": text_input(comment)}},
                user_id=self.demo.office_user,
                view=self.fake.views()[-1],
            )
        )


def _indent(text: str) -> str:
    return "\n".join("  │ " + line for line in text.splitlines())


def run_reporting_quarter(demo: Demo) -> None:
    q = Quarter(demo)
    for email in lead_emails(demo):
        if email != NOT_IN_SLACK:
            demo.fake.add_user(user_id_for(email), email=email, name=email.split("@")[0])
    anna, karin, jonas = (
        user_id_for(email)
        for email in (
            "anna.lind@enkoping.example",
            "karin.sjoberg@heby.example",
            "jonas.pettersson@habo.example",
        )
    )

    demo.step("reporting_setup")
    demo.cli("interventions", "import", str(sample_path(INTERVENTIONS_2026)))

    before = stage_at(MARCH, "before")
    demo.step("reminders_before", at=before.date())
    demo.cli("reminders", "run", "--now", before.isoformat())
    q.show(q.march_reminder(anna))
    february = stage_at(Period.month(2026, 2), "late_7")
    demo.step("go_live", day=GO_LIVE, february=february.date())
    posts = q.fake.calls("chat.postMessage")
    if any(":2026-02:" in json.dumps(call.args.get("metadata")) for call in posts):
        raise SystemExit("demo: a reminder about February, due before the bot went live")

    with demo.serving(simulated_start=before + timedelta(hours=2)):
        demo.step("form_with_error")
        answer = q.report(anna, monthly_values(to_work=(4, 1)))
        for message in dict.fromkeys((answer.get("errors") or {}).values()):
            print(_indent(f"⚠️ {message}"))
        demo.step("form_ok")
        seen = len(q.dm(anna))
        q.report(anna, monthly_values())
        q.show(q.wait_dm(anna, seen + 1))
        demo.step("review_post")
        q.fake.wait_for(lambda: len(q.reviews()) >= 1, timeout=15)
        q.show(q.reviews()[-1])

        demo.step("sent_back")
        seen = len(q.dm(karin))
        q.report(karin, monthly_values(ended=(2, 2)))
        q.wait_dm(karin, seen + 1)
        q.fake.wait_for(lambda: len(q.reviews(karin)) >= 1, timeout=15)
        q.send_back(
            q.reviews(karin)[-1], "Antalet avslutade stämmer inte med förra månaden – kontrollera."
        )
        returned = q.wait_dm(karin, seen + 2)
        q.show(returned)
        demo.step("corrected")
        q.submit(karin, q.open_form(karin, returned), monthly_values(ended=(3, 2)))
        q.show(q.wait_dm(karin, seen + 3))

    due = stage_at(MARCH, "due")
    demo.step("reminders_due", at=due.date())
    demo.cli("reminders", "run", "--now", due.isoformat())
    late = stage_at(MARCH, "late_7")
    demo.step("reminders_late", at=late.date())
    demo.cli("reminders", "run", "--now", late.isoformat())
    # The morning's escalations: one post in the office channel, naming every late report.
    [digest] = q.office_posts(f"escalation_digest:{demo.office_channel}:{late.date()}")
    reports = sum(1 for button in buttons(digest) if button["action_id"] == "report_open")
    print(_indent(demo.texts.get("demo", "escalations", posts=1, reports=reports)))
    q.show(digest)

    with demo.serving(simulated_start=late + timedelta(hours=1)):
        demo.step("late_report")
        seen = len(q.dm(jonas))
        q.report(jonas, monthly_values())
        q.show(q.wait_dm(jonas, seen + 1))
        demo.step("status")
        demo.ask(demo.office_user, "status 2026-03")
