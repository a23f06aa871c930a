"""A small Sphinx extension that keeps the site working with no network.

* It refuses to build when the vendored MathJax / widget-manager assets are missing,
  with the command that fetches them, instead of producing pages whose math stays raw.
* It removes duplicate ``<script>`` entries: Sphinx 7.4 writes inline scripts that
  extensions add late twice, and a browser then fails with "Identifier ... has already
  been declared".
* It tells the widget manager where its own fonts are (it would look beside each page
  otherwise).
* It lets the Jupyter widget manager (written for MathJax 2, ``MathJax.Hub.Queue``)
  typeset with MathJax 3.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

MATHJAX2_SHIM = """
(function () {
  function install() {
    var mj = window.MathJax;
    if (!mj || !mj.version || mj.Hub) { return; }
    mj.Hub = {
      Queue: function () {
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset" && mj.typesetPromise) {
            var element = job[2];
            var ready = (mj.startup && mj.startup.promise)
              ? mj.startup.promise : Promise.resolve();
            ready
              .then(function () {
                return mj.typesetPromise(element ? [element] : undefined);
              })
              .catch(function (error) {
                console.warn("MathJax typeset failed", error);
              });
          }
        }
      }
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
""".strip()


# require.js reads a global `require` object as its configuration. Mapping the widget
# manager's module name to the vendored folder makes webpack (inside it) load its fonts
# from there, at any page depth.
WIDGET_ASSETS_PATH = (
    "var require = {paths: {'@jupyter-widgets/html-manager/dist': new URL("
    "(document.documentElement.dataset.content_root || './') "
    "+ '_vendor/jupyter-widgets', location.href).href}};"
)
INLINE_SCRIPT = re.compile(r"^\s*<script>.*</script>\s*$")


def check_assets(app: Sphinx) -> None:
    for folder in app.config.html_extra_path:
        marker = Path(app.confdir, folder, "_vendor", ".complete")
        if not marker.is_file():
            raise ExtensionError(
                f"the offline web assets are missing ({marker}); "
                "run `make web-assets` (or `make book`) first"
            )


def remove_duplicate_inline_scripts(html: str) -> str:
    """Drop every repeat of a one-line inline ``<script>`` already on the page."""
    seen: set[str] = set()
    kept = []
    for line in html.splitlines(keepends=True):
        if INLINE_SCRIPT.match(line):
            key = line.strip()
            if key in seen:
                continue
            seen.add(key)
        kept.append(line)
    return "".join(kept)


def deduplicate_pages(app: Sphinx, exception: Exception | None) -> None:
    # Sphinx 7.4 adds these duplicates after every html-page-context handler has run,
    # so mend the output.
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        mended = remove_duplicate_inline_scripts(text)
        if mended != text:
            page.write_text(mended, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", check_assets)
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=900)
    app.add_js_file(None, body=WIDGET_ASSETS_PATH, priority=400)
    app.connect("build-finished", deduplicate_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
