"""Results files: written with their provenance, read back, and current with their
code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlcourse import results

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "results").glob("*.json"))


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    folder = tmp_path / "results"
    monkeypatch.setattr(results, "results_directory", lambda: folder)
    script = tmp_path / "make_example.py"
    script.write_text("print('example')\n")
    return script


def test_save_records_provenance_and_load_reads_the_data(scratch):
    path = results.save(
        "example", {"accuracy": [0.9, 0.91]}, command="make results", script=scratch
    )
    assert path.name == "example.json"
    assert results.load("example") == {"accuracy": [0.9, 0.91]}
    record = results.provenance("example")
    assert record["command"] == "make results"
    assert {"date", "machine", "versions", "code", "fingerprint"} <= set(record)
    assert "numpy" in record["versions"]
    assert results.is_current("example")


def test_a_changed_script_makes_the_file_stale(scratch):
    results.save("example", {"x": 1}, command="make results", script=scratch)
    scratch.write_text("print('changed')\n")
    assert not results.is_current("example")


def test_bad_names_and_data_are_refused(scratch):
    with pytest.raises(ValueError, match="`name`"):
        results.save("../escape", {}, command="c", script=scratch)
    with pytest.raises(TypeError, match="`data`"):
        results.save("example", [1, 2], command="c", script=scratch)
    with pytest.raises(ValueError, match="`script`"):
        results.save(
            "example", {"x": 1}, command="c", script=scratch.parent / "missing.py"
        )
    with pytest.raises(ValueError, match="`data`"):
        results.save("example", {"x": float("nan")}, command="c", script=scratch)
    with pytest.raises(FileNotFoundError, match="make results"):
        results.load("never_written")


def test_every_committed_results_file_is_current():
    for path in FILES:
        record = json.loads(path.read_text())
        script = ROOT / "results" / f"make_{path.stem}.py"
        assert script.is_file(), f"results/{path.name}: no script makes this file"
        assert record["provenance"]["command"], f"results/{path.name}: no command"
        assert results.is_current(path.stem), (
            f"results/{path.name} was computed by code that has changed since: "
            f"run `make results` (or `python results/make_{path.stem}.py`)"
        )


def test_modules_that_compute_nothing_are_left_out_of_the_fingerprint():
    assert results._computes("dlcourse.reference.rnn")
    assert results._computes("dlcourse.keras_parts.cnn")
    assert not results._computes("dlcourse.reference._rnn_checks")
    assert not results._computes("dlcourse.plots")
    assert not results._computes("dlcourse.exercises.rnn")


def test_a_reworded_docstring_or_comment_keeps_the_file_current(scratch):
    scratch.write_text('"""Old words."""\nprint(1)  # why\n')
    results.save("example", {"x": 1}, command="make results", script=scratch)
    scratch.write_text('"""New words."""\nprint(1)  # another why\n')
    assert results.is_current("example")
    scratch.write_text('"""New words."""\nprint(2)\n')
    assert not results.is_current("example")
