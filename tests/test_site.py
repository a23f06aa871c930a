"""The built site, opened in a real headless Chromium (Debian's, driven by Playwright).

There is no network. Every page is loaded from a local server. A page passes when it
logs no console error and no uncaught exception, every request it makes succeeds and
stays on the local server, its math is typeset by MathJax, its images load, its saved
widgets render, and none of its code blocks is cut off behind a scroll bar at 1280 px
(code is formatted at 88 columns). The search page must find a word; the menu and
contents buttons must open their sidebars on a desktop and on a phone; each chapter's
Binder button must point at that chapter's notebook in the repository named in
_config.yml; no file of the site may name a path of the machine that built it; the site
has a favicon. A full-page screenshot of every page is saved under _build/screenshots/
for people to look at.

Accessibility: axe-core (fetched and checksummed by tools/fetch_web_assets.py, injected
here and never published) audits every page against WCAG 2.1 A and AA in the light
colour mode, and its colour contrast again in the dark mode; any violation of impact
"serious" or "critical" fails. The checks of one desktop page share one visit of it.
tests/test_site_phone.py reads every page on a phone.

The site tested is _build/html, or the built folder that DLCOURSE_SITE names.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("DLCOURSE_SITE") or ROOT / "_build" / "html")
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SKIP_FOLDERS = {"_static", "_sources", "_images", "_vendor"}
DESKTOP = {"width": 1280, "height": 900}
#: A full-page screenshot of the longest page takes tens of seconds on a busy machine.
SCREENSHOT_TIMEOUT_MS = 120_000
PHONE = {"width": 390, "height": 844}
#: The code blocks of a page: highlighted code, notebook input cells and their outputs.
CODE_BLOCKS = ", ".join(
    ["div.highlight pre", "div.cell_input pre", "div.cell_output pre"]
    + ["div.cell_output .output"]
)


def site_pages() -> list[str]:
    if not SITE.is_dir():
        return []
    return sorted(
        str(path.relative_to(SITE))
        for path in SITE.rglob("*.html")
        if not SKIP_FOLDERS & set(path.relative_to(SITE).parts)
    )


PAGES = site_pages()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    # `format` is the base class's name for the argument.
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if not (SITE / "index.html").is_file():
        pytest.fail("the site is not built: run `make book` first")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: run `bash tools/ensure_chromium.sh` "
            "(make test does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


class PageVisit:
    """Open one page and record everything that went wrong while it loaded."""

    def __init__(
        self, browser: object, base: str, path: str, viewport: dict | None = None
    ) -> None:
        self.base = base
        self.path = path
        self.problems: list[str] = []
        self.context = browser.new_context(viewport=viewport or DESKTOP)
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on(
            "pageerror",
            lambda error: self.problems.append(f"uncaught exception: {error}"),
        )
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.goto(f"{base}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _route(self, route: object) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.problems.append(f"request left the site: {url}")
            route.abort()

    def _console(self, message: object) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _failed(self, request: object) -> None:
        if request.url.startswith(self.base):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: object) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def close(self) -> None:
        self.context.close()


def wait_until_rendered(page: object) -> tuple[int, int]:
    """Wait for MathJax and the saved widgets; return how many of each the page has."""
    math_count = page.locator("span.math, div.math").count()
    if math_count:
        page.wait_for_function(
            "n => document.querySelectorAll('mjx-container').length >= n",
            arg=math_count,
            timeout=20_000,
        )
    views = page.locator(
        'script[type="application/vnd.jupyter.widget-view+json"]'
    ).count()
    if views:
        page.wait_for_function(
            "n => document.querySelectorAll("
            "'.jupyter-widgets.widget-container, "
            ".jupyter-widgets.widget-inline-hbox').length >= n",
            arg=views,
            timeout=20_000,
        )
    return math_count, views


@pytest.fixture(scope="module", params=PAGES)
def desktop(request, browser, server) -> Iterator[PageVisit]:
    """One rendered desktop visit of a page, shared by the checks that read it.

    Loading and typesetting a chapter takes seconds; pytest runs every test that uses
    this fixture for one page before it opens the next. The code-block test unfolds
    the solutions, so it comes last in this file.
    """
    visit = PageVisit(browser, server, request.param, DESKTOP)
    try:
        wait_until_rendered(visit.page)
        yield visit
    finally:
        visit.close()


def test_page_loads_cleanly_and_renders(desktop):
    visit, path = desktop, desktop.path
    page = visit.page
    math_count, views = wait_until_rendered(page)
    if math_count:
        raw = page.evaluate(
            "() => [...document.querySelectorAll('span.math, div.math')]"
            ".filter(e => !e.querySelector('mjx-container'))"
            ".map(e => e.textContent.slice(0, 40))"
        )
        assert not raw, f"math left untypeset: {raw[:3]}"
    if views:
        assert (
            page.locator(".jupyter-widgets-output-area img, .widget-output img").count()
            >= 1
            or page.locator(
                ".widget-slider, .widget-dropdown, .widget-toggle-buttons"
            ).count()
            >= 1
        )
    broken = page.evaluate(
        "() => [...document.images]"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"images that did not load: {broken}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(
            SCREENSHOTS / (path.replace("/", "__").removesuffix(".html") + ".png")
        ),
        full_page=True,
        timeout=SCREENSHOT_TIMEOUT_MS,
    )
    page.wait_for_timeout(200)  # late console errors from deferred scripts
    assert not visit.problems, "\n".join(visit.problems)


def test_search_finds_a_word(browser, server):
    visit = PageVisit(browser, server, "search.html?q=softmax")
    try:
        results = visit.page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=20_000)
        assert results.count() >= 1
        assert "toolkit" in visit.page.locator("#search-results").inner_text().lower()
        assert not visit.problems, "\n".join(visit.problems)
    finally:
        visit.close()


def repository() -> tuple[str, str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/"), config["repository"].get(
        "branch", "main"
    )


def test_launch_and_download_buttons_point_at_this_notebook(desktop):
    path, page = desktop.path, desktop.page
    if not path.startswith("chapters/"):
        pytest.skip("only a chapter has launch and download buttons")
    url, branch = repository()
    owner_and_name = urllib.parse.urlparse(url).path.strip("/")
    notebook = path.removesuffix(".html") + ".ipynb"
    binder = page.locator("a[href*='mybinder.org']").first.get_attribute("href")
    assert (
        binder == f"https://mybinder.org/v2/gh/{owner_and_name}/{branch}"
        f"?urlpath=lab/tree/{notebook}"
    )
    assert (ROOT / notebook).is_file()
    download = page.locator(f"a[href$='_sources/{notebook}']").first.get_attribute(
        "href"
    )
    response = page.request.get(
        urllib.parse.urljoin(f"{desktop.base}/{path}", download)
    )
    assert response.status == 200 and b'"cells"' in response.body()
    assert page.locator(f"a[href='{url}']").count() >= 1, "no repository button"


def test_every_toc_page_was_built():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from toc_notebooks import toc_notebooks

    for notebook in toc_notebooks():
        assert (SITE / notebook.with_suffix(".html")).is_file(), (
            f"{notebook} is in the toc but not on the site"
        )


def _opened(page: object, sidebar: str) -> bool:
    """True when the sidebar's links are on screen: inline, or in the theme's dialog."""
    return page.evaluate(
        """sidebar => {
            const dialog = document.getElementById(sidebar + "-modal");
            const inline = document.getElementById(sidebar);
            const holder = dialog && dialog.open ? dialog : inline;
            if (!holder) return false;
            const box = holder.getBoundingClientRect();
            const links = [...holder.querySelectorAll("a")].filter(a => {
                const r = a.getBoundingClientRect();
                return r.width > 0 && r.height > 0
                    && r.right > 0 && r.left < innerWidth;
            });
            return box.width > 0 && box.right > 0 && getComputedStyle(holder).visibility
                !== "hidden" && links.length > 0;
        }""",
        sidebar,
    )


def _visible_toggle(page: object, selector: str) -> object:
    toggles = page.locator(selector)
    visible = [
        toggles.nth(i) for i in range(toggles.count()) if toggles.nth(i).is_visible()
    ]
    assert len(visible) == 1, f"expected one visible {selector}, found {len(visible)}"
    return visible[0]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_menu_and_contents_buttons_open_their_sidebars(browser, server, viewport):
    visit = PageVisit(browser, server, "chapters/00_toolkit.html", viewport)
    page = visit.page
    try:
        # The themes' scripts bind to the first toggle of the page: there must be one.
        for selector in (".primary-toggle", ".secondary-toggle"):
            count = page.locator(selector).count()
            assert count == 1, (
                f"{count} elements match {selector}; the scripts use the first"
            )
        menu = _visible_toggle(page, ".primary-toggle")
        if viewport is PHONE:
            assert not _opened(page, "pst-primary-sidebar")
            menu.click()
            page.wait_for_timeout(300)
            assert _opened(page, "pst-primary-sidebar"), (
                "the menu button did not open it"
            )
            assert page.locator(
                "#pst-primary-sidebar-modal a", has_text="Glossary"
            ).is_visible()
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
            assert not _opened(page, "pst-primary-sidebar")
            contents = _visible_toggle(page, ".secondary-toggle")
            contents.click()
            page.wait_for_timeout(300)
            assert _opened(page, "pst-secondary-sidebar"), (
                "the contents button did nothing"
            )
            assert page.locator(
                "#pst-secondary-sidebar-modal a", has_text="Exercises"
            ).is_visible()
        else:
            # On a desktop the menu button folds the primary sidebar away and brings it
            # back; the contents column stays open, without a button.
            assert _opened(page, "pst-primary-sidebar")
            menu.click()
            page.wait_for_timeout(600)
            assert not _opened(page, "pst-primary-sidebar"), (
                "the menu button did nothing"
            )
            menu.click()
            page.wait_for_timeout(600)
            assert _opened(page, "pst-primary-sidebar"), (
                "the menu button did not reopen it"
            )
            assert _opened(page, "pst-secondary-sidebar")
            assert page.locator(
                "#pst-secondary-sidebar a", has_text="Exercises"
            ).is_visible()
        assert not visit.problems, "\n".join(visit.problems)
    finally:
        visit.close()


def machine_paths() -> list[str]:
    """Folders of the building machine that must not appear in the site."""
    paths = {str(ROOT), str(Path.home()), tempfile.gettempdir(), sys.prefix}
    return sorted(p.rstrip("/") for p in paths if len(p) > 1)


#: Absolute paths under the usual home, work and temporary folders; installed packages.
MACHINE_PATH = re.compile(r"(?:/(?:work|root|home|tmp|Users)/[\w.~-]|site-packages)")
TEXT_SUFFIXES = {".html", ".js", ".json", ".map", ".txt", ".css", ".ipynb", ".svg"}
#: Third-party files, unpacked unchanged from the npm tarballs whose SHA-256 is recorded
#: in tools/fetch_web_assets.py: their authors' paths (MathJax's test data names one)
#: are not ours, so only this machine's own folders are looked for in them.
VENDORED = "_vendor"


def test_no_machine_path_in_the_site():
    assert (SITE / "index.html").is_file(), (
        "the site is not built: run `make book` first"
    )
    own = re.compile(
        "|".join(rf"(?<![\w.]){re.escape(p)}(?![\w.-])" for p in machine_paths())
    )
    leaks = []
    for file in sorted(SITE.rglob("*")):
        if not file.is_file() or file.suffix not in TEXT_SUFFIXES:
            continue
        name = file.relative_to(SITE)
        text = file.read_text(encoding="utf-8", errors="replace")
        patterns = [own] if name.parts[0] == VENDORED else [own, MACHINE_PATH]
        for pattern in patterns:
            for match in pattern.finditer(text):
                start = max(match.start() - 40, 0)
                excerpt = text[start : match.end() + 30].replace("\n", " ")
                leaks.append(f"{name}: ...{excerpt}...")
    assert not leaks, f"{len(leaks)} machine paths in the site:\n" + "\n".join(
        leaks[:20]
    )


def test_the_site_has_a_favicon(browser, server):
    visit = PageVisit(browser, server, "intro.html")
    try:
        href = visit.page.locator("link[rel='icon']").first.get_attribute("href")
        assert href, "no <link rel='icon'>"
        response = visit.page.request.get(
            urllib.parse.urljoin(f"{server}/intro.html", href)
        )
        assert response.status == 200 and b"<svg" in response.body()
    finally:
        visit.close()


sys.path.insert(0, str(ROOT / "tools"))
from fetch_web_assets import AXE  # noqa: E402 (the file the fetch script unpacks)

#: WCAG 2.1 levels A and AA, the rules axe-core tags with them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: The impacts that fail the audit; "moderate" and "minor" ones are not counted.
FAILING_IMPACTS = {"serious", "critical"}
#: What the dark mode changes is colour: only the contrast rule runs again there.
DARK_MODE_RULES = ["color-contrast"]
#: Time for the theme's colour transitions to settle after a mode switch, in ms.
MODE_SWITCH_MS = 500


def audit(page: object, rules: list[str] | None = None) -> list[dict]:
    """Run axe-core on the page; return its violations as plain dicts.

    Every WCAG 2.1 A/AA rule, or only `rules` (axe-core rule ids) when given.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    only = {"type": "rule", "values": rules} if rules else {"type": "tag"}
    if not rules:
        only["values"] = AXE_TAGS
    return page.evaluate(
        """only => axe.run(document, {runOnly: only, resultTypes: ["violations"]})
            .then(result => result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
            })))""",
        only,
    )


