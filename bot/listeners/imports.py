"""`/finsam importera`: office staff and the director bring a file in through Slack. The
modal asks what the file holds and takes it in a `file_input`; the submission is answered at
once (the modal closes) and the work follows on the work pool: each file is fetched from
Slack with the bot's token (files.info first, so a file over the size limit is refused
before a byte is fetched), imported exactly as `finsam-bot … import` would (all or nothing,
workflows/file_imports.py) and answered privately by DM with the CLI's own report
(bot/import_report.py). A budget year that exists is not replaced on the spot: the answer
offers a button, which fetches the same file again and replaces the year, as `--replace`
does, while the year is as it was when offered."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.common import context, to_dicts
from bot.blocks.imports import (
    FILES_BLOCK,
    KIND_BLOCK,
    ReplaceOffer,
    build_import_modal,
    fallback_text,
    read_import_state,
    replace_offer_blocks,
    report_blocks,
)
from bot.context import BotContext
from bot.directory import SlackDirectory
from bot.ids import Action, View
from bot.import_report import imported_lines, refusal_lines
from bot.listeners.errors import USER_ERRORS, ErrorEdge
from bot.slack_files import fetch
from bot.slack_io import call
from store.errors import AccessDenied, ConflictError, FinsamError
from workflows.board_cycle import CycleRejected
from workflows.file_imports import (
    FileKind,
    budget_revision,
    import_file,
    is_office,
    may_import,
    scratch_file,
)
from workflows.texts import Texts

log = logging.getLogger(__name__)

# What a file's import may refuse with: said in its report, like the CLI prints it.
REFUSALS: tuple[type[FinsamError], ...] = (*USER_ERRORS, CycleRejected)


def open_import_form(
    ctx: BotContext, texts: Texts, command: dict[str, Any], client: WebClient
) -> list[dict[str, Any]] | None:
    """The `/finsam importera` subcommand: opens the modal (None: nothing to answer), or
    says why not to anyone who is not office staff or the director."""
    if not may_import(ctx.engine, command["user_id"]):
        raise AccessDenied("import_office_only")  # told by the command's edge
    client.views_open(trigger_id=command["trigger_id"], view=build_import_modal(texts))
    return None


class ImportListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx
        self.edge = ErrorEdge(ctx)

    # -- the modal

    def check(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """On the request thread: refuse inline what cannot be taken, else close the modal
        (the work and its answer follow in `take`)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        if not may_import(self.ctx.engine, user_id):
            raise AccessDenied("import_office_only")  # in the modal's place
        choice = read_import_state(view)
        if choice.kind is None:
            ack(response_action="errors", errors={KIND_BLOCK: texts.get("imports", "kind_label")})
        elif not choice.file_ids:
            ack(response_action="errors", errors={FILES_BLOCK: texts.get("imports", "no_file")})
        else:
            ack()

    def take(self, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """On the work pool, after the modal closed: each file fetched, imported and answered
        by DM. Bolt runs this after any ack, so what `check` refused is left alone here."""
        user_id = body["user"]["id"]
        choice = read_import_state(view)
        if choice.kind is None or not choice.file_ids or not may_import(self.ctx.engine, user_id):
            return
        texts = self.ctx.texts_for(user_id)
        for file_id in choice.file_ids:
            blocks = self.one_file(client, texts, choice.kind, file_id, user_id=user_id)
            call(
                client.chat_postMessage,
                channel=user_id,
                text=fallback_text(blocks),
                blocks=blocks,
            )

    def one_file(
        self,
        client: WebClient,
        texts: Texts,
        kind: FileKind,
        file_id: str,
        *,
        user_id: str,
        replace: bool = False,
    ) -> list[dict[str, Any]]:
        """The answer about one file: its report, its refusal, or the offer to replace."""
        name = file_id
        try:
            info, content = fetch(client, file_id)
            name = info.name
            with scratch_file(info.name, content) as path:
                imported = import_file(
                    self.ctx.engine,
                    kind,
                    path,
                    rules=self.ctx.rules,
                    directory=SlackDirectory(client),
                    replace=replace,
                )
        except ConflictError as err:
            if err.code != "budget_year_exists" or kind is not FileKind.budget:
                return report_blocks(texts, file=name, kind=kind, lines=refusal_lines(texts, err))
            year = int(str(err.params["year"]))
            offer = ReplaceOffer(
                file_id=file_id,
                year=year,
                revision=budget_revision(self.ctx.engine, year),
                uploaded_by=user_id,
            )
            return replace_offer_blocks(texts, file=name, offer=offer)
        except REFUSALS as err:
            log.info("import of %s refused: %s", file_id, err.code)
            return report_blocks(texts, file=name, kind=kind, lines=refusal_lines(texts, err))
        except Exception:
            log.exception("import of %s failed", file_id)
            return report_blocks(
                texts, file=name, kind=kind, lines=[self.edge.message(texts, None)]
            )
        return report_blocks(texts, file=name, kind=kind, lines=imported_lines(texts, imported))

    # -- the offer to replace a budget year

    def replace(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        """The button: the same file fetched again and imported with replace=True, in the
        offer's place; refused (ephemeral, the offer kept) to anyone but its uploader or the
        office, and when the year changed since it was offered."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        offer = ReplaceOffer.parse(str(action.get("value") or ""))
        if offer is None:
            raise ConflictError("import_offer_stale", year="")
        if not may_import(self.ctx.engine, user_id):
            raise AccessDenied("import_office_only")
        if user_id != offer.uploaded_by and not is_office(self.ctx.engine, user_id):
            raise AccessDenied("import_offer_not_yours")
        if budget_revision(self.ctx.engine, offer.year) != offer.revision:
            raise ConflictError("import_offer_stale", year=offer.year)
        blocks = self.one_file(
            client, texts, FileKind.budget, offer.file_id, user_id=offer.uploaded_by, replace=True
        )
        blocks += to_dicts([context(texts.get("imports", "replaced_by", user_id=user_id))])
        respond(blocks=blocks, text=fallback_text(blocks), replace_original=True)


def ack_at_once(ack: Ack) -> None:
    ack()


def register(app: App, ctx: BotContext) -> None:
    """The modal's submission and the replace button; the modal opens from `/finsam
    importera` (listeners/commands.py)."""
    listeners = ImportListeners(ctx)
    edge = listeners.edge
    app.view(View.import_form.value)(
        ack=edge.submission(listeners.check), lazy=[edge.quiet(listeners.take)]
    )
    app.action(Action.import_replace.value)(
        ack=ack_at_once, lazy=[edge.ephemeral(listeners.replace)]
    )
