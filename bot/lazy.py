"""The work after an ack, in a process of its own (`serve`'s "lazy" children).

A process answering Slack acks on the request thread and then runs each listener's lazy
functions (the answer itself: `/finsam budget`'s figures, a modal to open). In one process that
work shares Python's interpreter lock with the next acks, and under load the acks wait for it
(benchmarks/README.md, `bench_ack.py`). So `serve` runs the lazy functions elsewhere, as Bolt's
AWS Lambda adapter does: the answering process hands the request on (its raw body and headers,
the name of the lazy function) and the lazy process dispatches it to the same Bolt app, built
by the same composition root, marked `x-slack-bolt-lazy-only` and
`x-slack-bolt-lazy-function-name`, so Bolt runs that function alone and acks nothing.

- **The channel.** A Unix stream socket that `serve` binds and listens on, in its private
  temporary directory, handed to its lazy children: it outlives any of them. Each answering
  process keeps one connection to it; frames are a 4-byte length and JSON. Nothing else can
  reach it, and in the lazy process the request goes through Bolt's middleware again, so an HTTP
  request's signature is checked again against the original headers (it must still be within
  Slack's five minutes: a hand-off older than that is refused and logged).
- **Nothing lost when a lazy process dies.** The answering process keeps every task it handed
  on until the lazy process says it is done. When the connection breaks (the lazy process died),
  it connects again (the socket is `serve`'s, so the connection waits in its queue until the
  restarted child accepts it) and sends again, in order, whatever was not done. A task that was
  running when its process died (or had just finished, its "done" not yet sent) runs again:
  at least once, not exactly once (the lazy listeners answer ephemerally, open a modal, or
  change the store by compare-and-set: a repetition shows at most one more answer or one
  refusal); after `MAX_ATTEMPTS` sends it is dropped with an error in the log, so a task
  that kills its process cannot kill every next one. Slack does not retry a command or an
  action it had its ack for, so this in-memory hand-off is the only copy: if the answering
  process dies too, what it had not handed off done is lost, as it was before.
- **Order and back-pressure.** Tasks go in the order of their acks, per answering process;
  the lazy process runs them on `FINSAM_WORK_THREADS` threads, as the answering process did.
  At most `MAX_PENDING` tasks wait per answering process; over that an ack waits for room (up
  to `FULL_WAIT_SECONDS`, far under Slack's 3 s), and if there is still none the task runs in
  the answering process itself, as without a lazy process.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import signal
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from logging import Logger
from multiprocessing.synchronize import Event
from pathlib import Path
from types import FrameType
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener import LazyListenerRunner

from bot.composition import compose
from bot.logging_setup import configure_logging
from bot.settings import Settings
from bot.supervision import as_child
from bot.worker import Ring
from store.db import open_engine
from workflows.clock import Clock

log = logging.getLogger(__name__)
LAZY_ONLY = "x-slack-bolt-lazy-only"
LAZY_FUNCTION = "x-slack-bolt-lazy-function-name"
PROCESS_NAME = "finsam-lazy"  # /proc/<pid>/comm of a lazy child (ps, tests)
FRAME = struct.Struct("!I")
MAX_FRAME = 4 * 1024 * 1024  # a body is at most 1 MiB (bot/verification.py), plus headers
MAX_PENDING = 32  # tasks per answering process handed on and not yet done (see above)
FULL_WAIT_SECONDS = 1.0
MAX_ATTEMPTS = 3
RECONNECT_SECONDS = 0.1
CLOSE_SECONDS = 5.0  # an answering process waits this long for its lazy work when stopping
DRAIN_SECONDS = 8.0  # after SIGTERM: for the answering processes to go (serve's STOP_TIMEOUT 10)


def encode(message: dict[str, Any]) -> bytes:
    data = json.dumps(message, separators=(",", ":")).encode()
    return FRAME.pack(len(data)) + data


def read_frame(sock: socket.socket) -> dict[str, Any] | None:
    """The next frame's message, or None at the end of the connection."""
    head = _read_exactly(sock, FRAME.size)
    if head is None:
        return None
    (size,) = FRAME.unpack(head)
    if size > MAX_FRAME:
        raise OSError(f"a frame of {size} bytes")
    data = _read_exactly(sock, size)
    if data is None:
        return None
    message = json.loads(data)
    if not isinstance(message, dict):
        raise OSError("a frame that is not an object")
    return message


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = sock.recv(min(size, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def listening_socket(address: str) -> socket.socket:
    """`serve`'s end of the channel, bound before any child starts and kept while it runs."""
    Path(address).unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(address)
    sock.listen(64)
    return sock


# --------------------------------------------------------------------------- answering side


@dataclass
class Task:
    number: int
    name: str
    frame: bytes
    attempts: int = 0


class LazyHandOff(LazyListenerRunner):
    """Bolt's lazy listener runner in an answering process: `start` hands the request to a
    lazy process (see the module's docstring) and returns at once; only the work that finds
    no room runs here, on `fallback` (Bolt's thread runner on the work pool)."""

    def __init__(
        self,
        address: str,
        *,
        fallback: LazyListenerRunner,
        max_pending: int = MAX_PENDING,
        full_wait: float = FULL_WAIT_SECONDS,
    ) -> None:
        self.logger: Logger = log
        self._address = address
        self._fallback = fallback
        self._max_pending = max_pending
        self._full_wait = full_wait
        self._numbers = itertools.count(1)
        # One lock, two conditions, so that a task done wakes one ack waiting for room and
        # a task handed on wakes the sender, never every waiting thread.
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # the sender waits for tasks
        self._room = threading.Condition(self._lock)  # acks wait for room, close for none
        self._queue: deque[Task] = deque()  # to be sent
        self._unacked: dict[int, Task] = {}  # sent, not yet done
        self._connection: socket.socket | None = None
        self._closed = False
        threading.Thread(target=self._send_all, name="lazy-hand-off", daemon=True).start()

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        name = str(request.lazy_function_name or getattr(function, "__name__", ""))
        body: str | dict[str, Any] = request.raw_body if request.mode == "http" else request.body
        number = next(self._numbers)
        task = Task(
            number,
            name,
            encode(
                {
                    "id": number,
                    "mode": request.mode,
                    "body": body,
                    "headers": {key: list(values) for key, values in request.headers.items()},
                    "query": {key: list(values) for key, values in request.query.items()},
                    "name": name,
                }
            ),
        )
        with self._lock:
            if not self._room.wait_for(self._has_room, timeout=self._full_wait):
                log.warning("lazy: %d tasks waiting; %s runs here", self._pending(), name)
                self._fallback.start(function, request)
                return
            self._queue.append(task)
            self._work.notify()

    def close(self, timeout: float) -> None:
        """This process stops answering: wait (up to `timeout`) for what it handed on to be
        done, then close the connection, so a stopping lazy process need not wait for it."""
        with self._lock:
            self._room.wait_for(lambda: self._pending() == 0, timeout=timeout)
            self._closed = True
            self._work.notify_all()
            connection, self._connection = self._connection, None
            left = self._pending()
        if connection is not None:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        if left:
            log.warning("lazy: stopped with %d tasks not done", left)

    def pending(self) -> int:
        """Tasks handed on and not yet done (for tests and logs)."""
        with self._lock:
            return self._pending()

    def _pending(self) -> int:
        return len(self._queue) + len(self._unacked)

    def _has_room(self) -> bool:
        return self._pending() < self._max_pending

    def _freed(self, count: int) -> None:
        """`count` tasks left the table (hold the lock)."""
        if self._pending() == 0:
            self._room.notify_all()  # close() may be waiting too
        else:
            self._room.notify(count)

    def _send_all(self) -> None:
        """Send what is queued, all at once, in order, on the current connection."""
        while True:
            with self._lock:
                self._work.wait_for(lambda: bool(self._queue) or self._closed)
                if self._closed:
                    return
                connection = self._connection
            if connection is None:
                connection = self._connect()
            with self._lock:
                if self._connection is not connection:
                    continue  # broken meanwhile: its tasks are back in the queue
                batch: list[Task] = []
                while self._queue:
                    task = self._queue.popleft()
                    task.attempts += 1
                    if task.attempts > MAX_ATTEMPTS:
                        log.error("lazy: %s dropped after %d sends", task.name, MAX_ATTEMPTS)
                        self._freed(1)
                        continue
                    self._unacked[task.number] = task
                    batch.append(task)
            try:
                connection.sendall(b"".join(task.frame for task in batch))
            except OSError:
                self._broken(connection)

    def _connect(self) -> socket.socket:
        """A connection to the lazy processes' socket, tried until there is one; its tasks
        not yet done (a broken connection's) go first."""
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self._address)
            except OSError as err:
                sock.close()
                log.warning("lazy: cannot reach %s (%s); trying again", self._address, err)
                time.sleep(RECONNECT_SECONDS)
                continue
            with self._lock:
                self._connection = sock
            threading.Thread(
                target=self._read_done, args=(sock,), name="lazy-done", daemon=True
            ).start()
            return sock

    def _read_done(self, sock: socket.socket) -> None:
        try:
            while (message := read_frame(sock)) is not None:
                with self._lock:
                    if self._unacked.pop(int(message.get("done", 0)), None) is not None:
                        self._freed(1)
        except (OSError, ValueError):
            pass
        self._broken(sock)

    def _broken(self, sock: socket.socket) -> None:
        """The lazy process went away: what it had not done goes back first, in order."""
        with self._lock:
            if self._connection is not sock or self._closed:
                return
            self._connection = None
            again = sorted(self._unacked.values(), key=lambda task: task.number)
            self._unacked.clear()
            self._queue.extendleft(reversed(again))
            self._work.notify()
        with suppress(OSError):
            sock.close()
        if again:
            log.warning("lazy: the lazy process went away; sending %d tasks again", len(again))


def hand_off_lazy_listeners(app: App, address: str) -> LazyHandOff:
    """Make `app` hand its lazy listeners to the lazy processes at `address`."""
    runner = app.listener_runner
    hand_off = LazyHandOff(address, fallback=runner.lazy_listener_runner)
    runner.lazy_listener_runner = hand_off
    return hand_off


def close_hand_off(app: App, timeout: float = CLOSE_SECONDS) -> None:
    """An answering process is stopping: let its lazy work finish first (if it hands off)."""
    runner = app.listener_runner.lazy_listener_runner
    if isinstance(runner, LazyHandOff):
        runner.close(timeout)


# --------------------------------------------------------------------------- lazy side


def name_process(name: str) -> None:
    """What ps and /proc/<pid>/comm show for this process (Linux; elsewhere nothing)."""
    with suppress(OSError):
        Path("/proc/self/comm").write_text(name[:15])


class LazyRunner:
    """Runs what the answering processes hand on, on `threads` threads, and says when each
    is done."""

    def __init__(self, app: App, *, threads: int) -> None:
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="finsam-lazy")
        self._lock = threading.Lock()
        self._connections = 0
        self._idle = threading.Condition(self._lock)

    def serve(self, listening: socket.socket) -> None:
        """Accept connections for ever (in a thread of its own)."""
        while True:
            try:
                connection, _ = listening.accept()
            except OSError:
                return
            threading.Thread(
                target=self.connection, args=(connection,), name="lazy-in", daemon=True
            ).start()

    def connection(self, sock: socket.socket) -> None:
        """Read one answering process's tasks until it goes; answer each one's end."""
        write = threading.Lock()
        with self._lock:
            self._connections += 1
        try:
            while (message := read_frame(sock)) is not None:
                self._pool.submit(self.run, message, sock, write)
        except (OSError, ValueError) as err:
            log.warning("lazy: a connection failed (%s)", err)
        finally:
            with self._lock:
                self._connections -= 1
                self._idle.notify_all()

    def run(self, message: dict[str, Any], sock: socket.socket, write: threading.Lock) -> None:
        name = str(message.get("name", ""))
        try:
            headers = dict(message.get("headers") or {})
            headers[LAZY_ONLY] = ["1"]
            headers[LAZY_FUNCTION] = [name]
            request = BoltRequest(
                body=message["body"],
                query=message.get("query") or None,
                headers=headers,
                mode=str(message.get("mode", "http")),
            )
            response = self._app.dispatch(request)
            if response.status != 200:
                log.warning("lazy: %s was refused (HTTP %d)", name, response.status)
        except Exception:
            log.exception("lazy: %s failed", name)
        with write, suppress(OSError):
            sock.sendall(encode({"done": message.get("id", 0)}))

    def drain(self, timeout: float) -> None:
        """Wait until every answering process has gone (or `timeout`), then for the work
        handed on."""
        deadline = time.monotonic() + timeout
        with self._idle:
            self._idle.wait_for(
                lambda: self._connections == 0, timeout=max(0.0, deadline - time.monotonic())
            )
        self._pool.shutdown(wait=True)


