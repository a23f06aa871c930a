"""Static checks of every notebook in the table of contents.

Executed, current, clean, widgets saved, template kept. These read the stored notebooks
(no kernel); nbval re-runs them in `make test-notebooks`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_cell  # noqa: E402
import provenance  # noqa: E402
from toc_notebooks import toc_notebooks  # noqa: E402

NOTEBOOKS = toc_notebooks()
# The chapters follow the template; other notebooks (an appendix table) only need to be
# executed, current and clean.
CHAPTERS = [path for path in NOTEBOOKS if path.parts[0] == "chapters"]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The template's sections, in order (guide §2); Chapter 0 has no "Uses" section.
SECTIONS = [
    "Setup",
    "The idea",
    "From scratch",
    "Build and train",
    "Look inside",
    "Interactive demo",
    "Uses",
    "Summary",
    "Exercises",
    "References",
]


def load(path: Path) -> dict:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell: dict) -> str:
    return (
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    )


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def test_the_toc_names_at_least_the_toolkit():
    assert Path("chapters/00_toolkit.ipynb") in NOTEBOOKS
    toc = (ROOT / "_toc.yml").read_text()
    for entry in re.findall(r"file:\s*([^\s#]+)", toc):
        assert (ROOT / f"{entry}.ipynb").is_file() or (
            ROOT / f"{entry}.md"
        ).is_file(), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_executed_in_order_without_errors_or_stderr(path):
    notebook = load(path)
    cells = code_cells(notebook)
    counts = [cell["execution_count"] for cell in cells]
    assert all(count is not None for count in counts), (
        "some code cells were never executed: run `make notebooks`"
    )
    assert counts == sorted(counts) and len(set(counts)) == len(counts), (
        "cells were not run top to bottom once"
    )
    for cell in cells:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", (
                f"error output stored: {output.get('ename')}"
            )
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", (
                    f"stderr output stored: {output['text'][:200]!r}"
                )
                assert "\x08" not in "".join(output["text"]), (
                    "Keras's progress bar leaked into the output"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_stored_outputs_are_current(path):
    """The code cells, the dlcourse modules and the files the outputs came from are
    unchanged since the notebook was executed, at the quick scale."""
    reasons = provenance.stale_reasons(load(path))
    assert not reasons, (
        f"{path} is stale: {'; '.join(reasons)}. Re-execute it: "
        f"`{provenance.rerun_command(path)}` "
        f"(or `python tools/execute_notebooks.py {path}`)"
    )


# A cell that checks an exercise: its call, or the text of a stored CheckResult.
CHECK_CALL = re.compile(r"\bexercises\.\w+\.check\(")
CHECK_OUTPUT = re.compile(r"(✓ Correct|✗ Incorrect|… Not done yet|⚠ Checker error) \(")


def output_texts(cell: dict) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        texts.append("".join(text) if isinstance(text, list) else text)
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_every_checker_output_is_compared_by_nbval(path):
    """nbval (lax) compares only tagged cells: an untagged check cell could keep a
    stale message ("Incorrect" for an untouched stub) without CI noticing."""
    untagged, checker_errors = [], []
    for index, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        texts = output_texts(cell)
        if CHECK_CALL.search(source(cell)) or any(CHECK_OUTPUT.match(t) for t in texts):
            if "nbval-check-output" not in tags(cell):
                untagged.append(index)
        if any(text.startswith("⚠ Checker error") for text in texts):
            checker_errors.append(index)
    assert not untagged, (
        f"cells {untagged} check an exercise but lack the nbval-check-output tag"
    )
    assert not checker_errors, f"cells {checker_errors} store a checker error"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_widget_state_is_saved_for_every_widget_shown(path):
    notebook = load(path)
    views = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in code_cells(notebook)
        for output in cell["outputs"]
        if WIDGET_VIEW in output.get("data", {})
    ]
    if not views:
        pytest.skip("no widget in this notebook")
    state = (
        notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    )
    assert state, (
        "widgets shown but no widget state saved: the site would show them blank"
    )
    for model_id in views:
        assert model_id in state, f"widget {model_id} has no saved state"


@pytest.mark.parametrize("path", CHAPTERS, ids=str)
def test_follows_the_chapter_template(path):
    notebook = load(path)
    markdown = [
        source(cell) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    ]
    assert re.match(r"\(([\w-]+)\)=\n# ", markdown[0]), (
        "the first cell must start with a label and the title"
    )
    headings = [
        line[3:].strip()
        for text in markdown
        for line in text.splitlines()
        if line.startswith("## ")
    ]
    expected = [
        s for s in SECTIONS if not (s == "Uses" and path.name.startswith("00_"))
    ]
    positions = []
    for section in expected:
        matches = [
            i for i, heading in enumerate(headings) if heading.startswith(section)
        ]
        assert matches, f"section '## {section}' is missing; headings are {headings}"
        positions.append(matches[0])
    assert positions == sorted(positions), f"sections out of order: {headings}"
    cells = code_cells(notebook)
    assert source(cells[0]) == colab_cell.cell_source(), (
        "the first code cell must be the Colab set-up cell: "
        f"run `python tools/colab_cell.py {path}`"
    )
    assert "remove-cell" in tags(cells[0]), "hide the Colab set-up cell on the site"
    setup = source(cells[1])
    assert setup.index("TF_CPP_MIN_LOG_LEVEL") < setup.index("import keras"), (
        "silence TensorFlow before importing"
    )
    assert "set_seed(" in setup and "import *" not in setup
    assert any("nbval-check-output" in tags(cell) for cell in cells), (
        "no cell's output is checked by nbval"
    )
    checks = [
        cell
        for cell in cells
        if "remove-cell" in tags(cell) and "assert" in source(cell)
    ]
    assert checks, "no hidden check cell asserts the prose's claims"
    assert "footbibliography" in "".join(markdown), (
        "the References section needs a {footbibliography}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=str)
def test_exercises_have_checkers_and_folded_solutions(path):
    text = "".join(
        source(cell) for cell in load(path)["cells"] if cell["cell_type"] == "markdown"
    )
    coding = len(re.findall(r"\{exercise-start\}", text))
    exercises = coding + len(re.findall(r"```\{exercise\}", text))
    minimum = 2 if path.name.startswith("00_") else 4
    assert exercises >= minimum, f"{exercises} exercises, at least {minimum} wanted"
    assert coding >= 2, "at least two coding exercises with checkers"
    solutions = re.findall(r"\{solution(?:-start)?\}[^\n]*\n:class: dropdown", text)
    assert len(solutions) >= exercises, (
        "every exercise needs a solution folded away (:class: dropdown)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_small_and_free_of_machine_paths(path):
    raw = (ROOT / path).read_text(encoding="utf-8")
    assert len(raw) < 4_000_000, (
        f"{len(raw) / 1e6:.1f} MB: keep figures fewer and smaller"
    )
    for marker in ("/root/", "/tmp/", "/home/", "/work/", "site-packages"):
        assert marker not in raw, (
            f"the stored notebook mentions a machine path ({marker})"
        )


def _tiny_repository(tmp_path: Path) -> tuple[dict, Path]:
    """A notebook of two code cells that used one dlcourse module and one data file."""
    (tmp_path / "dlcourse").mkdir(exist_ok=True)
    (tmp_path / "dlcourse" / "__init__.py").write_text("")
    (tmp_path / "dlcourse" / "core.py").write_text("def f(x):\n    return x\n")
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "numbers.csv").write_text("1,2\n")
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# A title"},
            {
                "cell_type": "code",
                "metadata": {},
                "source": "from dlcourse import core",
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["nbval-check-output"]},
                "source": ["core.f(", "2)"],
            },
        ],
        "metadata": {},
    }
    block = provenance.fingerprint(
        notebook,
        scale="quick",
        modules=["dlcourse", "dlcourse.core", "dlcourse.compiled_elsewhere"],
        files=["data/numbers.csv"],
        root=tmp_path,
    )
    provenance.record(notebook, block)
    return notebook, tmp_path


def test_a_freshly_executed_notebook_is_current(tmp_path):
    notebook, root = _tiny_repository(tmp_path)
    assert provenance.stale_reasons(notebook, root) == []


def test_a_changed_code_cell_or_tag_makes_a_notebook_stale(tmp_path):
    notebook, root = _tiny_repository(tmp_path)
    notebook["cells"][2]["source"] = "core.f(3)"
    assert provenance.stale_reasons(notebook, root) == ["cell 2 changed"]
    notebook, root = _tiny_repository(tmp_path)
    notebook["cells"][1]["metadata"]["tags"] = ["remove-cell"]
    assert provenance.stale_reasons(notebook, root) == ["cell 1 changed"]
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "source": "1"})
    assert provenance.stale_reasons(notebook, root) == [
        "2 code cells when executed, 3 now"
    ]


def test_markdown_alone_does_not_make_a_notebook_stale(tmp_path):
    notebook, root = _tiny_repository(tmp_path)
    notebook["cells"][0]["source"] = "# Another title"
    assert provenance.stale_reasons(notebook, root) == []


def test_a_changed_module_or_data_file_makes_a_notebook_stale(tmp_path):
    notebook, root = _tiny_repository(tmp_path)
    (root / "dlcourse" / "core.py").write_text("def f(x):\n    return 2 * x\n")
    (root / "data" / "numbers.csv").write_text("1,3\n")
    assert provenance.stale_reasons(notebook, root) == [
        "dlcourse/core.py changed",
        "data/numbers.csv changed",
    ]
    (root / "dlcourse" / "core.py").unlink()
    assert "module dlcourse.core no longer exists" in provenance.stale_reasons(
        notebook, root
    )


def test_another_scale_or_no_fingerprint_makes_a_notebook_stale(tmp_path):
    notebook, root = _tiny_repository(tmp_path)
    notebook["metadata"]["dlcourse"]["execution"]["scale"] = "full"
    assert provenance.stale_reasons(notebook, root) == [
        "executed at scale 'full', not 'quick'"
    ]
    del notebook["metadata"]["dlcourse"]
    assert provenance.stale_reasons(notebook, root)[0].startswith(
        "no execution fingerprint"
    )


def test_the_staleness_message_names_the_command_to_run():
    assert provenance.rerun_command("chapters/03_cnn.ipynb") == (
        "make chapter CHAPTER=chapters/03_cnn.ipynb"
    )
    assert "\nchapter:" in (ROOT / "Makefile").read_text()
