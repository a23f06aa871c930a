/* Names for the saved widgets, for screen readers and keyboard users.

   The Jupyter widget manager draws each chapter's interactive demo after the page has
   loaded. Its sliders show their description in a <label> that is not tied to the
   slider (a <div role="slider">), and the drawing is an <img> without a text
   alternative. Once the widgets are drawn, each control gets its description as its
   accessible name, and each drawing an alt text naming the demo and the controls'
   values. tests/test_site.py audits every page with axe-core. */

(function () {
  "use strict";

  var CONTROL = '[role="slider"], input, select, textarea, [contenteditable="true"]';

  function labelText(widget) {
    var label = widget.querySelector(":scope > .widget-label");
    var text = label ? label.textContent.trim() : "";
    return text || (widget.getAttribute("title") || "").trim();
  }

  function nameControls(root) {
    root.querySelectorAll(".widget-inline-hbox").forEach(function (widget) {
      var text = labelText(widget);
      if (!text) { return; }
      widget.querySelectorAll(CONTROL).forEach(function (control) {
        if (control.getAttribute("aria-label")) { return; }
        var readout = control.classList.contains("widget-readout");
        control.setAttribute("aria-label", readout ? text + " (value)" : text);
      });
    });
  }

  function demoDescription(image) {
    var demo = image.closest(".widget-vbox");
    if (!demo) { return "The demo's drawing"; }
    var heading = demo.querySelector(".widget-html b, .widget-html strong");
    var settings = [];
    demo.querySelectorAll(".widget-inline-hbox").forEach(function (widget) {
      var text = labelText(widget);
      var value = widget.querySelector(
        '.widget-readout, [role="slider"], select, input');
      var shown = "";
      if (value) {
        shown = value.getAttribute("aria-valuetext") || value.value ||
          value.textContent || "";
      }
      if (text && shown.trim()) { settings.push(text + " " + shown.trim()); }
    });
    var title = heading ? heading.textContent.trim() : "the interactive demo";
    return "Drawing of " + title +
      (settings.length ? " (" + settings.join(", ") + ")" : "");
  }

  function describeImages(root) {
    root.querySelectorAll(
      ".jupyter-widgets img:not([alt]), .jupyter-widgets-output-area img:not([alt])"
    ).forEach(function (image) {
      image.setAttribute("alt", demoDescription(image));
    });
  }

  function mend() {
    nameControls(document);
    describeImages(document);
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      mend();
    });
  }

  function start() {
    mend();
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
