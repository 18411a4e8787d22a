"""How fast a fan-out of reminders goes out while Slack rate-limits the bot, and that none is
lost and none doubled.

N reminders fall due at once (N interventions, one lead each: N DMs). The Slack fake in this
process enforces chat.postMessage's limits with 429 + Retry-After: a token bucket per channel
(1 message a second, burst 1) and one for the workspace (R a second, burst B). The bot's
outbox dispatcher runs in this process too, with the real client and sender, against a
temporary SQLite file or a scratch PostgreSQL schema. What limits a DM fan-out is the
workspace's rate; a second part has M interventions seven working days late: a DM each, and
the office channel's one post of the day naming them all (its digest), so the channel's 1 a
second no longer limits it.

It prints messages a second against the rate the fake allows, the 429s, and the check that
every key is in Slack exactly once. It asserts nothing.

    .venv/bin/python benchmarks/bench_reminders.py [--reminders 2000] [--workspace-rate 20]
        [--workspace-burst 20] [--escalations 20] [--no-pacing] [--database-url URL]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the fan-out helper lives with the tests

from bot.context import build_context  # noqa: E402
from bot.sender import SlackSender  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from bot.slack_client import make_client  # noqa: E402
from simulator.fake_slack import SlackFake  # noqa: E402
from store.db import Engine, make_engine, upgrade  # noqa: E402
from store.models import OutboxStatus  # noqa: E402
from tests.fanout import (  # noqa: E402
    APRIL,
    FANOUT_AT,
    add_fanout,
    posted_keys,
    stage_at,
)
from tests.scratch_db import postgres_schema  # noqa: E402
from workflows.clock import SystemClock  # noqa: E402
from workflows.outbox import dispatch_due, messages  # noqa: E402
from workflows.pacing import HEADROOM, Pacer  # noqa: E402
from workflows.reminders import plan_reminders  # noqa: E402
from workflows.reports import Reporting  # noqa: E402
from workflows.working_days import WorkingDays  # noqa: E402

BOT_TOKEN = "xoxb-bench-0000-finsam"
SIGNING_SECRET = "bench-signing-secret-0123456789"
OFFICE_CHANNEL = "C0OFFICE"
CHANNEL_RATE = 1.0
TARGET = 0.9
POST = "chat.postMessage"


class RateLimitedSlack(SlackFake):
    """The fake with Slack's workspace-wide limit on chat.postMessage on top of its
    per-channel one (`enforce_rate_limit`): a post needs a token from both buckets, and is
    answered 429 with Retry-After (whole seconds, at least 1) when either is empty."""

    def __init__(self, *, workspace_rate: float, workspace_burst: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.workspace_rate = workspace_rate
        self.workspace_burst = workspace_burst
        self._workspace_tokens = float(workspace_burst)
        self._workspace_updated: float | None = None

    def _take_token(self, method: str, args: Mapping[str, Any]) -> int | None:
        """Called by the fake under its lock for every API call."""
        if method != POST:
            return super()._take_token(method, args)
        now = time.monotonic()
        if self._workspace_updated is not None:
            refill = (now - self._workspace_updated) * self.workspace_rate
            self._workspace_tokens = min(
                float(self.workspace_burst), self._workspace_tokens + refill
            )
        self._workspace_updated = now
        if self._workspace_tokens < 1.0:
            return max(1, math.ceil((1.0 - self._workspace_tokens) / self.workspace_rate))
        limited = super()._take_token(method, args)
        if limited is None:
            self._workspace_tokens -= 1.0
        return limited


# --------------------------------------------------------------------------- databases


def redact(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


@contextmanager
def scratch_database(base_url: str | None, work: Path, name: str) -> Iterator[str]:
    """An empty database to migrate: a SQLite file in `work`, or a schema of its own in the
    PostgreSQL database at `base_url` (dropped after)."""
    if base_url is None:
        yield f"sqlite:///{work / f'{name}.db'}"
        return
    with postgres_schema(base_url, f"bench_{name}") as url:
        yield url


def bench_settings(fake: SlackFake, database_url: str, *, posts_per_second: float) -> Settings:
    return load_settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        database_url=database_url,
        finsam_office_channel=OFFICE_CHANNEL,
        finsam_slack_posts_per_second=posts_per_second,
        log_level="WARNING",
    )


# --------------------------------------------------------------------------- one run


@dataclass
class Run:
    """What one fan-out did: posts the fake took, per channel kind, and its 429s."""

    planned: set[str]
    wall: float
    sent: int
    retried: int
    failed: int
    ok_at: list[float]  # arrival times of the posts the fake took
    office_at: list[float]
    rejected: int  # 429s
    counts: Counter[str]  # key -> times in Slack
    unsent_rows: int

    @property
    def lost(self) -> int:
        return sum(1 for key in self.planned if self.counts[key] == 0)

    @property
    def doubled(self) -> int:
        return sum(1 for key in self.planned if self.counts[key] > 1)


def fan_out(
    fake: RateLimitedSlack,
    engine: Engine,
    cfg: Settings,
    *,
    count: int,
    at: Any,
    pacing: bool,
) -> Run:
    """Plan the reminders due `at` for `count` new interventions, then dispatch them all."""
    add_fanout(engine, count, fake=fake)
    reporting = Reporting(cfg.calendar_rules, WorkingDays())
    planned = set(plan_reminders(engine, reporting, now=at, office_channel=OFFICE_CHANNEL).planned)
    clock = SystemClock()
    sender = SlackSender(
        make_client(token=BOT_TOKEN, base_url=cfg.slack_api_url, timeout=cfg.slack_timeout_seconds),
        build_context(cfg, engine=engine, clock=clock),
    )
    pacer = Pacer(per_channel=CHANNEL_RATE, workspace=fake.workspace_rate) if pacing else None
    fake.reset_calls()
    started = time.perf_counter()
    report = dispatch_due(engine, sender, clock=clock, lease=cfg.outbox_lease, pacer=pacer)
    wall = time.perf_counter() - started
    posts = fake.calls(POST)
    counts = posted_keys(fake, count)
    for message in fake.messages(OFFICE_CHANNEL):
        key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
        if key:
            counts[str(key)] += 1
    return Run(
        planned=planned,
        wall=wall,
        sent=len(report.sent),
        retried=len(report.retried),
        failed=len(report.failed),
        ok_at=[c.at for c in posts if c.ok],
        office_at=[c.at for c in posts if c.ok and c.args.get("channel") == OFFICE_CHANNEL],
        rejected=sum(1 for c in posts if c.status == 429),
        counts=counts,
        unsent_rows=sum(1 for row in messages(engine) if row.status is not OutboxStatus.sent),
    )


def rate(arrivals: Sequence[float]) -> float:
    """Messages a second from the first to the last (n - 1 intervals)."""
    if len(arrivals) < 2 or arrivals[-1] <= arrivals[0]:
        return math.inf if len(arrivals) >= 2 else 0.0
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


def check_line(run: Run) -> str:
    verdict = "ok" if run.lost == run.doubled == run.unsent_rows == 0 else "NOT ok"
    return (
        f"  planned {len(run.planned)}, sent {run.sent}, retried {run.retried}, failed "
        f"{run.failed}; in Slack: lost {run.lost}, doubled {run.doubled}; rows not sent "
        f"{run.unsent_rows} ({verdict})"
    )


def report_fan_out(run: Run, *, workspace_rate: float, burst: int) -> None:
    achieved = rate(run.ok_at)
    span = run.ok_at[-1] - run.ok_at[0] if len(run.ok_at) > 1 else 0.0
    allowed_in_span = burst + workspace_rate * span  # the most the fake lets through
    ratio = achieved / workspace_rate
    met = "met" if ratio >= TARGET else "NOT met"
    print(
        f"DM fan-out: {len(run.ok_at)} posts in {span:.1f} s ({run.wall:.1f} s dispatching): "
        f"{achieved:.2f} msg/s against {workspace_rate:g}/s allowed = {ratio:.3f} "
        f"(target ≥ {TARGET}: {met}); {len(run.ok_at) / allowed_in_span:.3f} of the most the "
        f"fake would take in that time (burst {burst} + rate × time); 429s: {run.rejected}"
    )
    print(check_line(run))


def report_office(run: Run) -> None:
    dms = len(run.ok_at) - len(run.office_at)
    print(
        f"office channel: {len(run.office_at)} post(s) for the day's escalations (its digest), "
        f"and {dms} DMs, in {run.wall:.1f} s; 429s: {run.rejected}"
    )
    print(check_line(run))


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A reminder fan-out against Slack's rate limits (the fake's 429s)."
    )
    parser.add_argument("--reminders", type=int, default=2000, help="DM reminders due at once")
    parser.add_argument(
        "--workspace-rate", type=float, default=20.0, help="posts a second the fake allows"
    )
    parser.add_argument(
        "--workspace-burst", type=int, default=20, help="posts the fake allows at once"
    )
    parser.add_argument(
        "--escalations",
        type=int,
        default=20,
        help="interventions seven working days late: office posts to one channel (0: skip)",
    )
    parser.add_argument(
        "--no-pacing",
        action="store_true",
        help="dispatch unpaced (the client only waits out each 429)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL database to use (a scratch schema is made in it and dropped); "
        "default: a temporary SQLite file",
    )
    args = parser.parse_args(argv)
    if args.reminders < 2 or args.workspace_rate <= 0 or args.workspace_burst < 1:
        parser.error("need at least 2 reminders, a positive rate and a burst of at least 1")
    if args.escalations < 0:
        parser.error("--escalations must not be negative")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    pacing = not args.no_pacing
    where = "SQLite (temporary file)" if args.database_url is None else redact(args.database_url)
    print(
        f"bench_reminders: {args.reminders} reminders; the fake allows {CHANNEL_RATE:g}/s per "
        f"channel (burst 1) and {args.workspace_rate:g}/s for the workspace (burst "
        f"{args.workspace_burst}), 429 + Retry-After beyond; dispatcher "
        f"{f'paced at {1 - HEADROOM:.0%} of both' if pacing else 'unpaced'}; database {where}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="finsam-bench-") as tmp:
        work = Path(tmp)
        parts = [("fanout", args.reminders, FANOUT_AT)]
        if args.escalations:
            parts.append(("office", args.escalations, stage_at(APRIL, "late_7")))
        for name, count, at in parts:
            with (
                scratch_database(args.database_url, work, name) as url,
                RateLimitedSlack(
                    bot_token=BOT_TOKEN,
                    workspace_rate=args.workspace_rate,
                    workspace_burst=args.workspace_burst,
                ) as fake,
            ):
                fake.add_channel(OFFICE_CHANNEL, name="kansliet")
                fake.enforce_rate_limit(POST, per_channel_per_second=CHANNEL_RATE, burst=1)
                engine = make_engine(url)
                upgrade(engine)
                cfg = bench_settings(fake, url, posts_per_second=args.workspace_rate)
                try:
                    run = fan_out(fake, engine, cfg, count=count, at=at, pacing=pacing)
                finally:
                    engine.dispose()
                if name == "fanout":
                    report_fan_out(
                        run, workspace_rate=args.workspace_rate, burst=args.workspace_burst
                    )
                else:
                    report_office(run)
                problems = [e for e in fake.errors] + fake.internal_errors
                if problems:
                    print(f"  the fake saw problems: {problems[:5]}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
