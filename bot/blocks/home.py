"""Block Kit for the App Home tab of a lead: per intervention what is open and what is due
next, each reportable period with a button (`Action.report_open`), then the latest reports.
An intervention shown because the user covers for its absent lead says so under its name."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.common import cap_blocks, context, header, section
from bot.blocks.limits import VIEW_BLOCKS_MAX
from bot.blocks.status import local_date, period_name
from bot.ids import Action
from store.models import SupportKind
from workflows.home import Deadline, InterventionHome, LeadHome
from workflows.texts import Texts


def report_value(intervention_id: int, period: str) -> str:
    """The button's value, read by the `report_open` action handler."""
    return json.dumps({"intervention_id": intervention_id, "period": period})


def build_report_button(texts: Texts, deadline: Deadline) -> ButtonElement:
    return ButtonElement(
        text=texts.get("common", "report_button"),
        action_id=Action.report_open.value,
        value=report_value(deadline.row.intervention.id, deadline.period.label),
        style="primary",
    )


def _line(text: str, texts: Texts, deadline: Deadline) -> SectionBlock:
    button = build_report_button(texts, deadline) if deadline.can_report else None
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=button)


def build_intervention_blocks(texts: Texts, home: InterventionHome) -> list[Block]:
    info = home.intervention
    blocks: list[Block] = [
        section(
            texts.get(
                "home",
                "intervention",
                name=info.name,
                owner=info.owner,
                individual=info.kind is SupportKind.individual,
            )
        )
    ]
    if home.covering is not None:
        blocks.append(
            context(
                texts.get(
                    "home",
                    "covering",
                    lead=home.covering.lead_user_id,
                    until=home.covering.until,
                )
            )
        )
    for item in home.open:
        text = texts.get(
            "home",
            "open_item",
            period=period_name(texts, item.period),
            due=item.due,
            status=item.row.status,
            days_late=item.row.days_late,
        )
        blocks.append(_line(text, texts, item))
    for item in home.upcoming:
        text = texts.get(
            "home",
            "upcoming_item",
            period=period_name(texts, item.period),
            due=item.due,
            status=item.row.status,
        )
        blocks.append(_line(text, texts, item))
    return blocks


def build_home_blocks(home: LeadHome, texts: Texts, *, tz: ZoneInfo) -> list[Block]:
    blocks: list[Block] = [header(texts.get("home", "title"))]
    if not home.is_lead:
        return [*blocks, section(texts.get("home", "not_a_lead"))]
    for item in home.interventions:
        blocks += [*build_intervention_blocks(texts, item), DividerBlock()]
    blocks.append(section(texts.get("home", "recent_heading")))
    if home.recent:
        lines = [
            texts.get(
                "home",
                "recent_item",
                name=recent.intervention.label,
                period=period_name(texts, recent.period),
                submitted_on=local_date(recent.submitted_at, tz),
                status=recent.status,
                revision=recent.revision,
            )
            for recent in home.recent
        ]
        blocks.append(context("\n".join(lines)))
    else:
        blocks.append(context(texts.get("home", "no_recent")))
    return cap_blocks(blocks, limit=VIEW_BLOCKS_MAX, more=texts.get("home", "more_omitted"))


def build_home_view(home: LeadHome, texts: Texts, *, tz: ZoneInfo) -> View:
    return View(type="home", blocks=build_home_blocks(home, texts, tz=tz))
