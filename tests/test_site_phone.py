"""The built site on a 390 x 844 phone, in the headless Chromium of tests/test_site.py.

Every page must be readable: no sideways page scroll, body text of at least 16 px, wide
tables, equations and code scrolling inside their own box, images within the width. Its
full-page screenshot is saved as _build/screenshots/<page>--phone.png. (The phone's menu
and contents buttons are tested with the desktop's, in tests/test_site.py.) A file of
its own, so that `pytest -n 2 --dist loadfile` runs it beside the desktop checks.
"""

from __future__ import annotations

import pytest
from test_site import (  # one browser, one server and one page visit for every test
    PAGES,
    PHONE,
    SCREENSHOT_TIMEOUT_MS,
    SCREENSHOTS,
    PageVisit,
    browser,  # noqa: F401 (a fixture)
    server,  # noqa: F401 (a fixture)
    wait_until_rendered,
)

pytestmark = pytest.mark.browser

#: The least font size of body text on a phone, in px.
PHONE_TEXT_PX = 16
#: What may be wider than a phone: it must scroll inside its own box.
WIDE_CONTENT = "table, mjx-container, pre, div.highlight, .cell_output .output, svg"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_reads_on_a_phone(browser, server, path):  # noqa: F811 (fixtures)
    visit = PageVisit(browser, server, path, PHONE)
    page = visit.page
    try:
        wait_until_rendered(page)
        page.evaluate("() => document.fonts.ready")
        page.wait_for_timeout(300)
        problems = page.evaluate(
            """([wide, least]) => {
                const width = document.documentElement.clientWidth;
                const problems = [];
                const page = document.scrollingElement.scrollWidth;
                if (page > width + 1)
                    problems.push(`the page scrolls sideways: ${page} px wide`);
                const main = document.querySelector("article") || document.body;
                const shown = e => e.getClientRects().length > 0;
                const describe = e => e.tagName.toLowerCase()
                    + (e.className && typeof e.className === "string"
                        ? "." + e.className.trim().split(/\\s+/).join(".") : "");
                // True when a box around `e` that fits the page scrolls sideways.
                const scrolls = e => {
                    let a = e.parentElement;
                    for (; a && a !== main; a = a.parentElement) {
                        const x = getComputedStyle(a).overflowX;
                        const box = a.getBoundingClientRect();
                        if ((x === "auto" || x === "scroll") && box.left >= -1
                            && box.right <= width + 1) return true;
                    }
                    return false;
                };
                const small = new Map();
                for (const e of main.querySelectorAll("p, li, dd, dt, td, th")) {
                    if (!shown(e) || e.closest("pre, nav, .cell_output, footer"))
                        continue;
                    const size = parseFloat(getComputedStyle(e).fontSize);
                    if (size < least - 0.01) {
                        const key = `${describe(e)} ${size} px`;
                        small.set(key, (small.get(key) || 0) + 1);
                    }
                }
                for (const [key, n] of small)
                    problems.push(`text smaller than ${least} px: ${n} x ${key}`);
                for (const e of main.querySelectorAll(wide)) {
                    if (!shown(e)) continue;
                    const box = e.getBoundingClientRect();
                    if (box.right <= width + 1 && box.left >= -1) continue;
                    if (!scrolls(e))
                        problems.push(`${describe(e)} sticks out of the page`
                            + ` (${Math.round(box.right - box.left)} px wide)`);
                }
                for (const image of main.querySelectorAll("img")) {
                    if (!shown(image)) continue;
                    const box = image.getBoundingClientRect();
                    if (box.right > width + 1 || box.left < -1)
                        problems.push(`an image is wider than the page: ${image.src
                            .slice(-40)} (${Math.round(box.width)} px)`);
                }
                return problems;
            }""",
            [WIDE_CONTENT, PHONE_TEXT_PX],
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = path.replace("/", "__").removesuffix(".html") + "--phone.png"
        page.screenshot(
            path=str(SCREENSHOTS / name), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS
        )
        assert not problems, f"{path} at 390 px:\n" + "\n".join(problems[:20])
    finally:
        visit.close()
