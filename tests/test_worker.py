"""`finsam-bot serve` as real processes: the ones answering Slack and its worker.

`serve` answers Slack in its own process and leaves the scheduler and the outbox to a worker
process it starts at a lower CPU priority (bot/worker.py), so that people waiting for an
answer come first. That split only helps if the processes behave as a pair, which no
in-process test can show; so these tests start the real `serve` on a SQLite file against the
Slack fake in the test and check, from the outside:

- a submitted form is answered, and its confirmation DM reaches Slack within a few seconds
  (not at the next 30 s outbox tick), sent by the worker: nothing goes out while the worker
  is frozen, it goes once the worker runs again; the worker's nice value is 10 above serve's;
- a worker killed with SIGKILL is started again, sends what was planned while it was down
  exactly once, and is woken by the next submission like the first one was;
- a worker whose `serve` is killed with SIGKILL ends on its own;
- SIGTERM to `serve` ends both, `serve` with a clean exit.

`serve` also answers in FINSAM_WEB_PROCESSES − 1 children on its listening socket:

- with 3, it has two such children at its own priority, a burst of requests is answered, and
  with `serve` frozen (SIGSTOP) the children go on answering, each of them on its own, and
  a form one of them stores is confirmed within seconds (it rings the worker); the frozen
  parent is not taken for a gone one (the children watch getppid, which does not change);
- a child killed with SIGKILL is started again within seconds, and requests are answered
  meanwhile, then by the new child too;
- with 1, `serve` has no child but its worker, and answers;
- SIGINT (Ctrl-C reaching the process group) stops neither the worker nor an answering
  child: `serve` alone stops them.

The worker is told from the other children of `serve` (multiprocessing's resource tracker)
by its nice value, the answering children from the tracker by their command line, both read
from /proc, so the tests run on Linux only."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from sqlalchemy import Engine

from bot.lazy import PROCESS_NAME as LAZY_NAME
from bot.supervision import PARENT_CHECK_SECONDS
from simulator.fake_slack import SlackFake
from simulator.slack_driver import SlackDriver, block_action, view_submission
from store.models import OutboxMessage, OutboxStatus
from tests.fanout import APRIL, FANOUT_AT, REPORTING, add_fanout, expected_keys, lead_id
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from tests.test_reminders_exactly_once import bot_env
from tests.test_reporting_flow import MONTHLY_OK, state
from workflows.outbox import messages
from workflows.reminders import plan_reminders
from workflows.reports import RECEIVED, find_report

WORKER_NICE = 10  # FINSAM_WORKER_NICE's default
START_TIMEOUT = 30.0  # serve answering /healthz, a worker showing up
CONFIRMED_WITHIN = 5.0  # far under the outbox tick (30 s): only a wake-up gets it there
RESTARTED_WITHIN = 5.0  # the first restart comes after 1 s
ORPHAN_GONE_WITHIN = 5.0
SIGTERM_WITHIN = 15.0
FROZEN_FOR = 1.0  # how long a frozen worker is watched for sending nothing
SETTLE = 0.3  # after the last row is sent, for the worker to be back waiting
WAITING = (OutboxStatus.pending, OutboxStatus.sending)

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
    pytest.mark.skipif(
        os.nice(0) + 1 > 19, reason="serve already runs at the lowest priority: no worker to tell"
    ),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


# --------------------------------------------------------------------------- /proc


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat these tests read."""

    state: str  # field 3: R, S, D, T, Z...
    ppid: int  # field 4
    nice: int  # field 19
    started: int  # field 22, clock ticks after boot: tells a reused pid apart
    comm: str = ""  # field 2: the name (a lazy child names itself, bot/lazy.py)


