"""A small Sphinx extension: what the accessibility audit found, fixed at its source.

tests/test_site.py audits every page with axe-core (WCAG 2.1 A and AA). This extension:

* fixes three ARIA errors in the HTML the theme and docutils write:

  - the search button is named "Search" by an ``aria-label`` while it shows "Search
    Ctrl+K": the label is dropped, so its name is the text it shows;
  - the colour-mode button is named "Color mode" while its icons carry titles
    ("Light", "Dark", "System Settings") that the icon font turns into visible names:
    the icons lose their titles, and the button's title says what it does;
  - the bibliography is a ``role="list"`` whose entries have the deprecated role
    ``doc-biblioentry``, which is not a list item: they become ``listitem``;

* gives a notebook's output figures an alt text when their cell sets none (docutils
  would use the image's file name): the figure and the section it belongs to. A cell
  describes its figure better with ``"mystnb": {"image": {"alt": "..."}}`` in its
  metadata.

The widgets' sliders and drawings are named in the browser, by
``_static/course-a11y.js``, after the widget manager has drawn them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

#: The search field's button: its ``aria-label`` hides the text it shows.
SEARCH_FIELD_LABEL = re.compile(
    r'(<button class="[^"]*\bsearch-button-field\b[^"]*"[^>]*?) aria-label="[^"]*"'
)
#: The colour-mode icons' titles, which become names that the button's label lacks.
THEME_ICON_TITLE = re.compile(r'(<i class="theme-switch [^"]*"[^>]*?) title="[^"]*"')
THEME_BUTTON = re.compile(
    r'(<button class="[^"]*\btheme-switch-button\b[^"]*") aria-label="Color mode"'
)
BIBLIOGRAPHY_ENTRY = 'role="doc-biblioentry"'


def mend_aria(html: str) -> str:
    """Fix the theme's and docutils' ARIA errors in one page's HTML."""
    html = SEARCH_FIELD_LABEL.sub(r"\1", html)
    html = THEME_ICON_TITLE.sub(r"\1", html)
    html = THEME_BUTTON.sub(r'\1 aria-label="Color mode" title="Color mode"', html)
    return html.replace(BIBLIOGRAPHY_ENTRY, 'role="listitem"')


def mend_built_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        mended = mend_aria(text)
        if mended != text:
            page.write_text(mended, encoding="utf-8")


#: The alt text of an output figure whose cell gives none.
FIGURE_ALT = (
    "A figure drawn by the notebook's code, in the section \u201c{section}\u201d"
)


def _section_title(node: nodes.Node) -> str:
    """The title of the innermost section holding `node`, or ``""``."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            title = parent.next_node(nodes.title)
            if title is not None:
                return title.astext()
        parent = parent.parent
    return ""


def _in_cell_output(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if "cell_output" in parent.get("classes", []):
            return True
        parent = parent.parent
    return False


def describe_output_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for image in doctree.findall(nodes.image):
        if image.get("alt") or not _in_cell_output(image):
            continue
        section = _section_title(image)
        image["alt"] = (
            FIGURE_ALT.format(section=section)
            if section
            else "A figure drawn by the notebook's code"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", describe_output_figures)
    app.connect("build-finished", mend_built_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
