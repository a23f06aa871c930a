"""Results files: the longer runs a chapter quotes, with where they came from.

A chapter runs one seed live in quick mode. Its several-seed tables and full-mode
numbers come from ``results/<name>.json``, written by ``results/make_<name>.py`` through
:func:`save`, which records the command, the date, the machine, the package versions and
a fingerprint of the code that produced the numbers. ``make results`` runs every script;
a notebook reads a file with :func:`load` and prints what it quotes, so the prose stays
bound to it.
"""

from __future__ import annotations

import ast
import datetime as _datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dlcourse._checks import check_str, describe

#: The packages whose versions a results file records.
RECORDED_PACKAGES = (
    "numpy",
    "keras",
    "tensorflow-cpu",
    "scikit-learn",
    "aeon",
    "mlxtend",
)


_COURSE_ROOT = Path(__file__).resolve().parent.parent


def _relative(path: Path) -> str:
    """A source's path from the course's root (as given when it lies elsewhere)."""
    return (
        path.relative_to(_COURSE_ROOT).as_posix()
        if path.is_relative_to(_COURSE_ROOT)
        else str(path)
    )


def results_directory() -> Path:
    """The ``results/`` folder of the course checkout (beside the ``dlcourse``
    package)."""
    return _COURSE_ROOT / "results"


def _path(name: str) -> Path:
    check_str("name", name)
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ValueError(
            f"`name` must be a file name of letters, digits, _ and -, got {name!r}"
        )
    return results_directory() / f"{name}.json"


def _code_only(path: Path) -> bytes:
    """A Python file's code without docstrings and comments (other files as they are).

    Rewording a docstring changes no result, so it must not make a results file stale.
    """
    if path.suffix != ".py":
        return path.read_bytes()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(
                node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
            )
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False).encode()


def code_fingerprint(paths: list[Path]) -> str:
    """SHA-256 over the code of the given source files, in order of their names."""
    if not isinstance(paths, list | tuple) or not paths:
        raise TypeError(
            f"`paths` must be a non-empty list of file paths, got {describe(paths)}"
        )
    for path in paths:
        if not isinstance(path, Path) or not path.is_file():
            raise ValueError(
                f"`paths` must hold paths of existing files, got {describe(path)}"
            )
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.as_posix()):
        digest.update(path.name.encode())
        digest.update(_code_only(path))
    return digest.hexdigest()


#: Modules that only check, display or record, and compute no result. A change in them
#: does not make a results file stale; a change in anything else a script imports does.
NOT_COMPUTING = (
    "dlcourse._checks",
    "dlcourse.source",
    "dlcourse.results",
    "dlcourse.plots",
    "dlcourse.widgets",
    "dlcourse.exercises",
)


def _computes(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    if last.startswith("_") and last.endswith("_checks"):
        return False  # a module's argument checks
    return not any(name == n or name.startswith(n + ".") for n in NOT_COMPUTING)


def _sources_in_use(script: Path) -> list[Path]:
    """The script and every computing ``dlcourse`` module imported so far."""
    package = Path(__file__).resolve().parent
    files = {script.resolve()}
    for name, module in list(sys.modules.items()):
        if (name == "dlcourse" or name.startswith("dlcourse.")) and _computes(name):
            file = getattr(module, "__file__", None)
            if file and Path(file).resolve().is_relative_to(package):
                files.add(Path(file).resolve())
    return sorted(files)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def save(
    name: str, data: Mapping[str, Any], *, command: str, script: str | Path
) -> Path:
    """Write ``results/<name>.json``: ``data`` and its provenance.

    Args:
        name: the file's name, usually the chapter's (``"03_cnn"``). data:
        JSON-serialisable results (numbers, lists, dicts of them). command: the command
        that regenerates the file (``"make results"``, or the script). script: the
        script that computed ``data`` (pass ``__file__``).
    """
    path = _path(name)
    if not isinstance(data, Mapping) or not data:
        raise TypeError(
            f"`data` must be a non-empty mapping (a dict), got {describe(data)}"
        )
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"`data` must hold only JSON numbers, strings, lists and dicts: {error}"
        ) from None
    check_str("command", command)
    if not isinstance(script, str | Path):
        raise TypeError(f"`script` must be a file path, got {describe(script)}")
    script = Path(script)
    if not script.is_file():
        raise ValueError(
            f"`script` must be the path of an existing file, got {str(script)!r}"
        )
    sources = _sources_in_use(script)
    provenance = {
        "command": command,
        "date": _datetime.datetime.now(_datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "system": platform.system(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
        },
        "versions": _versions(),
        "code": [_relative(p) for p in sources],
        "fingerprint": code_fingerprint(sources),
    }
    text = json.dumps(
        {"provenance": provenance, "data": data}, indent=1, sort_keys=True
    )
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def load(name: str) -> dict[str, Any]:
    """The ``data`` of ``results/<name>.json``."""
    return _read(name)["data"]


def provenance(name: str) -> dict[str, Any]:
    """Where ``results/<name>.json`` came from: command, date, machine, versions,
    code."""
    return _read(name)["provenance"]


def is_current(name: str) -> bool:
    """True when the code recorded in the file is unchanged since it was written."""
    record = provenance(name)
    paths = [_COURSE_ROOT / relative for relative in record["code"]]
    if not all(path.is_file() for path in paths):
        return False
    return code_fingerprint(paths) == record["fingerprint"]


def _read(name: str) -> dict[str, Any]:
    path = _path(name)
    if not path.is_file():
        raise FileNotFoundError(
            f"no results file {path.name} in results/: run `make results` to compute it"
        )
    return json.loads(path.read_text(encoding="utf-8"))
