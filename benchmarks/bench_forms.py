"""How fast report forms are acknowledged while a reminder fan-out is going out.

`finsam-bot serve` runs as a child process on loopback against the Slack fake in this
process, which enforces chat.postMessage's limits as in bench_reminders.py (1 a second per
channel, R a second for the workspace; 429 + Retry-After beyond). N reminders are pending when
the bot starts, so its catch-up sends them, paced at R a second, while this benchmark opens C
leads' report forms (the button in the reminder → views.open) and then, once the fan-out is
under way, sends the C view_submissions of valid monthly forms at the same moment, from a
process of its own (so the fake's work does not disturb its clock). Each is timed from
sending the request to receiving the HTTP response. That response is the ack, and in this
bot it comes after the form has been validated and stored (DESIGN.md "Forms"), so it is the
whole answer the lead waits for; Slack gives up after 3 s. It prints figures and asserts
nothing.

    .venv/bin/python benchmarks/bench_forms.py [--submissions 50] [--reminders 500]
        [--workspace-rate 20] [--threads 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the fan-out helper and the form's answers: tests/

from bench_ack import (  # noqa: E402
    SLACK_ACK_LIMIT_MS,
    free_port,
    percentile,
    stop,
    tree_cpu_seconds,
    wait_healthy,
)
from bench_reminders import (  # noqa: E402
    BOT_TOKEN,
    CHANNEL_RATE,
    OFFICE_CHANNEL,
    POST,
    ROOT,
    SIGNING_SECRET,
    RateLimitedSlack,
    redact,
    scratch_database,
)

from bot.settings import Settings  # noqa: E402
from simulator.slack_driver import (  # noqa: E402
    SlackDriver,
    block_action,
    sign,
    view_submission,
)
from store.db import make_engine, upgrade  # noqa: E402
from store.models import OutboxStatus  # noqa: E402
from tests.fanout import APRIL, FANOUT_AT, REPORTING, add_fanout, lead_id, posted_keys  # noqa: E402
from tests.test_reporting_flow import MONTHLY_OK, state  # noqa: E402
from workflows.outbox import messages  # noqa: E402
from workflows.reminders import PlanReport, plan_reminders  # noqa: E402
from workflows.reports import find_report  # noqa: E402

TARGET_P99_MS = 1000.0
START_TIMEOUT = 60.0
FAN_OUT_TIMEOUT = 600.0
REQUEST_TIMEOUT = 30.0
STARTED_AFTER_POSTS = 20  # fire once the fan-out has visibly begun
WAITING = (OutboxStatus.pending, OutboxStatus.sending)


# --------------------------------------------------------------------------- load generator


def fire(port: int, bodies: Sequence[bytes]) -> list[tuple[int, float, str]]:
    """Send every body at once, one connection and thread each, signed at send time; per
    request (HTTP status, seconds, the answer's response_action). Runs in a process of its
    own."""
    results: list[tuple[int, float, str]] = [(0, 0.0, "")] * len(bodies)
    barrier = threading.Barrier(len(bodies))

    def one(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        try:
            connection.connect()
            barrier.wait()
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": sign(SIGNING_SECRET, bodies[index], timestamp),
            }
            started = time.perf_counter()
            connection.request("POST", "/slack/events", body=bodies[index], headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode(errors="replace")
            elapsed = time.perf_counter() - started
            try:
                action = str(json.loads(text).get("response_action"))
            except (ValueError, AttributeError):
                action = text[:100] or "(empty)"
            results[index] = (answer.status, elapsed, action)
        except (OSError, http.client.HTTPException) as err:
            results[index] = (0, 0.0, type(err).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --------------------------------------------------------------------------- the bot


def serve_env(
    fake: RateLimitedSlack, database_url: str, *, port: int, threads: int, processes: int
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=fake.api_url,
        FINSAM_OFFICE_CHANNEL=OFFICE_CHANNEL,
        FINSAM_SLACK_POSTS_PER_SECOND=f"{fake.workspace_rate:g}",
        FINSAM_SERVER_THREADS=str(threads),
        FINSAM_WEB_PROCESSES=str(processes),
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    return env


def open_forms(
    driver: SlackDriver, fake: RateLimitedSlack, ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Press each lead's "report" button; the modals the bot opened, in the order of `ids`."""
    for number, intervention_id in enumerate(ids):
        value = json.dumps({"intervention_id": intervention_id, "period": APRIL.label})
        answer = driver.action(block_action("report_open", value=value, user_id=lead_id(number)))
        if answer.status != 200:
            raise SystemExit(f"bench: the button answered {answer.status}: {answer.text[:200]}")

    def forms() -> dict[int, dict[str, Any]]:
        found = {}
        for view in fake.views():
            if view.get("callback_id") == "report_form":
                meta = json.loads(view.get("private_metadata") or "{}")
                found[int(meta.get("intervention_id", 0))] = view
        return found

    fake.wait_for(lambda: set(ids) <= set(forms()), timeout=START_TIMEOUT, message="the forms")
    opened = forms()
    return [opened[intervention_id] for intervention_id in ids]


def submission_body(view: dict[str, Any], user_id: str) -> bytes:
    payload = view_submission(
        view["callback_id"], values=state(MONTHLY_OK), user_id=user_id, view=view
    )
    return urlencode({"payload": json.dumps(payload)}).encode()


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ack time of concurrent report forms while a reminder fan-out runs."
    )
    parser.add_argument("--submissions", type=int, default=50, help="forms sent at once, C")
    parser.add_argument("--reminders", type=int, default=500, help="the fan-out, N reminders")
    parser.add_argument(
        "--workspace-rate", type=float, default=20.0, help="posts a second the fake allows"
    )
    parser.add_argument("--threads", type=int, default=8, help="the bot's waitress threads")
    parser.add_argument(
        "--web-processes",
        type=int,
        default=2,
        help="processes answering Slack (FINSAM_WEB_PROCESSES; serve's default is 2)",
    )
    parser.add_argument(
        "--warmup", type=int, default=5, help="forms sent one at a time first, not counted"
    )
    parser.add_argument(
        "--no-fan-out",
        action="store_true",
        help="plan no reminders: the forms alone, for comparison",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL database to use (a scratch schema is made in it and dropped); "
        "default: a temporary SQLite file",
    )
    args = parser.parse_args(argv)
    if args.submissions < 1 or args.threads < 1 or args.web_processes < 1:
        parser.error("need at least one submission, thread and answering process")
    if args.workspace_rate <= 0:
        parser.error("--workspace-rate must be positive")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    if args.reminders < args.warmup + args.submissions + STARTED_AFTER_POSTS:
        parser.error(
            f"--reminders must be at least --warmup + --submissions + {STARTED_AFTER_POSTS}"
        )
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    where = "SQLite (temporary file)" if args.database_url is None else redact(args.database_url)
    during = (
        "with no fan-out"
        if args.no_fan_out
        else f"while {args.reminders} reminders go out (the fake allows {CHANNEL_RATE:g}/s "
        f"per channel, {args.workspace_rate:g}/s for the workspace)"
    )
    print(
        f"bench_forms: {args.submissions} report forms sent at once {during}, after "
        f"{args.warmup} one at a time; finsam-bot serve with {args.web_processes} answering "
        f"processes of {args.threads} waitress threads; database {where}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="finsam-bench-") as tmp,
        scratch_database(args.database_url, Path(tmp), "forms") as url,
        RateLimitedSlack(
            bot_token=BOT_TOKEN,
            workspace_rate=args.workspace_rate,
            workspace_burst=max(1, int(args.workspace_rate)),
        ) as fake,
        ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool,
    ):
        work = Path(tmp)
        fake.add_channel(OFFICE_CHANNEL, name="kansliet")
        fake.enforce_rate_limit(POST, per_channel_per_second=CHANNEL_RATE, burst=1)
        engine = make_engine(url)
        upgrade(engine)
        ids = add_fanout(engine, args.reminders, fake=fake)
        planned = (
            PlanReport()
            if args.no_fan_out
            else plan_reminders(engine, REPORTING, now=FANOUT_AT, office_channel=OFFICE_CHANNEL)
        )
        pool.submit(int, 0).result()  # the load generator's process, started before the bot
        port = free_port()
        log_path = work / "bot.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve"],
                env=serve_env(
                    fake, url, port=port, threads=args.threads, processes=args.web_processes
                ),
                cwd=work,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
            try:
                wait_healthy("bot", process, port, log_path)
                driver = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET)
                warm = ids[: args.warmup]
                submitters = ids[args.warmup : args.warmup + args.submissions]
                views = open_forms(driver, fake, ids[: args.warmup + args.submissions])
                bodies = [
                    submission_body(view, lead_id(number)) for number, view in enumerate(views)
                ]
                for body in bodies[: len(warm)]:  # one at a time, not counted
                    pool.submit(fire, port, [body]).result()
                bodies = bodies[len(warm) :]
                if not args.no_fan_out:
                    fake.wait_for(
                        lambda: len([c for c in fake.calls(POST) if c.ok]) >= STARTED_AFTER_POSTS,
                        timeout=START_TIMEOUT,
                        message="the fan-out to begin",
                    )
                posts_before = len([c for c in fake.calls(POST) if c.ok])
                cpu_before = tree_cpu_seconds(process.pid)
                fired = time.perf_counter()
                results = pool.submit(fire, port, bodies).result()
                window = time.perf_counter() - fired
                cpu_after = tree_cpu_seconds(process.pid)
                cpu = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
                posts_after = len([c for c in fake.calls(POST) if c.ok])
                stored = sum(
                    1
                    for intervention_id in submitters
                    if find_report(engine, intervention_id, APRIL.label) is not None
                )
                deadline = time.monotonic() + FAN_OUT_TIMEOUT
                while any(
                    row.key.startswith("reminder_digest:") and row.status in WAITING
                    for row in messages(engine)
                ):
                    if time.monotonic() > deadline or process.poll() is not None:
                        break
                    time.sleep(0.5)
            finally:
                stop(process)
        counts = posted_keys(fake, args.reminders)
        cancelled = {r.key for r in messages(engine) if r.status is OutboxStatus.cancelled}
        report(
            results,
            posts_before=posts_before,
            posts_during=posts_after - posts_before,
            window=window,
            cpu=cpu,
            stored=stored,
            planned=set(planned.planned),
            cancelled=cancelled,
            counts=counts,
        )
        engine.dispose()
        with suppress(Exception):
            fake.assert_clean()


