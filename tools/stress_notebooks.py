"""Execute every widget cell many times and whole chapters several times; count hangs.

    python tools/stress_notebooks.py [--widget-runs 20] [--chapter-runs 3]
        [--client reliable|stock] [--widen SECONDS] [--stall-seconds 60] [NOTEBOOK ...]

For each notebook (default: every chapter of the table of contents):

- widget cells: one kernel runs the notebook up to its last widget cell once (the setup
  they need), then every widget cell ``--widget-runs`` times more, in a row (so each
  runs ``--widget-runs`` + 1 times);
- whole chapter: ``--chapter-runs`` fresh kernels run the notebook top to bottom.

Nothing is saved; errors are allowed (and counted), since a chapter being edited may
fail, and what is measured is whether the client waits for nothing. A *hang* is a cell
whose execution lasts ``--stall-seconds`` or more: the cell timeout is set to that
value, and a client that missed the reply wakes only when the timeout runs out (or
raises). ``--client stock`` uses nbclient's own client, to show the hang; ``--widen``
sleeps that long in nbclient's Output-widget stand-in before it answers the kernel,
which widens the race window as a loaded machine does (it makes the stock client's hang
reproducible). The reliable client also reports how many replies its watchdog found
that the event loop had missed (``lost wake-ups``).

Prints one Markdown table row per notebook and a total; ``--output FILE`` also writes
them, with the command and the machine's load, as a Markdown section (``--append`` adds
to the file instead: ``make bench`` copies ``benchmarks/stress.md`` into its results).
Exits with 1 if any run hung.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient, output_widget
from nbclient.exceptions import CellTimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_client import ReliableNotebookClient  # noqa: E402
from toc_notebooks import toc_notebooks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SETUP_TIMEOUT = 900  # seconds a setup cell may take (a hang is looked for in the rest)
WIDGET_CODE = re.compile(r"interactive_plot\(|ipywidgets\.(?:interact|Output)\b")


@dataclass
class Tally:
    """Executions, hangs and the slowest execution of one kind of run."""

    runs: int = 0
    hangs: int = 0
    errors: int = 0
    lost_wakeups: int = 0
    slowest: float = 0.0
    seconds: list[float] = field(default_factory=list)

    def add(self, seconds: float, hung: bool) -> None:
        self.runs += 1
        self.hangs += hung
        self.slowest = max(self.slowest, seconds)
        self.seconds.append(seconds)


def widget_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of the code cells that display a widget (stored output or source)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        shows = any(WIDGET_VIEW in output.get("data", {}) for output in cell.outputs)
        if shows or WIDGET_CODE.search(cell.source):
            found.append(index)
    return found


def make_client(
    notebook: nbformat.NotebookNode, path: Path, kind: str, timeout: int
) -> NotebookClient:
    client_class = ReliableNotebookClient if kind == "reliable" else NotebookClient
    return client_class(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
        allow_errors=True,  # a chapter being edited may fail; hangs are what we count
    )


def timed(
    client: NotebookClient, cell: nbformat.NotebookNode, index: int, stall: int
) -> tuple[float, bool, bool]:
    """Execute one cell; return its seconds, whether it hung, whether it failed."""
    started = time.perf_counter()
    try:
        client.execute_cell(cell, index)
    except CellTimeoutError:
        return time.perf_counter() - started, True, False
    seconds = time.perf_counter() - started
    failed = any(output.output_type == "error" for output in cell.outputs)
    return seconds, seconds >= 0.95 * stall, failed


def stress_widgets(path: Path, options: argparse.Namespace) -> Tally:
    notebook = nbformat.read(path, as_version=4)
    tally = Tally()
    targets = widget_cells(notebook)
    if not targets:
        return tally
    client = make_client(notebook, path, options.client, options.stall_seconds)
    with client.setup_kernel():
        for index in range(targets[-1] + 1):  # the setup, and each widget cell once
            if notebook.cells[index].cell_type == "code":
                widget = index in targets
                client.timeout = options.stall_seconds if widget else SETUP_TIMEOUT
                seconds, hung, failed = timed(
                    client, notebook.cells[index], index, client.timeout
                )
                if widget:
                    tally.add(seconds, hung)
                    tally.errors += failed
        client.timeout = options.stall_seconds
        for _ in range(options.widget_runs):
            for index in targets:
                seconds, hung, failed = timed(
                    client, notebook.cells[index], index, options.stall_seconds
                )
                tally.add(seconds, hung)
                tally.errors += failed
        tally.lost_wakeups = getattr(client, "lost_wakeups", 0)
    return tally


def stress_chapter(path: Path, options: argparse.Namespace) -> Tally:
    tally = Tally()
    for _ in range(options.chapter_runs):
        notebook = nbformat.read(path, as_version=4)
        client = make_client(notebook, path, options.client, options.stall_seconds)
        hung = failed = False
        started = time.perf_counter()
        with client.setup_kernel():
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    _, cell_hung, cell_failed = timed(
                        client, cell, index, options.stall_seconds
                    )
                    hung, failed = hung or cell_hung, failed or cell_failed
            tally.lost_wakeups += getattr(client, "lost_wakeups", 0)
        tally.add(time.perf_counter() - started, hung)
        tally.errors += failed
    return tally


def widen(seconds: float) -> None:
    """Delay the Output-widget stand-in's answer to the kernel by ``seconds``."""
    answer = output_widget.OutputWidget.sync_state

    def slow_answer(self: output_widget.OutputWidget) -> None:
        time.sleep(seconds)
        answer(self)

    output_widget.OutputWidget.sync_state = slow_answer


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK")
    parser.add_argument("--widget-runs", type=int, default=20)
    parser.add_argument("--chapter-runs", type=int, default=3)
    parser.add_argument("--client", choices=("reliable", "stock"), default="reliable")
    parser.add_argument("--widen", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--stall-seconds", type=int, default=60)
    parser.add_argument("--output", type=Path, help="write the table to this file")
    parser.add_argument("--append", action="store_true", help="add to --output")
    options = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["DLCOURSE_SCALE"] = "quick"
    if options.widen:
        widen(options.widen)
    paths = [Path(name) for name in options.notebooks] or [
        ROOT / path for path in toc_notebooks()
    ]
    load_before = os.getloadavg()[0]
    lines = [
        "| notebook | widget cells | widget-cell runs | hangs | lost wake-ups "
        "| slowest (s) | chapter runs | hangs | lost wake-ups | slowest (s) "
        "| runs with an error |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print(
        f"client {options.client}, widen {options.widen} s, a hang is a cell of "
        f"{options.stall_seconds} s or more\n"
    )
    print("\n".join(lines))
    stock = options.client == "stock"
    totals = [0, 0, 0, 0]
    for path in paths:
        cells = len(widget_cells(nbformat.read(path, as_version=4)))
        widgets = stress_widgets(path, options) if options.widget_runs else Tally()
        chapters = stress_chapter(path, options) if options.chapter_runs else Tally()
        totals = [
            totals[0] + widgets.runs,
            totals[1] + widgets.hangs,
            totals[2] + chapters.runs,
            totals[3] + chapters.hangs,
        ]
        name = path.resolve()
        name = name.relative_to(ROOT) if name.is_relative_to(ROOT) else path.name
        lines.append(
            f"| {name} | {cells} | {widgets.runs} | {widgets.hangs} "
            f"| {'n/a' if stock else widgets.lost_wakeups} | {widgets.slowest:.1f} "
            f"| {chapters.runs} | {chapters.hangs} "
            f"| {'n/a' if stock else chapters.lost_wakeups} | {chapters.slowest:.1f} "
            f"| {widgets.errors + chapters.errors} |"
        )
        print(lines[-1], flush=True)
    total = (
        f"Total: {totals[1]} hangs in {totals[0]} widget-cell runs, "
        f"{totals[3]} hangs in {totals[2]} chapter runs."
    )
    print(f"\n{total}")
    if options.output:
        write_section(options, lines, total, load_before)
    return 1 if totals[1] or totals[3] else 0


def write_section(
    options: argparse.Namespace, lines: list[str], total: str, load_before: float
) -> None:
    """Write (or append) the run as Markdown to ``options.output``."""
    arguments = [
        f"--client {options.client}",
        f"--widget-runs {options.widget_runs}",
        f"--chapter-runs {options.chapter_runs}",
        f"--stall-seconds {options.stall_seconds}",
    ]
    if options.widen:
        arguments.append(f"--widen {options.widen}")
    command = "python tools/stress_notebooks.py " + " ".join(arguments)
    heading = (
        "## Hang-proof execution (`make stress`)\n\n"
        "Every widget cell runs once in a setup pass and then again and again in the "
        "same kernel; each chapter runs top to bottom in fresh kernels. A *hang* is a "
        "cell that lasts the whole stall limit: a client that missed the kernel's "
        "reply "
        "(see `tools/notebook_client.py`). *Lost wake-ups* are replies the watchdog "
        "picked up after they had waited half a second or more (an upper bound: on a "
        "loaded machine a late event loop looks the same).\n\n"
    )
    text = (
        f"`{command}` on {dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"load average {load_before:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end. {total}\n\n" + "\n".join(lines) + "\n"
    )
    if options.append and options.output.is_file():
        previous = options.output.read_text().rstrip()
        options.output.write_text(previous + "\n\n" + text)
    else:
        options.output.write_text(heading + text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
