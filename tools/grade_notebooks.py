"""Grade a folder of learners' notebooks with the course's own checkers (``make
grade``).

Each submitted notebook (a chapter, with the learner's answers in its stub cells) is run
top to bottom in a fresh kernel, errors allowed, so that one broken cell costs only the
exercises that depend on it. Then, in the same kernel, every check the notebook makes
(``exercises.<name>.check(<answer>)``) is made again on the learner's final answers, and
the result is recorded: correct, incorrect, not done, or checker error, with the
checker's message. The report is written as CSV and as Markdown.

    python tools/grade_notebooks.py SUBMISSIONS/ --report grades
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_client import ReliableNotebookClient  # noqa: E402

CHECK_CALL = re.compile(r"\bexercises\.(?P<name>\w+)\.check\((?P<answer>[^()]*)\)")
EXERCISES_IMPORT = re.compile(
    r"from dlcourse\.exercises import (?P<module>\w+) as exercises"
)
MARKER = "DLCOURSE-GRADES "
GRADING_CELL = """\
import json as _json

_grades = []
for _name, _expression in {checks!r}:
    try:
        _answer = eval(_expression) if _expression.strip() else ...
    except NameError:
        _answer = ...
    except BaseException as _error:  # the learner's expression itself fails
        _grades.append([_name, "incorrect", f"{{type(_error).__name__}}: {{_error}}"])
        continue
    _result = getattr(exercises, _name).check(_answer)
    _grades.append([_name, _result.status, _result.message])
print({marker!r} + _json.dumps(_grades))
"""


@dataclass(frozen=True)
class Grade:
    """One exercise of one submission."""

    submission: str
    exercise: str
    status: str
    message: str


def checks_in(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """The exercises a notebook checks, each with the expression it passes, in order."""
    found: dict[str, str] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for match in CHECK_CALL.finditer(cell.source):
            found.setdefault(match.group("name"), match.group("answer"))
    return list(found.items())


def grade(path: Path, *, timeout: int = 600) -> list[Grade]:
    """Run one submission and check each of its exercises on the learner's answers."""
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    checks = checks_in(notebook)
    if not EXERCISES_IMPORT.search(code) or not checks:
        return [Grade(path.name, "-", "not gradable", "no course exercises found")]
    notebook.cells.append(
        nbformat.v4.new_code_cell(GRADING_CELL.format(checks=checks, marker=MARKER))
    )
    client = ReliableNotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    os.environ["DLCOURSE_SCALE"] = (
        "quick"  # grade at the scale the stubs were written for
    )
    try:
        client.execute()
    except Exception as error:  # the kernel died or a cell timed out
        message = f"the notebook did not run to the end: {type(error).__name__}"
        return [Grade(path.name, name, "not graded", message) for name, _ in checks]
    text = "".join(
        output.get("text", "")
        for output in notebook.cells[-1].outputs
        if output.get("output_type") == "stream"
    )
    line = next((t for t in text.splitlines() if t.startswith(MARKER)), None)
    if line is None:
        return [
            Grade(path.name, name, "not graded", "the checks did not run")
            for name, _ in checks
        ]
    return [Grade(path.name, *row) for row in json.loads(line[len(MARKER) :])]


def write_report(grades: list[Grade], report: Path) -> tuple[Path, Path]:
    """Write ``report.csv`` and ``report.md``; return their paths."""
    report.parent.mkdir(parents=True, exist_ok=True)
    csv_path, markdown_path = report.with_suffix(".csv"), report.with_suffix(".md")
    with csv_path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["submission", "exercise", "status", "message"])
        for g in grades:
            writer.writerow([g.submission, g.exercise, g.status, g.message])
    lines = ["| submission | exercise | status | message |", "|---|---|---|---|"]
    for g in grades:
        message = g.message.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {g.submission} | {g.exercise} | {g.status} | {message} |")
    submissions = sorted({g.submission for g in grades})
    lines += ["", "| submission | correct | of |", "|---|---:|---:|"]
    for name in submissions:
        own = [g for g in grades if g.submission == name]
        lines.append(
            f"| {name} | {sum(g.status == 'correct' for g in own)} | {len(own)} |"
        )
    markdown_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return csv_path, markdown_path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="a folder of .ipynb files")
    parser.add_argument("--report", type=Path, default=Path("_build/grades/report"))
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    arguments = parser.parse_args(argv)
    paths = sorted(arguments.submissions.rglob("*.ipynb"))
    if not paths:
        print(f"no notebooks in {arguments.submissions}", file=sys.stderr)
        return 2
    grades = []
    for path in paths:
        print(f"grading {path.name} ...", flush=True)
        grades += grade(path, timeout=arguments.timeout)
    csv_path, markdown_path = write_report(grades, arguments.report)
    print(markdown_path.read_text(encoding="utf-8"))
    print(f"report: {csv_path} and {markdown_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
