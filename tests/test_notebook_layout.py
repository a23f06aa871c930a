"""Chapters read well in JupyterLab, and Run All keeps the learners' answers."""

from __future__ import annotations

import ast
import copy
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import tidy_notebooks  # noqa: E402
from toc_notebooks import toc_notebooks  # noqa: E402

NOTEBOOKS = [path for path in toc_notebooks() if path.suffix == ".ipynb"]


def _defined_names(source: str) -> set[str]:
    """Names a cell binds at top level (functions, classes, assignments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_jupyterlab_metadata_matches_the_tags(path):
    notebook = nbformat.read(ROOT / path, as_version=4)
    tidy = tidy_notebooks.tidy(copy.deepcopy(notebook))
    for index, (stored, wanted) in enumerate(
        zip(notebook.cells, tidy.cells, strict=True)
    ):
        assert stored.metadata.get("jupyter") == wanted.metadata.get("jupyter"), (
            f"{path} cell {index}: JupyterLab would not fold it as the site does; "
            f"run `python tools/tidy_notebooks.py {path}` (execution does it too)"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_solutions_never_overwrite_the_learners_answers(path):
    notebook = nbformat.read(ROOT / path, as_version=4)
    answers = set()
    exercises = tidy_notebooks.code_cells_between(
        notebook, tidy_notebooks.EXERCISE_START, tidy_notebooks.EXERCISE_END
    )
    for index in exercises:
        answers |= _defined_names(notebook.cells[index].source)
    for index in tidy_notebooks.solution_cells(notebook):
        clash = _defined_names(notebook.cells[index].source) & answers
        assert not clash, (
            f"{path} cell {index}: the solution cell redefines {sorted(clash)}, so "
            "Run All would replace the learner's answer; show the solution with "
            "`exercises.<name>.solution()` instead"
        )


def test_tidy_folds_solutions_and_hidden_inputs():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_markdown_cell("```{solution-start} a\n:class: dropdown\n```"),
        nbformat.v4.new_code_cell("exercises.a.solution()"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        nbformat.v4.new_code_cell("y = 2"),
    ]
    tidy_notebooks.tidy(notebook)
    assert notebook.cells[0].metadata["jupyter"] == {"source_hidden": True}
    assert notebook.cells[2].metadata["jupyter"] == {
        "source_hidden": True,
        "outputs_hidden": True,
    }
    assert "jupyter" not in notebook.cells[4].metadata
