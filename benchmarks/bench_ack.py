"""How fast `finsam-bot serve` acknowledges `/finsam budget` under load, beside a bare Bolt app
that only acks under the same server (benchmarks/bare_app.py).

Both run as child processes on loopback, their Web API pointed at the Slack fake, which also
takes the bot's answers on each command's response_url. A load generator, in a process of its
own so the fake's work does not disturb its clock, sends N freshly signed slash commands at
concurrency C over keep-alive connections and times each from sending the request to receiving
the HTTP response: the ack, which Slack waits for at most 3 s. It also times each answer,
from the ack to the fake taking the command's response_url post (what the work after the ack
took; `serve` does it in its lazy process, bot/lazy.py). It prints figures and asserts
nothing.

    .venv/bin/python benchmarks/bench_ack.py [--requests 2000] [--concurrency 20] [--threads 8]
        [--warmup 100] [--rate R] [--web-processes 1] [--lazy-processes 1]
        [--database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

from sqlalchemy.engine import make_url

from bot.lazy import PROCESS_NAME as LAZY_NAME
from simulator.fake_slack import SlackFake
from simulator.samples import BUDGET_2026, sample_path
from simulator.slack_driver import sign, slash_command

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE_BUDGET = sample_path(BUDGET_2026)
BARE_APP = HERE / "bare_app.py"
BOT_TOKEN = "xoxb-bench-0000-finsam"
SIGNING_SECRET = "bench-signing-secret-0123456789"
USER_ID = "U0BENCH01"
COMMAND_TEXT = "budget 2026"
SLACK_ACK_LIMIT_MS = 3000.0
TARGET_RATIO = 1.5
ANSWER_TARGET_MS = 1000.0
REQUEST_TIMEOUT = 30.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
ANSWER_TIMEOUT = 60.0


# --------------------------------------------------------------------------- load generator


@dataclass
class LoadResult:
    """What one load run saw: ack times of the 200s (seconds), failures by kind, wall time,
    and when each command's ack came (time.monotonic, the clock the fake stamps its
    response_url posts with: one clock for every process), by its response_url."""

    latencies: list[float] = field(default_factory=list)
    acked_at: dict[str, float] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0

    @property
    def errors(self) -> int:
        return sum(self.failures.values())


def run_load(
    port: int, response_urls: Sequence[str], concurrency: int, rate: float | None = None
) -> LoadResult:
    """One signed `/finsam budget` per response URL, from `concurrency` threads that each keep
    one connection open. With `rate`, request i is not sent before i/rate s (an open loop as
    long as the acks keep up). Runs in the load-generator process."""
    indices = iter(range(len(response_urls)))
    lock = threading.Lock()
    result = LoadResult()
    begin = time.perf_counter() + 0.05

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        mine: list[float] = []
        acked: dict[str, float] = {}
        failures: Counter[str] = Counter()
        try:
            while True:
                with lock:
                    index = next(indices, None)
                if index is None:
                    break
                if rate is not None:
                    time.sleep(max(0.0, begin + index / rate - time.perf_counter()))
                fields = slash_command(
                    COMMAND_TEXT, user_id=USER_ID, response_url=response_urls[index]
                )
                body = urlencode(fields).encode()
                timestamp = int(time.time())
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": str(timestamp),
                    "X-Slack-Signature": sign(SIGNING_SECRET, body, timestamp),
                }
                started = time.perf_counter()
                try:
                    connection.request("POST", "/slack/events", body=body, headers=headers)
                    answer = connection.getresponse()
                    answer.read()
                except (OSError, http.client.HTTPException) as err:
                    failures[type(err).__name__] += 1
                    connection.close()  # reconnects on the next request
                    continue
                elapsed = time.perf_counter() - started
                if answer.status == 200:
                    mine.append(elapsed)
                    acked[response_urls[index]] = time.monotonic()
                else:
                    failures[f"HTTP {answer.status}"] += 1
                if answer.will_close:
                    connection.close()
        finally:
            connection.close()
            with lock:
                result.latencies.extend(mine)
                result.acked_at.update(acked)
                result.failures.update(failures)

    threads = [
        threading.Thread(target=worker, name=f"load-{n}", daemon=True) for n in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- child processes


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(
    *,
    fake: SlackFake,
    port: int,
    threads: int,
    database_url: str,
    processes: int = 1,
    lazy_processes: int = 1,
) -> dict[str, str]:
    """The bot's settings for a run (HTTP, not Socket Mode; no scheduled posts); the bare app
    reads the ones it needs."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": fake.api_url,
        "FINSAM_OFFICE_CHANNEL": "",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "FINSAM_SERVER_THREADS": str(threads),
        "FINSAM_WEB_PROCESSES": str(processes),
        "FINSAM_LAZY_PROCESSES": str(lazy_processes),
    }


