"""Regenerate the results files (``make results``) and record how long each script took.

Runs ``results/make_*.py`` (all of them, in name order, or the ones named) one after
another, each in its own process, and writes ``benchmarks/make_results.md``: a row per
script with its wall seconds and the machine's load average when it finished. Running
some scripts updates their rows and keeps the others'. ``make bench`` copies the table
into ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ROOT / "benchmarks" / "make_results.md"
HEADER = [
    "## Regenerating the results files (`make results`)",
    "",
    "Wall time of each `results/make_*.py` script, each in its own process, on "
    f"{os.cpu_count()} cores. `make results` runs them one after another; runs started "
    "by hand may overlap, so read each time with the load average (1 minute) when the "
    "script finished, a sign of how busy the machine was. A row whose load average is "
    "a range was timed by hand: the script was started directly, beside other work, "
    "and the range is the load over its run.",
    "",
    "| script | wall seconds | load average | date |",
    "|---|---:|---:|---|",
]
ROW = re.compile(r"^\| (results/make_[\w-]+\.py) \|")


def previous_rows() -> dict[str, str]:
    """The rows of the last table, by script."""
    if not TIMINGS.is_file():
        return {}
    rows = {}
    for line in TIMINGS.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = line
    return rows


def run(script: Path) -> str:
    """Run one script; its Markdown row."""
    name = script.relative_to(ROOT).as_posix()
    print(f"{sys.executable} {name}", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(script)], cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    load = os.getloadavg()[0]
    print(f"{name}: {seconds:.0f} s", flush=True)
    return f"| {name} | {seconds:.0f} | {load:.1f} | {dt.date.today().isoformat()} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", type=Path, metavar="SCRIPT")
    args = parser.parse_args(argv)
    scripts = [ROOT / s for s in args.scripts] or sorted(
        (ROOT / "results").glob("make_*.py")
    )
    if not scripts:
        print("no results/make_*.py: nothing to do")
        return 0
    for script in scripts:
        if not script.is_file():
            print(f"error: no script {script}", file=sys.stderr)
            return 2
        row = run(script.resolve())
        rows = previous_rows()  # read again: another run may have added rows
        rows[script.resolve().relative_to(ROOT).as_posix()] = row
        TIMINGS.write_text(
            "\n".join([*HEADER, *(rows[k] for k in sorted(rows))]) + "\n",
            encoding="utf-8",
        )
    rows = previous_rows()
    total = sum(float(row.split("|")[2]) for row in rows.values())
    print(f"wrote {TIMINGS.relative_to(ROOT)} ({total:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