def proc_stat(pid: int) -> ProcStat | None:
    """The process's stat, or None once it is gone (reaped)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": field 3 is fields[0]
    return ProcStat(
        state=fields[0],
        ppid=int(fields[1]),
        nice=int(fields[16]),
        started=int(fields[19]),
        comm=text[text.find("(") + 1 : text.rfind(")")],
    )


def children(pid: int, *, lazy: bool = False) -> dict[int, ProcStat]:
    """The living (not zombie) child processes of `pid`, whichever of its threads started
    them (the worker is restarted from a thread); its lazy ones (bot/lazy.py: `serve` answers
    once one has named itself) only with `lazy` (tests/test_lazy.py)."""
    found: dict[int, ProcStat] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if (
                stat is not None
                and stat.ppid == pid
                and stat.state != "Z"
                and (stat.comm == LAZY_NAME) == lazy
            ):
                found[int(entry.name)] = stat
    return found


def is_gone(pid: int, started: int) -> bool:
    """The process has ended: reaped, a zombie, or its pid now someone else's."""
    stat = proc_stat(pid)
    return stat is None or stat.state == "Z" or stat.started != started


def is_spawned(pid: int) -> bool:
    """Started by multiprocessing's spawn (`serve`'s worker and answering children), not its
    resource tracker (nor a process between its fork and its exec)."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@contextmanager
def frozen(*pids: int) -> Iterator[None]:
    """The processes stopped (SIGSTOP) for the block, once /proc shows them stopped; thawed
    (SIGCONT) after it, whatever happened."""
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        eventually(
            lambda: all(getattr(proc_stat(pid), "state", None) == "T" for pid in pids),
            5,
            f"{pids} to be stopped",
        )
        yield
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def eventually(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `predicate` (state outside the fake: processes, the database) until it holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# --------------------------------------------------------------------------- serve


@dataclass
class Serving:
    """A running `finsam-bot serve`, with every child process it was seen to have."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    seen: dict[int, int] = field(default_factory=dict)  # pid -> start time

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def workers(self) -> list[int]:
        """The children running at a lower priority than serve: its worker (normally one)."""
        own = proc_stat(self.process.pid)
        if own is None or own.state == "Z":
            return []
        found = children(self.process.pid)
        self.seen.update({pid: stat.started for pid, stat in found.items()})
        return [pid for pid, stat in found.items() if stat.nice > own.nice]

    def left_over(self) -> list[int]:
        """The children seen so far that still run."""
        return [pid for pid, started in self.seen.items() if not is_gone(pid, started)]

    def wait_worker(self, *, not_pid: int | None = None) -> int:
        """The worker's pid once there is one (other than `not_pid`)."""
        found: list[int] = []

        def one() -> bool:
            found[:] = [pid for pid in self.workers() if pid != not_pid]
            return len(found) == 1

        try:
            eventually(one, START_TIMEOUT, "serve's worker process")
        except AssertionError as err:
            raise AssertionError(
                f"{err}; children {children(self.process.pid)}\n{self.output()}"
            ) from None
        return found[0]

    def answering(self, worker: int) -> dict[int, ProcStat]:
        """The children answering Slack beside serve: started by spawn, at serve's priority,
        other than `worker` (which starts at serve's priority too, then lowers it)."""
        own = proc_stat(self.process.pid)
        if own is None or own.state == "Z":
            return {}
        found = children(self.process.pid)
        self.seen.update({pid: stat.started for pid, stat in found.items()})
        return {
            pid: stat
            for pid, stat in found.items()
            if pid != worker and stat.nice == own.nice and is_spawned(pid)
        }

    def wait_answering(self, count: int, *, worker: int) -> dict[int, ProcStat]:
        """The `count` answering children, once there are that many."""
        found: dict[int, ProcStat] = {}

        def enough() -> bool:
            found.clear()
            found.update(self.answering(worker))
            return len(found) == count

        try:
            eventually(enough, START_TIMEOUT, f"{count} answering children of serve")
        except AssertionError as err:
            raise AssertionError(
                f"{err}; children {children(self.process.pid)}\n{self.output()}"
            ) from None
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    fake: SlackFake,
    database_url: str,
    cwd: Path,
    *,
    web_processes: int | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Serving]:
    """`finsam-bot serve` on a free port, given once it answers /healthz; its log goes to a
    file (an orphaned worker could hold a pipe open). `web_processes` sets
    FINSAM_WEB_PROCESSES (its default, 2, otherwise); `extra_env` adds or overrides settings
    (Socket Mode: tests/test_socket_mode.py). Whatever the test did, what is left of
    it at the end is stopped: serve by SIGTERM (SIGKILL after 15 s), then each child seen
    still running by SIGKILL (frozen ones, serve too, are thawed first, so SIGTERM can stop
    them)."""
    port = free_port()
    env = {**bot_env(fake, database_url), "PORT": str(port), **(extra_env or {})}
    if web_processes is not None:
        env["FINSAM_WEB_PROCESSES"] = str(web_processes)
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = Serving(process, port, log)
    try:
        wait_healthy(running)
        yield running
    finally:
        running.workers()  # note the children of the moment too
        for pid, started in running.seen.items():
            if not is_gone(pid, started):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=SIGTERM_WITHIN)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid, started in running.seen.items():
            if not is_gone(pid, started):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def wait_healthy(running: Serving) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise AssertionError(f"serve stopped at start:\n{running.output()}")
        with (
            suppress(OSError),
            urlopen(f"http://127.0.0.1:{running.port}/healthz", timeout=1) as answer,
        ):
            if answer.status == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"serve did not answer /healthz in {START_TIMEOUT} s:\n{running.output()}")


