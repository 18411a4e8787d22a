"""The lazy hand-off's protocol in one process (bot/lazy.py): what an answering process hands
on reaches the lazy side in order, marked lazy-only with its function's name; a task the lazy
side never reported done is sent again on the next connection; with no room the work runs in
the answering process. `tests/test_lazy.py` shows the same with `serve`'s real processes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.lazy_listener import LazyListenerRunner

from bot.lazy import LAZY_FUNCTION, LAZY_ONLY, LazyHandOff, encode, listening_socket, read_frame
from tests.test_worker import eventually

TIMEOUT = 10.0


def request(text: str) -> BoltRequest:
    return BoltRequest(
        body=f"command=%2Ffinsam&text={text}&user_id=U1",
        headers={"content-type": "application/x-www-form-urlencoded", "x-slack-signature": "v0=x"},
    )


def named(name: str) -> Callable[..., None]:
    def function() -> None:
        pass

    function.__name__ = name
    return function


class Recording(LazyListenerRunner):
    """The fallback: records what would have run in the answering process."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        self.started.append(str(request.body.get("text")))


@pytest.fixture
def address(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    path = str(tmp_path / "lazy")
    listening = listening_socket(path)
    yield path, listening
    listening.close()


def test_tasks_arrive_in_order_marked_lazy_only_and_are_sent_again_if_not_done(
    address: tuple[str, socket.socket],
) -> None:
    path, listening = address
    hand_off = LazyHandOff(path, fallback=Recording())
    for text in ("one", "two", "three"):
        hand_off.start(named("handle_finsam"), request(text))

    # A lazy side that reads the tasks and goes away without saying any is done.
    first, _ = listening.accept()
    first.settimeout(TIMEOUT)
    got = [read_frame(first) for _ in range(3)]
    assert [m and m["name"] for m in got] == ["handle_finsam"] * 3
    first.close()

    # The next connection gets all three again, in order; reported done, none is pending.
    second, _ = listening.accept()
    second.settimeout(TIMEOUT)
    again: list[dict[str, Any]] = []
    for _ in range(3):
        message = read_frame(second)
        assert message is not None
        again.append(message)
    requests = [
        BoltRequest(
            body=m["body"],
            headers={**m["headers"], LAZY_ONLY: ["1"], LAZY_FUNCTION: [m["name"]]},
            mode=m["mode"],
        )
        for m in again
    ]
    assert [str(r.body.get("text")) for r in requests] == ["one", "two", "three"]
    assert all(r.lazy_only and r.lazy_function_name == "handle_finsam" for r in requests)
    assert requests[0].headers["x-slack-signature"] == ["v0=x"]  # checked again there
    assert hand_off.pending() == 3
    second.sendall(b"".join(encode({"done": m["id"]}) for m in again))
    eventually(lambda: hand_off.pending() == 0, TIMEOUT, "the tasks done")
    hand_off.close(TIMEOUT)
    second.close()


def test_with_no_room_the_work_runs_in_the_answering_process(
    address: tuple[str, socket.socket],
) -> None:
    path, _ = address  # nobody accepts: what is handed on waits in the socket's queue
    fallback = Recording()
    hand_off = LazyHandOff(path, fallback=fallback, max_pending=2, full_wait=0.0)
    for text in ("one", "two", "three"):
        hand_off.start(named("handle_finsam"), request(text))
    assert fallback.started == ["three"]
    assert hand_off.pending() == 2
    hand_off.close(0.0)


def test_the_lazy_side_runs_each_task_on_the_app_and_says_done(
    address: tuple[str, socket.socket],
) -> None:
    from bot.lazy import LazyRunner

    path, listening = address
    seen: list[BoltRequest] = []
    lock = threading.Lock()

    class App:
        """Bolt's App as the lazy side uses it: dispatch."""

        def dispatch(self, req: BoltRequest) -> BoltResponse:
            with lock:
                seen.append(req)
            return BoltResponse(status=200)

    runner = LazyRunner(App(), threads=2)  # type: ignore[arg-type]
    threading.Thread(target=runner.serve, args=(listening,), daemon=True).start()
    hand_off = LazyHandOff(path, fallback=Recording())
    for text in ("one", "two"):
        hand_off.start(named("handle_finsam"), request(text))
    eventually(lambda: hand_off.pending() == 0, TIMEOUT, "both done")
    assert sorted(str(r.body.get("text")) for r in seen) == ["one", "two"]
    assert all(r.lazy_only and r.lazy_function_name == "handle_finsam" for r in seen)
    hand_off.close(TIMEOUT)
    runner.drain(TIMEOUT)
