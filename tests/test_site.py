"""The built site, opened in a real headless Chromium (Debian's, driven by Playwright) with no network.

Every page is loaded from a local server. A page passes when it logs no console error and no uncaught
exception, every request it makes succeeds and stays on the local server, its math is typeset by MathJax,
its images load, and its saved widgets render. The search page must find a word, and each chapter's Binder
button must point at that chapter's notebook in the repository named in _config.yml. A full-page screenshot
of every page is saved under _build/screenshots/ for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
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
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
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
            "Debian's chromium is missing: run `bash tools/ensure_chromium.sh` (make test does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


class PageVisit:
    """Open one page and record everything that went wrong while it loaded and rendered."""

    def __init__(self, browser: object, base: str, path: str) -> None:
        self.base = base
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
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


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_and_renders(browser, server, path):
    visit = PageVisit(browser, server, path)
    page = visit.page
    try:
        math_count = page.locator("span.math, div.math").count()
        if math_count:
            page.wait_for_function(
                "n => document.querySelectorAll('mjx-container').length >= n",
                arg=math_count,
                timeout=20_000,
            )
            raw = page.evaluate(
                "() => [...document.querySelectorAll('span.math, div.math')]"
                ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 40))"
            )
            assert not raw, f"math left untypeset: {raw[:3]}"
        views = page.locator(
            'script[type="application/vnd.jupyter.widget-view+json"]'
        ).count()
        if views:
            page.wait_for_function(
                "n => document.querySelectorAll("
                "'.jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox').length >= n",
                arg=views,
                timeout=20_000,
            )
            assert (
                page.locator(
                    ".jupyter-widgets-output-area img, .widget-output img"
                ).count()
                >= 1
                or page.locator(
                    ".widget-slider, .widget-dropdown, .widget-toggle-buttons"
                ).count()
                >= 1
            )
        broken = page.evaluate(
            "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert not broken, f"images that did not load: {broken}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(
                SCREENSHOTS / (path.replace("/", "__").removesuffix(".html") + ".png")
            ),
            full_page=True,
        )
        page.wait_for_timeout(200)  # late console errors from deferred scripts
        assert not visit.problems, "\n".join(visit.problems)
    finally:
        visit.close()


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


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("chapters/")])
def test_launch_and_download_buttons_point_at_this_notebook(browser, server, path):
    url, branch = repository()
    owner_and_name = urllib.parse.urlparse(url).path.strip("/")
    notebook = path.removesuffix(".html") + ".ipynb"
    visit = PageVisit(browser, server, path)
    try:
        binder = visit.page.locator("a[href*='mybinder.org']").first.get_attribute(
            "href"
        )
        assert (
            binder
            == f"https://mybinder.org/v2/gh/{owner_and_name}/{branch}?urlpath=lab/tree/{notebook}"
        )
        assert (ROOT / notebook).is_file()
        download = visit.page.locator(
            f"a[href$='_sources/{notebook}']"
        ).first.get_attribute("href")
        response = visit.page.request.get(
            urllib.parse.urljoin(f"{server}/{path}", download)
        )
        assert response.status == 200 and b'"cells"' in response.body()
        assert visit.page.locator(f"a[href='{url}']").count() >= 1, (
            "no repository button"
        )
    finally:
        visit.close()


def test_every_toc_page_was_built():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from toc_notebooks import toc_notebooks

    for notebook in toc_notebooks():
        assert (SITE / notebook.with_suffix(".html")).is_file(), (
            f"{notebook} is in the toc but not on the site"
        )