# --------------------------------------------------------------------------- Slack


def posts_by_key(fake: SlackFake) -> Counter[str]:
    """How often each outbox key went out in a successful chat.postMessage."""
    found: Counter[str] = Counter()
    for call in fake.calls("chat.postMessage"):
        metadata = call.args.get("metadata") or {}
        key = (metadata.get("event_payload") or {}).get("key") if call.ok else None
        if key is not None:
            found[str(key)] += 1
    return found


def confirmations(fake: SlackFake, user: str) -> list[dict[str, Any]]:
    """The report confirmations in `user`'s DM."""
    return [
        message
        for message in fake.messages(fake.dm_channel(user))
        if str(
            ((message.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        ).startswith(f"{RECEIVED}:")
    ]


def open_form(
    driver: SlackDriver, fake: SlackFake, intervention_id: int, user: str
) -> dict[str, Any]:
    """Press the lead's "report" button for April; the modal the bot opened."""
    value = json.dumps({"intervention_id": intervention_id, "period": APRIL.label})
    answer = driver.action(block_action("report_open", value=value, user_id=user))
    assert answer.status == 200, answer.text

    def opened() -> list[dict[str, Any]]:
        return [
            view
            for view in fake.views()
            if view.get("callback_id") == "report_form"
            and json.loads(view.get("private_metadata") or "{}").get("intervention_id")
            == intervention_id
        ]

    fake.wait_for(lambda: bool(opened()), timeout=10, message="the report form")
    return opened()[-1]


def submit_monthly(driver: SlackDriver, view: dict[str, Any], user: str) -> None:
    """Submit a valid monthly form; it is stored before Slack is answered."""
    payload = view_submission(
        view["callback_id"], values=state(MONTHLY_OK), user_id=user, view=view
    )
    answer = driver.submit(payload)
    assert answer.status == 200, answer.text
    assert answer.json().get("response_action") == "update", answer.text


def driver_for(running: Serving, fake: SlackFake, *, timeout: float = 10.0) -> SlackDriver:
    """Signed requests to `running`; each waits up to `timeout` for its answer (a child just
    started answers what waits in the socket's queue once it is ready: START_TIMEOUT)."""
    return SlackDriver(
        f"http://127.0.0.1:{running.port}",
        SIGNING_SECRET,
        timeout=timeout,
        response_url_factory=fake.new_response_url,
    )


def health(driver: SlackDriver) -> int | str:
    """GET /healthz on a connection of its own: the status, or the error that came instead."""
    try:
        return driver.get("/healthz").status
    except OSError as err:
        return type(err).__name__


def burst(driver: SlackDriver, count: int) -> Counter[int | str]:
    """`count` GET /healthz at once, each on a connection of its own: how many got what."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(lambda _: health(driver), range(count)))


def plan_april(engine: Engine) -> set[str]:
    """Plan April's due reminders (written to the store, as a tick of any process would)."""
    return set(plan_reminders(engine, REPORTING, now=FANOUT_AT, office_channel=None).planned)


def settled(engine: Engine) -> bool:
    """Nothing left to send: the worker is idle (and holds no write lock on the database).
    A reminder the worker's catch-up planned at night, held until the send time and never
    tried, is not waiting to be sent now."""
    return all(row.status not in WAITING or held(row) for row in messages(engine))


def held(row: OutboxMessage) -> bool:
    lease = row.lease_until
    if row.status != OutboxStatus.pending or row.attempts or lease is None:
        return False
    return (lease if lease.tzinfo else lease.replace(tzinfo=UTC)) > datetime.now(UTC)


# --------------------------------------------------------------------------- the tests


def test_a_confirmation_is_sent_at_once_by_the_worker_at_a_lower_priority(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 3, fake=fake)
        # Reminders pending at start: once the worker's catch-up has sent them, the worker
        # is idle until its next tick, so only a wake-up sends a confirmation soon after.
        pending = plan_april(engine)
        with serving(fake, database_url, tmp_path) as running:
            worker = running.wait_worker()
            web, low = proc_stat(running.process.pid), proc_stat(worker)
            assert web is not None and low is not None
            assert low.nice == min(web.nice + WORKER_NICE, 19), (web, low)

            fake.wait_for(
                lambda: set(posts_by_key(fake)) >= pending,
                timeout=START_TIMEOUT,
                message="the catch-up's reminders",
            )
            eventually(lambda: settled(engine), 5, "the catch-up to finish")
            time.sleep(SETTLE)
            driver = driver_for(running, fake)

            # The worker is idle: the confirmation goes within seconds of the answer.
            view = open_form(driver, fake, ids[0], lead_id(0))
            submit_monthly(driver, view, lead_id(0))
            answered = time.monotonic()
            fake.wait_for(
                lambda: bool(confirmations(fake, lead_id(0))),
                timeout=CONFIRMED_WITHIN,
                message="the confirmation",
            )
            assert time.monotonic() - answered < CONFIRMED_WITHIN

            # Frozen, the worker sends nothing, yet forms are still answered: the answering
            # process does not send the confirmation. Thawed, the worker sends it at once.
            view = open_form(driver, fake, ids[1], lead_id(1))
            eventually(lambda: settled(engine), 5, "the first form's follow-ups")
            time.sleep(SETTLE)
            os.kill(worker, signal.SIGSTOP)
            try:
                submit_monthly(driver, view, lead_id(1))
                time.sleep(FROZEN_FOR)
                assert confirmations(fake, lead_id(1)) == []
            finally:
                os.kill(worker, signal.SIGCONT)
            fake.wait_for(
                lambda: bool(confirmations(fake, lead_id(1))),
                timeout=CONFIRMED_WITHIN,
                message="the confirmation after the thaw",
            )
            assert running.workers() == [worker]
        counts = posts_by_key(fake)
        assert {key: counts[key] for key in pending} == dict.fromkeys(pending, 1)
        assert len(confirmations(fake, lead_id(0))) == len(confirmations(fake, lead_id(1))) == 1
        fake.assert_clean()


def test_a_killed_worker_is_restarted_and_sends_what_was_planned_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 3, fake=fake)
        with serving(fake, database_url, tmp_path) as running:
            first = running.wait_worker()
            started, before = running.seen[first], set(running.seen)
            os.kill(first, signal.SIGKILL)
            killed = time.monotonic()
            eventually(lambda: is_gone(first, started), 5, "the killed worker to end")
            planned = plan_april(engine)
            assert planned == expected_keys(ids)
            assert set(children(running.process.pid)) <= before, "restarted before the planning"

            # A new process is started within seconds (the first restart waits 1 s), and it
            # is the worker: the one at the lower priority.
            eventually(
                lambda: bool(set(children(running.process.pid)) - before),
                RESTARTED_WITHIN,
                "a new child of serve",
            )
            [restarted] = set(children(running.process.pid)) - before
            assert time.monotonic() - killed < RESTARTED_WITHIN
            second = running.wait_worker(not_pid=first)
            assert second == restarted
            fake.wait_for(
                lambda: set(posts_by_key(fake)) >= planned,
                timeout=START_TIMEOUT,
                message="the reminders planned while the worker was down",
            )
            eventually(lambda: settled(engine), 5, "the reminders marked sent")

            # The new worker is woken by a submission as the first one was.
            driver = driver_for(running, fake)
            submit_monthly(driver, open_form(driver, fake, ids[0], lead_id(0)), lead_id(0))
            fake.wait_for(
                lambda: bool(confirmations(fake, lead_id(0))),
                timeout=CONFIRMED_WITHIN,
                message="the confirmation from the restarted worker",
            )
            assert running.workers() == [second]
        counts = posts_by_key(fake)
        assert {key: counts[key] for key in planned} == dict.fromkeys(planned, 1)
        assert len(confirmations(fake, lead_id(0))) == 1
        fake.assert_clean()


def test_the_worker_ends_when_serve_is_killed(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake, serving(fake, database_url, tmp_path) as running:
        worker = running.wait_worker()
        started = running.seen[worker]
        running.process.kill()
        running.process.wait(timeout=5)
        try:
            eventually(lambda: is_gone(worker, started), ORPHAN_GONE_WITHIN, "the orphaned worker")
            eventually(lambda: not running.left_over(), 2, "every child of serve to end")
        except AssertionError as err:
            raise AssertionError(f"{err}: {running.left_over()}\n{running.output()}") from None


def test_sigterm_stops_serve_and_its_worker(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake, serving(fake, database_url, tmp_path) as running:
        worker = running.wait_worker()
        started = running.seen[worker]
        running.process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        try:
            code = running.process.wait(timeout=SIGTERM_WITHIN)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"serve still runs {SIGTERM_WITHIN} s after SIGTERM:\n{running.output()}"
            ) from None
        assert code in (0, -signal.SIGTERM), running.output()
        eventually(
            lambda: is_gone(worker, started),
            max(0.5, SIGTERM_WITHIN - (time.monotonic() - sent)),
            "the worker to end with serve",
        )
        eventually(lambda: not running.left_over(), 2, "every child of serve to end")


def test_children_answer_beside_serve_and_the_worker_confirms_what_they_store(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 1, fake=fake)
        pending = plan_april(engine)  # sent by the worker's catch-up: then it is idle
        with serving(fake, database_url, tmp_path, web_processes=3) as running:
            serve = running.process.pid
            worker = running.wait_worker()
            answering = running.wait_answering(2, worker=worker)
            own = proc_stat(serve)
            assert own is not None
            assert {stat.nice for stat in answering.values()} == {own.nice}, (own, answering)
            others = set(children(serve)) - set(answering) - {worker}
            assert not [pid for pid in others if is_spawned(pid)], (others, answering, worker)

            driver = driver_for(running, fake, timeout=START_TIMEOUT)
            assert burst(driver, 40) == Counter({200: 40})
            fake.wait_for(
                lambda: set(posts_by_key(fake)) >= pending,
                timeout=START_TIMEOUT,
                message="the catch-up's reminders",
            )
            eventually(lambda: settled(engine), 5, "the catch-up to finish")
            time.sleep(SETTLE)

            # serve frozen, new connections are answered all the same: by its children, and
            # by each of them alone while the other one is frozen too.
            with frozen(serve):
                stopped = time.monotonic()
                assert burst(driver, 20) == Counter({200: 20})
                for child in answering:
                    with frozen(child):
                        assert burst(driver, 5) == Counter({200: 5}), f"only {child} answers"

                # A form answered by a child is stored, and the child rings the worker: the
                # confirmation goes within seconds (the worker's next tick is 30 s away).
                view = open_form(driver, fake, ids[0], lead_id(0))
                submit_monthly(driver, view, lead_id(0))
                answered = time.monotonic()
                stored = find_report(engine, ids[0], APRIL.label)
                assert stored is not None and stored.revision == 1
                fake.wait_for(
                    lambda: bool(confirmations(fake, lead_id(0))),
                    timeout=CONFIRMED_WITHIN,
                    message="the confirmation of a form a child answered",
                )
                assert time.monotonic() - answered < CONFIRMED_WITHIN

                # A stopped parent is not a gone one: no child ended on its own.
                time.sleep(max(0.0, 2 * PARENT_CHECK_SECONDS - (time.monotonic() - stopped)))
                assert set(running.answering(worker)) == set(answering), running.output()
                assert running.workers() == [worker]
            assert burst(driver, 5) == Counter({200: 5})
            assert not [pid for pid in answering if is_gone(pid, answering[pid].started)]
        assert posts_by_key(fake)[next(iter(pending))] == 1
        assert len(confirmations(fake, lead_id(0))) == 1
        fake.assert_clean()


def test_a_killed_answering_child_is_started_again_and_serve_answers_meanwhile(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake, serving(fake, database_url, tmp_path) as running:
        serve = running.process.pid  # FINSAM_WEB_PROCESSES's default: serve and one child
        worker = running.wait_worker()
        [child] = running.wait_answering(1, worker=worker)
        started = running.seen[child]
        driver = driver_for(running, fake, timeout=START_TIMEOUT)
        os.kill(child, signal.SIGKILL)
        killed = time.monotonic()
        eventually(lambda: is_gone(child, started), 5, "the killed child to end")

        # Until a new child is there (the first restart waits 1 s), serve answers alone.
        meanwhile: Counter[int | str] = Counter()

        def restarted() -> bool:
            meanwhile[health(driver)] += 1
            return bool(running.answering(worker))

        eventually(restarted, RESTARTED_WITHIN, "a new answering child")
        assert time.monotonic() - killed < RESTARTED_WITHIN
        assert set(meanwhile) == {200}, meanwhile
        [new] = running.answering(worker)
        assert not is_gone(new, running.seen[new]) and new != child

        # And the new child answers: with serve frozen, requests are still answered.
        with frozen(serve):
            assert burst(driver, 5) == Counter({200: 5})
        assert set(running.answering(worker)) == {new}
        assert running.workers() == [worker]


def test_one_web_process_is_serve_alone_beside_its_worker(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 1, fake=fake)
        with serving(fake, database_url, tmp_path, web_processes=1) as running:
            serve = running.process.pid
            worker = running.wait_worker()
            # Every child is started before serve answers /healthz: none is still to come.
            assert running.answering(worker) == {}
            others = set(children(serve)) - {worker}
            assert not [pid for pid in others if is_spawned(pid)], (others, worker)

            driver = driver_for(running, fake, timeout=START_TIMEOUT)
            assert burst(driver, 20) == Counter({200: 20})
            open_form(driver, fake, ids[0], lead_id(0))  # a signed request, answered
            assert running.answering(worker) == {}
            assert running.workers() == [worker]
        fake.assert_clean()


def test_ctrl_c_leaves_the_children_of_serve_to_serve(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake, serving(fake, database_url, tmp_path) as running:
        worker = running.wait_worker()
        [child] = running.wait_answering(1, worker=worker)
        with frozen(running.process.pid):  # the child answers: it is past as_child
            assert health(driver_for(running, fake, timeout=START_TIMEOUT)) == 200
        # Ctrl-C in a terminal reaches the whole process group; as_child has the children
        # ignore it: serve alone decides when they stop (answering ones first, worker last).
        for pid in (worker, child):
            os.kill(pid, signal.SIGINT)
        time.sleep(2 * PARENT_CHECK_SECONDS)
        assert not is_gone(worker, running.seen[worker]), running.output()
        assert not is_gone(child, running.seen[child]), running.output()
