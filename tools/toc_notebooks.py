"""Print the notebooks _toc.yml lists, one a line, in book order (for the Makefile)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def toc_notebooks() -> list[Path]:
    """The ``.ipynb`` files the table of contents names, relative to the root."""
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    found = []
    for entry in re.findall(r"(?:file|root):\s*([^\s#]+)", text):
        path = Path(entry if entry.endswith(".ipynb") else entry + ".ipynb")
        if (ROOT / path).is_file():
            found.append(path)
    return found


if __name__ == "__main__":
    print("\n".join(str(p) for p in toc_notebooks()))
    sys.exit(0)