def redact(database_url: str) -> str:
    """The URL without its password, for printing."""
    return make_url(database_url).render_as_string(hide_password=True)


def run_cli(args: Sequence[str], *, env: dict[str, str], cwd: Path) -> None:
    """`finsam-bot <args>`; exits with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise SystemExit(f"bench: `finsam-bot {' '.join(args)}` failed:\n{output}")


def prepare_database(*, env: dict[str, str], cwd: Path, sqlite: bool) -> None:
    """Migrate (a server database; SQLite migrates itself), register the asker as office
    staff and import the sample budget, replacing 2026 if it is there."""
    if not sqlite:
        run_cli(["db", "upgrade"], env=env, cwd=cwd)
    run_cli(["people", "add", USER_ID, "--role", "office"], env=env, cwd=cwd)
    run_cli(["budget", "import", "--replace", str(SAMPLE_BUDGET)], env=env, cwd=cwd)


@contextmanager
def child(
    name: str, command: Sequence[str], *, env: dict[str, str], cwd: Path, port: int
) -> Iterator[subprocess.Popen[bytes]]:
    """A server for the duration of the block: ready once GET /healthz answers 200, stopped
    with SIGTERM at the end (killed after STOP_TIMEOUT), Ctrl-C included. Its output goes to
    a log file, shown if it fails to start. Runs in `cwd`, so no `.env` is read."""
    log_path = cwd / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            wait_healthy(name, process, port, log_path)
            yield process
        finally:
            stop(process)


def wait_healthy(name: str, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: {name} stopped at start:\n{log_path.read_text()[-3000:]}")
        with suppress(OSError), urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            if answer.status == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"bench: {name} did not answer /healthz within {START_TIMEOUT:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc; None elsewhere)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc; `serve`'s answering processes and
    worker, and multiprocessing's helper)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def tree_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds so far of the processes answering Slack (`pid` and its children at the
    same CPU priority), of the lazy ones (named so, bot/lazy.py) and of the worker (a child
    at a lower priority)."""
    found = {"answering": 0.0, "lazy": 0.0, "worker": 0.0}
    nice = _nice(pid)
    for process in [pid, *children_of(pid)]:
        seconds = cpu_seconds(process)
        if seconds is not None:
            worker = nice is not None and (_nice(process) or nice) > nice
            kind = "worker" if worker else "lazy" if _comm(process) == LAZY_NAME else "answering"
            found[kind] += seconds
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _nice(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    except (OSError, IndexError, ValueError):
        return None


# --------------------------------------------------------------------------- one target


@dataclass
class TargetResult:
    name: str
    load: LoadResult
    cpu: float | None = None  # the server's CPU seconds over the measured run (and answers)
    cpu_by_kind: dict[str, float] = field(default_factory=dict)  # answering, lazy, worker
    answers: Counter[str] | None = None  # response_url posts, by fallback text (the bot only)
    answers_wait: float = 0.0  # seconds from the end of the load until the last answer
    answer_times: list[float] = field(default_factory=list)  # s from each ack to its answer


@dataclass(frozen=True)
class Load:
    requests: int
    concurrency: int
    warmup: int
    rate: float | None


def measure(
    name: str,
    server: subprocess.Popen[bytes],
    pool: ProcessPoolExecutor,
    fake: SlackFake,
    load: Load,
    *,
    port: int,
    answers: bool,
) -> TargetResult:
    """Warm up (not counted), then the measured run; with `answers`, wait for the
    response_url posts that the work after each ack makes."""
    warm_urls = [fake.new_response_url() for _ in range(load.warmup)]
    warm = pool.submit(run_load, port, warm_urls, load.concurrency, load.rate).result()
    if answers:
        fake.wait_for_responses(len(warm.latencies), timeout=ANSWER_TIMEOUT)
    fake.reset_calls()
    urls = [fake.new_response_url() for _ in range(load.requests)]
    cpu_before = tree_cpu_seconds(server.pid)
    measured = pool.submit(run_load, port, urls, load.concurrency, load.rate).result()
    result = TargetResult(name, measured)
    if answers:
        started = time.perf_counter()
        with suppress(AssertionError):  # a shortfall shows in the report
            fake.wait_for_responses(len(measured.latencies), timeout=ANSWER_TIMEOUT)
        result.answers_wait = time.perf_counter() - started
        wanted = set(urls)
        posts = [posted for posted in fake.responses() if posted["url"] in wanted]
        result.answers = Counter(
            str(posted["body"].get("text", ""))[:40] if posted["status"] == 200 else "refused"
            for posted in posts
        )
        result.answer_times = [
            float(posted["at"]) - measured.acked_at[posted["url"]]
            for posted in posts
            if posted["url"] in measured.acked_at
        ]
    cpu_after = tree_cpu_seconds(server.pid)
    result.cpu_by_kind = {kind: cpu_after[kind] - cpu_before[kind] for kind in cpu_after}
    result.cpu = sum(result.cpu_by_kind.values())
    return result


# --------------------------------------------------------------------------- report


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = min(len(sorted_values), max(1, math.ceil(share * len(sorted_values))))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Summary:
    """One row of the table; times in milliseconds."""

    name: str
    n: int
    p50: float
    p90: float
    p99: float
    max: float
    throughput: float
    errors: int
    over_limit: int
    cpu_per_request: float | None

    @classmethod
    def of(cls, result: TargetResult) -> Summary:
        ms = sorted(v * 1000 for v in result.load.latencies)
        n = len(ms) + result.load.errors
        return cls(
            name=result.name,
            n=n,
            p50=percentile(ms, 0.50),
            p90=percentile(ms, 0.90),
            p99=percentile(ms, 0.99),
            max=ms[-1] if ms else 0.0,
            throughput=len(ms) / result.load.wall if result.load.wall else 0.0,
            errors=result.load.errors,
            over_limit=sum(1 for v in ms if v > SLACK_ACK_LIMIT_MS),
            cpu_per_request=result.cpu * 1000 / n if result.cpu is not None and n else None,
        )


def print_table(rows: Sequence[Summary], concurrency: int) -> None:
    head = (
        "target",
        "N",
        "C",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "req/s",
        "errors",
        "cpu ms/req",
    )
    lines = [head] + [
        (
            r.name,
            str(r.n),
            str(concurrency),
            f"{r.p50:.1f}",
            f"{r.p90:.1f}",
            f"{r.p99:.1f}",
            f"{r.max:.1f}",
            f"{r.throughput:.0f}",
            str(r.errors),
            "-" if r.cpu_per_request is None else f"{r.cpu_per_request:.1f}",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for number, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        print("  ".join(cells))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def report(bot: TargetResult, bare: TargetResult, *, concurrency: int) -> None:
    rows = [Summary.of(bot), Summary.of(bare)]
    print()
    print_table(rows, concurrency)
    for result in (bot, bare):
        if result.load.failures:
            kinds = ", ".join(f"{k}: {v}" for k, v in result.load.failures.most_common())
            print(f"{result.name} failures: {kinds}")
    bot_row, bare_row = rows
    ratio = bot_row.p99 / bare_row.p99 if bare_row.p99 else math.inf
    met = "met" if ratio <= TARGET_RATIO else "NOT met"
    print()
    print(
        f"p99 ratio bot/bare {ratio:.2f}× (target ≤ {TARGET_RATIO}×: {met}); "
        f"bot p99 {bot_row.p99:.0f} ms vs Slack's {SLACK_ACK_LIMIT_MS:.0f} ms limit "
        f"({bot_row.over_limit} acks over it)"
    )
    requests = len(bot.load.latencies) + bot.load.errors
    if requests and bot.cpu_by_kind:
        split = ", ".join(
            f"{kind} {seconds * 1000 / requests:.1f}" for kind, seconds in bot.cpu_by_kind.items()
        )
        print(f"bot CPU ms per request: {split}")
    if bot.answers is not None:
        total = sum(bot.answers.values())
        kinds = ", ".join(f"{count} × {text!r}" for text, count in bot.answers.most_common(3))
        print(
            f"answers on response_url: {total}/{len(bot.load.latencies)} acked commands "
            f"({kinds}); the last came {bot.answers_wait:.1f} s after the last ack"
        )
        times = sorted(t * 1000 for t in bot.answer_times)
        met = "met" if percentile(times, 0.99) < ANSWER_TARGET_MS else "NOT met"
        print(
            f"answers, from each ack to its response_url post: p50 {percentile(times, 0.5):.0f}"
            f" ms, p90 {percentile(times, 0.9):.0f} ms, p99 {percentile(times, 0.99):.0f} ms,"
            f" max {times[-1] if times else 0:.0f} ms (target p99 < {ANSWER_TARGET_MS:.0f} ms:"
            f" {met})"
        )


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ack time of /finsam budget under load: finsam-bot serve vs a bare Bolt app."
    )
    parser.add_argument("--requests", type=int, default=2000, help="measured requests, N")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight, C")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of both apps")
    parser.add_argument("--warmup", type=int, default=100, help="requests first, not counted")
    parser.add_argument(
        "--web-processes",
        type=int,
        default=1,
        help="the bot's answering processes (FINSAM_WEB_PROCESSES); 1, the default, compares "
        "like for like with the bare app, which has one",
    )
    parser.add_argument(
        "--lazy-processes",
        type=int,
        default=1,
        help="the bot's processes running the work after each ack (FINSAM_LAZY_PROCESSES); "
        "0 runs it in the answering process, as before",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="send at most this many requests a second (open loop); default: as fast as "
        "the C connections get their acks (closed loop)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="the bot's database (default: a temporary SQLite file); give a scratch "
        "database: the bench migrates it and imports the sample budget, replacing 2026",
    )
    args = parser.parse_args(argv)
    for name in ("requests", "concurrency", "threads", "web_processes"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.lazy_processes < 0:
        parser.error("--lazy-processes must not be negative")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    load = Load(args.requests, args.concurrency, args.warmup, args.rate)
    pacing = "closed loop" if args.rate is None else f"open loop at {args.rate:g} req/s"
    with (
        tempfile.TemporaryDirectory(prefix="finsam-bench-") as tmp,
        SlackFake(bot_token=BOT_TOKEN) as fake,
        ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool,
    ):
        work = Path(tmp)
        database_url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        where = "SQLite (temporary file)" if args.database_url is None else redact(database_url)
        print(
            f"bench_ack: N={load.requests} C={load.concurrency} ({pacing}), "
            f"warm-up {load.warmup}, waitress threads {args.threads}; bot database {where}; "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
            flush=True,
        )

        port = free_port()
        env = child_env(fake=fake, port=port, threads=args.threads, database_url=database_url)
        print("bare Bolt app (only ack) …", flush=True)
        bare_command = [sys.executable, str(BARE_APP)]
        with child("bare", bare_command, env=env, cwd=work, port=port) as server:
            bare = measure("bare", server, pool, fake, load, port=port, answers=False)

        port = free_port()
        env = child_env(
            fake=fake,
            port=port,
            threads=args.threads,
            database_url=database_url,
            processes=args.web_processes,
            lazy_processes=args.lazy_processes,
        )
        print(
            f"finsam-bot serve ({args.web_processes} answering, {args.lazy_processes} lazy "
            "processes) …",
            flush=True,
        )
        prepare_database(
            env=env, cwd=work, sqlite=make_url(database_url).get_backend_name() == "sqlite"
        )
        serve_command = [sys.executable, "-m", "bot.cli", "serve"]
        with child("bot", serve_command, env=env, cwd=work, port=port) as server:
            bot = measure("bot", server, pool, fake, load, port=port, answers=True)
        report(bot, bare, concurrency=load.concurrency)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
