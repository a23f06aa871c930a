"""The student edition has no solutions; the grader tells right, wrong, empty apart."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse.exercises import toolkit
from dlcourse.exercises.framework import Exercise

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import grade_notebooks  # noqa: E402
import student_edition  # noqa: E402

TOOLKIT_EXERCISES = [v for v in vars(toolkit).values() if isinstance(v, Exercise)]


def _markdown(text):
    return nbformat.v4.new_markdown_cell(text)


def _code(text):
    return nbformat.v4.new_code_cell(text)


def test_strip_notebook_removes_gated_and_plain_solutions_only():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        _markdown("```{exercise-start}\n:label: a\n```\nDo it."),
        _code("def f(x):\n    ...\n"),
        _markdown("```{exercise-end}\n```"),
        _markdown("```{solution-start} a\n:class: dropdown\n```\nWhy it works."),
        _code("exercises.f.solution()"),
        _markdown("```{solution-end}\n```\n\nText after the solution."),
        _markdown(
            "```{exercise}\n:label: b\nThink.\n```\n\n"
            "```{solution} b\n:class: dropdown\nBecause.\n```\n"
        ),
    ]
    assert student_edition.strip_notebook(notebook) == 2
    text = "\n".join(cell.source for cell in notebook.cells)
    assert (
        "{solution" not in text
        and "Because." not in text
        and "Why it works" not in text
    )
    assert "Do it." in text and "Think." in text and "Text after the solution." in text
    assert "def f(x)" in text


def test_the_student_edition_of_the_course_has_no_solution(tmp_path):
    removed = student_edition.build(tmp_path / "student")
    assert sum(removed.values()) >= 20
    for path in (tmp_path / "student" / "chapters").glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        original = nbformat.read(ROOT / "chapters" / path.name, as_version=4)
        directives = [
            c.source
            for c in notebook.cells
            if re.search(r"^[`:]{3,}\{solution", c.source, re.M)
        ]
        calls = [
            c.source
            for c in notebook.cells
            if c.cell_type == "code" and ".solution()" in c.source
        ]
        assert not directives and not calls, path.name
        exercises = [c for c in original.cells if "{exercise" in c.source]
        assert len([c for c in notebook.cells if "{exercise" in c.source]) == len(
            exercises
        )


def _submission(kind: str) -> nbformat.NotebookNode:
    """A small notebook answering the toolkit's exercises rightly, wrongly, or not at
    all."""
    cells = [
        _code("import numpy as np\nfrom dlcourse.exercises import toolkit as exercises")
    ]
    for exercise in TOOLKIT_EXERCISES:
        name, answer = exercise.name, exercise.answer
        if kind == "right" and callable(answer):
            cells.append(_code(f"{name} = exercises.{name}.answer"))
        elif kind == "right":
            cells.append(_code(f"{name} = {answer!r}"))
        elif kind == "wrong" and callable(answer):
            cells.append(_code(f"def {name}(*arguments):\n    return np.zeros(1)"))
        elif kind == "wrong":
            cells.append(_code(f"{name} = -1"))
        elif callable(answer):
            cells.append(_code(f"def {name}(*arguments):\n    ..."))
        else:
            cells.append(_code(f"{name} = ...  # your answer"))
        cells.append(_code(f"exercises.{name}.check({name})"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return notebook


@pytest.mark.slow
def test_the_grader_reports_right_wrong_and_empty_answers(tmp_path):
    assert TOOLKIT_EXERCISES
    folder = tmp_path / "submissions"
    folder.mkdir()
    for kind in ("right", "wrong", "empty"):
        nbformat.write(_submission(kind), folder / f"{kind}.ipynb")
    grades = []
    for path in sorted(folder.glob("*.ipynb")):
        grades += grade_notebooks.grade(path, timeout=120)
    statuses = {(g.submission, g.exercise): g.status for g in grades}
    for exercise in TOOLKIT_EXERCISES:
        assert statuses["right.ipynb", exercise.name] == "correct"
        assert statuses["wrong.ipynb", exercise.name] == "incorrect"
        assert statuses["empty.ipynb", exercise.name] == "not done"
    csv_path, markdown_path = grade_notebooks.write_report(grades, tmp_path / "report")
    assert (
        "right.ipynb" in csv_path.read_text()
        and "| empty.ipynb |" in markdown_path.read_text()
    )
