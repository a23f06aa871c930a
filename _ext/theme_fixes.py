"""A small Sphinx extension that mends the book theme (sphinx-book-theme 1.3).

* The menu (primary sidebar) and contents (secondary sidebar) buttons did nothing. The
  PyData theme underneath fills its top navigation bar with a search field unless
  ``navbar_persistent`` is set, and that bar carries its own pair of sidebar toggles,
  which the book theme hides. Both themes' scripts bind to the *first*
  ``.primary-toggle`` and ``.secondary-toggle`` of the page, the hidden pair, so the
  visible buttons in the article header had no handler. With the navigation bar's items
  empty, the bar (and its hidden toggles) is not rendered; the search field stays in the
  primary sidebar, where the book theme puts it.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def drop_header_navbar(app: Sphinx, config: Config) -> None:
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])
    options.setdefault("navbar_start", [])
    options.setdefault("navbar_center", [])
    options.setdefault("navbar_end", [])
    config.html_theme_options = options


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", drop_header_navbar)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
