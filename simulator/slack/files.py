"""Files, upload v2: files.getUploadURLExternal, the upload URL itself (raw bytes, or a
multipart file part), files.completeUploadExternal (shared to one channel, as a message) and
files.info."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from simulator.slack.arguments import as_text
from simulator.slack.block_kit import MESSAGE_MAX_TEXT, validate_blocks
from simulator.slack.http_plumbing import Request, content_type, multipart_parts
from simulator.slack.records import Method, Outcome, SlackError, missing
from simulator.slack.user_files import FakeFiles
from simulator.slack.workspace import Channel, Upload, Workspace


class FileMethods:
    def __init__(
        self, workspace: Workspace, base_url: Callable[[], str], user_files: FakeFiles
    ) -> None:
        self.workspace = workspace
        self.base_url = base_url
        self.user_files = user_files

    def methods(self) -> dict[str, Method]:
        return {
            "files.getUploadURLExternal": self.get_upload_url_external,
            "files.completeUploadExternal": self.complete_upload_external,
            "files.info": self.info,
        }

    def file_object(self, upload: Upload) -> dict[str, Any]:
        mimetype = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        shown = {
            "id": upload.id,
            "created": upload.created,
            "timestamp": upload.created,
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "mimetype": mimetype,
            "filetype": upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "binary",
            "user": self.workspace.bot_user_id,
            "size": len(upload.content or b""),
            "is_external": False,
            "alt_txt": upload.alt_txt,
            "url_private": f"{self.base_url()}/files/{upload.id}/{upload.filename}",
            "channels": [upload.channel] if upload.channel else [],
        }
        return {key: value for key, value in shown.items() if value is not None}

    def get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        filename = as_text(args.get("filename"))
        if not filename:
            raise missing("filename")
        try:
            length = int(str(args.get("length")))
        except ValueError as exc:
            raise missing("length") from exc
        if length < 1:
            raise SlackError(
                "invalid_arguments",
                messages=["[ERROR] must be greater than 0 [json-pointer:/length]"],
            )
        file_id = f"FFAKE{ws.next_id():06d}"
        ws.uploads[file_id] = Upload(
            file_id,
            filename,
            length,
            as_text(args.get("alt_txt")),
            as_text(args.get("snippet_type")),
            created=ws.ts_base + len(ws.uploads),
        )
        return {"upload_url": f"{self.base_url()}/upload/v1/{file_id}", "file_id": file_id}

    def complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise missing("files")
        uploads: list[tuple[Upload, str | None]] = []
        for index, entry in enumerate(files):
            if not isinstance(entry, dict) or not entry.get("id"):
                raise missing("id", f"/files/{index}/id")
            upload = ws.uploads.get(str(entry["id"]))
            if upload is None or upload.completed or upload.content is None:
                raise SlackError("file_not_found")
            if len(upload.content) != upload.length:
                raise SlackError(
                    "invalid_arguments",
                    messages=[
                        f"[ERROR] uploaded {len(upload.content)} bytes but declared "
                        f"length {upload.length} [json-pointer:/files/{index}]"
                    ],
                )
            uploads.append((upload, as_text(entry.get("title"))))
        channel: Channel | None = None
        channel_arg = args.get("channel_id") or args.get("channels")
        if channel_arg:
            if "," in str(channel_arg):
                raise SlackError(
                    "invalid_arguments",
                    messages=[
                        "[ERROR] the Slack fake shares to one channel [json-pointer:/channels]"
                    ],
                )
            channel = ws.channel(channel_arg, for_posting=True)
        thread_ts = as_text(args.get("thread_ts")) or None
        if thread_ts and channel is None:
            raise missing("channel_id")
        comment = as_text(args.get("initial_comment"))
        if comment and len(comment) > MESSAGE_MAX_TEXT:
            raise SlackError("msg_too_long")
        blocks = args.get("blocks")
        if blocks is not None:
            problems = validate_blocks(blocks, strict=ws.strict_blocks)
            if problems:
                raise SlackError("invalid_blocks", messages=problems)
        for upload, title in uploads:
            upload.title = title or upload.filename
            upload.completed = True
            upload.channel = channel.id if channel else None
            upload.initial_comment = comment
            upload.thread_ts = thread_ts
        if channel is not None:
            ws.store_message(
                channel.id,
                text=comment or "",
                blocks=blocks,
                metadata=None,
                thread_ts=thread_ts,
                files=[self.file_object(u) for u, _ in uploads],
                upload=True,
            )
        return {"files": [self.file_object(u) for u, _ in uploads]}

    def info(self, args: dict[str, Any]) -> dict[str, Any]:
        shared = self.user_files.file_object(as_text(args.get("file")) or "")
        if shared is not None:  # a file a user uploaded (a modal's file_input)
            return {"file": shared}
        upload = self.workspace.uploads.get(as_text(args.get("file")) or "")
        if upload is None or not upload.completed:
            raise SlackError("file_not_found")
        return {"file": self.file_object(upload)}

    def upload(self, file_id: str, request: Request) -> Outcome:
        """The upload URL: slack_sdk POSTs the raw bytes; multipart with a file part works too."""
        upload = self.workspace.uploads.get(file_id)
        data = request.body
        if request.content_type == "multipart/form-data":
            _, params = content_type(request.headers.get("content-type", ""))
            try:
                parts = multipart_parts(data, params.get("boundary", ""))
            except ValueError:
                parts = []
            chosen = next((p for p in parts if p[1] is not None), parts[0] if parts else None)
            data = chosen[2] if chosen else b""
        args = {"file_id": file_id, "size": len(data), "content_type": request.content_type}
        if upload is None or upload.completed:
            return Outcome(404, "Not Found", "upload", args, client_error="upload_url_not_found")
        if request.verb != "POST":
            return Outcome(
                405, "Method Not Allowed", "upload", args, client_error="upload_not_post"
            )
        upload.content = data
        return Outcome(200, f"OK - {len(data)}", "upload", args)
