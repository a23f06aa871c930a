"""Check that Binder builds the course cleanly (``make binder-check``).

Binder runs repo2docker on the repository. This script asks repo2docker for the
Dockerfile it would build (``--no-build``, no Docker needed) and checks two things:

1. the course is installed once: one ``pip install -r binder/requirements.txt``, and no
   second ``pip install .`` (repo2docker adds one when it builds from the repository
   root);
2. no dependency conflict with the base image: pip resolves ``binder/requirements.txt``
   together with the base image's own top-level packages at the versions repo2docker's
   lock file gives them (``pip install --dry-run``; it reads package metadata from the
   registry).

repo2docker is installed into a separate environment under ``_build/`` so that its
dependencies never touch the course's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPO2DOCKER = "jupyter-repo2docker==2026.4.0"
CHECK_ENV = ROOT / "_build" / "binder-check-env"
# The base image's top-level packages that the course does not pin itself (repo2docker's
# conda environment.yml); their versions come from its lock file.
BASE_PACKAGES = {
    "jupyter-offlinenotebook": "jupyter-offlinenotebook",
    "jupyter-resource-usage": "jupyter-resource-usage",
    "jupyterhub-base": "jupyterhub",
    "notebook": "notebook",
}


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, check=False, capture_output=True, text=True, **kwargs
    )


def ensure_repo2docker() -> Path:
    python = CHECK_ENV / "bin" / "python"
    if not (CHECK_ENV / "bin" / "jupyter-repo2docker").exists():
        venv.create(CHECK_ENV, with_pip=True)
        result = run([str(python), "-m", "pip", "install", "--quiet", REPO2DOCKER])
        if result.returncode:
            sys.exit(f"could not install {REPO2DOCKER}:\n{result.stderr}")
    return python


def base_versions(python: Path) -> dict[str, str]:
    """The base image's versions of BASE_PACKAGES, from repo2docker's lock file."""
    where = run(
        [
            str(python),
            "-c",
            "import repo2docker, os; print(os.path.dirname(repo2docker.__file__))",
        ]
    )
    lock = (
        Path(where.stdout.strip())
        / "buildpacks/conda/environment.py-3.11-linux-64.lock"
    )
    text = lock.read_text()
    versions = {}
    for conda_name, pypi_name in BASE_PACKAGES.items():
        match = re.search(rf"/{re.escape(conda_name)}-(\d[\w.]*)-[\w]+\.conda", text)
        if match is None:
            sys.exit(f"{conda_name} not found in {lock.name}")
        versions[pypi_name] = match.group(1)
    return versions


def check_dockerfile(python: Path) -> list[str]:
    result = run([str(python), "-m", "repo2docker", "--no-build", "--debug", str(ROOT)])
    dockerfile = result.stdout + result.stderr
    problems = []
    installs = re.findall(r"pip install --no-cache-dir (.+)", dockerfile)
    requirement_installs = [line for line in installs if "requirements.txt" in line]
    if (
        len(requirement_installs) != 1
        or "binder/requirements.txt" not in requirement_installs[0]
    ):
        problems.append(
            f"expected one install of binder/requirements.txt, got {installs}"
        )
    if any(line.strip() in (".", '"."') for line in installs):
        problems.append("repo2docker installs the course a second time (pip install .)")
    return problems


def check_resolution(python: Path, versions: dict[str, str]) -> list[str]:
    own = (ROOT / "binder" / "requirements.txt").read_text()
    pinned = {
        line.split("==")[0].strip().lower() for line in own.splitlines() if "==" in line
    }
    lines = [f"-r {ROOT / 'binder' / 'requirements.txt'}"]
    lines += [
        f"{name}=={version}" for name, version in versions.items() if name not in pinned
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as combined:
        combined.write("\n".join(lines) + "\n")
    result = run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "-r",
            combined.name,
        ],
        cwd=ROOT,
    )
    Path(combined.name).unlink()
    if result.returncode:
        errors = [
            line for line in result.stderr.splitlines() if line.startswith("ERROR")
        ]
        return ["pip cannot resolve the Binder environment:", *errors]
    return []


def main() -> int:
    python = ensure_repo2docker()
    versions = base_versions(python)
    problems = check_dockerfile(python) + check_resolution(python, versions)
    base = ", ".join(f"{name} {version}" for name, version in versions.items())
    if problems:
        print("Binder check FAILED against the base image's", base)
        print("\n".join(problems))
        return 1
    print(
        "Binder check passed: one install of the course, no conflict with the base "
        f"image ({base}; a package the course pins replaces its base version)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
