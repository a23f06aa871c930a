"""Execute notebooks in place, each in a fresh kernel, widget state saved.

    python tools/execute_notebooks.py [--scale quick|full] NOTEBOOK.ipynb ...

``make chapter CHAPTER=chapters/NN_name.ipynb`` runs it on one chapter, ``make
notebooks`` on every chapter in table-of-contents order. The book is built from the
stored outputs, so run it after changing a chapter or a ``dlcourse`` module it uses.

- The kernel runs at the quick scale unless ``--scale`` says otherwise: a
  ``DLCOURSE_SCALE`` set in the shell does not leak into the stored outputs.
- Widget state is saved (the site shows the widgets); cell timing is not recorded, so
  diffs stay readable; ``tools/tidy_notebooks.py`` sets JupyterLab's view metadata.
- The notebook's metadata records what its outputs were computed from (see
  ``tools/provenance.py``); ``tests/test_notebooks.py`` fails when that changes.
- The client is ``tools/notebook_client.py``'s, which cannot stall on a widget cell.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient.util import ensure_async, run_sync

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provenance  # noqa: E402
import tidy_notebooks  # noqa: E402
from notebook_client import ReliableNotebookClient  # noqa: E402

ROOT = provenance.ROOT
SCALES = ("quick", "full")
CELL_TIMEOUT = 900  # seconds a cell may run (a full-scale training cell is the longest)
# Seconds the outputs may trail the reply. nbclient's default (4 s, then a warning)
# would store a cell without its last outputs on a loaded machine; here it is an error.
IOPUB_TIMEOUT = 60

# Run silently in the kernel before the first cell: remember every repository file the
# kernel opens for reading (an audit hook sees every open, whoever calls it).
RECORD_READS = """
def _record_reads(root):
    import os
    import sys

    reads = sys._dlcourse_reads = set()
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND

    def hook(event, args):
        if event != "open":
            return
        try:
            path, mode, flags = args
            if isinstance(path, int):
                return
            if isinstance(mode, str) and any(flag in mode for flag in "wax+"):
                return
            if mode is None and flags & writes:
                return
            path = os.path.abspath(os.fsdecode(path))
            if path.startswith(root):
                reads.add(os.path.relpath(path, root))
        except Exception:
            pass

    sys.addaudithook(hook)


_record_reads({root!r})
del _record_reads
"""
# Evaluated silently after the last cell.
REPORT = (
    "__import__('json').dumps({"
    "'modules': sorted(name for name in __import__('sys').modules"
    " if name == 'dlcourse' or name.startswith('dlcourse.')),"
    "'reads': sorted(getattr(__import__('sys'), '_dlcourse_reads', ())),"
    "'scale': __import__('os').environ.get('DLCOURSE_SCALE')})"
)
IGNORED_READS = (".venv", ".git", "_build", "dlcourse")  # dlcourse: hashed as modules


class ExecutingClient(ReliableNotebookClient):
    """The reliable client, plus the record of what the outputs were computed from."""

    report: dict[str, Any] | None = None

    async def _silent(self, code: str, **expressions: str) -> dict[str, Any]:
        msg_id = await ensure_async(
            self.kc.execute(
                code,
                silent=True,
                store_history=False,
                user_expressions=expressions,
                stop_on_error=True,
            )
        )
        reply = await self.async_wait_for_reply(msg_id)
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"provenance probe failed: {content.get('evalue')}")
        return content.get("user_expressions", {})

    async def async_execute(self, reset_kc: bool = False, **kwargs: Any) -> Any:
        """nbclient's ``async_execute``, with the probes before and after the cells."""
        if reset_kc and self.owns_km:
            await self._async_cleanup_kernel()
        self.reset_execution_trackers()
        async with self.async_setup_kernel(**kwargs):
            info = await self.async_wait_for_reply(
                await ensure_async(self.kc.kernel_info())
            )
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            await self._silent(RECORD_READS.format(root=str(ROOT) + os.sep))
            for index, cell in enumerate(self.nb.cells):
                await self.async_execute_cell(
                    cell, index, execution_count=self.code_cells_executed + 1
                )
            result = await self._silent("", report=REPORT)
            text = result["report"]["data"]["text/plain"]
            self.report = json.loads(ast.literal_eval(text))
            self.set_widgets_metadata()
        return self.nb

    execute = run_sync(async_execute)


def execute(path: Path, scale: str = "quick") -> float:
    """Run ``path`` top to bottom at ``scale`` and save it; return the wall seconds."""
    os.environ["DLCOURSE_SCALE"] = scale  # the kernel inherits this environment
    notebook = nbformat.read(path, as_version=4)
    client = ExecutingClient(
        notebook,
        timeout=CELL_TIMEOUT,
        iopub_timeout=IOPUB_TIMEOUT,
        raise_on_iopub_timeout=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
        allow_errors=False,
    )
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    report = client.report
    reads = [
        name
        for name in report["reads"]
        if name.split(os.sep, 1)[0] not in IGNORED_READS
        and "__pycache__" not in name
        and not name.endswith(".ipynb")
    ]
    block = provenance.fingerprint(
        notebook, scale=report["scale"], modules=report["modules"], files=reads
    )
    provenance.record(notebook, block)
    tidy_notebooks.tidy(notebook)  # JupyterLab's view of the tags (folded solutions)
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK")
    parser.add_argument(
        "--scale",
        choices=SCALES,
        default="quick",
        help="DLCOURSE_SCALE for the kernel (default quick, whatever the shell says)",
    )
    options = parser.parse_args(argv)
    if not options.notebooks:
        parser.print_usage(sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in options.notebooks:
        seconds = execute(Path(name), options.scale)
        print(f"{name}: executed in {seconds:.1f} s (scale {options.scale})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
