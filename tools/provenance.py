"""What a stored notebook's outputs were computed from, and whether that still holds.

``tools/execute_notebooks.py`` writes, into the notebook's metadata under
``dlcourse.execution``, a fingerprint of everything the outputs depend on that can
change in this repository:

- ``cells``: one short SHA-256 per code cell, of its source and its tags;
- ``modules``: every ``dlcourse`` module the kernel had imported when the last cell
  finished (imports are transitive, lazy ones included), with the SHA-256 of its file;
- ``files``: every other file of the repository the kernel opened for reading (data
  files, results files), with its SHA-256;
- ``scale``: the ``DLCOURSE_SCALE`` the kernel ran with.

:func:`stale_reasons` recomputes the digests from the working tree and says what no
longer matches; ``tests/test_notebooks.py`` fails on any reason, naming the command to
re-run. Only the standard library is used, so the check needs no kernel.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
METADATA_KEY = "dlcourse"  # the course's own part of a notebook's metadata
RECORD_KEY = "execution"  # in it, the fingerprint
STORED_SCALE = "quick"  # the scale of every stored notebook (the site and CI use it)
DIGEST_CHARACTERS = 16  # of a SHA-256 in hexadecimal: enough to tell versions apart


def digest(data: bytes) -> str:
    """The first :data:`DIGEST_CHARACTERS` hexadecimal digits of SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARACTERS]


def cell_source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def code_cell_digests(notebook: dict[str, Any]) -> list[str]:
    """One digest per code cell, in order, of its source and its sorted tags."""
    digests = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = sorted(cell.get("metadata", {}).get("tags", []))
        key = json.dumps([cell_source(cell), tags], ensure_ascii=False)
        digests.append(digest(key.encode("utf-8")))
    return digests


def module_file(name: str, root: Path = ROOT) -> Path | None:
    """The source file of module ``name`` (``dlcourse.x.y``) in ``root``, or None."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def file_digest(path: Path) -> str | None:
    """The digest of the file at ``path``, or None if there is none."""
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def record(notebook: Any, block: dict[str, Any]) -> None:
    """Store ``block`` (from :func:`fingerprint`) in ``notebook``'s metadata."""
    notebook["metadata"].setdefault(METADATA_KEY, {})[RECORD_KEY] = block


def fingerprint(
    notebook: dict[str, Any],
    *,
    scale: str,
    modules: list[str],
    files: list[str],
    root: Path = ROOT,
) -> dict[str, Any]:
    """The metadata block for ``notebook`` executed at ``scale``.

    ``modules`` are the names of the ``dlcourse`` modules the kernel imported; ``files``
    are paths relative to ``root`` of the other repository files it read.
    """
    module_digests = {}
    for name in sorted(set(modules)):
        path = module_file(name, root)
        if path is not None:  # a namespace or generated module has no source to hash
            module_digests[name] = file_digest(path)
    file_digests = {}
    for name in sorted(set(files)):
        value = file_digest(root / name)
        if value is not None:
            file_digests[name] = value
    return {
        "scale": scale,
        "cells": code_cell_digests(notebook),
        "modules": module_digests,
        "files": file_digests,
    }


def rerun_command(path: Path | str) -> str:
    """The command that re-executes the notebook at ``path`` (relative to the root)."""
    return f"make chapter CHAPTER={path}"


def stale_reasons(
    notebook: dict[str, Any], root: Path = ROOT, scale: str = STORED_SCALE
) -> list[str]:
    """Why ``notebook``'s stored outputs may not be what executing it now would give.

    An empty list means the code cells, the ``dlcourse`` modules and the files recorded
    at execution are unchanged and the notebook was executed at ``scale``.
    """
    recorded = notebook.get("metadata", {}).get(METADATA_KEY, {}).get(RECORD_KEY)
    if not isinstance(recorded, dict) or "cells" not in recorded:
        return ["no execution fingerprint (executed before the tool recorded one)"]
    reasons = []
    if recorded.get("scale") != scale:
        reasons.append(f"executed at scale {recorded.get('scale')!r}, not {scale!r}")
    now = code_cell_digests(notebook)
    then = recorded["cells"]
    if len(now) != len(then):
        reasons.append(f"{len(then)} code cells when executed, {len(now)} now")
    else:
        positions = [
            index
            for index, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "code"
        ]
        changed = [
            str(position)
            for position, a, b in zip(positions, now, then, strict=True)
            if a != b
        ]
        if changed:
            more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
            reasons.append(f"cell {', '.join(changed[:5])}{more} changed")
    for name, value in sorted(recorded.get("modules", {}).items()):
        path = module_file(name, root)
        if path is None:
            reasons.append(f"module {name} no longer exists")
        elif file_digest(path) != value:
            reasons.append(f"{path.relative_to(root)} changed")
    for name, value in sorted(recorded.get("files", {}).items()):
        current = file_digest(root / name)
        if current is None:
            reasons.append(f"{name} no longer exists")
        elif current != value:
            reasons.append(f"{name} changed")
    return reasons
