"""The repository keeps its promises.

Pinned requirements, the two README commands, CI, `make help`, offline assets.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))


def requirement_lines(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in requirement_lines(name):
            if line == "-e .":
                continue
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), (
                f"{name}: not pinned: {line}"
            )


def test_key_versions_are_the_ones_the_course_is_written_for():
    pins = dict(
        line.split("==")
        for line in requirement_lines("requirements.txt")
        if "==" in line
    )
    pins = {key.lower().replace("_", "-"): value for key, value in pins.items()}
    assert pins["jupyter-book"] == "1.0.4.post1"  # 2.x is another engine
    assert pins["tensorflow-cpu"].startswith("2.21") and pins["keras"].startswith(
        "3.15"
    )
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def test_readme_quick_start_and_ci_use_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("book:", "test:", "serve:", "lab:", "notebooks:", "bench:"):
        assert f"\n{target}" in makefile, target


def test_duplicate_inline_scripts_are_removed_once_each():
    from _ext.offline_assets import remove_duplicate_inline_scripts

    page = (
        "<head>\n  <script>const A = 1;</script>\n<script src='x.js'></script>\n"
        "  <script>const A = 1;</script>\n</head>\n"
    )
    mended = remove_duplicate_inline_scripts(page)
    assert mended.count("const A = 1") == 1 and "x.js" in mended


def test_web_assets_are_pinned_by_checksum():
    import fetch_web_assets

    pinned = {**fetch_web_assets.PACKAGES, **fetch_web_assets.TEST_PACKAGES}
    assert "axe-core" in " ".join(fetch_web_assets.TEST_PACKAGES)
    for spec, (sha256, mapping) in pinned.items():
        assert re.fullmatch(r"[0-9a-f]{64}", sha256), spec
        assert "@" in spec.lstrip("@") and mapping


def test_toc_notebooks_lists_existing_files_in_order():
    from toc_notebooks import toc_notebooks

    notebooks = toc_notebooks()
    assert notebooks and notebooks[0].name == "00_toolkit.ipynb"
    assert all((ROOT / path).is_file() for path in notebooks)


def test_importing_dlcourse_loads_nothing_heavy():
    import subprocess

    code = (
        "import sys, dlcourse; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False False"


def test_make_help_lists_every_target():
    import subprocess

    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z][\w-]*):", makefile, flags=re.MULTILINE)
    assert {"help", "chapter", "lint", "results", "bench", "test"} <= set(targets)
    shown = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    missing = [target for target in targets if f"make {target}" not in shown]
    assert not missing, f"`make help` does not list: {missing}"


def test_ci_fails_when_make_test_fails(tmp_path):
    import os
    import subprocess

    fake_make = tmp_path / "make"
    fake_make.write_text('#!/bin/sh\necho "make $*"\nexit 3\n')
    fake_make.chmod(0o755)
    environment = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert result.returncode == 3 and "make test" in result.stdout


def _imported_top_level_names(folder: Path) -> set[str]:
    """Top-level modules the files of ``folder`` import, lazily or by name."""
    import ast

    names = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None))
                in {"import_module", "_module_folder"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value.split(".")[0])
    return names


def test_pyproject_declares_every_package_dlcourse_imports():
    import importlib.metadata
    import tomllib

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        normal(re.match(r"[A-Za-z0-9_.\-]+", line).group())
        for line in project["dependencies"]
    }
    distributions = importlib.metadata.packages_distributions()
    undeclared = []
    for name in sorted(_imported_top_level_names(ROOT / "dlcourse")):
        if name in sys.stdlib_module_names or name == "dlcourse":
            continue
        providers = {normal(dist) for dist in distributions.get(name, [name])}
        if not providers & declared:
            undeclared.append(f"{name} (from {sorted(providers)})")
    assert not undeclared, f"pyproject.toml does not declare: {undeclared}"


def test_chapter_tests_follow_one_naming_scheme_with_their_marker():
    """tests/test_<chapter>_<part>.py, marked @pytest.mark.<chapter> (CONTRIBUTING)."""
    import tomllib

    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"
    ]["markers"]
    chapters = [
        line.split(":")[0] for line in markers if re.search(r":\s*Chapter \d", line)
    ]
    assert len(chapters) >= 6, markers
    problems = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        stem = path.stem.removeprefix("test_")
        owner = next(
            (chapter for chapter in chapters if stem.startswith(f"{chapter}_")), None
        )
        if stem in chapters:
            problems.append(f"{path.name}: name it test_{stem}_<part>.py")
        if owner and f"pytest.mark.{owner}" not in text:
            problems.append(f"{path.name}: no @pytest.mark.{owner}")
        for chapter in chapters:
            if chapter != owner and re.search(rf"pytest\.mark\.{chapter}\b", text):
                problems.append(f"{path.name}: marked {chapter} but not named for it")
    assert not problems, problems
