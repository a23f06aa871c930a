"""The course benchmark (``make bench``): each notebook in a fresh kernel, timed.

Writes ``benchmarks/results.md``: one row per notebook with its wall seconds and the
peak resident memory of its kernel process (sampled every 50 ms), against the budget of
60 s and 1.5 GB on a 2-core CPU at the quick scale, plus the machine it ran on. Chapters
may add their own measurements as ``benchmarks/bench_*.py`` scripts that print a
Markdown section; their output is appended, and so are ``benchmarks/stress.md``, the
last hang count of ``make stress``, ``benchmarks/full.md``, the last full-scale run
(``make bench-full``: the same table against the full budget of 10 minutes), and
``benchmarks/make_results.md``, the wall time of each ``make results`` script. It is a
measurement, not a test: nothing fails on a slow machine. Notebooks run with the client
of ``tools/notebook_client.py``, which cannot stall on a widget cell, at the scale
given (quick unless ``--scale full``) whatever the shell says.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebook_client import ReliableNotebookClient  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results.md"
STRESS = ROOT / "benchmarks" / "stress.md"  # written by tools/stress_notebooks.py
FULL = ROOT / "benchmarks" / "full.md"  # written by `make bench-full`
MAKE_RESULTS = ROOT / "benchmarks" / "make_results.md"  # written by `make results`
# The budget of each scale: wall seconds, and peak bytes (full mode has no memory limit
# of its own; the quick one is kept as a guide).
BUDGETS = {"quick": (60.0, 1.5 * 1024**3), "full": (600.0, 1.5 * 1024**3)}


class PeakMemory:
    """Sample the resident memory of a process and its children until stopped.

    ``peak`` is the largest total seen, in bytes.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.process, *self.process.children(recursive=True)]
                total = sum(p.memory_info().rss for p in processes)
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def run_notebook(path: Path) -> tuple[float, int]:
    """Execute ``path`` (not saved); return wall seconds and peak bytes.

    The seconds include the kernel's start.
    """
    notebook = nbformat.read(path, as_version=4)
    client = ReliableNotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        with PeakMemory(pid) as memory:
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
    return time.perf_counter() - started, memory.peak


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import keras
    import tensorflow as tf

    memory = psutil.virtual_memory().total / 1024**3
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; "
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}; scale {os.environ['DLCOURSE_SCALE']}"
    )


def table(paths: list[str], scale: str) -> list[str]:
    """Run every notebook at ``scale``; one Markdown row each."""
    budget_seconds, budget_bytes = BUDGETS[scale]
    rows = []
    for name in paths:
        seconds, peak = run_notebook(ROOT / name)
        within = seconds <= budget_seconds and peak <= budget_bytes
        verdict = "yes" if within else "**no**"
        load = os.getloadavg()[0]
        rows.append(
            f"| {name} | {seconds:.1f} | {peak / 1024**2:.0f} | {verdict} "
            f"| {load:.1f} | {dt.date.today().isoformat()} |"
        )
        print(f"{name}: {seconds:.1f} s, peak {peak / 1024**2:.0f} MiB", flush=True)
    return rows


def merged_rows(path: Path, rows: list[str]) -> list[str]:
    """``rows`` with the rows of ``path`` for other notebooks, in name order."""
    by_name = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("| ") and not line.startswith(("| notebook", "|---")):
                by_name[line.split("|")[1].strip()] = line
    by_name.update({row.split("|")[1].strip(): row for row in rows})
    return [by_name[name] for name in sorted(by_name)]


def report(title: str, rows: list[str], scale: str, extra: list[str]) -> str:
    budget_seconds, budget_bytes = BUDGETS[scale]
    today = dt.date.today().isoformat()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        "\n".join(
            [
                title,
                "",
                f"Written on {today}. Machine: {machine()}. Load average when "
                f"it finished: {load}; each row gives the 1-minute load average "
                "when its notebook finished (a busy machine slows every notebook).",
                "",
                "Each notebook runs top to bottom in a fresh kernel (kernel start "
                f"included). Budget: {budget_seconds:.0f} s and "
                f"{budget_bytes / 1024**3:.1f} GB per notebook on 2 cores.",
                "",
                "| notebook | wall seconds | peak memory (MiB) | within budget "
                "| load average | date |",
                "|---|---:|---:|---|---:|---|",
                *rows,
                "",
                *(section + "\n" for section in extra),
            ]
        ).rstrip()
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    parser.add_argument("--scale", choices=sorted(BUDGETS), default="quick")
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the table (default: benchmarks/results.md at the quick "
        "scale with the bench_*.py sections, benchmarks/full.md at the full scale)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["DLCOURSE_SCALE"] = args.scale  # the kernels inherit it
    rows = table(args.notebooks, args.scale)
    extra = []
    if args.scale == "quick" and args.output is None:
        for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
            result = subprocess.run(
                [sys.executable, str(script)],
                capture_output=True,
                text=True,
                check=True,
            )
            extra.append(result.stdout.strip())
        for section in (FULL, MAKE_RESULTS, STRESS):
            if section.is_file():
                extra.append(section.read_text().strip())
        title, output = "# Benchmark results", RESULTS
    elif args.scale == "full":
        # A full run is long: rows of notebooks not run this time are kept.
        title, output = "## Full scale, every notebook (`make bench-full`)", FULL
        rows = merged_rows(args.output or output, rows)
        output = args.output or output
    else:
        title, output = "# Benchmark results", args.output
    output.write_text(report(title, rows, args.scale, extra))
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
