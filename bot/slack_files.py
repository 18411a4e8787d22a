"""Files from Slack: what a user chose in a `file_input` (files.info, scope files:read) and
its bytes (GET url_private with the bot token as a Bearer header). The size is checked from
files.info before any byte is fetched, and the read is bounded all the same: a file is never
larger in memory than the importers would accept on disk."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient

from bot.slack_io import call
from store.errors import NotFoundError, SendRejected, SlackUnavailable
from workflows.file_imports import MAX_FILE_BYTES, refuse_if_too_large

# Where Slack serves files: the bot's token goes to no other host (besides the one the
# client's Web API is at, the fake's in tests).
SLACK_FILE_HOSTS = ("slack.com", "slack-edge.com")
DOWNLOAD_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SlackFile:
    id: str
    name: str
    size: int
    mimetype: str
    url_private: str


def file_info(client: WebClient, file_id: str) -> SlackFile:
    """The file's metadata; NotFoundError when Slack does not know it (deleted, or not
    visible to the bot)."""
    try:
        response = call(client.files_info, file=file_id)
    except SendRejected as err:
        if err.params.get("error") in ("file_not_found", "file_deleted"):
            raise NotFoundError("import_file_not_found") from err
        raise SlackUnavailable("import_download_failed", error=err.params.get("error")) from err
    shown: dict[str, Any] = response.get("file") or {}
    url = shown.get("url_private_download") or shown.get("url_private")
    if not shown.get("id") or not isinstance(url, str):
        raise NotFoundError("import_file_not_found")
    return SlackFile(
        id=str(shown["id"]),
        name=str(shown.get("name") or shown.get("title") or shown["id"]),
        size=int(shown.get("size") or 0),
        mimetype=str(shown.get("mimetype") or ""),
        url_private=url,
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Slack answers a download without a valid token with a redirect to its sign-in page:
    follow none, so that is an error here and not an HTML page read as the file."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def allowed_host(url: str, client: WebClient) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    api_host = (urlsplit(client.base_url).hostname or "").lower()
    return host == api_host or any(
        host == known or host.endswith("." + known) for known in SLACK_FILE_HOSTS
    )


def download(client: WebClient, info: SlackFile, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, at most `max_bytes` (refused with the importers' words beyond)."""
    refuse_if_too_large(info.name, info.size)  # before a byte is fetched
    if not allowed_host(info.url_private, client) or not client.token:
        raise SlackUnavailable("import_download_failed", error="host")
    request = urllib.request.Request(
        info.url_private, headers={"Authorization": f"Bearer {client.token}"}
    )
    opener = urllib.request.build_opener(_NoRedirects())
    try:
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as answer:
            kind = str(answer.headers.get("Content-Type", "")).lower()
            data: bytes = answer.read(max_bytes + 1)
    except HTTPError as err:
        raise SlackUnavailable("import_download_failed", error=str(err.code)) from err
    except (URLError, TimeoutError, OSError) as err:
        raise SlackUnavailable("import_download_failed", error=type(err).__name__) from err
    if kind.startswith("text/html") and "html" not in info.mimetype:
        raise SlackUnavailable("import_download_failed", error="sign-in page")
    refuse_if_too_large(info.name, len(data))
    return data


def fetch(client: WebClient, file_id: str) -> tuple[SlackFile, bytes]:
    info = file_info(client, file_id)
    return info, download(client, info)
