"""A chapter in a real JupyterLab, in headless Chromium, as a learner would use it.

JupyterLab (with the course's jupyterlab-myst) opens the toolkit chapter, offline; Run
All executes every cell. Then: the MyST markup renders (no raw directive options on the
page), every solution is folded away (code and output collapsed until opened), each
untouched stub's check says "not done", and a wrong answer typed into a stub is
"incorrect" and a right one "correct": Run All never replaced the learner's work.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_site import CHROMIUM, CHROMIUM_FLAGS  # one browser set-up for both tests

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "00_toolkit.ipynb"
NOTEBOOK = "window.jupyterapp.shell.currentWidget.content"
KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel"
READY = "window.jupyterapp?.shell?.currentWidget?.content?.widgets?.length > 0"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `bash tools/ensure_chromium.sh`")
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(CHAPTER, work / CHAPTER.name)
    settings = work / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell, not only those in view, so that the test can read them all.
    (settings / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"})
    )
    token, port = secrets.token_hex(16), _free_port()
    environment = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
        TF_CPP_MIN_LOG_LEVEL="3",
        DLCOURSE_SCALE="quick",
    )
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = (work / "lab.log").open("w")
    server = subprocess.Popen(
        command, env=environment, stdout=log, stderr=log, cwd=work
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail(
            f"JupyterLab did not start: {(work / 'lab.log').read_text()[-2000:]}"
        )
    yield f"{url}/lab/tree/{CHAPTER.name}?token={token}"
    server.terminate()
    server.wait(timeout=30)
    log.close()


def _cells(page) -> list[dict]:
    return page.evaluate(
        f"""() => {NOTEBOOK}.widgets.map(cell => ({{
            type: cell.model.type,
            source: cell.model.sharedModel.getSource(),
            count: cell.model.type === 'code' ? cell.model.executionCount : null,
            outputs: cell.model.type === 'code'
                ? JSON.stringify(cell.model.outputs.toJSON()) : '',
            inputHidden: cell.inputHidden,
            outputHidden: cell.model.type === 'code' ? cell.outputHidden : null,
        }}))"""
    )


def _wait_idle(page, timeout: float = 300) -> None:
    page.wait_for_function(
        f"{KERNEL} && {KERNEL}.status === 'idle'", timeout=timeout * 1000
    )


def _run_cell(page, index: int) -> None:
    before = _cells(page)[index]["count"]
    page.evaluate(
        f"""async () => {{ {NOTEBOOK}.activeCellIndex = {index};
        await window.jupyterapp.commands.execute('notebook:run-cell'); }}"""
    )
    page.wait_for_function(
        f"{NOTEBOOK}.widgets[{index}].model.executionCount !== {json.dumps(before)} "
        f"&& {KERNEL}.status === 'idle'",
        timeout=120_000,
    )


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(lab)
        page.wait_for_function(READY, timeout=120_000)
        _wait_idle(page)
        page.evaluate(
            "() => window.jupyterapp.commands.execute('notebook:run-all-cells')"
        )
        last = max(i for i, cell in enumerate(_cells(page)) if cell["type"] == "code")
        done = f"{NOTEBOOK}.widgets[{last}].model.executionCount !== null"
        page.wait_for_function(
            f"{done} && {KERNEL}?.status === 'idle'", timeout=600_000
        )
        time.sleep(1)
        yield page
        browser.close()


def test_run_all_executes_every_cell_without_error(page):
    cells = [cell for cell in _cells(page) if cell["type"] == "code"]
    assert all(cell["count"] is not None for cell in cells)
    errors = [
        cell["source"][:80]
        for cell in cells
        if '"output_type": "error"' in cell["outputs"]
    ]
    assert not errors, f"cells raised: {errors}"


def test_myst_markup_renders_instead_of_showing_raw(page):
    text = page.evaluate(f"() => {NOTEBOOK}.node.innerText")
    for raw in (
        ":class: dropdown",
        ":label:",
        "{exercise-start}",
        "{solution-start}",
        "{footcite",
    ):
        assert raw not in text, f"raw MyST markup {raw!r} is shown"
    assert "Exercise 1" in text


def test_solutions_are_out_of_view_until_opened(page):
    cells = _cells(page)
    solutions = [
        i
        for i, c in enumerate(cells)
        if c["type"] == "code" and ".solution()" in c["source"]
    ]
    assert solutions, "no solution cell found"
    for index in solutions:
        assert cells[index]["inputHidden"], cells[index]["source"]
        folded = page.evaluate(
            f"""() => {{ const cell = {NOTEBOOK}.widgets[{index}].node;
            const d = cell.querySelector('details');
            const code = d?.querySelector('pre');
            return d !== null && !d.open && code !== null
                && !code.checkVisibility(); }}"""
        )
        assert folded, (
            f"{cells[index]['source']}: the solution is not folded after Run All"
        )


def test_untouched_stubs_are_not_done_after_run_all(page):
    checks = [
        c for c in _cells(page) if c["type"] == "code" and ".check(" in c["source"]
    ]
    assert len(checks) >= 2
    for cell in checks:
        assert "Not done yet" in cell["outputs"], cell["source"]


def test_a_wrong_then_a_right_answer_in_the_stub(page):
    cells = _cells(page)
    check = next(
        i for i, c in enumerate(cells) if "exercises.softmax.check(" in c["source"]
    )
    stub = max(i for i, c in enumerate(cells[:check]) if "def softmax(" in c["source"])
    answers = {
        "Incorrect": "def softmax(logits):\n    return np.exp(logits)",
        "Correct": "def softmax(logits):\n"
        "    exponentials = np.exp(logits - logits.max(axis=-1, keepdims=True))\n"
        "    return exponentials / exponentials.sum(axis=-1, keepdims=True)",
    }
    for verdict, source in answers.items():
        page.evaluate(
            f"() => {NOTEBOOK}.widgets[{stub}].model.sharedModel"
            f".setSource({json.dumps(source)})"
        )
        _run_cell(page, stub)
        _run_cell(page, check)
        outputs = _cells(page)[check]["outputs"]
        assert verdict in outputs and (
            verdict != "Correct" or "Incorrect" not in outputs
        ), outputs
