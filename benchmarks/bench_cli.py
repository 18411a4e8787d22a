"""How long `finsam-bot --help` (and a subcommand's help) takes, as an operator feels it: a
fresh process each time, from an empty working directory. Beside it the bare interpreter's
start, the floor no CLI can go below. Optionally (`--importtime`) the modules that cost the
most, from `python -X importtime`. It prints figures and asserts nothing.

    .venv/bin/python benchmarks/bench_cli.py [--runs 15] [--importtime] [--top 12]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TARGET_S = 0.5
HEAVY = ("openpyxl", "slack_sdk", "slack_bolt", "sqlmodel", "sqlalchemy", "matplotlib")
IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: list[float]
    cpu: list[float]  # user + system time of the process: what the machine's load hides

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)


def cli_command() -> list[str]:
    """The installed entry point beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("finsam-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def clean_env() -> dict[str, str]:
    """No settings from the caller's shell: help must not depend on them."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "FINSAM_", "DATABASE_", "PYTHON"))
    }


def time_runs(label: str, command: Sequence[str], runs: int, cwd: Path) -> Timing:
    seconds: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=clean_env(), check=True, capture_output=True)
        seconds.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Timing(label, seconds, cpu)


def import_costs(cwd: Path) -> tuple[list[tuple[int, int, int, str]], set[str]]:
    """(self µs, cumulative µs, depth, module) of each import of `finsam-bot --help`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", "--help"],
        cwd=cwd,
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            depth = len(match[3]) // 2
            rows.append((int(match[1]), int(match[2]), depth, match[4]))
    return rows, {module for *_, module in rows}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="processes per command (15)")
    parser.add_argument("--importtime", action="store_true", help="also list costly imports")
    parser.add_argument("--top", type=int, default=12, help="how many imports to list (12)")
    args = parser.parse_args(argv)

    cli = cli_command()
    print(f"finsam-bot: {' '.join(cli)}")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {args.runs} runs each")
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as empty:
        cwd = Path(empty)
        timings = [
            time_runs(
                "python -c pass (interpreter start)", [sys.executable, "-c", "pass"], args.runs, cwd
            ),
            time_runs("finsam-bot --help", [*cli, "--help"], args.runs, cwd),
            time_runs(
                "finsam-bot budget status --help",
                [*cli, "budget", "status", "--help"],
                args.runs,
                cwd,
            ),
            time_runs(
                "finsam-bot cycle import --help",
                [*cli, "cycle", "import", "--help"],
                args.runs,
                cwd,
            ),
        ]
        print()
        print(f"{'wall time of':<40} {'median':>8} {'min':>8} {'max':>8} {'CPU median':>11}")
        for timing in timings:
            print(
                f"{timing.label:<40} {timing.median:>7.3f}s {timing.best:>7.3f}s"
                f" {max(timing.seconds):>7.3f}s {statistics.median(timing.cpu):>10.3f}s"
            )
        help_timing = timings[1]
        verdict = "met" if help_timing.median < TARGET_S else "NOT met"
        print(f"\ntarget: `finsam-bot --help` under {TARGET_S:.1f} s (median) – {verdict}")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

        rows, modules = import_costs(cwd)
        loaded = [name for name in HEAVY if name in modules]
        print(f"heavy packages imported by --help: {', '.join(loaded) or 'none'}")
        if args.importtime:
            print(f"\nslowest imports of `finsam-bot --help` (self time), top {args.top}:")
            for own, total, _, module in sorted(rows, reverse=True)[: args.top]:
                print(
                    f"  {own / 1000:>7.1f} ms  (with its imports {total / 1000:>7.1f} ms)  {module}"
                )
            print("\nimported directly by the entry point (cumulative):")
            top_level = sorted((r for r in rows if r[2] == 0), key=lambda r: r[1], reverse=True)
            for _, total, _, module in top_level[: args.top]:
                print(f"  {total / 1000:>7.1f} ms  {module}")


if __name__ == "__main__":
    main()
