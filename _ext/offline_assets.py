"""A small Sphinx extension that keeps the site working with no network.

* It refuses to build when the vendored MathJax / widget-manager assets are missing, with the command that
  fetches them, instead of producing pages whose math stays raw.
* It removes duplicate ``<script>`` entries: Sphinx 7.4 writes inline scripts that extensions add late
  twice, and a browser then fails with "Identifier ... has already been declared".
* It lets the Jupyter widget manager (written for MathJax 2, ``MathJax.Hub.Queue``) typeset with MathJax 3.
"""

from __future__ import annotations

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
            var ready = (mj.startup && mj.startup.promise) ? mj.startup.promise : Promise.resolve();
            ready.then(function () { return mj.typesetPromise(element ? [element] : undefined); })
                 .catch(function (error) { console.warn("MathJax typeset failed", error); });
          }
        }
      }
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
""".strip()


def check_assets(app: Sphinx) -> None:
    for folder in app.config.html_extra_path:
        marker = Path(app.confdir, folder, "_vendor", ".complete")
        if not marker.is_file():
            raise ExtensionError(
                f"the offline web assets are missing ({marker}); run `make web-assets` (or `make book`) first"
            )


def deduplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script)), str(attributes.get("body", "")))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", check_assets)
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=900)
    app.connect("html-page-context", deduplicate_scripts, priority=10_000)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
