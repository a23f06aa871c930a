"""The course-wide results table: its file, and the appendix page that prints it.

Reads the committed ``results/course_table.json`` and the stored outputs of
``appendix/course_table.ipynb``; trains nothing and runs no kernel.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from dlcourse import results

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "appendix" / "course_table.ipynb"
SEEDS = [0, 1, 2]
#: Every model of every chapter on the two shared tasks (the brief of the table).
MODELS = {
    "vowels": {
        "logistic regression (mean frame)",
        "logistic regression (resampled frames)",
        "SimpleRNN(32)",
        "LSTM(32)",
        "GRU(32)",
        "1-D CNN",
        "DSN, random lower weights",
        "ELM, width of the DSN",
    },
    "mnist": {
        "logistic regression (pixels)",
        "ReLU MLP",
        "LeNet-style CNN",
        "DBN (2 RBMs, fine-tuned)",
        "DSN, random lower weights",
        "ELM, width of the DSN",
        "GRU(64) over rows",
    },
}
TEST_EXAMPLES = {"vowels": 370, "mnist": 1000}


@pytest.fixture(scope="module")
def table() -> dict:
    return results.load("course_table")


def test_the_file_records_where_it_came_from():
    record = results.provenance("course_table")
    for key in ("command", "date", "machine", "versions", "code", "fingerprint"):
        assert record[key], f"provenance has no {key}"
    assert "results/make_course_table.py" in record["code"]


def test_every_model_of_both_tasks_has_three_seeds(table):
    assert table["seeds"] == SEEDS
    assert table["test_examples"] == TEST_EXAMPLES
    assert set(table["tasks"]) == set(MODELS)
    for task, models in MODELS.items():
        assert set(table["tasks"][task]) == models, task
        for name, row in table["tasks"][task].items():
            where = f"{task}/{name}"
            assert len(row["accuracy"]) == len(SEEDS), where
            assert len(row["per_seed"]) == len(SEEDS), where
            for value in row["accuracy"]:
                assert 0.0 <= value <= 1.0, where
                # an accuracy on n test examples is a whole number of them over n
                correct = value * TEST_EXAMPLES[task]
                assert abs(correct - round(correct)) < 1e-6, where


def test_the_summary_columns_follow_from_the_seeds(table):
    for task, rows in table["tasks"].items():
        for name, row in rows.items():
            where = f"{task}/{name}"
            assert math.isclose(row["mean"], np.mean(row["accuracy"])), where
            assert math.isclose(
                row["std"], np.std(row["accuracy"], ddof=1), abs_tol=1e-12
            ), where
            assert isinstance(row["parameters"], int) and row["parameters"] > 0, where
            assert row["seconds"] > 0, where
    assert table["settings"]["vowels"] and table["settings"]["mnist"]
    assert any("load" in note for note in table["notes"]), "timings' load not noted"


def _outputs(notebook: dict, call: str) -> str:
    for cell in notebook["cells"]:
        lines = "".join(cell["source"]).strip().splitlines()
        if cell["cell_type"] == "code" and lines and lines[-1] == call:
            return "".join(
                "".join(output.get("text", ""))
                for output in cell.get("outputs", [])
                if output.get("output_type") == "stream"
            )
    raise AssertionError(f"no cell of the page ends with `{call}`")


@pytest.mark.parametrize("task", sorted(MODELS))
def test_the_page_prints_the_table_of_the_file(table, task):
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    call = f'show("{task}")'
    lines = _outputs(notebook, call).splitlines()
    rows = table["tasks"][task]
    assert len(lines) == 1 + len(rows), "a header and one line per model"
    for name, row in rows.items():
        printed = [line for line in lines if line.startswith(name + " ")]
        assert len(printed) == 1, f"{task}/{name} is not printed once"
        numbers = re.findall(r"[\d,]+\.?\d*", printed[0][len(name) :])
        mean, std, parameters, seconds = numbers[:4]
        assert mean == f"{100 * row['mean']:.1f}", f"{task}/{name}: mean"
        assert std == f"{100 * row['std']:.1f}", f"{task}/{name}: spread"
        assert parameters == f"{row['parameters']:,d}", f"{task}/{name}: parameters"
        assert seconds == f"{row['seconds']:.1f}", f"{task}/{name}: seconds"


def test_the_page_stands_in_the_appendix_before_the_api():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "appendix/course_table" in toc
    assert toc.index("appendix/course_table") < toc.index("appendix/api")
    assert toc.index("caption: Appendix") < toc.index("appendix/course_table")