def set_colour_mode(page: object, mode: str) -> None:
    page.evaluate(
        """mode => {
            document.documentElement.dataset.mode = mode;
            document.documentElement.dataset.theme = mode;
        }""",
        mode,
    )
    page.wait_for_timeout(MODE_SWITCH_MS)


def test_no_serious_accessibility_violation(desktop):
    assert AXE.is_file(), f"{AXE.name} is missing: run `make web-assets`"
    path, page = desktop.path, desktop.page
    page.wait_for_timeout(300)  # widget scripts finish their set-up
    try:
        failures = []
        for mode, rules in (("light", None), ("dark", DARK_MODE_RULES)):
            set_colour_mode(page, mode)
            for violation in audit(page, rules):
                if violation["impact"] in FAILING_IMPACTS:
                    targets = violation["targets"]
                    failures.append(
                        f"{path} [{mode}] {violation['id']} ({violation['impact']}, "
                        f"{len(targets)} elements): {violation['help']}; "
                        + "; ".join(targets[:4])
                    )
        assert not failures, "\n".join(failures)
    finally:
        set_colour_mode(page, "light")  # as the next check expects


def test_no_code_block_is_cut_off_at_1280_px(desktop):
    visit = desktop
    visit.page.evaluate("() => document.fonts.ready")
    # Unfold every folded solution and <details>: a learner opens them.
    visit.page.evaluate(
        """() => {
            document.querySelectorAll(".toggle-hidden button.toggle-button")
                .forEach(button => button.click());
            document.querySelectorAll("details").forEach(d => (d.open = true));
        }"""
    )
    visit.page.wait_for_timeout(300)
    assert not visit.page.locator(".toggle-hidden").count(), "a solution stayed folded"
    cut_off = visit.page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth)
            .map(e => {
                const lines = e.textContent.split("\\n");
                const longest = lines.reduce(
                    (a, b) => (b.length > a.length ? b : a), "");
                return `${longest.length} columns: ${longest.trim().slice(0, 60)}`;
            })""",
        CODE_BLOCKS,
    )
    assert not cut_off, (
        f"{len(cut_off)} code blocks scroll sideways at 1280 px; longest lines:\n"
        + "\n".join(cut_off[:10])
    )