def report(
    results: Sequence[tuple[int, float, str]],
    *,
    posts_before: int,
    posts_during: int,
    window: float,
    cpu: dict[str, float],
    stored: int,
    planned: set[str],
    cancelled: set[str],
    counts: Counter[str],
) -> None:
    ok = sorted(seconds * 1000 for status, seconds, _ in results if status == 200)
    failures = Counter(
        f"HTTP {status}" if status else text for status, _, text in results if status != 200
    )
    actions = Counter(action for status, _, action in results if status == 200)
    p99 = percentile(ok, 0.99)
    met = "met" if ok and p99 < TARGET_P99_MS and not failures else "NOT met"
    print()
    print(
        f"acks of {len(results)} forms sent at once: p50 {percentile(ok, 0.5):.0f} ms, "
        f"p95 {percentile(ok, 0.95):.0f} ms, p99 {p99:.0f} ms, max {ok[-1] if ok else 0:.0f} ms "
        f"(target p99 < {TARGET_P99_MS:.0f} ms: {met}; Slack's limit {SLACK_ACK_LIMIT_MS:.0f} ms)"
    )
    print(
        f"  answers: {dict(actions)}; failures: {dict(failures) or 'none'}; reports stored: "
        f"{stored}/{len(results)}"
    )
    print(
        f"  the fan-out had sent {posts_before} posts when the forms went; {posts_during} more "
        f"during the {window:.2f} s until the last ack"
    )
    if cpu:
        shares = ", ".join(
            f"{name} {seconds:.2f} s ({seconds * 1000 / len(results):.0f} ms per form)"
            for name, seconds in cpu.items()
        )
        print(f"  CPU over those {window:.2f} s: {shares}")
    lost = sum(1 for key in planned - cancelled if counts[key] == 0)
    doubled = sum(1 for key in planned if counts[key] > 1)
    print(
        f"  reminders: {len(planned)} planned, {len(planned & cancelled)} cancelled (their "
        f"report came in first), in Slack lost {lost}, doubled {doubled}"
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
