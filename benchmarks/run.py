"""The course benchmark (``make bench``): each notebook in a fresh kernel, timed.

Writes ``benchmarks/results.md``: one row per notebook with its wall seconds and the
peak resident memory of its kernel process (sampled every 50 ms), against the budget of
60 s and 1.5 GB on a 2-core CPU at the quick scale, plus the machine it ran on. Chapters
may add their own measurements as ``benchmarks/bench_*.py`` scripts that print a
Markdown section; their output is appended, and so is ``benchmarks/stress.md``, the
last hang count of ``make stress``. It is a measurement, not a test: nothing fails on a
slow machine. Notebooks run with the client of ``tools/notebook_client.py``, which
cannot stall on a widget cell, at the quick scale whatever the shell says.
"""

from __future__ import annotations

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
SCALE = "quick"  # the scale the budget is for
BUDGET_SECONDS = 60.0
BUDGET_BYTES = 1.5 * 1024**3


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


def main(paths: list[str]) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["DLCOURSE_SCALE"] = SCALE  # the kernels inherit it
    rows = []
    for name in paths:
        seconds, peak = run_notebook(ROOT / name)
        within = seconds <= BUDGET_SECONDS and peak <= BUDGET_BYTES
        verdict = "yes" if within else "**no**"
        rows.append(f"| {name} | {seconds:.1f} | {peak / 1024**2:.0f} | {verdict} |")
        print(f"{name}: {seconds:.1f} s, peak {peak / 1024**2:.0f} MiB")
    extra = []
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=True
        )
        extra.append(result.stdout.strip())
    if STRESS.is_file():
        extra.append(STRESS.read_text().strip())
    today = dt.date.today().isoformat()
    text = "\n".join(
        [
            "# Benchmark results",
            "",
            f"Written by `make bench` on {today}. Machine: {machine()}.",
            "",
            "Each notebook runs top to bottom in a fresh kernel (kernel start "
            f"included). Budget: {BUDGET_SECONDS:.0f} s and "
            f"{BUDGET_BYTES / 1024**3:.1f} GB per notebook on 2 cores.",
            "",
            "| notebook | wall seconds | peak memory (MiB) | within budget |",
            "|---|---:|---:|---|",
            *rows,
            "",
            *(section + "\n" for section in extra),
        ]
    )
    RESULTS.write_text(text.rstrip() + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
