"""Set the cell metadata that makes a chapter read well in JupyterLab.

The site folds solutions and hides the inputs of cells tagged ``remove-input``;
JupyterLab knows nothing of those tags. This sets JupyterLab's own metadata so that a
learner who opens the notebook sees the same thing:

* a cell tagged ``remove-input``: its code is collapsed (``jupyter.source_hidden``);
* a code cell inside a gated solution (between ``{solution-start}`` and
  ``{solution-end}``): code and output collapsed (``source_hidden`` and
  ``outputs_hidden``), so the solution is out of view until the learner opens it.

Notebook execution runs it; by hand: ``python tools/tidy_notebooks.py NOTEBOOK...``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

SOLUTION_START = re.compile(r"^[`:]{3,}\{solution-start\}", re.M)
SOLUTION_END = re.compile(r"^[`:]{3,}\{solution-end\}", re.M)
EXERCISE_START = re.compile(r"^[`:]{3,}\{exercise-start\}", re.M)
EXERCISE_END = re.compile(r"^[`:]{3,}\{exercise-end\}", re.M)


def code_cells_between(
    notebook: nbformat.NotebookNode, start: re.Pattern, end: re.Pattern
) -> list[int]:
    """Indices of the code cells between markdown cells matching ``start``, ``end``."""
    inside, found = False, []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            if start.search(cell.source):
                inside = True
            if end.search(cell.source):
                inside = False
        elif inside:
            found.append(index)
    return found


def solution_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of the code cells that lie inside gated solutions."""
    return code_cells_between(notebook, SOLUTION_START, SOLUTION_END)


def tidy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Set the JupyterLab view metadata of every cell in place; return the notebook."""
    in_solution = set(solution_cells(notebook))
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        view = dict(cell.metadata.get("jupyter", {}))
        view.pop("source_hidden", None)
        view.pop("outputs_hidden", None)
        if index in in_solution:
            view.update(source_hidden=True, outputs_hidden=True)
        elif "remove-input" in cell.metadata.get("tags", []):
            view["source_hidden"] = True
        if view:
            cell.metadata["jupyter"] = view
        else:
            cell.metadata.pop("jupyter", None)
    return notebook


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(tidy(notebook), path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
