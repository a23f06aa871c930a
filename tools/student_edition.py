"""Build the student edition: the course without its solutions (``make student``).

An instructor who hands out the exercises wants the notebooks, and a site, with every
solution taken out and nothing else changed. This script copies the book's sources into
``--out`` (default ``_build/student``) and removes, in every notebook and Markdown page:

* each gated solution, from the cell that opens ``{solution-start}`` to the cell that
  closes it with ``{solution-end}``, both included;
* each plain ``{solution}`` directive, fenced with backticks or colons.

With ``--site`` it then builds the student site into ``<out>/_build/html`` with the same
strict settings as the course's own. The exercises' check cells stay, so a learner can
still check an answer; the checkers themselves live in the installed ``dlcourse``
package.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from tidy_notebooks import SOLUTION_END, SOLUTION_START

ROOT = Path(__file__).resolve().parent.parent
#: What the book is built from (the rest of the repository is code, tests and tooling).
BOOK_SOURCES = [
    "_config.yml",
    "_toc.yml",
    "_ext",
    "intro.md",
    "chapters",
    "appendix",
    "images",
    "references.bib",
]
PLAIN_SOLUTION = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)[ \t]*$\n?", re.M | re.S
)


def strip_markdown(text: str) -> str:
    """Remove every plain ``{solution}`` directive from a Markdown text."""
    return PLAIN_SOLUTION.sub("", text)


def strip_notebook(notebook: nbformat.NotebookNode) -> int:
    """Remove every solution from ``notebook`` in place; return how many were
    removed."""
    kept, removed, inside = [], 0, False
    for cell in notebook.cells:
        source = cell.source
        if cell.cell_type == "markdown" and SOLUTION_START.search(source):
            before = source[: SOLUTION_START.search(source).start()].strip()
            if before:  # text before the solution, in the same cell, stays
                kept.append(nbformat.v4.new_markdown_cell(before))
            inside, removed = True, removed + 1
        if inside:
            if cell.cell_type == "markdown" and SOLUTION_END.search(source):
                inside = False
                after = source[SOLUTION_END.search(source).end() :].split("\n", 1)
                rest = after[1].strip() if len(after) > 1 else ""
                if rest:
                    kept.append(nbformat.v4.new_markdown_cell(rest))
            continue
        if cell.cell_type == "markdown":
            stripped = strip_markdown(source)
            removed += len(PLAIN_SOLUTION.findall(source))
            if not stripped.strip():
                continue
            cell.source = stripped
        kept.append(cell)
    if inside:
        raise ValueError("a {solution-start} has no {solution-end}")
    notebook.cells = kept
    return removed


def build(out: Path) -> dict[str, int]:
    """Copy the book's sources into ``out`` without solutions; return removals per
    file."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in BOOK_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, out / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, out / name)
    assets = ROOT / "_build" / "web_assets"
    if assets.is_dir():
        shutil.copytree(assets, out / "_build" / "web_assets")
    removed = {}
    for path in sorted(out.rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        removed[path.relative_to(out).as_posix()] = strip_notebook(notebook)
        nbformat.write(notebook, path)
    for path in sorted(out.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        count = len(PLAIN_SOLUTION.findall(text))
        if count:
            path.write_text(strip_markdown(text), encoding="utf-8")
            removed[path.relative_to(out).as_posix()] = count
    return removed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    parser.add_argument(
        "--site", action="store_true", help="also build the student site"
    )
    arguments = parser.parse_args(argv)
    removed = build(arguments.out)
    for name, count in removed.items():
        if count:
            print(f"{name}: {count} solution(s) removed")
    print(f"student edition written to {arguments.out}")
    if arguments.site:
        book = Path(sys.executable).parent / "jupyter-book"
        command = [str(book), "build", str(arguments.out), "-n", "-W", "--keep-going"]
        return subprocess.run(command, check=False).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