def run_lazy(
    cfg: Settings,
    clock: Clock,
    listening: socket.socket,
    bell: str,
    parent_pid: int,
    named: Event | None = None,
    ready: Event | None = None,
) -> None:
    """A lazy process of `serve`: the same Bolt app as an answering process, running the
    lazy functions handed to it, until SIGTERM (then it finishes what it was handed while the
    answering processes stop) or until `serve` is gone. `named` is set once it has its
    name, first; `ready` once it takes work."""
    as_child(parent_pid)
    name_process(PROCESS_NAME)
    if named is not None:
        named.set()
    configure_logging(cfg.log_level, cfg.secrets(), cfg.log_format)
    engine = open_engine(cfg.database_url)
    app = compose(cfg, engine=engine, clock=clock, ring=Ring(bell)).app
    assert app is not None
    runner = LazyRunner(app, threads=cfg.finsam_work_threads)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once (see runner._stop_on_signals)
        log.info("lazy: stopping (signal %d)", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    threading.Thread(
        target=runner.serve, args=(listening,), name="lazy-accept", daemon=True
    ).start()
    log.info("finsam-bot: lazy listeners (pid %d)", os.getpid())
    if ready is not None:
        ready.set()
    try:
        while not stopping.wait(1.0):
            pass
        runner.drain(DRAIN_SECONDS)
    finally:
        engine.dispose()
