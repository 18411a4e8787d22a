"""Files users upload in the fake workspace, as Slack serves them to a bot: a test or the demo
"uploads" a file (what a user does in a modal's `file_input`) and gets its id; `files.info`
answers with Slack's file object (id, name, size, mimetype, url_private,
url_private_download); GET on url_private gives the bytes only with the bot token as
`Authorization: Bearer xoxb-…`. Without it, or with another token, Slack does not answer
401: it redirects to the workspace's sign-in page (an HTML page, status 200), which a client
following redirects would read as the file. The fake does the same, and records every
download (`downloads`) with whether it was authorised.

Also here: Slack's rules for a `file_input` in a view (inside an input block only,
`max_files` 1–10, `filetypes` a list of strings, the app needs files:read)."""

from __future__ import annotations

import itertools
import mimetypes
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

FILES_PREFIX = "/files-pri/"
SIGN_IN_PATH = "/signin"
SIGN_IN_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign in | Slack</title></head>"
    "<body><h1>Sign in to Finsam</h1></body></html>"
)
FILE_INPUT_MAX_FILES = 10


@dataclass(frozen=True)
class SharedFile:
    id: str
    name: str
    content: bytes
    mimetype: str
    user: str
    created: int


@dataclass(frozen=True)
class Download:
    """One GET of a file's URL: whose file, whether the bot token came with it, the answer."""

    file_id: str
    authorized: bool
    status: int
    authorization_scheme: str  # "Bearer", or "" when no header came


@dataclass(frozen=True)
class Served:
    """What the fake's HTTP server answers: status, body and headers (Content-Type too)."""

    status: int
    body: bytes
    headers: dict[str, str]


class FakeFiles:
    """The uploaded files of one fake workspace. `base_url` and `bot_token` are read when
    needed (the fake's port is known once it serves)."""

    def __init__(
        self, *, base_url: Callable[[], str], bot_token: Callable[[], str], team_id: str
    ) -> None:
        self._base_url = base_url
        self._bot_token = bot_token
        self._team_id = team_id
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._files: dict[str, SharedFile] = {}
        self.downloads: list[Download] = []

    def upload(
        self,
        name: str,
        content: bytes | str,
        *,
        user: str,
        mimetype: str | None = None,
        created: int = 1_700_000_000,
    ) -> str:
        """A file the user `user` uploaded; its id (F…), as a `file_input` hands it over."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        with self._lock:
            file_id = f"F0UP{next(self._ids):07d}"
            self._files[file_id] = SharedFile(
                id=file_id,
                name=name,
                content=data,
                mimetype=mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream",
                user=user,
                created=created,
            )
        return file_id

    def get(self, file_id: str) -> SharedFile | None:
        with self._lock:
            return self._files.get(file_id)

    def delete(self, file_id: str) -> None:
        with self._lock:
            self._files.pop(file_id, None)

    def file_object(self, file_id: str) -> dict[str, Any] | None:
        """Slack's file object for files.info (and a view_submission's `files`)."""
        shared = self.get(file_id)
        if shared is None:
            return None
        url = f"{self._base_url()}{FILES_PREFIX}{self._team_id}-{shared.id}/{quote(shared.name)}"
        download = (
            f"{self._base_url()}{FILES_PREFIX}{self._team_id}-{shared.id}/download/"
            f"{quote(shared.name)}"
        )
        return {
            "id": shared.id,
            "created": shared.created,
            "timestamp": shared.created,
            "name": shared.name,
            "title": shared.name,
            "mimetype": shared.mimetype,
            "filetype": shared.name.rsplit(".", 1)[-1].lower() if "." in shared.name else "",
            "pretty_type": shared.name.rsplit(".", 1)[-1].upper() if "." in shared.name else "",
            "user": shared.user,
            "size": len(shared.content),
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": url,
            "url_private_download": download,
            "permalink": f"{self._base_url()}/files/{shared.user}/{shared.id}/{quote(shared.name)}",
            "channels": [],
            "groups": [],
            "ims": [],
        }

    def handles(self, path: str) -> bool:
        return path.startswith(FILES_PREFIX) or path == SIGN_IN_PATH

    def serve(self, verb: str, path: str, headers: Mapping[str, str]) -> Served:
        """A GET of a file's URL (or of the sign-in page it redirects to)."""
        if path == SIGN_IN_PATH:
            return Served(200, SIGN_IN_PAGE.encode(), {"Content-Type": "text/html; charset=utf-8"})
        file_id = path.removeprefix(FILES_PREFIX).split("/", 1)[0].removeprefix(f"{self._team_id}-")
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        authorized = scheme.lower() == "bearer" and secrets.compare_digest(
            token.strip().encode(), self._bot_token().encode()
        )
        shared = self.get(file_id)
        if not authorized:
            served = Served(
                302,
                b"",
                {
                    "Location": f"{self._base_url()}{SIGN_IN_PATH}?redir={quote(path)}",
                    "Content-Type": "text/html; charset=utf-8",
                },
            )
        elif verb not in ("GET", "HEAD"):
            served = Served(405, b"Method Not Allowed", {"Content-Type": "text/plain"})
        elif shared is None:
            served = Served(404, b"Not Found", {"Content-Type": "text/plain"})
        else:
            served = Served(200, shared.content, {"Content-Type": shared.mimetype})
        with self._lock:
            self.downloads.append(Download(file_id, authorized, served.status, scheme))
        return served


def file_input_problems(
    blocks: object, *, pointer: str = "/view/blocks", scopes: Iterable[str] = ()
) -> list[str]:
    """Slack's refusals of a `file_input` in a view's blocks, as `[ERROR] … [json-pointer:…]`."""
    if not isinstance(blocks, list):
        return []
    problems: list[str] = []
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        here = f"{pointer}/{index}"
        element = block.get("element")
        if block.get("type") == "input" and isinstance(element, dict):
            if element.get("type") == "file_input":
                problems += _element_problems(element, f"{here}/element", scopes)
            continue
        for key, value in block.items():
            if _holds_file_input(value):
                problems.append(
                    "[ERROR] file_input is only allowed in an input block "
                    f"[json-pointer:{here}/{key}]"
                )
    return problems


def _holds_file_input(value: object) -> bool:
    if isinstance(value, dict):
        return value.get("type") == "file_input" or any(
            _holds_file_input(v) for v in value.values()
        )
    if isinstance(value, list):
        return any(_holds_file_input(v) for v in value)
    return False


def _element_problems(element: dict[str, Any], here: str, scopes: Iterable[str]) -> list[str]:
    problems: list[str] = []
    if "files:read" not in set(scopes):
        problems.append(f"[ERROR] file_input needs the files:read scope [json-pointer:{here}]")
    max_files = element.get("max_files")
    if max_files is not None and (
        not isinstance(max_files, int) or not 1 <= max_files <= FILE_INPUT_MAX_FILES
    ):
        problems.append(f"[ERROR] must be between 1 and 10 [json-pointer:{here}/max_files]")
    filetypes = element.get("filetypes")
    if filetypes is not None and (
        not isinstance(filetypes, list) or not all(isinstance(t, str) and t for t in filetypes)
    ):
        problems.append(f"[ERROR] must be an array of strings [json-pointer:{here}/filetypes]")
    return problems
